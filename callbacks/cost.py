"""`CostLogger`: the cost J(W, b) at each epoch's final weights, in TensorBoard.

Keras's epoch "loss" is a running mean over the epoch's minibatches, taken
while the weights move, so it lags the weights the epoch ends with. This
callback evaluates the whole training set (and the validation set) at the
epoch's final weights: the summed cost (the seminar's), the mean cost and the
accuracy. It logs them as `cost`, `mean_cost` and `accuracy` under
`<logdir>/train` and `<logdir>/validation` at step = epochs completed (step 0
is the initial weights), and adds them to the epoch's `logs` so that later
callbacks and `History` see them (validation ones as `val_cost`, ...).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from callbacks.writers import SummaryWriters
from kerasclf.data import Data
from kerasclf.evaluation import ModelEvaluator


class CostLogger(keras.callbacks.Callback):
    """Logs the summed and mean cost and the accuracy at each epoch's weights.

    Args:
        logdir: The run directory.
        x: Training features, shape (num_samples, num_features).
        y: Training labels 0..k-1.
        validation_data: Optional `(x, y)` of the validation set.

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[CostLogger("logs/run", x, y)])  # doctest: +SKIP
    """

    def __init__(self, logdir: str, x, y, validation_data=None):
        super().__init__()
        self.logdir = logdir
        self.training = Data(x, y, source="CostLogger training data")
        self.validation = None
        if validation_data is not None:
            self.validation = Data(
                *validation_data, source="CostLogger validation data",
                num_classes=self.training.num_classes,
            )
        self._writers = SummaryWriters(logdir)
        self._evaluators = None

    def _evaluate(self, step: int) -> dict[str, float]:
        if self._evaluators is None:
            self._evaluators = {"train": ModelEvaluator(self.model, self.training)}
            if self.validation is not None:
                self._evaluators["validation"] = ModelEvaluator(self.model, self.validation)
        values = {}
        for split, evaluator in self._evaluators.items():
            prefix = "" if split == "train" else "val_"
            result = evaluator()
            with self._writers[split].as_default():
                for key, value in result.items():
                    tf.summary.scalar(key, value, step=step)
                    values[prefix + key] = value
        return values

    def on_train_begin(self, logs=None):
        if int(self.model.optimizer.iterations.numpy()) == 0:
            self._evaluate(step=0)  # The starting point, before any update.

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs.update(self._evaluate(step=epoch + 1))

    def on_train_end(self, logs=None):
        self._writers.close()
