"""`PeriodicCheckpoint`: the run's checkpoint every `checkpoint_every` seconds, at epoch ends.

SIGINT and SIGTERM let a run save itself (`kerasclf.run.interruption`); a
hard kill (SIGKILL, the out-of-memory killer, a power cut) does not. So
while it trains, a run also writes `checkpoint.npz` at the end of an epoch
once `checkpoint_every` seconds have passed since its last one: a kill loses
at most that much training, and `kerasclf train --resume RUN_DIR` continues
bitwise as the uninterrupted run would. The checkpoint is the interrupted
run's (`kerasclf.run.checkpoint`): the model's and optimizer's variables,
random-seed state included, the epoch (the next epoch's order comes from
`(seed, epoch)`), plus the training time so far and the error surface's
path. Before writing it, every TensorBoard writer of the run is flushed, so
the events of each checkpointed epoch are on disk; events written after it
are cut on resume (`kerasclf.run.event_truncation`).

The clock is read once per epoch (tens of nanoseconds); a write costs what
saving the variables costs, once per period (benchmarks/checkpoint_cost.py).

Example:
    >>> snapshot = EpochSnapshot()  # doctest: +SKIP
    >>> checkpoint = PeriodicCheckpoint(snapshot, "logs/run", every_seconds=30)  # doctest: +SKIP
    >>> model.fit(..., callbacks=[snapshot, checkpoint])  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.callbacks.error_surface import ErrorSurfaceLogger
from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.writers import SummaryWriters
from kerasclf.run.checkpoint import EpochSnapshot, write_checkpoint
from kerasclf.run.fault_injection import fault_due, kill_if_due
from kerasclf.validation import check_number

# How deep `event_writers` looks inside a callback for its writers (a callback's
# image log holds its own writers).
_SEARCH_DEPTH = 3


class PeriodicCheckpoint(keras.callbacks.Callback):
    """Writes the run's checkpoint at an epoch's end, at most every `every_seconds`.

    Put it right after the `EpochSnapshot` it saves, so that the epoch it
    writes is the one the snapshot just took.

    Args:
        snapshot: The run's `EpochSnapshot`.
        run_dir: The run directory.
        every_seconds: Wall-clock seconds between checkpoints; 0 writes none.
        earlier_seconds: Training time of the run's earlier parts (a resumed run).
        callbacks: The run's other callbacks: their TensorBoard writers are
            flushed before each checkpoint, and an `ErrorSurfaceLogger`'s
            path is saved with it.
        clock: Seconds, monotonic; `time.perf_counter` unless a test says otherwise.

    Example:
        >>> PeriodicCheckpoint(EpochSnapshot(), "logs/run", 30).every_seconds
        30.0
    """

    def __init__(
        self,
        snapshot: EpochSnapshot,
        run_dir: str,
        every_seconds: float,
        earlier_seconds: float = 0.0,
        callbacks: list | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ):
        super().__init__()
        if not isinstance(snapshot, EpochSnapshot):
            raise TypeError(
                f"`snapshot` must be an EpochSnapshot. Received: {type(snapshot).__name__}."
            )
        self.snapshot = snapshot
        self.run_dir = run_dir
        self.every_seconds = check_number("every_seconds", every_seconds, 0, low_inclusive=True)
        self.earlier_seconds = check_number(
            "earlier_seconds", earlier_seconds, 0, low_inclusive=True
        )
        self.callbacks = list(callbacks or [])
        self.clock = clock
        self.checkpoints_written = 0
        self._started = None
        self._last_written = None

    def on_train_begin(self, logs=None):
        self._started = self._last_written = self.clock()

    def on_epoch_end(self, epoch, logs=None):
        if fault_due("kill-after-epoch", epoch + 1):
            flush_event_writers(self.callbacks)  # The worst case: the epoch's events on disk.
            kill_if_due("kill-after-epoch", epoch + 1)
        if self.every_seconds <= 0 or self.clock() - self._last_written < self.every_seconds:
            return
        self.write()

    def on_train_end(self, logs=None):
        # After the logging callbacks' own ends (they come first): their images are drawn.
        if fault_due("kill-after-images", self.snapshot.epochs_completed):
            flush_event_writers(self.callbacks)
            kill_if_due("kill-after-images", self.snapshot.epochs_completed)

    def write(self) -> str:
        """Flushes the run's event writers, writes the snapshot's checkpoint; returns its path."""
        flush_event_writers(self.callbacks)
        extras = {"wall_seconds": np.array(self.earlier_seconds + self.clock() - self._started)}
        surfaces = [c for c in unwrapped(self.callbacks) if isinstance(c, ErrorSurfaceLogger)]
        surface = surfaces[0] if surfaces else None
        if surface is not None and surface.path_steps:
            extras["surface_path"] = surface.path
            extras["surface_path_steps"] = np.array(surface.path_steps, np.int64)
            extras["surface_frame_steps"] = np.array(surface.frame_steps, np.int64)
        path = write_checkpoint(self.snapshot, self.run_dir, extras)
        self._last_written = self.clock()
        self.checkpoints_written += 1
        return path


def unwrapped(callbacks: list) -> list:
    """The callbacks themselves, out of `callback_isolation.Isolated` wrappers."""
    return [getattr(callback, "callback", callback) for callback in callbacks]


def flush_event_writers(callbacks: list) -> int:
    """Flushes every TensorBoard writer the callbacks hold; returns how many.

    The writers are found among each callback's attributes (and theirs, a
    few levels down): `callbacks.writers.SummaryWriters`, TensorFlow's own
    summary writers (a Keras TensorBoard callback's), and `ImageLog`s, whose
    image still being drawn on their thread is finished first.

    Example:
        >>> flush_event_writers([])
        0
    """
    found: dict[int, object] = {}
    for callback in unwrapped(callbacks):
        _collect_writers(callback, _SEARCH_DEPTH, found)
    for writer in found.values():
        writer.flush()
    return len(found)


def _collect_writers(value, depth: int, found: dict[int, object]) -> None:
    # An ImageLog's flush first waits for the image its thread is still drawing.
    if isinstance(value, (ImageLog, SummaryWriters, tf.summary.SummaryWriter)):
        found[id(value)] = value
        return
    if depth == 0 or isinstance(value, (keras.Model, keras.layers.Layer)):
        return
    children = value if isinstance(value, dict) else getattr(value, "__dict__", {})
    children = children.values()
    for child in children:
        if isinstance(child, (dict, ImageLog, SummaryWriters, tf.summary.SummaryWriter)) or hasattr(
            child, "__dict__"
        ):
            _collect_writers(child, depth - 1, found)


def periodic_checkpoints(config, snapshot, run_dir, earlier_seconds, callbacks) -> list:
    """`[PeriodicCheckpoint]` for a run that can resume, else `[]`.

    A run writes periodic checkpoints when `config.checkpoint_every` is above
    0, it has a run directory (a multiworker worker that is not the chief has
    none), and `--resume` can continue it (strategy none).

    Example:
        >>> periodic_checkpoints(config, snapshot, "logs/run", 0.0, [])  # doctest: +SKIP
        [<PeriodicCheckpoint ...>]
    """
    if run_dir is None or config.strategy != "none" or config.checkpoint_every <= 0:
        return []
    every = config.checkpoint_every
    return [PeriodicCheckpoint(snapshot, run_dir, every, earlier_seconds, callbacks)]
