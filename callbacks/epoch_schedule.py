"""When a periodic TensorBoard logger draws: step 0, every k epochs, and always the last epoch.

`EpochSchedule` keeps the count; `ScheduledLogger` is the callback base class
of the loggers that draw on it (decision boundary, image panels, first layer,
activations, hidden state, forecast, generated text).

Example:
    >>> schedule = EpochSchedule(every=5)
    >>> [schedule.epoch_ended(epoch) for epoch in range(7)]
    [False, False, False, False, True, False, False]
    >>> schedule.logged(5)
    >>> schedule.final_step()
    7
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.validation import check_integer, suggests_keywords


class EpochSchedule:
    """The steps of a logger that draws every `every` epochs and at the end.

    Step k is the state after k epochs. A logger draws step 0 itself (the
    untrained weights); `epoch_ended` says which later steps are due, and
    `final_step` which step the end still owes, whether or not `every`
    divides it.

    Args:
        every: Draw every this many epochs (an integer >= 1).
    """

    def __init__(self, every: int):
        self.every = check_integer("every", every)
        self.last_step: int | None = None
        self.logged_step: int | None = None

    def epoch_ended(self, epoch: int) -> bool:
        """Records the end of `epoch` (0-based); whether its step, epoch + 1, is due."""
        self.last_step = epoch + 1
        return self.last_step % self.every == 0

    def logged(self, step: int) -> None:
        """Records that `step` was drawn."""
        self.logged_step = step

    def final_step(self) -> int | None:
        """The last epoch's step if it has not been drawn yet, else None."""
        return None if self.last_step in (None, self.logged_step) else self.last_step


class ScheduledLogger(keras.callbacks.Callback):
    """A callback that draws at step 0, every `every` epochs and at the last epoch.

    A subclass says whether it draws for its model (`is_drawing`), draws a
    step in `_log(step)` (calling `self._schedule.logged(step)` once drawn),
    and calls `log_final_step()` from its `on_train_end`.

    Args:
        every: Draw every this many epochs (an integer >= 1).
    """

    @suggests_keywords
    def __init__(self, every: int):
        super().__init__()
        self._schedule = EpochSchedule(every)
        self.every = self._schedule.every

    def is_drawing(self) -> bool:
        """Whether this logger draws for its model (it may have skipped itself)."""
        raise NotImplementedError

    def _log(self, step: int) -> None:
        raise NotImplementedError

    def on_epoch_end(self, epoch, logs=None):
        if self._schedule.epoch_ended(epoch) and self.is_drawing():
            self._log(step=epoch + 1)

    def log_final_step(self) -> None:
        """Draws the last epoch, whether or not `every` divides it, unless already drawn."""
        final = self._schedule.final_step()
        if final is not None and self.is_drawing():
            self._log(step=final)
