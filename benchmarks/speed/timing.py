"""Timing whole epochs, the medians over repeats, and the progress lines.

Every runner returns a `Measurement`: a `fit` is timed by an `EpochTimer`
callback, any other loop by `time_epochs`. The tables give medians over
repeats (`median_of`) and medians of per-repeat ratios (`median_ratio`).
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from collections.abc import Callable

import keras


@dataclasses.dataclass
class Measurement:
    """One timed figure.

    Attributes:
        samples_per_second: Samples trained per second over the timed epochs.
        seconds_per_epoch: Mean seconds of one timed epoch.
        timed_epochs: How many epochs were timed.
        first_epoch_seconds: The warm-up epoch, compile included.
        parts: Named parts of the epoch, in seconds per epoch (e.g. the time
            each callback's `on_epoch_end` took).

    Example:
        >>> Measurement(1000.0, 0.5, 4, 1.2).samples_per_second
        1000.0
    """

    samples_per_second: float
    seconds_per_epoch: float
    timed_epochs: int
    first_epoch_seconds: float
    parts: dict[str, float] = dataclasses.field(default_factory=dict)


# A runner times one figure; each path makes one per batch size.
Runner = Callable[[], Measurement]


class EpochTimer(keras.callbacks.Callback):
    """Times the epochs of a `fit` after the first, and stops it when enough are timed.

    Put it last in the callback list: each epoch's time then includes every
    other callback's `on_epoch_end`.

    Args:
        min_seconds: Stop once the epochs after the first took at least this long.
        period: Stop only after a multiple of this many timed epochs, so that
            callbacks that act every k epochs get their share of the window.

    Example:
        >>> timer = EpochTimer(min_seconds=1.0)
        >>> # model.fit(x, y, epochs=1000, callbacks=[timer]); timer.measurement(len(x))
    """

    def __init__(self, min_seconds: float, period: int = 1):
        super().__init__()
        self.min_seconds = min_seconds
        self.period = period
        self._train_begin = None
        self._epoch_ends = []

    def on_train_begin(self, logs=None):
        self._train_begin = time.perf_counter()
        self._epoch_ends = []

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        self._epoch_ends.append(now)
        timed_epochs = len(self._epoch_ends) - 1
        if (
            timed_epochs >= 1
            and timed_epochs % self.period == 0
            and now - self._epoch_ends[0] >= self.min_seconds
        ):
            self.model.stop_training = True

    @property
    def timed_epochs(self) -> int:
        return len(self._epoch_ends) - 1

    def measurement(self, num_samples: int, parts: dict[str, float] | None = None) -> Measurement:
        """The figure of the fit that just ended."""
        if self.timed_epochs < 1:
            raise RuntimeError("Training stopped before a second epoch; nothing was timed.")
        seconds = self._epoch_ends[-1] - self._epoch_ends[0]
        return Measurement(
            samples_per_second=num_samples * self.timed_epochs / seconds,
            seconds_per_epoch=seconds / self.timed_epochs,
            timed_epochs=self.timed_epochs,
            first_epoch_seconds=self._epoch_ends[0] - self._train_begin,
            parts=parts or {},
        )


def time_epochs(run_epoch: Callable[[], None], num_samples: int, min_seconds: float) -> Measurement:
    """Runs one warm-up epoch, then whole epochs until `min_seconds` have passed.

    Args:
        run_epoch: Trains one epoch and returns once it is done.
        num_samples: Samples per epoch.
        min_seconds: The least time to measure.

    Returns:
        The `Measurement` of the epochs after the warm-up.

    Example:
        >>> time_epochs(lambda: None, num_samples=10, min_seconds=0.0).timed_epochs
        1
    """
    started = time.perf_counter()
    run_epoch()
    first_epoch_seconds = time.perf_counter() - started
    epochs = 0
    started = time.perf_counter()
    while True:
        run_epoch()
        epochs += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            break
    return Measurement(
        num_samples * epochs / elapsed, elapsed / epochs, epochs, first_epoch_seconds
    )


def median_of(results: dict, key: str, batch_size: int, field: str) -> float | None:
    """The median over repeats of one `Measurement` field, or None if not measured."""
    measurements = results.get((key, batch_size))
    if not measurements:
        return None
    return statistics.median(getattr(measurement, field) for measurement in measurements)


def median_ratio(results: dict, top: str, bottom: str, batch_size: int) -> float | None:
    """The median over repeats of top's samples/s over bottom's, in the same repeat."""
    tops, bottoms = results.get((top, batch_size)), results.get((bottom, batch_size))
    if not tops or not bottoms:
        return None
    return statistics.median(
        a.samples_per_second / b.samples_per_second for a, b in zip(tops, bottoms)
    )


def progress(message: str) -> None:
    """A progress line, on stderr so that the printed report stays clean."""
    print(message, file=sys.stderr, flush=True)


def describe_error(error: Exception) -> str:
    """One line: the exception's type and the last line of its message."""
    lines = str(error).strip().splitlines() or [""]
    return f"{type(error).__name__}: {lines[-1]}"[:200]
