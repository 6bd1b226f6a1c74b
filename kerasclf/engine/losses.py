"""The seminar's cost: the cross-entropy summed (or averaged) over the samples.

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

import keras
from keras import ops

from kerasclf.engine.reductions import REDUCTIONS
from kerasclf.validation import check_choice


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
    if isinstance(loss, CrossEntropy):
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
