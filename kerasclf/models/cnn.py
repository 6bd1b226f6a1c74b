"""The convolutional network: convolution blocks, then Dense layers, then the output.

    image -> [Conv2D(filters_i, k x k, same padding, activation) -> pool]
          -> flatten -> [Dense(units, activation) -> dropout] -> output

With its defaults (`kerasclf.models.architecture.MODEL_DEFAULTS["cnn"]`) it is
the seminar's small CNN for the fonts: a 5x5 convolution with 4 filters and
ReLU, a 2x2 max-pool, Dense 32, dropout 0.25 (keep 0.75), softmax over 5 fonts.
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.models.architecture import Architecture, ConvArchitecture
from kerasclf.models.layers import INITIALIZERS, kernel_regularizer, output_layer, with_dropout

# The Keras layer of each pooling name (kerasclf.models.architecture.POOLINGS but "none").
POOLING_LAYERS = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D}


def cnn(
    inputs,
    num_classes: int,
    init: str,
    seed: int,
    architecture: Architecture,
    conv: ConvArchitecture,
    task: str = "classification",
    num_targets: int = 1,
):
    """Convolution blocks, flatten, Dense layers with dropout, then the output.

    Args:
        inputs: Images, (batch, height, width) or (batch, height, width, channels);
            a grey image without a channel axis gets one.
        num_classes: 2 for a sigmoid output, k > 2 for softmax.
        init: An `init` name; each layer's seed is derived from `seed`.
        seed: Seed of the initializers and the dropout.
        architecture: The Dense layers, their activation (also the
            convolutions'), penalties and dropout.
        conv: The convolution blocks.
        task: "classification" for probabilities out, "regression" for a
            linear read-out of `num_targets` numbers.
        num_targets: The numbers a regression predicts.

    Returns:
        The output tensor: probabilities, or the numbers of a regression.

    Example:
        >>> inputs = keras.Input((12, 12))
        >>> outputs = cnn(inputs, 3, "random", 0, Architecture(hidden=(8,)), ConvArchitecture())
        >>> [layer.name for layer in keras.Model(inputs, outputs).layers[1:]]
        ['channels', 'conv_1', 'pool_1', 'flatten', 'dense_1', 'output']
    """
    regularizer = kernel_regularizer(architecture)
    hidden = inputs
    if len(inputs.shape) == 3:  # (batch, height, width): one channel.
        hidden = keras.layers.Reshape((*inputs.shape[1:], 1), name="channels")(hidden)
    for index, filters in enumerate(conv.filters):
        hidden = keras.layers.Conv2D(
            filters,
            conv.kernel_size,
            padding="same",
            activation=architecture.activation,
            kernel_initializer=INITIALIZERS[init](seed + index + 1),
            bias_initializer="zeros",
            kernel_regularizer=regularizer,
            name=f"conv_{index + 1}",
        )(hidden)
        if conv.pooling != "none":
            hidden = POOLING_LAYERS[conv.pooling](conv.pool_size, name=f"pool_{index + 1}")(hidden)
    hidden = keras.layers.Flatten(name="flatten")(hidden)
    for index, units in enumerate(architecture.hidden):
        layer_seed = seed + len(conv.filters) + index + 1
        hidden = keras.layers.Dense(
            units,
            activation=architecture.activation,
            kernel_initializer=INITIALIZERS[init](layer_seed),
            bias_initializer="zeros",
            kernel_regularizer=regularizer,
            name=f"dense_{index + 1}",
        )(hidden)
        hidden = with_dropout(hidden, architecture, layer_seed, index + 1)
    return output_layer(num_classes, init, seed, regularizer, task, num_targets)(hidden)
