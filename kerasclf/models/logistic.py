"""Logistic regression: p = sigmoid(x^T w + b), or softmax(x W + b) for k classes."""

from __future__ import annotations

from kerasclf.models.architecture import Architecture
from kerasclf.models.layers import kernel_regularizer, output_layer


def logistic(inputs, num_classes: int, init: str, seed: int, architecture: Architecture):
    """One Dense(1, sigmoid) (or Dense(k, softmax)) over the (flattened) inputs."""
    return output_layer(num_classes, init, seed, kernel_regularizer(architecture))(inputs)
