"""Models, looked up by name.

    logistic  p = sigmoid(x^T w + b): one Dense(1, sigmoid) over the inputs.
              With k > 2 classes, softmax(x W + b) (multinomial regression).
    mlp       Hidden Dense layers (a learned feature map phi), then the same
              output layer: p = sigmoid(phi(x)^T w + b).

Both can first expand the inputs with a fixed feature map (`features`, see
`kerasclf.features`). Training code only calls `build_model`, so a new
architecture is one more entry in `BUILDERS` (and its name and default
initializer in `kerasclf.architecture`).
"""

from __future__ import annotations

from collections.abc import Callable

import keras

from kerasclf.architecture import MODELS, Architecture, default_init
from kerasclf.classifier import Classifier
from kerasclf.validation import check_choice, check_integer

# The Keras initializer of each `init` name (kerasclf.architecture.INITS), by seed.
INITIALIZERS = {
    "zeros": lambda seed: keras.initializers.Zeros(),
    "random": lambda seed: keras.initializers.GlorotUniform(seed=seed),
}


def _output_layer(num_classes: int, init: str, seed: int, regularizer) -> keras.layers.Dense:
    units, activation = (1, "sigmoid") if num_classes == 2 else (num_classes, "softmax")
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=INITIALIZERS[init](seed),
        bias_initializer="zeros",
        kernel_regularizer=regularizer,
        name="output",
    )


def _regularizer(architecture: Architecture):
    if architecture.l1 == 0 and architecture.l2 == 0:
        return None
    return keras.regularizers.L1L2(l1=architecture.l1, l2=architecture.l2)


def logistic(inputs, num_classes: int, init: str, seed: int, architecture: Architecture):
    """One Dense(1, sigmoid) (or Dense(k, softmax)) over the inputs."""
    return _output_layer(num_classes, init, seed, _regularizer(architecture))(inputs)


def mlp(inputs, num_classes: int, init: str, seed: int, architecture: Architecture):
    """Hidden Dense layers with `activation`, optional dropout, then the output."""
    regularizer = _regularizer(architecture)
    hidden = inputs
    for index, units in enumerate(architecture.hidden):
        hidden = keras.layers.Dense(
            units,
            activation=architecture.activation,
            kernel_initializer=INITIALIZERS[init](seed + index + 1),
            bias_initializer="zeros",
            kernel_regularizer=regularizer,
            name=f"hidden_{index + 1}",
        )(hidden)
        if architecture.dropout > 0:
            hidden = keras.layers.Dropout(
                architecture.dropout, seed=seed + index + 1, name=f"dropout_{index + 1}"
            )(hidden)
    return _output_layer(num_classes, init, seed, regularizer)(hidden)


# The builder of each model name (kerasclf.architecture.MODELS).
BUILDERS: dict[str, Callable] = {"logistic": logistic, "mlp": mlp}


def build_model(
    name: str,
    num_features: int,
    num_classes: int = 2,
    init: str | None = None,
    seed: int = 0,
    architecture: Architecture | None = None,
    feature_map: keras.layers.Layer | None = None,
) -> Classifier:
    """Builds a named model as a `kerasclf.Classifier`.

    Args:
        name: One of `MODELS`.
        num_features: Number of input features.
        num_classes: 2 for a sigmoid output, k > 2 for a softmax output.
        init: `"zeros"` or `"random"` (Glorot uniform, seeded); None for the
            model's default (`kerasclf.architecture.DEFAULT_INITS`: zeros for
            logistic regression, random for the others).
        seed: Seed of the random initializers and dropout.
        architecture: Hidden layers, activation, regularization and dropout
            (only `mlp` has hidden layers).
        feature_map: An optional layer applied to the inputs first.

    Returns:
        An uncompiled `Classifier`.

    Example:
        >>> model = build_model("logistic", num_features=2)
        >>> [tuple(w.shape) for w in model.weights]
        [(2, 1), (1,)]
    """
    builder = BUILDERS[check_choice("model", name, MODELS)]
    init = default_init(name, init)
    num_features = check_integer("num_features", num_features)
    num_classes = check_integer("num_classes", num_classes, minimum=2)
    seed = check_integer("seed", seed, minimum=0)
    if architecture is not None and not isinstance(architecture, Architecture):
        raise TypeError(
            "`architecture` must be an Architecture (from check_architecture) or None. "
            f"Received: architecture={architecture!r}."
        )
    architecture = architecture or Architecture()
    inputs = keras.Input((num_features,), name="x")
    expanded = feature_map(inputs) if feature_map is not None else inputs
    outputs = builder(expanded, num_classes, init, seed, architecture)
    return Classifier(inputs, outputs, name=name)


# The output activations whose values kerasclf reads as probabilities.
PROBABILITY_ACTIVATIONS = ("sigmoid", "softmax")


def check_probability_output(model: keras.Model) -> None:
    """Raises unless `model` ends in a sigmoid or a softmax.

    kerasclf's cost, accuracy and images read the output as probabilities
    (and the cost recovers the logit from the sigmoid or softmax that made
    them), so a model that outputs logits would get wrong numbers silently.
    A subclassed model's output cannot be inspected and is taken as it is.

    Example:
        >>> check_probability_output(build_model("logistic", 2))
        >>> logits = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")])
        >>> check_probability_output(logits)
        Traceback (most recent call last):
        ...
        ValueError: kerasclf's cost and images need probabilities, but the model's output layer 'out' has activation 'linear'. Give it activation='sigmoid' (one unit) or 'softmax' (k units).
    """  # noqa: E501
    outputs = getattr(model, "outputs", None)
    if not outputs:
        return
    layer = outputs[0]._keras_history.operation
    if isinstance(layer, keras.Model):  # A nested model: its own output.
        return check_probability_output(layer)
    if isinstance(layer, keras.layers.Softmax):
        return
    activation = getattr(getattr(layer, "activation", None), "__name__", None)
    if activation not in PROBABILITY_ACTIVATIONS:
        raise ValueError(
            "kerasclf's cost and images need probabilities, but the model's output layer "
            f"{layer.name!r} has activation {activation!r}. Give it activation='sigmoid' "
            "(one unit) or 'softmax' (k units)."
        )


def linear_parameters(model: keras.Model):
    """(weights, bias) of a model whose only weights are one Dense layer, else None.

    Example:
        >>> weights, bias = linear_parameters(build_model("logistic", 2))
        >>> weights.tolist(), bias
        ([0.0, 0.0], 0.0)
    """
    if len(model.weights) != 2 or model.weights[0].shape[-1] != 1:
        return None
    kernel, bias = (keras.ops.convert_to_numpy(weight) for weight in model.weights)
    return kernel[:, 0], float(bias[0])


def plain_linear_parameters(model: keras.Model):
    """(weights, bias) if the model is exactly p = sigmoid(x^T w + b) on its raw inputs.

    That is one Dense unit and no other layer, so that w lives in the input
    plane (a feature map in front would put it elsewhere). Otherwise None.

    Example:
        >>> weights, bias = plain_linear_parameters(build_model("logistic", 2))
        >>> weights.tolist(), bias
        ([0.0, 0.0], 0.0)
    """
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if len(layers) != 1:
        return None
    return linear_parameters(model)
