"""The recurrent layers of an `rnn`, `lstm` or `gru`, checked without TensorFlow.

`RecurrentArchitecture` holds a recurrent model's units, layers and Embedding
width; `check_sequence_input` checks that its input fits: token ids of shape
(time,), which need a vocabulary for their Embedding, or sequences of
numbers of shape (time, features), which take none. The activation, dropout
and penalties are the model's `Architecture`'s
(`kerasclf.models.architecture`).

Example:
    >>> check_recurrent_architecture(units=64, layers=2).layers
    2
"""

from __future__ import annotations

import dataclasses

from kerasclf.models.architecture import MAX_LAYER_WIDTH, MAX_LAYERS, set_checked_value
from kerasclf.validation import check_integer, suggests_keywords


@dataclasses.dataclass(frozen=True)
class RecurrentArchitecture:
    """The recurrent layers of an `rnn`, `lstm` or `gru`, checked by `check_recurrent_architecture`.

    `layers` layers of `units` each, stacked: every layer but the last returns
    its whole sequence to the next, the last only its final state. The
    activation (the rnn's), the dropout after each layer and the penalties
    are the model's `Architecture`'s.

    Attributes:
        units: The size of each layer's state h_t.
        layers: The number of recurrent layers.
        embedding_dim: The width of the Embedding that token ids go through
            first; None for `DEFAULT_EMBEDDING_DIM` with token ids, and for
            sequences of numbers (which have no Embedding).

    Example:
        >>> RecurrentArchitecture()
        RecurrentArchitecture(units=32, layers=1, embedding_dim=None)
    """

    units: int = 32
    layers: int = 1
    embedding_dim: int | None = None

    def __post_init__(self):
        set_checked_value(
            self, "units", check_integer("units", self.units, maximum=MAX_LAYER_WIDTH)
        )
        set_checked_value(self, "layers", check_integer("layers", self.layers, maximum=MAX_LAYERS))
        if self.embedding_dim is not None:
            dim = check_integer("embedding_dim", self.embedding_dim, maximum=MAX_LAYER_WIDTH)
            set_checked_value(self, "embedding_dim", dim)


RecurrentArchitecture.__init__ = suggests_keywords(
    RecurrentArchitecture.__init__
)  # A misspelt keyword: the one meant.


def check_recurrent_architecture(
    units: int, layers: int, embedding_dim: int | None = None
) -> RecurrentArchitecture:
    """Validates a recurrent model's options, raising one clear line.

    Example:
        >>> check_recurrent_architecture(64, 2, 8)
        RecurrentArchitecture(units=64, layers=2, embedding_dim=8)
        >>> check_recurrent_architecture(0, 1)
        Traceback (most recent call last):
        ...
        ValueError: `units` must be an integer >= 1. Received: units=0.
    """
    return RecurrentArchitecture(units, layers, embedding_dim)


def check_sequence_input(
    model: str,
    recurrent: RecurrentArchitecture,
    input_shape: tuple[int, ...],
    vocabulary_size: int | None,
) -> bool:
    """Whether a recurrent model reads token ids; refuses inputs and options that do not fit.

    Samples of shape (time,) are token ids, which need `vocabulary_size`;
    samples of shape (time, features) are sequences of numbers, which take
    neither a vocabulary nor an `embedding_dim`.

    Example:
        >>> check_sequence_input("lstm", RecurrentArchitecture(), (10,), 27)
        True
        >>> check_sequence_input("lstm", RecurrentArchitecture(), (10, 1), None)
        False
        >>> check_sequence_input("gru", RecurrentArchitecture(), (10,), None)
        Traceback (most recent call last):
        ...
        ValueError: The 'gru' model reads samples of shape (time,) as token ids, which need `vocabulary_size` (the number of token ids) for its Embedding. Received: input_shape=(10,), vocabulary_size=None. Pass vocabulary_size, or give sequences of numbers of shape (time, features), e.g. (10, 1).
    """  # noqa: E501
    if not isinstance(recurrent, RecurrentArchitecture):
        raise TypeError(
            "`recurrent` must be a RecurrentArchitecture (from check_recurrent_architecture) or "
            f"None. Received: recurrent={recurrent!r}."
        )
    if len(input_shape) not in (1, 2):
        raise ValueError(
            f"The {model!r} model reads sequences: token ids of shape (time,) or numbers of "
            f"shape (time, features). Received: input_shape={tuple(input_shape)!r}. Use "
            "--model cnn, mlp or logistic for samples of another shape."
        )
    if len(input_shape) == 1:
        if vocabulary_size is None:
            raise ValueError(
                f"The {model!r} model reads samples of shape (time,) as token ids, which need "
                "`vocabulary_size` (the number of token ids) for its Embedding. Received: "
                f"input_shape={tuple(input_shape)!r}, vocabulary_size=None. Pass "
                "vocabulary_size, or give sequences of numbers of shape (time, features), "
                f"e.g. ({input_shape[0]}, 1)."
            )
        check_integer("vocabulary_size", vocabulary_size)
        return True
    for key, value in (
        ("embedding_dim", recurrent.embedding_dim),
        ("vocabulary_size", vocabulary_size),
    ):
        if value is not None:
            raise ValueError(
                f"`{key}` applies to token ids of shape (time,), but the {model!r} model's "
                f"samples of shape {tuple(input_shape)!r} are sequences of numbers, so it would "
                f"be ignored. Received: {key}={value!r}. Remove it, or give token ids."
            )
    return False
