"""`MinibatchCostLogger`: the cost of every minibatch, to show SGD's noise.

With batch size 1 the cost of each step jumps around; with full batch it is
smooth. The cost of each minibatch (at the weights before its update) is
computed inside the compiled training loop by `kerasclf.Classifier`, returned
with the block, and logged here as `minibatch_cost` under `<logdir>/train`
at step = the optimizer's iteration of that update (1, 2, ...).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from callbacks.writers import SummaryWriters


class MinibatchCostLogger(keras.callbacks.Callback):
    """Logs each minibatch's cost at step = optimizer iteration.

    Needs a `kerasclf.Classifier` model, which it switches to recording.

    Args:
        logdir: The run directory.

    Example:
        >>> model.fit(data, callbacks=[MinibatchCostLogger("logs/run")])  # doctest: +SKIP
    """

    def __init__(self, logdir: str):
        super().__init__()
        self.logdir = logdir
        self._writers = SummaryWriters(logdir)

    def on_train_begin(self, logs=None):
        if not hasattr(self.model, "record_minibatch_costs"):
            raise TypeError(
                "MinibatchCostLogger needs a kerasclf.Classifier model, which records "
                f"minibatch costs. Received a {type(self.model).__name__}."
            )
        self.model.record_minibatch_costs = True
        self.model.make_train_function(force=True)

    def on_train_batch_end(self, batch, logs=None):
        costs = np.atleast_1d(np.asarray((logs or {}).get("minibatch_costs", [])))
        last_iteration = int(self.model.optimizer.iterations.numpy())
        first = last_iteration - len(costs) + 1
        with self._writers["train"].as_default():
            for offset, cost in enumerate(costs):
                tf.summary.scalar("minibatch_cost", float(cost), step=first + offset)

    def on_train_end(self, logs=None):
        self.model.record_minibatch_costs = False
        self._writers.close()
