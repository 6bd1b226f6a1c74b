"""The built-in models' names and options, checked without TensorFlow.

    logistic  p = sigmoid(x^T w + b), or softmax(x W + b) for k > 2 classes.
    mlp       hidden Dense layers (a learned feature map phi), then the same output.

Initializers (`init`):

    zeros     every weight 0: the seminar's start for logistic regression.
    random    Glorot uniform, U(-r, r) with r = sqrt(6 / (fan_in + fan_out)),
              seeded: Keras's own default for Dense kernels (biases start at 0).

Each model has its own default initializer (`DEFAULT_INITS`): logistic
regression starts from zeros as on the slide, and every other model from
Keras's random initializer, since hidden units that start equal stay equal.
`kerasclf.models` builds the Keras models; this module holds the tables, so
the CLI checks a config without importing TensorFlow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from kerasclf.validation import check_choice, check_integer, check_number

MODELS = {
    "logistic": "p = sigmoid(x^T w + b): one Dense(1, sigmoid) (softmax for k classes)",
    "mlp": "hidden Dense layers (--hidden, --activation), then the logistic output",
}
INITS = {
    "zeros": "every weight 0 (the seminar's logistic regression)",
    "random": "Glorot uniform, Keras's default, seeded",
}
# The initializer of each model when `init` is not given.
DEFAULT_INITS = {"logistic": "zeros", "mlp": "random"}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


@dataclasses.dataclass(frozen=True)
class Architecture:
    """The hidden layers of an `mlp`, each option checked by `check_architecture`.

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


def check_architecture(
    hidden: Sequence[int], activation: str, l1: float, l2: float, dropout: float
) -> Architecture:
    """Validates model options, raising one clear line.

    Example:
        >>> check_architecture([16, 16], "relu", l1=0, l2=1e-3, dropout=0.1).hidden
        (16, 16)
    """
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence) or not hidden:
        raise TypeError(
            f"`hidden` must be a non-empty list of layer sizes such as [8, 8]. "
            f"Received: hidden={hidden!r}."
        )
    hidden = tuple(check_integer("hidden", size) for size in hidden)
    return Architecture(
        hidden=hidden,
        activation=check_choice("activation", activation, ACTIVATIONS),
        l1=check_number("l1", l1, 0.0, low_inclusive=True),
        l2=check_number("l2", l2, 0.0, low_inclusive=True),
        dropout=check_number("dropout", dropout, 0.0, 1.0, low_inclusive=True),
    )


def default_init(model: str, init: str | None = None) -> str:
    """The initializer a model starts from: `init` if given, else the model's default.

    Example:
        >>> default_init("logistic"), default_init("mlp"), default_init("mlp", "zeros")
        ('zeros', 'random', 'zeros')
    """
    if init is not None:
        return check_choice("init", init, INITS)
    return DEFAULT_INITS[check_choice("model", model, MODELS)]
