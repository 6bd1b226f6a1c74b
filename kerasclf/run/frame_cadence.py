"""How often a run logs its pictures: about `MAX_FRAMES` times at most, however long it trains.

Each image series (and the weight histograms) is logged at step 0, every k
epochs, and at the last epoch. A run of many epochs logs every k-th epoch,
k = ceil(epochs / MAX_FRAMES), where its own cadence would log more often:

    series                   own k                  k of a 5,000-epoch run
    decision_boundary        5 (`boundary_every`)   50
    error_surface            10 (`surface_every`)   50
    weight histograms        5 (`histogram_every`)  50
    Day-2 and Day-3 panels   1 (activations 5)      50

A 5,000-epoch run on the seminar's blobs drew 1,001 boundary and 501 surface
frames before (97 s against 72 s without images, 50 MB of events), more than
TensorBoard keeps even at `--samples_per_plugin images=1000`. A cadence the
user sets (`--boundary-every 1`) is kept: only a key left unset takes this
one, and `config.json` records the value used.

Example:
    >>> frame_every(100, 5), frame_every(5000, 5), frame_every(5000, 1)
    (5, 50, 50)
    >>> from kerasclf.run.config import TrainConfig
    >>> filled = fill_cadence_defaults(TrainConfig(epochs=5000))
    >>> filled.boundary_every, filled.surface_every, filled.histogram_every
    (50, 50, 50)
"""

from __future__ import annotations

import dataclasses
import math

from kerasclf.run.config import TrainConfig
from kerasclf.run.config_ranges import CADENCES
from kerasclf.validation import check_integer, shown

# A run logs each picture series about this many times at most (and at step 0 and the end).
MAX_FRAMES = 100

# Each cadence key of the config and its own cadence.
OWN_CADENCES = {"boundary_every": 5, "surface_every": 10, "histogram_every": 5}


def frame_every(epochs: int, every: int = 1) -> int:
    """Draw every this many epochs: `every`, or less often in a run of many epochs.

    Example:
        >>> frame_every(20), frame_every(100), frame_every(1500), frame_every(1500, every=5)
        (1, 1, 15, 15)
    """
    epochs, every = check_integer("epochs", epochs), check_integer("every", every)
    return max(every, math.ceil(epochs / MAX_FRAMES))


def fill_cadence_defaults(config: TrainConfig) -> TrainConfig:
    """`config` with each unset cadence at `frame_every(epochs, its own)`.

    A cadence of a callback that `callbacks_off` switches off stays unset.
    `epochs` is filled already (`fill_model_defaults`).

    Example:
        >>> from kerasclf.run.config import TrainConfig
        >>> fill_cadence_defaults(TrainConfig(epochs=200)).boundary_every
        5
        >>> off = TrainConfig(epochs=200, callbacks_off=["boundary"])
        >>> print(fill_cadence_defaults(off).boundary_every)
        None
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(
            f"`config` must be a TrainConfig. Received: config={shown(config)} of type "
            f"{type(config).__name__}."
        )
    epochs = config.epochs
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        return config  # Refused, with its fix, by `check_ranges`.
    filled = {}
    for key, every in OWN_CADENCES.items():
        if getattr(config, key) is None and CADENCES[key] not in config.callbacks_off:
            filled[key] = frame_every(epochs, every)
    return dataclasses.replace(config, **filled)
