"""`DivergenceStop`: stop at the first non-finite cost, and say so.

A step size that is too big makes gradient descent overshoot, and the cost
and weights can overflow to inf and NaN. Keras's `TerminateOnNaN` only looks
at the running-mean loss; this callback checks the cost at the epoch's
weights and the weights themselves, stops training at once, and marks the
model (`model.diverged_epoch`) so the run's summary says `diverged`.
"""

from __future__ import annotations

import math
import sys

import keras
import numpy as np


class DivergenceStop(keras.callbacks.Callback):
    """Stops training when the cost or a weight stops being finite.

    Args:
        stream: Where the one-line message goes; default stderr.

    Attributes:
        diverged_epoch: The epoch (counted from 1) at whose end training
            stopped, or None.

    Example:
        >>> model.fit(x, y, callbacks=[CostLogger(...), DivergenceStop()])  # doctest: +SKIP
    """

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.diverged_epoch = None
        self._what = "cost"

    def on_train_begin(self, logs=None):
        self.diverged_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        cost = logs.get("cost", logs.get("loss"))
        finite_cost = cost is None or math.isfinite(cost)
        finite_weights = all(np.isfinite(w).all() for w in self.model.get_weights())
        if finite_cost and finite_weights:
            return
        self.diverged_epoch = epoch + 1
        self.model.diverged_epoch = epoch + 1
        self.model.stop_training = True
        self._what = "cost" if not finite_cost else "weights"

    def on_train_end(self, logs=None):
        # Said at the end, after the line a progress callback prints for the epoch.
        if self.diverged_epoch is None:
            return
        rate = getattr(self.model.optimizer, "learning_rate", None)
        hint = f" (it is {float(rate):g})" if rate is not None else ""
        print(
            f"diverged at epoch {self.diverged_epoch}: the {self._what} became inf or NaN. "
            f"Use a smaller --learning-rate{hint}, e.g. a tenth of it.",
            file=self.stream or sys.stderr,
            flush=True,
        )
