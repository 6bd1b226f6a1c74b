"""The recurrent networks: SimpleRNN, LSTM or GRU layers over a sequence, then the output.

    x_1..x_T -> [Embedding (token ids only)] -> [recurrent layer(units) -> dropout] x layers
             -> the last state h_T -> output

    rnn   h_t = act(W x_t + U h_{t-1} + b)                      units (F + units + 1)
    lstm  four gates (input, forget, cell, output) of that form,
          c_t = f_t * c_{t-1} + i_t * g_t, h_t = o_t * tanh(c_t)   4 units (F + units + 1)
    gru   three (update, reset, candidate), each recurrent term
          with its own bias (Keras's reset_after)                3 units (F + units + 2)

where F is the width of each step's input (the features, or the Embedding's
width). Every layer but the last returns its whole sequence, so that the next
one reads it (stacking); the last returns only h_T. The time axis has no fixed
length, so a model trained on windows of T steps reads sequences of any length
(text generation feeds it the text so far). The biases start at 0, but for
Keras's LSTM default (`unit_forget_bias`): the forget gate's bias starts at 1,
so that the cell state is kept at first.
"""

from __future__ import annotations

import functools

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.models.architecture import DEFAULT_EMBEDDING_DIM, Architecture
from kerasclf.models.recurrent_architecture import RecurrentArchitecture
from kerasclf.models.layers import INITIALIZERS, kernel_regularizer, output_layer, with_dropout

# The Keras layer of each recurrent model name.
RECURRENT_LAYERS = {
    "rnn": keras.layers.SimpleRNN,
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
}
# Keras's defaults for the recurrent kernel U and the embeddings, by `init` name and seed.
RECURRENT_INITIALIZERS = {
    "zeros": lambda seed: keras.initializers.Zeros(),
    "random": lambda seed: keras.initializers.Orthogonal(seed=seed),
}
EMBEDDING_INITIALIZERS = {
    "zeros": lambda seed: keras.initializers.Zeros(),
    "random": lambda seed: keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
}


def recurrent_network(
    kind: str,
    inputs,
    num_classes: int,
    init: str,
    seed: int,
    architecture: Architecture,
    recurrent: RecurrentArchitecture,
    vocabulary_size: int | None = None,
    task: str = "classification",
    num_targets: int = 1,
):
    """An Embedding for token ids, stacked recurrent layers with dropout, then the output.

    Args:
        kind: "rnn", "lstm" or "gru" (`RECURRENT_LAYERS`).
        inputs: Token ids (batch, time), or numbers (batch, time, features).
        num_classes: 2 for a sigmoid output, k > 2 for softmax.
        init: An `init` name; each layer's seed is derived from `seed`.
        seed: Seed of the initializers and the dropout.
        architecture: The rnn's activation, the dropout after each recurrent
            layer, and the penalties of every kernel (W and U).
        recurrent: The units, the number of layers, the Embedding's width.
        vocabulary_size: The number of token ids (token-id inputs only).
        task: "classification", or "regression" for a linear read-out.
        num_targets: The numbers a regression predicts.

    Returns:
        The output tensor.

    Example:
        >>> inputs = keras.Input((None,), dtype="int32")
        >>> outputs = recurrent_network(
        ...     "lstm", inputs, 5, "random", 0, Architecture(), RecurrentArchitecture(8, 2), 27)
        >>> [layer.name for layer in keras.Model(inputs, outputs).layers[1:]]
        ['embedding', 'lstm_1', 'lstm_2', 'output']
    """
    layer_class = RECURRENT_LAYERS[kind]
    regularizer = kernel_regularizer(architecture)
    hidden = inputs
    if len(inputs.shape) == 2:  # Token ids (batch, time).
        hidden = keras.layers.Embedding(
            vocabulary_size,
            recurrent.embedding_dim or DEFAULT_EMBEDDING_DIM,
            embeddings_initializer=EMBEDDING_INITIALIZERS[init](seed + 1),
            name="embedding",
        )(hidden)
    activation = {"activation": architecture.activation} if kind == "rnn" else {}
    for index in range(recurrent.layers):
        layer_seed = seed + index + 2
        hidden = layer_class(
            recurrent.units,
            return_sequences=index < recurrent.layers - 1,
            kernel_initializer=INITIALIZERS[init](layer_seed),
            recurrent_initializer=RECURRENT_INITIALIZERS[init](layer_seed),
            bias_initializer="zeros",
            kernel_regularizer=regularizer,
            recurrent_regularizer=regularizer,
            name=f"{kind}_{index + 1}",
            **activation,
        )(hidden)
        hidden = with_dropout(hidden, architecture, layer_seed, index + 1)
    return output_layer(num_classes, init, seed, regularizer, task, num_targets)(hidden)


# The builder of each recurrent model (kerasclf.models.registry.BUILDERS).
RECURRENT_BUILDERS = {kind: functools.partial(recurrent_network, kind) for kind in RECURRENT_LAYERS}
