"""Models: the built-in ones by name, and the user's own.

    logistic  p = sigmoid(x^T w + b): one Dense(1, sigmoid) over the inputs.
              With k > 2 classes, softmax(x W + b) (multinomial regression).
    mlp       Hidden Dense layers (a learned feature map phi), then the same
              output layer: p = sigmoid(phi(x)^T w + b).

Each built-in model is a builder in its own module, registered in
`BUILDERS` (its name, description and default initializer live in the
TF-free `kerasclf.models.architecture`); inputs of more than one axis (images,
sequences) are flattened first. Both can first expand the inputs with a fixed
feature map (`features`, see `kerasclf.models.features`). A user's model comes from
`kerasclf.models.user`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras

from kerasclf.models.architecture import MODELS, Architecture, default_init
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
# (inputs, num_classes, init, seed, architecture) -> outputs.
BUILDERS: dict[str, Callable] = {"logistic": logistic, "mlp": mlp}


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
) -> keras.Model:
    """Builds a named model: a plain Keras functional model.

    Args:
        name: One of `MODELS`.
        input_shape: The number of input features, or the shape of one
            sample (an image's (height, width), ...), flattened first.
        num_classes: 2 for a sigmoid output, k > 2 for a softmax output.
        init: `"zeros"` or `"random"` (Glorot uniform, seeded); None for the
            model's default (`kerasclf.models.architecture.DEFAULT_INITS`: zeros for
            logistic regression, random for the others).
        seed: Seed of the random initializers and dropout.
        architecture: Hidden layers, activation, regularization and dropout
            (only `mlp` has hidden layers).
        feature_map: An optional layer applied to the inputs first.

    Returns:
        An uncompiled `keras.Model` (the engine trains it as a
        `kerasclf.engine.classifier.Classifier.from_model`).

    Example:
        >>> model = build_model("logistic", 2)
        >>> [tuple(w.shape) for w in model.weights]
        [(2, 1), (1,)]
        >>> build_model("logistic", (8, 8), num_classes=3).output_shape
        (None, 3)
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
    architecture = architecture or Architecture()
    inputs = keras.Input(input_shape, name="x")
    expanded = feature_map(inputs) if feature_map is not None else inputs
    if len(input_shape) > 1:
        expanded = keras.layers.Flatten(name="flatten")(expanded)
    outputs = builder(expanded, num_classes, init, seed, architecture)
    return keras.Model(inputs, outputs, name=name)
