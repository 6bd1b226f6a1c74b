"""`CostLogger`: the cost J(W, b) at each epoch's final weights, in TensorBoard.

Keras's epoch "loss" is a running mean over the epoch's minibatches, taken
while the weights move, so it lags the weights the epoch ends with. This
callback evaluates the whole training set (and the validation set) at the
epoch's final weights: the summed cost (the seminar's), the mean cost, the
accuracy and the gradient norm. It logs them as `cost`, `mean_cost`,
`accuracy` and `gradient_norm`, and the validation set's as `validation/cost`,
`validation/mean_cost` and `validation/accuracy`, all under `<logdir>/train`
(so that TensorBoard lists the run once) at step = epochs completed (step 0
is the initial weights). It adds them to the epoch's `logs` so that later
callbacks and `History` see them (validation ones as `val_cost`, ...).

It also sets the logs' `loss` (and `val_loss`) to the loss at the epoch's
final weights: the cost in the model's reduction plus any regularization, the
quantity of which Keras's running mean is an estimate. `kerasclf.train`
therefore lets the fused train step skip that running mean
(`Classifier.step_metrics`).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from kerasclf.callbacks.writers import EVENTS, SummaryWriters
from kerasclf.data import Data
from kerasclf.engine.evaluation import ModelEvaluator
from kerasclf.engine.losses import REDUCTIONS, model_reduction
from kerasclf.validation import check_choice
from kerasclf.callbacks.requirements import probability_output


class CostLogger(keras.callbacks.Callback):
    """Logs the summed and mean cost and the accuracy at each epoch's weights.

    It also logs the norm of the cost's gradient over the training set,
    `gradient_norm`, computed in the same pass, and puts it into the logs.

    Args:
        logdir: The run directory.
        x: Training features, shape (num_samples, num_features); or, with
            y None, data streamed in chunks: a `tf.data.Dataset` of
            `(features, labels)` or a `kerasclf.data.streaming.Stream`.
        y: Training labels 0..k-1.
        validation_data: Optional `(x, y)` of the validation set.
        cost: "sum" or "mean", the reduction the model is trained with (for
            the gradient norm and the logs' `loss`); None to read it from the
            model's compiled loss (`kerasclf.engine.losses.model_reduction`).

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[CostLogger("logs/run", x, y)])  # doctest: +SKIP
    """

    SCALARS = ("cost", "mean_cost", "accuracy")

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot log for `model` (`callbacks.requirements`), or None: any classifier."""
        return probability_output(model)

    def __init__(self, logdir: str, x, y, validation_data=None, cost: str | None = None):
        super().__init__()
        self.logdir = logdir
        self.cost = None if cost is None else check_choice("cost", cost, REDUCTIONS)
        streamed = y is None and (isinstance(x, tf.data.Dataset) or hasattr(x, "chunks"))
        self.training = x if streamed else Data(x, y, source="CostLogger training data")
        self.validation = None
        if validation_data is not None:
            self.validation = Data(
                *validation_data,
                source="CostLogger validation data",
                num_classes=getattr(self.training, "num_classes", None),
            )
        self._writers = SummaryWriters(logdir)
        self._log_step = None

    def _build(self) -> None:
        reduction = self.cost or model_reduction(self.model)
        evaluators = {"train": ModelEvaluator(self.model, self.training, reduction)}
        cost_key = "cost" if reduction == "sum" else "mean_cost"
        if self.validation is not None:
            evaluators["validation"] = ModelEvaluator(self.model, self.validation, reduction)

        def log_step(step):
            # One graph evaluates and writes everything: eager summary ops cost
            # about a millisecond each, more than an epoch of training here.
            values = {}
            for split, evaluator in evaluators.items():
                prefix = "" if split == "train" else "val_"
                tag_prefix = "" if split == "train" else "validation/"
                result = evaluator.compiled()
                with self._writers[EVENTS].as_default():
                    for key in ModelEvaluator.KEYS if split == "train" else self.SCALARS:
                        tf.summary.scalar(tag_prefix + key, result[key], step=step)
                values.update({prefix + key: value for key, value in result.items()})
                values[prefix + "loss"] = result[cost_key] + tf.cast(
                    tf.add_n(self.model.losses) if self.model.losses else 0.0,
                    result[cost_key].dtype,
                )
            return values

        self._log_step = tf.function(log_step)

    def _log(self, step: int) -> dict[str, float]:
        if self._log_step is None:
            self._build()
        values = self._log_step(tf.constant(step, tf.int64))
        return {key: float(value) for key, value in values.items()}

    def on_train_begin(self, logs=None):
        if int(self.model.optimizer.iterations.numpy()) == 0:
            # The starting point, before any update. Keras hands the same logs
            # to every callback's on_train_begin, so the callbacks after this
            # one (EpochPrinter, DivergenceStop) read epoch 0 from them.
            values = self._log(step=0)
            if logs is not None:
                logs.update(values)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs.update(self._log(step=epoch + 1))

    def on_train_end(self, logs=None):
        self._writers.close()
        self._log_step = None  # The traced graph holds the closed writers.
