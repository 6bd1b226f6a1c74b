"""The seminar's costs: the cross-entropy for classes, the squared error for numbers.

Each task has its cost, summed (or averaged) over the samples:

    classification  CrossEntropy    J = -sum_i log p_i,l_i        (below)
    regression      SquaredError    J = sum_i mean_j (y_ij - yhat_ij)^2

For two classes, with label l in {0, 1} and predicted probability p:

    J = -sum_i [ l_i * log(p_i) + (1 - l_i) * log(1 - p_i) ]

For k classes with integer labels 0..k-1 and softmax probabilities p_ij:

    J = -sum_i log(p_i,l_i)

Both are computed from the logit that produced p, not from p itself, so the cost
stays finite and exact when p saturates at exactly 0 or 1 in float32 (the logit
is recovered from a sigmoid or softmax output, as Keras's own losses do). A
plain `log(p)` would give `inf` there, and clipping p would give a wrong, flat
cost.

The two-class cost's gradient with respect to the logit z is written out,
dJ/dz = p - l (`binary_cross_entropy_from_logits`), exact where p saturates.
TensorFlow's own derivative of its stable formula is a chain of selects, which
XLA compiled into one more kernel per minibatch of the fused loop: without it
the loop runs about 12% faster at batch 1 and 7% at batch 32 (BENCHMARKS.md).
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf
from keras import ops

from kerasclf.engine.reductions import REDUCTIONS
from kerasclf.engine.tasks import TASKS
from kerasclf.validation import check_choice, suggests_keywords

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

    @suggests_keywords
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

    @suggests_keywords
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

    Example:
        >>> logits = tf.constant([[30.0], [-2.0]])
        >>> costs = per_sample_cross_entropy([1, 1], keras.ops.sigmoid(logits))
        >>> [round(float(cost), 4) for cost in costs]
        [0.0, 2.1269]
    """
    if not hasattr(y_pred, "shape"):  # A list; a model's tensor keeps its logit.
        y_pred = ops.convert_to_tensor(y_pred)
    if y_pred.shape[-1] == 1:
        logits = sigmoid_logits(y_pred)
        if logits is None:  # Not straight from a sigmoid: Keras clips the probabilities.
            labels = ops.reshape(ops.cast(y_true, y_pred.dtype), ops.shape(y_pred))
            return ops.squeeze(ops.binary_crossentropy(labels, y_pred), axis=-1)
        labels = tf.reshape(tf.cast(y_true, logits.dtype), tf.shape(logits))
        return tf.squeeze(binary_cross_entropy_from_logits(labels, logits), axis=-1)
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


def sigmoid_logits(probabilities):
    """The logits a sigmoid turned into `probabilities`, or None.

    Found as Keras's own losses find them: Keras's sigmoid keeps them on its
    output (`_keras_logits`), and in a traced graph the output of a `Sigmoid`
    op has them as its input.

    Example:
        >>> logits = tf.constant([[40.0], [-1.0]])
        >>> sigmoid_logits(keras.ops.sigmoid(logits)) is logits
        True
        >>> sigmoid_logits(tf.constant([[0.5]])) is None
        True
    """
    logits = getattr(probabilities, "_keras_logits", None)
    if logits is not None:
        return logits
    op = getattr(probabilities, "op", None)  # None for an eager tensor.
    if op is not None and op.type == "Sigmoid":
        return op.inputs[0]
    return None


@tf.custom_gradient
def binary_cross_entropy_from_logits(labels, logits):
    """-[l log(p) + (1 - l) log(1 - p)] with p = sigmoid(z), elementwise, and its gradient.

    The cost is TensorFlow's stable formula (`sigmoid_cross_entropy_with_logits`),
    max(z, 0) - z l + log(1 + e^-|z|). Its gradient with respect to z, p - l,
    is computed as s sigmoid(s z) with s = 1 - 2l: for label 0 that is p, for
    label 1 it is -sigmoid(-z) = p - 1, exact even where p rounds to 1 in
    float32. So it holds for labels 0 and 1, the only ones a one-unit
    `CrossEntropy` takes. The cost and the gradient share e^-|z|: one
    exponential per sample, whether a pass needs both (an evaluation, a step
    that records its cost) or the gradient alone (the fused train step, where
    XLA drops the logarithm). The gradient with respect to the labels is -z.

    Args:
        labels: Float labels, 0 or 1, of the shape of `logits`.
        logits: The logits z.

    Returns:
        The cost of each element, the shape of `logits`.

    Example:
        >>> z = tf.constant([30.0, -2.0])
        >>> with tf.GradientTape() as tape:
        ...     tape.watch(z)
        ...     cost = binary_cross_entropy_from_logits(tf.constant([1.0, 1.0]), z)
        >>> # p - 1 for each, though p is exactly 1.0 in float32 at z = 30:
        >>> [float(g) for g in tape.gradient(cost, z)]  # doctest: +ELLIPSIS
        [-9.35...e-14, -0.880...]
    """
    # With `where`, as TensorFlow writes it: with `abs` and `maximum` XLA's pass
    # over 2**19 points took 3.0 ms instead of 2.0 ms.
    positive = logits >= 0
    decay = tf.exp(tf.where(positive, -logits, logits))  # e^-|z|, in (0, 1]: no overflow.
    cost = (
        tf.where(positive, logits, tf.zeros_like(logits)) - logits * labels + tf.math.log1p(decay)
    )

    def gradient(upstream):
        sign = 1.0 - 2.0 * labels
        # sigmoid(s z) is 1 / (1 + e^-|z|) where s z >= 0, e^-|z| / (1 + e^-|z|) elsewhere.
        numerator = sign * tf.where(sign * logits >= 0, tf.ones_like(decay), decay)
        return -upstream * logits, upstream * (numerator / (1.0 + decay))

    return cost, gradient
