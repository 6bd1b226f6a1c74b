"""The feed-forward network: hidden Dense layers (a learned phi), then the output."""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.models.architecture import Architecture
from kerasclf.models.layers import INITIALIZERS, kernel_regularizer, output_layer, with_dropout


def mlp(
    inputs,
    num_classes: int,
    init: str,
    seed: int,
    architecture: Architecture,
    task: str = "classification",
    num_targets: int = 1,
):
    """Hidden Dense layers with `activation`, optional dropout, then the output.

    Example:
        >>> inputs = keras.Input((2,))
        >>> outputs = mlp(inputs, 2, "zeros", 0, Architecture(hidden=(3,)))
        >>> keras.Model(inputs, outputs).count_params()
        13
    """
    regularizer = kernel_regularizer(architecture)
    hidden = inputs
    for index, units in enumerate(architecture.hidden):
        hidden = keras.layers.Dense(
            units,
            activation=architecture.activation,
            kernel_initializer=INITIALIZERS[init](seed + index + 1),
            bias_initializer="zeros",
            kernel_regularizer=regularizer,
            name=f"hidden_{index + 1}",
        )(hidden)
        hidden = with_dropout(hidden, architecture, seed + index + 1, index + 1)
    return output_layer(num_classes, init, seed, regularizer, task, num_targets)(hidden)
