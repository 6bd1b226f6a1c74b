"""The built-in models' names and options, checked without TensorFlow.

    logistic  p = sigmoid(x^T w + b), or softmax(x W + b) for k > 2 classes;
              on images, softmax regression on the pixels.
    mlp       hidden Dense layers (a learned feature map phi), then the same output;
              images are flattened first.
    cnn       convolution blocks (Conv2D, same padding, then pooling), then
              Dense layers with dropout, then the same output. Its defaults are
              the seminar's small CNN: 5x5 convolution with 4 filters, ReLU,
              2x2 max-pool, Dense 32, dropout 0.25 (keep 0.75), softmax.
    rnn       recurrent layers over a sequence, h_t = tanh(W x_t + U h_{t-1} + b),
    lstm      or LSTM / GRU cells (stacked: every layer but the last returns its
    gru       whole sequence), dropout after each, then the same output on the
              last state. Token ids (time,) go through an Embedding first.

Each model's options (`MODEL_OPTIONS`) and their defaults (`MODEL_DEFAULTS`)
are tables here, so that a config refuses an option its model does not take.

Initializers (`init`):

    zeros     every weight 0: the seminar's start for logistic regression.
    random    Glorot uniform, U(-r, r) with r = sqrt(6 / (fan_in + fan_out)),
              seeded: Keras's own default for Dense kernels (biases start at 0).
              The recurrent models keep Keras's other defaults, seeded: an
              orthogonal recurrent kernel U, embeddings U(-0.05, 0.05).

Each model has its own default initializer (`DEFAULT_INITS`): logistic
regression starts from zeros as on the slide, and every other model from
Keras's random initializer, since hidden units that start equal stay equal.
`kerasclf.models` builds the Keras models; this module holds the tables, so
the CLI checks a config without importing TensorFlow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from kerasclf.validation import (
    FLOAT32_LIMIT,
    check_choice,
    check_integer,
    check_number,
    shown,
    suggests_keywords,
)

MODELS = {
    "logistic": "p = sigmoid(x^T w + b): one Dense(1, sigmoid) (softmax for k classes)",
    "mlp": "hidden Dense layers (--hidden, --activation), then the logistic output",
    "cnn": "convolution blocks (--filters, --kernel-size, --pooling), then Dense layers",
    "rnn": "h_t = tanh(W x_t + U h_{t-1} + b): SimpleRNN layers (--units, --layers)",
    "lstm": "LSTM layers (gated cell state, --units, --layers), then the output",
    "gru": "GRU layers (update and reset gates, --units, --layers), then the output",
}
# The models that read sequences (time, features) or token ids (time,).
RECURRENT_MODELS = ("rnn", "lstm", "gru")
# The Embedding's width for token ids when `embedding_dim` is not given.
DEFAULT_EMBEDDING_DIM = 16
# The widest layer (hidden units, filters, recurrent units, embedding numbers) and
# the deepest stack a model takes: far past the seminar's sizes (8 to 128), and
# short of what runs out of memory (an LSTM of 10^9 units) or of Python's
# recursion limit (1000 stacked layers).
MAX_LAYER_WIDTH = 4096
MAX_LAYERS = 64
INITS = {
    "zeros": "every weight 0 (the seminar's logistic regression)",
    "random": "Glorot uniform, Keras's default, seeded",
}
# The initializer of each model when `init` is not given.
DEFAULT_INITS = {
    "logistic": "zeros",
    "mlp": "random",
    "cnn": "random",
    **{name: "random" for name in RECURRENT_MODELS},
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
# The pooling layer after each convolution: MaxPooling2D, AveragePooling2D, or none.
POOLINGS = ("max", "average", "none")
# The options that shape each built-in model; a config refuses the others.
MODEL_OPTIONS = {
    "logistic": (),
    "mlp": ("hidden", "activation", "dropout"),
    "cnn": ("hidden", "activation", "dropout", "filters", "kernel_size", "pool_size", "pooling"),
    "rnn": ("units", "layers", "embedding_dim", "activation", "dropout"),
    "lstm": ("units", "layers", "embedding_dim", "dropout"),
    "gru": ("units", "layers", "embedding_dim", "dropout"),
}
# Each model's default of each of its options: the mlp of the Day-1 slides, the
# seminar's Day-2 CNN (Dense 32 with ReLU, dropout 0.25, one 5x5 block of 4 filters),
# one recurrent layer of 32 units. `embedding_dim` None: DEFAULT_EMBEDDING_DIM (16)
# for token ids, and no Embedding for sequences of numbers (which refuse one given).
MODEL_DEFAULTS = {
    "logistic": {},
    "mlp": {"hidden": (8, 8), "activation": "tanh", "dropout": 0.0},
    "cnn": {
        "hidden": (32,),
        "activation": "relu",
        "dropout": 0.25,
        "filters": (4,),
        "kernel_size": 5,
        "pool_size": 2,
        "pooling": "max",
    },
    "rnn": {"units": 32, "layers": 1, "embedding_dim": None, "activation": "tanh", "dropout": 0.0},
    "lstm": {"units": 32, "layers": 1, "embedding_dim": None, "dropout": 0.0},
    "gru": {"units": 32, "layers": 1, "embedding_dim": None, "dropout": 0.0},
}


@dataclasses.dataclass(frozen=True)
class Architecture:
    """The hidden layers of an `mlp`, each option checked when made.

    Attributes:
        hidden: Units of each hidden layer.
        activation: One of `ACTIVATIONS`.
        l1, l2: Weight penalties of every kernel, added to the cost.
        dropout: Fraction of each hidden layer's outputs dropped in training.

    Example:
        >>> Architecture(hidden=(4,), dropout=0.1)
        Architecture(hidden=(4,), activation='tanh', l1=0.0, l2=0.0, dropout=0.1)
    """

    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0

    def __post_init__(self):
        set_checked_value(self, "hidden", _check_sizes("hidden", self.hidden, "[8, 8]"))
        check_choice("activation", self.activation, ACTIVATIONS)
        for key in ("l1", "l2"):
            value = getattr(self, key)
            set_checked_value(
                self, key, check_number(key, value, 0.0, FLOAT32_LIMIT, low_inclusive=True)
            )
        set_checked_value(
            self, "dropout", check_number("dropout", self.dropout, 0.0, 1.0, low_inclusive=True)
        )


Architecture.__init__ = suggests_keywords(
    Architecture.__init__
)  # A misspelt keyword: the one meant.


def set_checked_value(options, key: str, value) -> None:
    """Sets a checked value on a frozen dataclass of options, as it is being made.

    Example:
        >>> options = Architecture()
        >>> set_checked_value(options, "hidden", (4,))
        >>> options.hidden
        (4,)
    """
    object.__setattr__(options, key, value)


def check_architecture(
    hidden: Sequence[int], activation: str, l1: float, l2: float, dropout: float
) -> Architecture:
    """Validates model options, raising one clear line.

    Example:
        >>> check_architecture([16, 16], "relu", l1=0, l2=1e-3, dropout=0.1).hidden
        (16, 16)
        >>> check_architecture([8], "tahn", l1=0, l2=0, dropout=0)
        Traceback (most recent call last):
        ...
        ValueError: `activation` must be one of 'linear', 'relu', 'sigmoid', 'tanh'. Received: activation='tahn'. Did you mean 'tanh'?
    """  # noqa: E501
    return Architecture(hidden, activation, l1, l2, dropout)


def default_init(model: str, init: str | None = None) -> str:
    """The initializer a model starts from: `init` if given, else the model's default.

    Example:
        >>> default_init("logistic"), default_init("mlp"), default_init("mlp", "zeros")
        ('zeros', 'random', 'zeros')
    """
    if init is not None:
        return check_choice("init", init, INITS)
    return DEFAULT_INITS[check_choice("model", model, MODELS)]


def models_taking(option: str) -> str:
    """The built-in models that `option` shapes, for an error that refuses it elsewhere.

    Example:
        >>> models_taking("hidden")
        'mlp, cnn'
    """
    return ", ".join(model for model, options in MODEL_OPTIONS.items() if option in options)


def default_architecture(model: str) -> Architecture:
    """The Dense layers a built-in model has when none are given (`MODEL_DEFAULTS`).

    Example:
        >>> default_architecture("cnn")
        Architecture(hidden=(32,), activation='relu', l1=0.0, l2=0.0, dropout=0.25)
    """
    defaults = MODEL_DEFAULTS[check_choice("model", model, MODELS)]
    fields = {field.name for field in dataclasses.fields(Architecture)}
    return Architecture(**{key: value for key, value in defaults.items() if key in fields})


@dataclasses.dataclass(frozen=True)
class ConvArchitecture:
    """The convolution blocks of a `cnn`, each option checked when made.

    Block i is Conv2D(filters[i], kernel_size x kernel_size, padding "same")
    with the model's activation, then a pooling layer of pool_size x pool_size
    (stride pool_size), unless pooling is "none".

    Attributes:
        filters: The number of filters of each block's convolution.
        kernel_size: The side of every convolution kernel.
        pool_size: The side (and stride) of every pooling window.
        pooling: One of `POOLINGS`.

    Example:
        >>> ConvArchitecture()
        ConvArchitecture(filters=(4,), kernel_size=5, pool_size=2, pooling='max')
    """

    filters: tuple[int, ...] = (4,)
    kernel_size: int = 5
    pool_size: int = 2
    pooling: str = "max"

    def __post_init__(self):
        set_checked_value(self, "filters", _check_sizes("filters", self.filters, "[4] or [8, 16]"))
        set_checked_value(self, "kernel_size", check_integer("kernel_size", self.kernel_size))
        set_checked_value(self, "pool_size", check_integer("pool_size", self.pool_size))
        check_choice("pooling", self.pooling, POOLINGS)


ConvArchitecture.__init__ = suggests_keywords(
    ConvArchitecture.__init__
)  # A misspelt keyword: the one meant.


def check_conv_architecture(
    filters: Sequence[int], kernel_size: int, pool_size: int, pooling: str
) -> ConvArchitecture:
    """Validates a cnn's convolution options, raising one clear line.

    Example:
        >>> check_conv_architecture([8, 16], 3, 2, "average").filters
        (8, 16)
    """
    return ConvArchitecture(filters, kernel_size, pool_size, pooling)


def check_feature_map(conv: ConvArchitecture, input_shape: tuple[int, ...]) -> None:
    """Refuses samples that are not images, or that pooling shrinks to nothing.

    Each pooling layer divides the height and width by pool_size, rounding
    down (36 -> 18 -> 9 -> 4 -> 2 -> 1 -> 0 with 2x2 pools), so a stack of too
    many blocks leaves an empty feature map.

    Args:
        conv: The convolution blocks.
        input_shape: The shape of one sample: (height, width) or
            (height, width, channels).

    Raises:
        ValueError: One line saying what does not fit and how many pools do.

    Example:
        >>> check_feature_map(ConvArchitecture(filters=(4,) * 6), (36, 36))
        Traceback (most recent call last):
        ...
        ValueError: 6 pooling layers of 2x2 shrink the 36x36 images to an empty feature map (36x36 -> 18x18 -> 9x9 -> 4x4 -> 2x2 -> 1x1 -> 0x0). Received: filters=[4, 4, 4, 4, 4, 4], pool_size=2. At most 5 pools fit: use at most 5 blocks, a smaller pool_size, or pooling='none'.
    """  # noqa: E501
    if not isinstance(conv, ConvArchitecture):
        raise TypeError(
            "`conv` must be a ConvArchitecture (from check_conv_architecture). "
            f"Received: conv={conv!r}."
        )
    input_shape = tuple(input_shape)
    if len(input_shape) not in (2, 3):
        raise ValueError(
            "The 'cnn' model takes images, samples of shape (height, width) or "
            f"(height, width, channels). Received: input_shape={input_shape!r}. "
            "Use --model mlp or logistic for samples of another shape."
        )
    if conv.pooling == "none" or conv.pool_size == 1:
        return
    height, width = input_shape[:2]
    num_pools, pool = len(conv.filters), conv.pool_size
    sizes = [(height // pool**index, width // pool**index) for index in range(num_pools + 1)]
    if min(sizes[-1]) > 0:
        return
    fits = next(index for index, size in enumerate(sizes) if min(size) // pool == 0)
    path = " -> ".join(f"{rows}x{columns}" for rows, columns in sizes[: fits + 2])
    raise ValueError(
        f"{num_pools} pooling layers of {pool}x{pool} shrink the {height}x{width} images to an "
        f"empty feature map ({path}). Received: filters={list(conv.filters)}, "
        f"pool_size={pool}. At most {fits} pools fit: use at most {fits} blocks, a smaller "
        "pool_size, or pooling='none'."
    )


def _check_sizes(key: str, sizes: Sequence[int], example: str) -> tuple[int, ...]:
    """A non-empty list of positive integers (layer sizes, filter counts), as a tuple."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or not sizes:
        raise TypeError(
            f"`{key}` must be a non-empty list of positive integers such as {example}. "
            f"Received: {key}={sizes!r}."
        )
    if len(sizes) > MAX_LAYERS:
        raise ValueError(
            f"`{key}` must list at most {MAX_LAYERS} layers. Received {len(sizes)}: "
            f"{key}={shown(list(sizes))}."
        )
    return tuple(check_integer(key, size, maximum=MAX_LAYER_WIDTH) for size in sizes)
