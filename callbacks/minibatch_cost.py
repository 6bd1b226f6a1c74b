"""`MinibatchCostLogger`: the cost of every minibatch, to show SGD's noise.

With batch size 1 the cost of each step jumps around; with full batch it is
smooth. The cost of each minibatch (at the weights before its update) is
computed inside the compiled training loop by `kerasclf.Classifier`, returned
with the block, and logged here as `minibatch_cost` under `<logdir>/train`
at step = the optimizer's iteration of that update (1, 2, ...).

An epoch's costs are written together at its end, by one compiled loop: a
summary op per value from Python costs about half a millisecond, more than
an SGD step. So an epoch cut short (a second Ctrl-C) logs none of its
minibatches, and a resumed run that trains it again logs each step once.
(Epochs of more than `MAX_PENDING` minibatches write them every
`MAX_PENDING`, to bound memory.)
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.callbacks.scalar_descriptions import DESCRIPTIONS, write_scalar
from kerasclf.callbacks.writers import SummaryWriters
from kerasclf.validation import check_directory_path, suggests_keywords

TAG = "minibatch_cost"
# An epoch with more minibatches than this (SGD over streamed data) writes them
# as they come, so that memory stays bounded.
MAX_PENDING = 2**20


class MinibatchCostLogger(keras.callbacks.Callback):
    """Logs each minibatch's cost at step = optimizer iteration.

    Needs a `kerasclf.Classifier` model configured to record them
    (`StepSettings(record_minibatch_costs=True)`).

    Args:
        logdir: The run directory.

    Example:
        >>> model.fit(data, callbacks=[MinibatchCostLogger("logs/run")])  # doctest: +SKIP
    """

    @suggests_keywords
    def __init__(self, logdir: str):
        super().__init__()
        self.logdir = check_directory_path("logdir", logdir)
        self._writers = SummaryWriters(logdir)
        self._pending: list[tuple[int, np.ndarray]] = []  # (first step, costs)
        self._num_pending = 0
        self._write = None

    def on_train_begin(self, logs=None):
        settings = getattr(self.model, "step_settings", None)
        if settings is None or not settings.record_minibatch_costs:
            raise TypeError(
                "MinibatchCostLogger needs a kerasclf.Classifier model that records minibatch "
                "costs. Received a {} with step settings {}. In kerasclf.train, set "
                "batch_cost=True (--batch-cost true), which logs them; with your own fit, call "
                "model.configure_step(StepSettings(record_minibatch_costs=True)) first "
                "(StepSettings from kerasclf.engine.classifier).".format(
                    type(self.model).__name__, settings
                )
            )
        self._pending, self._num_pending = [], 0
        writer = self._writers["train"]

        @tf.function(
            input_signature=[
                tf.TensorSpec([None], tf.float32),
                tf.TensorSpec([None], tf.int64),
                tf.TensorSpec([], tf.bool),
            ]
        )
        def write(costs, steps, described):
            with writer.as_default():
                for index in tf.range(tf.shape(costs)[0]):
                    # write_scalar keeps the tag as given; tf.summary.scalar
                    # would prefix the loop's name scope ("while/").
                    first = tf.logical_and(described, tf.equal(index, 0))
                    write_scalar(TAG, costs[index], steps[index], first, DESCRIPTIONS[TAG])

        self._write = write
        self._described = False

    def on_train_batch_end(self, batch, logs=None):
        costs = np.atleast_1d(np.asarray((logs or {}).get("minibatch_costs", []), np.float32))
        last_iteration = int(self.model.optimizer.iterations.numpy())
        self._pending.append((last_iteration - len(costs) + 1, costs))
        self._num_pending += len(costs)
        if self._num_pending >= MAX_PENDING:
            self._write_pending()

    def on_epoch_end(self, epoch, logs=None):
        self._write_pending()

    def _write_pending(self) -> None:
        if not self._pending:
            return
        costs = np.concatenate([costs for _, costs in self._pending])
        steps = np.concatenate(
            [first + np.arange(len(costs), dtype=np.int64) for first, costs in self._pending]
        )
        self._pending, self._num_pending = [], 0
        # The fit's first minibatch cost carries the description (scalar_descriptions).
        self._write(costs, steps, tf.constant(not self._described))
        self._described = True

    def on_train_end(self, logs=None):
        # An epoch cut short: its minibatches are trained again on resume.
        self._pending, self._num_pending = [], 0
        self._writers.close()
        self._write = None  # The traced graph holds the closed writer.
