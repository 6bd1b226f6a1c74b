"""The layers the built-in models share: initializers, regularizer, output layer."""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.models.architecture import Architecture

# The Keras initializer of each `init` name (kerasclf.models.architecture.INITS), by seed.
INITIALIZERS = {
    "zeros": lambda seed: keras.initializers.Zeros(),
    "random": lambda seed: keras.initializers.GlorotUniform(seed=seed),
}


def output_layer(
    num_classes: int,
    init: str,
    seed: int,
    regularizer,
    task: str = "classification",
    num_targets: int = 1,
) -> keras.layers.Dense:
    """The read-out, named "output": probabilities, or numbers for a regression.

    Classification: Dense(1, sigmoid) for two classes, Dense(k, softmax) for
    k > 2. Regression: Dense(num_targets) with a linear activation
    (`num_classes` is ignored then).

    Example:
        >>> output_layer(3, "zeros", 0, None).activation.__name__
        'softmax'
        >>> layer = output_layer(None, "zeros", 0, None, task="regression", num_targets=2)
        >>> layer.units, layer.activation.__name__
        (2, 'linear')
    """
    if task == "regression":
        units, activation = num_targets, "linear"
    elif num_classes == 2:
        units, activation = 1, "sigmoid"
    else:
        units, activation = num_classes, "softmax"
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=INITIALIZERS[init](seed),
        bias_initializer="zeros",
        kernel_regularizer=regularizer,
        name="output",
    )


def kernel_regularizer(architecture: Architecture):
    """The L1/L2 penalty of every kernel, or None without one."""
    if architecture.l1 == 0 and architecture.l2 == 0:
        return None
    return keras.regularizers.L1L2(l1=architecture.l1, l2=architecture.l2)


def with_dropout(hidden, architecture: Architecture, seed: int, index: int):
    """`hidden` through the architecture's dropout (seeded, named `dropout_<index>`), if any.

    Example:
        >>> inputs = keras.Input((3,))
        >>> with_dropout(inputs, Architecture(dropout=0.0), 0, 1) is inputs
        True
    """
    if architecture.dropout <= 0:
        return hidden
    return keras.layers.Dropout(architecture.dropout, seed=seed, name=f"dropout_{index}")(hidden)
