"""What kerasclf reads off a model: probabilities or numbers out, and a line's w and b."""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

# The output activations whose values kerasclf reads as probabilities.
PROBABILITY_ACTIVATIONS = ("sigmoid", "softmax")


def output_activation(model: keras.Model) -> str | None:
    """The name of the activation of the model's output layer; None if it cannot be read.

    A nested model's own output counts; a Softmax layer is "softmax"; a
    subclassed model's output cannot be inspected (None).

    Example:
        >>> output_activation(_logistic())
        'sigmoid'
    """
    if not inspectable(model):
        return None
    layer = model.outputs[0]._keras_history.operation
    if isinstance(layer, keras.Model):  # A nested model: its own output.
        return output_activation(layer)
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    return getattr(getattr(layer, "activation", None), "__name__", None)


def inspectable(model: keras.Model) -> bool:
    """Whether the layer that makes the output can be read: False for a subclassed model.

    A functional model that ends in a subclassed one cannot be read either.

    Example:
        >>> class Subclassed(keras.Model):
        ...     def call(self, inputs):
        ...         return inputs
        >>> inspectable(_logistic()), inspectable(Subclassed())
        (True, False)
    """
    outputs = getattr(model, "outputs", None)
    if not outputs:
        return False
    layer = outputs[0]._keras_history.operation
    return inspectable(layer) if isinstance(layer, keras.Model) else True


def input_shape_fits(expected, actual) -> bool:
    """Whether samples of shape `actual` fit a model input of shape `expected` (None: any size).

    Example:
        >>> input_shape_fits((None, 3), (50, 3)), input_shape_fits((2,), (3,))
        (True, False)
    """
    return len(expected) == len(actual) and all(
        size is None or int(size) == int(other) for size, other in zip(expected, actual)
    )


def check_sample_shape(model: keras.Model, received, source: str, what: str = "model") -> None:
    """Raises one line unless samples of shape `received` fit `model`'s one input.

    A size the model leaves open (None) matches any size; a model without
    known inputs (subclassed, not built), or with several, matches any data.

    Example:
        >>> check_sample_shape(_logistic(), (3,), "points.csv")
        Traceback (most recent call last):
        ...
        ValueError: points.csv: the model takes samples of shape (2,), but the data's samples have shape (3,). Give it data with the features it was built for.
    """  # noqa: E501
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) != 1:
        return
    expected = tuple(None if size is None else int(size) for size in inputs[0].shape[1:])
    received = tuple(int(size) for size in received)
    if not input_shape_fits(expected, received):
        raise ValueError(
            f"{source}: the {what} takes samples of shape {expected}, but the data's "
            f"samples have shape {received}. Give it data with the features it was built for."
        )


def check_probability_output(model: keras.Model) -> None:
    """Raises unless `model` ends in a sigmoid or a softmax.

    kerasclf's cost, accuracy and images read the output as probabilities
    (and the cost recovers the logit from the sigmoid or softmax that made
    them), so a model that outputs logits would get wrong numbers silently.
    A subclassed model's output cannot be inspected and is taken as it is.

    Example:
        >>> check_probability_output(_logistic())
        >>> logits = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")])
        >>> check_probability_output(logits)
        Traceback (most recent call last):
        ...
        ValueError: kerasclf's cost and images need probabilities, but the model's output layer 'out' has activation 'linear'. Give it activation='sigmoid' (one unit) or 'softmax' (k units).
    """  # noqa: E501
    if not inspectable(model):
        return
    activation = output_activation(model)
    if activation not in PROBABILITY_ACTIVATIONS:
        raise ValueError(
            "kerasclf's cost and images need probabilities, but the model's output layer "
            f"{_output_layer(model).name!r} has activation {activation!r}. Give it "
            "activation='sigmoid' (one unit) or 'softmax' (k units)."
        )


def check_regression_output(model: keras.Model) -> None:
    """Raises if `model` ends in a sigmoid or a softmax: a regression predicts any number.

    A subclassed model's output cannot be inspected and is taken as it is.

    Example:
        >>> linear = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")])
        >>> check_regression_output(linear)
        >>> check_regression_output(_logistic())
        Traceback (most recent call last):
        ...
        ValueError: a regression model needs a linear output (numbers of any size), but the model's output layer 'line' has activation 'sigmoid', whose values are squashed into probabilities. Give it activation=None (linear).
    """  # noqa: E501
    activation = output_activation(model)
    if activation in PROBABILITY_ACTIVATIONS:
        raise ValueError(
            "a regression model needs a linear output (numbers of any size), but the model's "
            f"output layer {_output_layer(model).name!r} has activation {activation!r}, whose "
            "values are squashed into probabilities. Give it activation=None (linear)."
        )


def model_task(model: keras.Model) -> str:
    """ "classification" for a model that ends in a sigmoid or softmax, else "regression".

    A subclassed model, whose output cannot be inspected, counts as a
    classification (kerasclf's default task).

    Example:
        >>> linear = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model_task(_logistic()), model_task(linear)
        ('classification', 'regression')
    """
    if not inspectable(model):
        return "classification"
    activation = output_activation(model)
    return "classification" if activation in PROBABILITY_ACTIVATIONS else "regression"


def _output_layer(model: keras.Model):
    """The layer that makes the output, inside nested models."""
    layer = model.outputs[0]._keras_history.operation
    return _output_layer(layer) if isinstance(layer, keras.Model) else layer


def linear_parameters(model: keras.Model):
    """(weights, bias) of a model whose only weights are one Dense layer, else None.

    Example:
        >>> weights, bias = linear_parameters(_logistic())
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
        >>> weights, bias = plain_linear_parameters(_logistic())
        >>> weights.tolist(), bias
        ([0.0, 0.0], 0.0)
    """
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if len(layers) != 1:
        return None
    return linear_parameters(model)


def _logistic() -> keras.Model:
    """p = sigmoid(x^T w + b) from zeros, for the examples."""
    inputs = keras.Input((2,))
    return keras.Model(
        inputs, keras.layers.Dense(1, "sigmoid", kernel_initializer="zeros", name="line")(inputs)
    )


def all_layers(model: keras.Model) -> list:
    """Every layer of `model`, the layers of nested models included, outermost first.

    Example:
        >>> inner = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
        >>> outer = keras.Sequential([keras.Input((2,)), inner, keras.layers.Dense(1)])
        >>> [type(layer).__name__ for layer in all_layers(outer)]
        ['Sequential', 'Dense', 'Dense']
    """
    layers = []
    for layer in getattr(model, "layers", []):
        layers.append(layer)
        layers.extend(all_layers(layer))
    return layers


def trainable_parameter_count(model: keras.Model) -> int:
    """How many numbers training changes: the sizes of `model`'s trainable weights, added up.

    Example:
        >>> trainable_parameter_count(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
        3
    """
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)
