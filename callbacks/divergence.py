"""`DivergenceStop`: stop when the cost blows up, and say so.

A step size that is too big makes gradient descent overshoot, and the cost
and weights grow until they overflow to inf and NaN. Keras's `TerminateOnNaN`
only looks at the running-mean loss; this callback checks the cost at the
epoch's weights and the weights themselves, stops training at once, and keeps
the epoch in its `diverged_epoch`, which `kerasclf.train` reads for the run's
summary (`diverged`).

The rule: a run has diverged at the end of the first epoch where

    mean_cost > 100    (nats per sample), or the cost or a weight is inf or NaN.

A model that gives every class the same probability costs log k per sample
(0.69 for two classes); a mean cost of 100 means it gives the true classes a
probability near e^-100 on average: it is confidently wrong almost
everywhere. Runs that converge stay far below: the seminar's too-big step
(0.05, which overshoots and never settles) peaks at about 15, momentum's
overshoot below 1. The mean cost comes from `CostLogger`'s logs; without it
only inf and NaN count.

The message says to take a smaller step. With a summed cost and a step of
eta times the gradient (gd, momentum, nesterov) it also says that the step
grows with the points each minibatch sums over: the slide's step suits its
200 points, and a student who trains on 100,000 with it (`--num-samples`)
steps 500 times as far.
"""

from __future__ import annotations

import math
import sys

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
from kerasclf.validation import check_integer, check_text_stream, suggests_keywords
import keras
import numpy as np

# The mean cost per sample (nats) above which a run has diverged.
DIVERGED_MEAN_COST = 100.0


class DivergenceStop(keras.callbacks.Callback):
    """Stops training when the cost blows up or a weight stops being finite.

    The rule is in this module's docstring: `mean_cost` above
    `DIVERGED_MEAN_COST`, or an inf or NaN cost or weight.

    Args:
        stream: Where the one-line message goes; default stderr.
        summed_over: With a summed cost and a step proportional to the
            gradient, the number of points each minibatch's cost sums over
            (the batch size); the message then says that the step grows with
            them. None otherwise (a mean cost, adam).

    Attributes:
        diverged_epoch: The epoch (counted from 1) at whose end training
            stopped, or None.

    Example:
        >>> model.fit(x, y, callbacks=[CostLogger(...), DivergenceStop()])  # doctest: +SKIP
        >>> DivergenceStop(summed_over=100_000).summed_over
        100000
    """

    @suggests_keywords
    def __init__(self, stream=None, summed_over: int | None = None):
        super().__init__()
        self.stream = check_text_stream("stream", stream)
        self.summed_over = (
            None
            if summed_over is None
            else check_integer("summed_over", summed_over, maximum=2**62)
        )
        self.diverged_epoch = None
        self._what = ""

    def on_train_begin(self, logs=None):
        self.diverged_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        cost = logs.get("cost", logs.get("loss"))
        finite_cost = cost is None or math.isfinite(cost)
        finite_weights = all(np.isfinite(w).all() for w in self.model.get_weights())
        mean_cost = logs.get("mean_cost")
        if not finite_cost:
            self._what = "the cost became inf or NaN"
        elif not finite_weights:
            self._what = "the weights became inf or NaN"
        elif mean_cost is not None and mean_cost > DIVERGED_MEAN_COST:
            self._what = (
                f"the cost per sample rose to {mean_cost:.4g}, above {DIVERGED_MEAN_COST:g}"
            )
        else:
            return
        self.diverged_epoch = epoch + 1
        self.model.stop_training = True

    def on_train_end(self, logs=None):
        # Said at the end, after the line a progress callback prints for the epoch.
        if self.diverged_epoch is None:
            return
        rate = getattr(self.model.optimizer, "learning_rate", None)
        hint = f" (it is {float(rate):g})" if rate is not None else ""
        summed = ""
        if self.summed_over is not None and self.summed_over > 1:
            points = f"{self.summed_over:,}"
            summed = (
                f" The cost is a sum over each minibatch's {points} points, so its gradient "
                f"and the step grow with them; --cost mean divides both by {points}."
            )
        print(
            f"diverged at epoch {self.diverged_epoch}: {self._what}. "
            f"Use a smaller --learning-rate{hint}, e.g. a tenth of it.{summed}",
            file=self.stream or sys.stderr,
            flush=True,
        )
