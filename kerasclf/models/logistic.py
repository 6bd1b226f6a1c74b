"""Logistic regression: p = sigmoid(x^T w + b), or softmax(x W + b) for k classes.

For a regression task the same single layer is linear regression, y = x W + b.
"""

from __future__ import annotations

from kerasclf.models.architecture import Architecture
from kerasclf.models.layers import kernel_regularizer, output_layer


def logistic(
    inputs,
    num_classes: int,
    init: str,
    seed: int,
    architecture: Architecture,
    task: str = "classification",
    num_targets: int = 1,
):
    """One Dense(1, sigmoid) (or Dense(k, softmax)) over the (flattened) inputs.

    With `task="regression"`, linear regression: Dense(num_targets), linear.

    Example:
        >>> from keras import Input
        >>> logistic(Input((3,)), 2, "zeros", 0, Architecture(), "regression", 2).shape
        (None, 2)
    """
    regularizer = kernel_regularizer(architecture)
    return output_layer(num_classes, init, seed, regularizer, task, num_targets)(inputs)
