"""A user's model of token ids: told the number of ids, its Embedding checked against it.

Token ids (an `.npz` of whole numbers 0, 1, 2, ..., or a text's characters)
are read by an Embedding whose `input_dim` rows must cover every id. A model
function that takes a `vocabulary_size` keyword (or `**kwargs`) is called
with the data's number of ids, so it can build `Embedding(vocabulary_size,
...)`. A model whose Embedding has fewer rows than the data has ids is
refused in one line before anything is written: an id past the table would
make the run's costs NaN and its evaluation fail mid-run ("indices[0,0] = 17
is not in [0, 2)").

Example:
    >>> def build(input_shape, num_classes, vocabulary_size):
    ...     return None
    >>> takes_vocabulary_size(build), takes_vocabulary_size(lambda **arguments: None)
    (True, True)
    >>> takes_vocabulary_size(lambda input_shape, num_classes: None)
    False
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

VOCABULARY_KEYWORD = "vocabulary_size"


def takes_vocabulary_size(function: Callable) -> bool:
    """Whether a model function accepts the `vocabulary_size` keyword (by name or `**kwargs`)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # A builtin or other callable without a signature.
        return False
    by_keyword = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return any(
        parameter.kind is inspect.Parameter.VAR_KEYWORD
        or (parameter.name == VOCABULARY_KEYWORD and parameter.kind in by_keyword)
        for parameter in parameters
    )


def input_embeddings(model: keras.Model) -> list[keras.layers.Embedding]:
    """The model's Embedding layers that read its input (every one, when its wiring is unknown).

    A functional or Sequential model knows which layer reads its input; a
    subclassed model does not, and each of its own Embedding layers counts.

    Example:
        >>> inputs = keras.Input((12,))
        >>> embedded = keras.layers.Embedding(20, 8, name="ids")(inputs)
        >>> model = keras.Model(inputs, keras.layers.GlobalAveragePooling1D()(embedded))
        >>> [layer.name for layer in input_embeddings(model)]
        ['ids']
    """
    embeddings = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
    inputs = getattr(model, "inputs", None)
    if not inputs:
        return embeddings
    reading = []
    for layer in embeddings:
        try:
            if layer.input is inputs[0]:
                reading.append(layer)
        except (AttributeError, ValueError):  # Called more than once, or never: unknown.
            reading.append(layer)
    return reading


def check_embedding_rows(model: keras.Model, vocabulary_size: int, what: str) -> None:
    """Refuses a model whose input Embedding has fewer rows than the data has token ids.

    Raises:
        ValueError: one line, naming the layer, its `input_dim` and the fix.

    Example:
        >>> inputs = keras.Input((12,))
        >>> embedded = keras.layers.Embedding(2, 8, name="ids")(inputs)
        >>> model = keras.Model(inputs, keras.layers.GlobalAveragePooling1D()(embedded))
        >>> check_embedding_rows(model, 20, "'emb.py:build'")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: `model` 'emb.py:build': its Embedding 'ids' has input_dim=2, rows for token ids 0..1, and the data's token ids run to 19. ...
    """  # noqa: E501
    for layer in input_embeddings(model):
        if layer.input_dim < vocabulary_size:
            raise ValueError(
                f"`model` {what}: its Embedding {layer.name!r} has input_dim={layer.input_dim}, "
                f"rows for token ids 0..{layer.input_dim - 1}, and the data's token ids run to "
                f"{vocabulary_size - 1}. Build it as keras.layers.Embedding({vocabulary_size}, "
                f"...): a model function that takes a {VOCABULARY_KEYWORD} keyword is given "
                f"{VOCABULARY_KEYWORD}={vocabulary_size}."
            )
