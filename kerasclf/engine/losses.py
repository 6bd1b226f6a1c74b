"""The seminar's costs: the cross-entropy for classes, the squared error for numbers.

Each task has its cost, summed (or averaged) over the samples:

    classification  CrossEntropy    J = -sum_i log p_i,l_i        (below)
    regression      SquaredError    J = sum_i mean_j (y_ij - yhat_ij)^2

For two classes, with label l in {0, 1} and predicted probability p:

    J = -sum_i [ l_i * log(p_i) + (1 - l_i) * log(1 - p_i) ]

For k classes with integer labels 0..k-1 and softmax probabilities p_ij:

    J = -sum_i log(p_i,l_i)

Both are computed from the logit that produced p, not from p itself, so the cost
stays finite and exact when p saturates at exactly 0 or 1 in float32 (Keras
recovers the logit from a sigmoid or softmax output). A plain `log(p)` would
give `inf` there, and clipping p would give a wrong, flat cost.
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
from keras import ops

from kerasclf.engine.reductions import REDUCTIONS
from kerasclf.engine.tasks import TASKS
from kerasclf.validation import check_choice

# Keras's own loss names that mean a regression.
REGRESSION_LOSS_NAMES = ("mse", "mean_squared_error", "MeanSquaredError")


@keras.saving.register_keras_serializable(package="kerasclf")
class CrossEntropy(keras.losses.Loss):
    """Cross-entropy for a sigmoid (one unit) or softmax (k units) output.

    Labels are integers: 0/1 for one output unit, 0..k-1 for k output units.
    Labels may have shape `(batch,)` or `(batch, 1)`.

    Args:
        reduction: `"sum"` (the seminar's cost, the default) or `"mean"`.
        name: Name of the loss.

    Example:
        >>> loss = CrossEntropy("sum")
        >>> float(loss([[1.0], [0.0]], [[0.5], [0.5]]))  # 2 * log(2)  # doctest: +ELLIPSIS
        1.386...
    """

    def __init__(self, reduction: str = "sum", name: str = "cross_entropy"):
        self.cost_reduction = check_choice("reduction", reduction, REDUCTIONS)
        super().__init__(name=name, reduction=REDUCTIONS[reduction])

    def call(self, y_true, y_pred):
        return per_sample_cross_entropy(y_true, y_pred)

    def get_config(self) -> dict:
        return {"reduction": self.cost_reduction, "name": self.name}


@keras.saving.register_keras_serializable(package="kerasclf")
class SquaredError(keras.losses.Loss):
    """Squared error of a linear output: the regression task's cost.

    Targets are numbers, shape `(batch,)` or `(batch, k)`; each sample's error
    is the mean over its k targets of (y - yhat)^2, as Keras's
    `MeanSquaredError` computes it, so with one target it is (y - yhat)^2.

    Args:
        reduction: `"sum"` (summed over the samples, the default) or `"mean"`.
        name: Name of the loss.

    Example:
        >>> loss = SquaredError("sum")
        >>> float(loss([[1.0], [0.0]], [[0.5], [2.0]]))  # 0.25 + 4
        4.25
    """

    def __init__(self, reduction: str = "sum", name: str = "squared_error"):
        self.cost_reduction = check_choice("reduction", reduction, REDUCTIONS)
        super().__init__(name=name, reduction=REDUCTIONS[reduction])

    def call(self, y_true, y_pred):
        return per_sample_squared_error(y_true, y_pred)

    def get_config(self) -> dict:
        return {"reduction": self.cost_reduction, "name": self.name}


def task_loss(task: str, reduction: str = "sum") -> keras.losses.Loss:
    """The loss a built-in model of `task` compiles with.

    Example:
        >>> task_loss("regression", "mean").name
        'squared_error'
    """
    check_choice("task", task, TASKS)
    return SquaredError(reduction) if task == "regression" else CrossEntropy(reduction)


def model_task(model: keras.Model) -> str:
    """The task `model` was compiled for: "classification" or "regression".

    kerasclf's `SquaredError` or Keras's mean squared error mean a regression;
    any other compiled loss a classification. An uncompiled model is judged
    by its output: a sigmoid or softmax gives probabilities (classification),
    anything else numbers (regression).

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model_task(model)
        'regression'
        >>> model.compile(loss=CrossEntropy())
        >>> model_task(model)
        'classification'
    """
    loss = getattr(model, "loss", None)
    if loss is not None:
        name = loss if isinstance(loss, str) else type(loss).__name__
        is_regression = isinstance(loss, SquaredError) or name in REGRESSION_LOSS_NAMES
        return "regression" if is_regression else "classification"
    activation = getattr(model.layers[-1], "activation", None) if model.layers else None
    name = getattr(activation, "__name__", "")
    return "classification" if name in ("sigmoid", "softmax") else "regression"


def per_sample_cost(task: str):
    """The per-sample cost function of `task`: `(y_true, y_pred) -> (batch,)`.

    Example:
        >>> per_sample_cost("regression") is per_sample_squared_error
        True
    """
    check_choice("task", task, TASKS)
    return per_sample_squared_error if task == "regression" else per_sample_cross_entropy


def model_reduction(model: keras.Model) -> str:
    """How `model`'s compiled loss reduces over the samples: "sum" or "mean".

    kerasclf's `CrossEntropy` says so itself. A Keras loss with reduction
    "sum" sums; any other compiled loss (Keras's default reduction,
    "sum_over_batch_size", or a loss given by name) averages. A model that is
    not compiled gets the seminar's "sum".

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, "sigmoid")])
        >>> model.compile(loss=CrossEntropy("mean"))
        >>> model_reduction(model)
        'mean'
        >>> model.compile(loss="binary_crossentropy")
        >>> model_reduction(model)
        'mean'
    """
    loss = getattr(model, "loss", None)
    if loss is None:
        return "sum"
    if isinstance(loss, (CrossEntropy, SquaredError)):
        return loss.cost_reduction
    return "sum" if getattr(loss, "reduction", None) == "sum" else "mean"


def per_sample_cross_entropy(y_true, y_pred):
    """The cross-entropy of each sample, shape `(batch,)`.

    Args:
        y_true: Integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: Probabilities, shape `(batch, 1)` (sigmoid) or `(batch, k)`
            (softmax), straight from the model so that the logit is recoverable.

    Returns:
        A float tensor of shape `(batch,)`.
    """
    if not hasattr(y_pred, "shape"):  # A list; a model's tensor keeps its logit.
        y_pred = ops.convert_to_tensor(y_pred)
    if y_pred.shape[-1] == 1:
        labels = ops.reshape(ops.cast(y_true, y_pred.dtype), ops.shape(y_pred))
        return ops.squeeze(ops.binary_crossentropy(labels, y_pred), axis=-1)
    labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
    return ops.sparse_categorical_crossentropy(labels, y_pred)


def per_sample_squared_error(y_true, y_pred):
    """The squared error of each sample, averaged over its targets: shape `(batch,)`.

    Args:
        y_true: Targets, shape `(batch,)` or `(batch, k)`.
        y_pred: Predictions, shape `(batch, k)` (k = 1 for one target).

    Example:
        >>> [float(v) for v in per_sample_squared_error([1.0, 2.0], [[0.0], [4.0]])]
        [1.0, 4.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    targets = ops.reshape(ops.cast(y_true, y_pred.dtype), ops.shape(y_pred))
    return ops.mean(ops.square(targets - y_pred), axis=-1)
