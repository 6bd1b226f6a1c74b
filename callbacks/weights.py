"""`WeightLogger`: the weights, the step size and the gradient norm per epoch.

- Each parameter as its own scalar (`weights/w1`, `weights/w2`, `weights/b`)
  for models with at most 16 parameters, so W and b can be watched moving.
- A histogram of every weight of every layer (`histograms/<layer>/<weight>`).
- `learning_rate`: the step size the optimizer actually applied in the
  epoch's last update, so the decaying schedule is visible.
- `gradient_norm`: the norm of the gradient of the cost over the whole
  training set at the epoch's final weights (taken from the logs when a
  `CostLogger` computed it this epoch).

All at step = epochs completed, under `<logdir>/train`; step 0 is the start.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from callbacks.writers import SummaryWriters
from kerasclf.data import Data
from kerasclf.evaluation import ModelEvaluator
from kerasclf.optimizers import current_learning_rate

MAX_SCALAR_PARAMETERS = 16


def parameter_names(model: keras.Model) -> list[str]:
    """Scalar names of every parameter: w1, w2, ..., b for one Dense unit.

    Example:
        >>> from kerasclf.models import build_model
        >>> parameter_names(build_model("logistic", 2))
        ['w1', 'w2', 'b']
    """
    weights = model.weights
    if len(weights) == 2 and weights[0].shape[-1] == 1:
        return [f"w{index + 1}" for index in range(weights[0].shape[0])] + ["b"]
    names = []
    for weight in weights:
        path = weight.path.replace("/", ".")
        names += [f"{path}_{index}" for index in range(int(np.prod(weight.shape)))]
    return names


class WeightLogger(keras.callbacks.Callback):
    """Logs parameters, histograms, the applied step size and the gradient norm.

    Args:
        logdir: The run directory.
        x: Training features, for the gradient norm.
        y: Training labels.
        cost: "sum" or "mean", the reduction the model is trained with.
        histograms: Whether to log weight histograms.

    Example:
        >>> model.fit(x, y, callbacks=[WeightLogger("logs/run", x, y)])  # doctest: +SKIP
    """

    def __init__(self, logdir: str, x, y, cost: str = "sum", histograms: bool = True):
        super().__init__()
        self.logdir = logdir
        self.training = Data(x, y, source="WeightLogger training data")
        self.cost = cost
        self.histograms = histograms
        self._writers = SummaryWriters(logdir)
        self._write = None

    def _build(self) -> None:
        self._evaluator = ModelEvaluator(self.model, self.training, self.cost)
        names = parameter_names(self.model)

        def write_summaries(step, learning_rate, gradient_norm, after_an_update: bool):
            # One graph writes every summary of a step: eager summary ops cost
            # about a millisecond each, which would dwarf an epoch of training.
            values = tf.concat([tf.reshape(w, [-1]) for w in self.model.weights], axis=0)
            if len(names) <= MAX_SCALAR_PARAMETERS:
                for index, name in enumerate(names):
                    tf.summary.scalar(f"weights/{name}", values[index], step=step)
            if self.histograms:
                for layer in self.model.layers:
                    for weight in layer.weights:
                        tf.summary.histogram(
                            f"histograms/{layer.name}/{weight.name}", weight, step=step
                        )
            if after_an_update:  # A Python bool: traced once each way.
                tf.summary.scalar("learning_rate", learning_rate, step=step)
            tf.summary.scalar("gradient_norm", gradient_norm, step=step)

        self._write = tf.function(write_summaries)

    def _log(self, step: int, logs: dict) -> None:
        if self._write is None:
            self._build()
        rate = current_learning_rate(self.model.optimizer) if step > 0 else 0.0
        gradient_norm = logs.get("gradient_norm")
        if gradient_norm is None:  # No CostLogger computed it this epoch.
            gradient_norm = self._evaluator()["gradient_norm"]
        with self._writers["train"].as_default():
            self._write(
                tf.constant(step, tf.int64),
                tf.constant(rate, tf.float32),
                tf.constant(gradient_norm, tf.float32),
                step > 0,
            )

    def on_train_begin(self, logs=None):
        if int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0, logs={})

    def on_epoch_end(self, epoch, logs=None):
        self._log(step=epoch + 1, logs=logs or {})

    def on_train_end(self, logs=None):
        self._writers.close()
        self._write = None  # The traced graph holds the closed writer; retrace next fit.
