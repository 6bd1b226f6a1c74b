"""Models: the built-in ones by name, and the user's own.

    logistic  p = sigmoid(x^T w + b): one Dense(1, sigmoid) over the inputs.
              With k > 2 classes, softmax(x W + b) (multinomial regression).
    mlp       Hidden Dense layers (a learned feature map phi), then the same
              output layer: p = sigmoid(phi(x)^T w + b).
    cnn       Convolution blocks with pooling, then Dense layers with dropout,
              then the same output (defaults: the seminar's small CNN).
    rnn       h_t = tanh(W x_t + U h_{t-1} + b), then the same output on the last state h_T.
    lstm      c_t = f_t * c_{t-1} + i_t * tanh(W_c x_t + U_c h_{t-1} + b_c), h_t = o_t * tanh(c_t).
    gru       h_t = z_t * h_{t-1} + (1 - z_t) * tanh(W x_t + r_t * (U h_{t-1} + b') + b).

The gates i, f, o (LSTM) and z, r (GRU) are sigmoid(W x_t + U h_{t-1} + b),
each with its own weights. The recurrent models stack `layers` layers (each
but the last returns its sequence) with dropout after each; token ids
(time,) go through an Embedding first, and the time axis takes any length.
With `task="regression"` every model ends in a linear Dense(num_targets)
instead (logistic becomes linear regression).

Each built-in model is a builder in its own module, registered in
`BUILDERS` (its name, description and default initializer live in the
TF-free `kerasclf.models.architecture`). For logistic regression and the mlp,
inputs of more than one axis (images, sequences) are flattened first, and both
can first expand the inputs with a fixed feature map (`features`, see
`kerasclf.models.features`); the cnn takes the images as they are. A user's model comes from
`kerasclf.models.user`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.data.labelled import TASKS
from kerasclf.data.npz_arrays import available_memory
from kerasclf.models.architecture import (
    MODEL_OPTIONS,
    MODELS,
    RECURRENT_MODELS,
    Architecture,
    ConvArchitecture,
    check_feature_map,
    default_architecture,
    default_init,
    models_taking,
)
from kerasclf.models.recurrent_architecture import RecurrentArchitecture, check_sequence_input
from kerasclf.models.cnn import cnn
from kerasclf.models.inspection import (  # noqa: F401 (the models' public API)
    PROBABILITY_ACTIVATIONS,
    check_probability_output,
    check_regression_output,
    linear_parameters,
    model_task,
    plain_linear_parameters,
)
from kerasclf.models.layers import INITIALIZERS  # noqa: F401 (the models' public API)
from kerasclf.models.logistic import logistic
from kerasclf.models.mlp import mlp
from kerasclf.models.recurrent import RECURRENT_BUILDERS
from kerasclf.validation import check_choice, check_integer, suggests_keywords

# The builder of each model name (kerasclf.models.architecture.MODELS):
# (inputs, num_classes, init, seed, architecture, ..., task, num_targets) -> outputs;
# the cnn also takes `conv`, the recurrent models `recurrent` and `vocabulary_size`.
BUILDERS: dict[str, Callable] = {
    "logistic": logistic,
    "mlp": mlp,
    "cnn": cnn,
    **RECURRENT_BUILDERS,
}
# The models that take images as they are, not flattened.
IMAGE_MODELS = ("cnn",)


def check_input_shape(input_shape: int | Sequence[int]) -> tuple[int, ...]:
    """The shape of one sample, from a feature count or a shape.

    Example:
        >>> check_input_shape(2), check_input_shape((28, 28))
        ((2,), (28, 28))
    """
    if isinstance(input_shape, numbers.Integral) and not isinstance(input_shape, bool):
        input_shape = (input_shape,)  # A numpy integer too, as Python's.
    if isinstance(input_shape, np.ndarray) and input_shape.ndim == 1:
        input_shape = input_shape.tolist()
    if not isinstance(input_shape, Sequence) or not input_shape:
        raise TypeError(
            "`input_shape` must be a feature count or the shape of one sample, e.g. (28, 28). "
            f"Received: input_shape={input_shape!r}."
        )
    return tuple(check_integer("input_shape", size) for size in input_shape)


@suggests_keywords
def build_model(
    name: str,
    input_shape: int | Sequence[int],
    num_classes: int | None = 2,
    init: str | None = None,
    seed: int = 0,
    architecture: Architecture | None = None,
    feature_map: keras.layers.Layer | None = None,
    conv: ConvArchitecture | None = None,
    recurrent: RecurrentArchitecture | None = None,
    vocabulary_size: int | None = None,
    task: str = "classification",
    num_targets: int = 1,
) -> keras.Model:
    """Builds a named model: a plain Keras functional model.

    Args:
        name: One of `MODELS`.
        input_shape: The number of input features, or the shape of one
            sample (an image's (height, width) or (height, width, channels),
            ...), flattened first except for the `cnn`. The recurrent models
            read token ids (time,) or sequences of numbers (time, features),
            with a time axis of any length.
        num_classes: 2 for a sigmoid output, k > 2 for a softmax output
            (ignored for a regression).
        init: `"zeros"` or `"random"` (Glorot uniform, seeded); None for the
            model's default (`kerasclf.models.architecture.DEFAULT_INITS`: zeros for
            logistic regression, random for the others).
        seed: Seed of the random initializers and dropout.
        architecture: Hidden layers, activation, regularization and dropout
            (`mlp` and `cnn` have hidden layers; the recurrent models take
            the dropout, the rnn the activation); None for the model's
            defaults (`kerasclf.models.architecture.MODEL_DEFAULTS`).
        feature_map: An optional layer applied to the inputs first (only for
            the `logistic` and `mlp` models).
        conv: The `cnn`'s convolution blocks; None for its defaults (one
            5x5 convolution of 4 filters, then a 2x2 max-pool).
        recurrent: The recurrent models' units, layers and Embedding width;
            None for their defaults (one layer of 32 units).
        vocabulary_size: The number of token ids, needed by a recurrent model
            on token ids (time,); the other models take the ids as numbers
            and ignore it.
        task: "classification" (probabilities out) or "regression" (a
            linear read-out, Dense(num_targets)).
        num_targets: The numbers a regression predicts per sample.

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
        >>> build_model("lstm", (40,), 27, vocabulary_size=27).input_shape  # Any length.
        (None, None)
        >>> build_model("gru", (12, 1), task="regression").output_shape
        (None, 1)
    """
    builder = BUILDERS[check_choice("model", name, MODELS)]
    init = default_init(name, init)
    input_shape = check_input_shape(input_shape)
    task = check_choice("task", task, TASKS)
    if task == "classification":
        num_classes = check_integer("num_classes", num_classes, minimum=2)
    num_targets = check_integer("num_targets", num_targets)
    if task == "classification" and num_targets != 1:
        raise ValueError(
            "`num_targets` is the number of values a regression predicts; a classifier has "
            f"num_classes outputs. Received: num_targets={num_targets} with "
            "task='classification'. Pass task='regression', or leave num_targets out."
        )
    seed = check_integer("seed", seed, minimum=0)
    _check_architecture(name, architecture)
    architecture = architecture or default_architecture(name)
    _check_feature_map_layer(feature_map)
    head = {"task": task, "num_targets": num_targets}
    recurrent = _check_recurrent(name, input_shape, feature_map, recurrent, vocabulary_size)
    if recurrent is not None:  # A sequence model: a time axis of any length.
        token_ids = len(input_shape) == 1
        inputs = (
            keras.Input((None,), dtype="int32", name="x")
            if token_ids
            else keras.Input((None, input_shape[-1]), name="x")
        )
        outputs = builder(
            inputs, num_classes, init, seed, architecture, recurrent, vocabulary_size, **head
        )
        return keras.Model(inputs, outputs, name=name)
    inputs = keras.Input(input_shape, name="x")
    conv = _check_conv(name, input_shape, feature_map, conv)
    if conv is not None:  # An image model: it takes the images as they are.
        outputs = builder(inputs, num_classes, init, seed, architecture, conv, **head)
        return keras.Model(inputs, outputs, name=name)
    if feature_map is None:
        hidden = architecture.hidden if name == "mlp" else ()
        outputs = num_targets if task == "regression" else num_classes if num_classes > 2 else 1
        _check_first_layer_fits(input_shape, hidden[0] if hidden else outputs)
    expanded = feature_map(inputs) if feature_map is not None else inputs
    if len(input_shape) > 1:
        expanded = keras.layers.Flatten(name="flatten")(expanded)
    outputs = builder(expanded, num_classes, init, seed, architecture, **head)
    return keras.Model(inputs, outputs, name=name)


def _check_first_layer_fits(input_shape: tuple[int, ...], units: int) -> None:
    """Refuses a first Dense layer whose float32 weights need more than the memory available.

    Its likeliest cause is the data's shape, (samples, features), given for
    one sample's; TensorFlow would fail later, out of memory, with no word of it.
    """
    features = math.prod(input_shape)
    needed = 4 * features * units
    available = available_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"`input_shape` {input_shape} is {features} features a sample, and the first "
            f"layer's {units} unit{'s' if units != 1 else ''} on them need {needed} bytes of "
            f"weights; {available} are "
            f"available. Received: input_shape={input_shape}. Give one sample's shape, e.g. "
            "(28, 28) for images of 28x28 pixels, not the data's (samples, features)."
        )


def _check_architecture(name: str, architecture: Architecture | None) -> None:
    """None, or an Architecture whose options the model uses (l1 and l2: every model).

    An option the model has no layer for must keep `Architecture`'s default: the
    logistic model has no hidden layers, so `Architecture(hidden=(16,))` is refused,
    not silently built as logistic regression.
    """
    if architecture is None:
        return
    if not isinstance(architecture, Architecture):
        raise TypeError(
            "`architecture` must be an Architecture (from check_architecture) or None. "
            f"Received: architecture={architecture!r}."
        )
    unset = Architecture()
    for key in ("hidden", "activation", "dropout"):
        value = getattr(architecture, key)
        if key in MODEL_OPTIONS[name] or value == getattr(unset, key):
            continue
        raise ValueError(
            f"`architecture.{key}` does not shape the {name!r} model, so it would be ignored. "
            f"Received: {key}={value!r}. It applies to: {models_taking(key)}. Leave it out of the "
            "Architecture, or build one of those models."
        )


def _check_recurrent(
    name, input_shape, feature_map, recurrent, vocabulary_size
) -> RecurrentArchitecture | None:
    """The recurrent layers of a sequence model, checked against its input; None for others."""
    if name not in RECURRENT_MODELS:
        if recurrent is not None:
            raise ValueError(
                f"`recurrent` shapes only the {', '.join(map(repr, RECURRENT_MODELS))} models, "
                f"not the {name!r} one. Received: recurrent={recurrent!r}. Remove it, or build "
                "one of those."
            )
        return None
    if feature_map is not None:
        raise ValueError(
            f"A feature map (`features`) expands the two inputs (x1, x2) of a table; the "
            f"{name!r} model reads sequences. Received: feature_map={feature_map!r}. Remove it."
        )
    recurrent = RecurrentArchitecture() if recurrent is None else recurrent
    check_sequence_input(name, recurrent, input_shape, vocabulary_size)
    return recurrent


def _check_feature_map_layer(feature_map) -> None:
    """`feature_map` must be None or a Keras layer (such as a `FeatureMap`)."""
    if feature_map is not None and not isinstance(feature_map, keras.layers.Layer):
        raise TypeError(
            "`feature_map` must be a Keras layer applied to the inputs, e.g. "
            "FeatureMap(['x1', 'x2', 'x1^2']), or None. Received: "
            f"feature_map={feature_map!r} of type {type(feature_map).__name__}."
        )


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
