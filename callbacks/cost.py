"""`CostLogger`: the cost J(W, b) at each epoch's final weights, in TensorBoard.

Keras's epoch "loss" is a running mean over the epoch's minibatches, taken
while the weights move, so it lags the weights the epoch ends with. This
callback evaluates the whole training set (and the validation set) at the
epoch's final weights: the summed cost (the seminar's), the mean cost, the
accuracy and the gradient norm. It logs them as `cost`, `mean_cost`,
`accuracy` and `gradient_norm`, and the validation set's as `validation/cost`,
`validation/mean_cost` and `validation/accuracy`, all under `<logdir>/train`
(so that TensorBoard lists the run once) at step = epochs completed (step 0
is the initial weights). A held-out test set, when given, is logged the same
way as `test/cost`, `test/mean_cost` and `test/accuracy`. It adds them to
the epoch's `logs` so that later callbacks and `History` see them
(validation ones as `val_cost`, test ones as `test_cost`, ...).

It also sets the logs' `loss` (and `val_loss`) to the loss at the epoch's
final weights: the cost in the model's reduction plus the weights' penalties
and the activity penalties of the same pass (per sample, as Keras divides
them by the minibatch's size), the quantity of which Keras's running mean is
an estimate, and what Keras's `evaluate` gives over the whole set at once. `kerasclf.train`
therefore lets the fused train step skip that running mean
(`Classifier.step_metrics`).

A regression model (compiled with `SquaredError`) has the squared error as
its cost and no accuracy: its `accuracy` series are absent.

Each tag's first event of a fit carries a description, shown under the
chart's (i) in TensorBoard: the set, its size and what to read off it
(`kerasclf.callbacks.scalar_descriptions`).
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

from kerasclf.callbacks.scalar_descriptions import SETS, scalar_descriptions, write_scalar
from kerasclf.callbacks.writers import EVENTS, SummaryWriters
from kerasclf.data import Data
from kerasclf.engine.evaluation import ModelEvaluator, check_classes_fit
from kerasclf.engine.losses import REDUCTIONS, TASKS, model_reduction
from kerasclf.validation import check_choice, check_directory_path, shown, suggests_keywords
from kerasclf.callbacks.requirements import cost_evaluation


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
        test_data: Optional `(x, y)` of a held-out test set (a data file's
            `x_test`, a named dataset's test part), logged as `test/cost`,
            `test/mean_cost` and `test/accuracy` (`test_cost`, ... in the logs).
        cost: "sum" or "mean", the reduction the model is trained with (for
            the gradient norm and the logs' `loss`); None to read it from the
            model's compiled loss (`kerasclf.engine.losses.model_reduction`).
        task: "classification" (integer labels) or "regression" (float
            targets, a model with a linear output).
        num_classes: The number of classes, when the labels may lack one
            (a text's next characters); None to count them.

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[CostLogger("logs/run", x, y)])  # doctest: +SKIP
    """

    SCALARS = ("cost", "mean_cost", "accuracy")

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot log for `model` (`callbacks.requirements`), or None.

        Any classifier, and any regression model.
        """
        return cost_evaluation(model)

    @suggests_keywords
    def __init__(
        self,
        logdir: str,
        x,
        y,
        validation_data=None,
        cost: str | None = None,
        test_data=None,
        task: str = "classification",
        num_classes: int | None = None,
    ):
        super().__init__()
        self.logdir = check_directory_path("logdir", logdir)
        self.cost = None if cost is None else check_choice("cost", cost, REDUCTIONS)
        self.task = check_choice("task", task, TASKS)
        streamed = y is None and (isinstance(x, tf.data.Dataset) or hasattr(x, "chunks"))
        self.training = (
            x
            if streamed
            else Data(
                x, y, source="CostLogger training data", task=self.task, num_classes=num_classes
            )
        )
        num_classes = getattr(self.training, "num_classes", None)
        self.held_out = {}  # The logs' prefix of each held-out set: its Data.
        for prefix, data in (("val_", validation_data), ("test_", test_data)):
            key = "validation_data" if prefix == "val_" else "test_data"
            if data is not None and (not isinstance(data, (tuple, list)) or len(data) != 2):
                raise TypeError(
                    f"`{key}` must be a pair (x, y) of features and labels, or None. "
                    f"Received: {key}={shown(data)} of type {type(data).__name__}."
                )
            if data is not None:
                source = f"CostLogger {'validation' if prefix == 'val_' else 'test'} data"
                self.held_out[prefix] = Data(
                    *data, source=source, num_classes=num_classes, task=self.task
                )
        self._writers = SummaryWriters(logdir)
        self._log_step = None

    def _build(self) -> None:
        if self.task == "classification":
            check_classes_fit(self.model, self.training)  # num_classes=3 for one sigmoid unit.
        reduction = self.cost or model_reduction(self.model)
        # The logs' prefix of each set: its evaluator.
        evaluators = {"": ModelEvaluator(self.model, self.training, reduction)}
        for prefix, data in self.held_out.items():
            evaluators[prefix] = ModelEvaluator(self.model, data, reduction, gradient=False)
        cost_key = "cost" if reduction == "sum" else "mean_cost"
        sizes = {
            prefix: getattr(evaluator_data, "num_samples", None)
            for prefix, evaluator_data in (("", self.training), *self.held_out.items())
        }
        # TensorBoard shows the description of a tag's first event: the fit's
        # first events carry it (`described`), the others the bare metadata.
        descriptions = scalar_descriptions(self.task, reduction, sizes)

        def log_step(step, described):
            # One graph evaluates and writes everything: eager summary ops cost
            # about a millisecond each, more than an epoch of training here.
            values = {}
            for prefix, evaluator in evaluators.items():
                tag_prefix, _ = SETS[prefix]
                result = evaluator.compiled(regularization=True)
                regularization = result.pop("regularization")
                with self._writers[EVENTS].as_default():
                    scalars = evaluator.keys if not prefix else self.SCALARS
                    for key in (key for key in scalars if key in result):
                        tag = tag_prefix + key
                        write_scalar(tag, result[key], step, described, descriptions[tag])
                values.update({prefix + key: value for key, value in result.items()})
                values[prefix + "loss"] = result[cost_key] + regularization
            return values

        self._log_step = tf.function(log_step, autograph=False)

    def _log(self, step: int) -> dict[str, float]:
        described = self._log_step is None  # The fit's first call.
        if described:
            self._build()
        values = self._log_step(tf.constant(step, tf.int64), tf.constant(described))
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
