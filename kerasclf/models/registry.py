"""Models: the built-in ones by name, and the user's own.

    logistic  p = sigmoid(x^T w + b): one Dense(1, sigmoid) over the inputs.
              With k > 2 classes, softmax(x W + b) (multinomial regression).
    mlp       Hidden Dense layers (a learned feature map phi), then the same
              output layer: p = sigmoid(phi(x)^T w + b).
    cnn       Convolution blocks with pooling, then Dense layers with dropout,
              then the same output (defaults: the seminar's small CNN).

Each built-in model is a builder in its own module, registered in
`BUILDERS` (its name, description and default initializer live in the
TF-free `kerasclf.models.architecture`). For logistic regression and the mlp,
inputs of more than one axis (images, sequences) are flattened first, and both
can first expand the inputs with a fixed feature map (`features`, see
`kerasclf.models.features`); the cnn takes the images as they are. A user's model comes from
`kerasclf.models.user`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras

from kerasclf.models.architecture import (
    MODELS,
    Architecture,
    ConvArchitecture,
    check_feature_map,
    default_architecture,
    default_init,
)
from kerasclf.models.cnn import cnn
from kerasclf.models.inspection import (  # noqa: F401 (the models' public API)
    PROBABILITY_ACTIVATIONS,
    check_probability_output,
    linear_parameters,
    plain_linear_parameters,
)
from kerasclf.models.layers import INITIALIZERS  # noqa: F401 (the models' public API)
from kerasclf.models.logistic import logistic
from kerasclf.models.mlp import mlp
from kerasclf.validation import check_choice, check_integer

# The builder of each model name (kerasclf.models.architecture.MODELS):
# (inputs, num_classes, init, seed, architecture) -> outputs; the cnn also takes `conv`.
BUILDERS: dict[str, Callable] = {"logistic": logistic, "mlp": mlp, "cnn": cnn}
# The models that take images as they are, not flattened.
IMAGE_MODELS = ("cnn",)


def check_input_shape(input_shape: int | Sequence[int]) -> tuple[int, ...]:
    """The shape of one sample, from a feature count or a shape.

    Example:
        >>> check_input_shape(2), check_input_shape((28, 28))
        ((2,), (28, 28))
    """
    if isinstance(input_shape, int) and not isinstance(input_shape, bool):
        input_shape = (input_shape,)
    if not isinstance(input_shape, Sequence) or not input_shape:
        raise TypeError(
            "`input_shape` must be a feature count or the shape of one sample, e.g. (28, 28). "
            f"Received: input_shape={input_shape!r}."
        )
    return tuple(check_integer("input_shape", size) for size in input_shape)


def build_model(
    name: str,
    input_shape: int | Sequence[int],
    num_classes: int = 2,
    init: str | None = None,
    seed: int = 0,
    architecture: Architecture | None = None,
    feature_map: keras.layers.Layer | None = None,
    conv: ConvArchitecture | None = None,
) -> keras.Model:
    """Builds a named model: a plain Keras functional model.

    Args:
        name: One of `MODELS`.
        input_shape: The number of input features, or the shape of one
            sample (an image's (height, width) or (height, width, channels),
            ...), flattened first except for the `cnn`.
        num_classes: 2 for a sigmoid output, k > 2 for a softmax output.
        init: `"zeros"` or `"random"` (Glorot uniform, seeded); None for the
            model's default (`kerasclf.models.architecture.DEFAULT_INITS`: zeros for
            logistic regression, random for the others).
        seed: Seed of the random initializers and dropout.
        architecture: Hidden layers, activation, regularization and dropout
            (`mlp` and `cnn` have hidden layers); None for the model's
            defaults (`kerasclf.models.architecture.MODEL_DEFAULTS`).
        feature_map: An optional layer applied to the inputs first (not for
            the `cnn`).
        conv: The `cnn`'s convolution blocks; None for its defaults (one
            5x5 convolution of 4 filters, then a 2x2 max-pool).

    Returns:
        An uncompiled `keras.Model` (the engine trains it as a
        `kerasclf.engine.classifier.Classifier.from_model`).

    Example:
        >>> model = build_model("logistic", 2)
        >>> [tuple(w.shape) for w in model.weights]
        [(2, 1), (1,)]
        >>> build_model("logistic", (8, 8), num_classes=3).output_shape
        (None, 3)
        >>> build_model("cnn", (36, 36), num_classes=5).count_params()  # The seminar's CNN.
        41773
    """
    builder = BUILDERS[check_choice("model", name, MODELS)]
    init = default_init(name, init)
    input_shape = check_input_shape(input_shape)
    num_classes = check_integer("num_classes", num_classes, minimum=2)
    seed = check_integer("seed", seed, minimum=0)
    if architecture is not None and not isinstance(architecture, Architecture):
        raise TypeError(
            "`architecture` must be an Architecture (from check_architecture) or None. "
            f"Received: architecture={architecture!r}."
        )
    architecture = architecture or default_architecture(name)
    inputs = keras.Input(input_shape, name="x")
    conv = _check_conv(name, input_shape, feature_map, conv)
    if conv is not None:  # An image model: it takes the images as they are.
        return keras.Model(
            inputs, builder(inputs, num_classes, init, seed, architecture, conv), name=name
        )
    expanded = feature_map(inputs) if feature_map is not None else inputs
    if len(input_shape) > 1:
        expanded = keras.layers.Flatten(name="flatten")(expanded)
    outputs = builder(expanded, num_classes, init, seed, architecture)
    return keras.Model(inputs, outputs, name=name)


def _check_conv(name, input_shape, feature_map, conv) -> ConvArchitecture | None:
    """The convolution blocks of an image model, checked against its input; None for others."""
    if name not in IMAGE_MODELS:
        if conv is not None:
            raise ValueError(
                f"`conv` shapes only the 'cnn' model, not the {name!r} one. "
                f"Received: conv={conv!r}. Remove it, or build the 'cnn'."
            )
        return None
    if feature_map is not None:
        raise ValueError(
            f"A feature map (`features`) expands the two inputs (x1, x2) of a table; the "
            f"{name!r} model takes images. Received: feature_map={feature_map!r}. Remove it."
        )
    conv = ConvArchitecture() if conv is None else conv
    check_feature_map(conv, input_shape)
    return conv
