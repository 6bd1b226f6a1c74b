"""What each callback needs of the model, checked before training starts.

A callback declares its needs as a `skip_reason(model)` class method built
from the checks here. Each check returns None when the model fits, or the
reason it does not, as the end of a sentence ("it needs ..."). A run's
default callbacks (`kerasclf.run.default_callbacks`) leave out every callback
whose check fails, with one note each; a callback used on its own checks
the same in `on_train_begin`.

    any model             DivergenceStop, EpochPrinter, RunConfigLogger, MinibatchCostLogger,
                          WeightLogger (its gradient_norm needs CostLogger's model: it is
                          left out with a note for several inputs or no trainable weights)
    a classifier or a regression model
                          CostLogger (a classifier's probabilities: sigmoid or softmax)
    a classifier          ClassificationPanels, and with 2-D points (samples of
                          shape (2,)) DecisionBoundaryLogger
    a classifier, 2+ parameters
                          ErrorSurfaceLogger
    trainable weights     GradientNorms

The panels of images and sequences check their layer in their own modules:
FirstLayerImages, ActivationImages, HiddenStateLogger, GeneratedTextLogger,
EmbeddingProjector and ForecastLogger (docs/models.md has the table).

Example:
    >>> import keras
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
    ...                           keras.layers.Dense(3, activation="softmax")])
    >>> two_feature_points(model)
    'it draws the plane of a model with exactly 2 inputs, and this one takes samples of shape (8, 8, 1)'
    >>> probability_output(model) is None
    True
"""  # noqa: E501

from __future__ import annotations

import sys

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.engine.losses import model_task
from kerasclf.models.inspection import (
    all_layers,
    check_probability_output,
    trainable_parameter_count,
)

# Layers that loop over the time steps (a `tf.while_loop`).
RECURRENT_LAYERS = (keras.layers.RNN, keras.layers.Bidirectional)


def sample_shape(model: keras.Model) -> tuple | None:
    """The shape of one input sample of a single-input model, or None if unknown."""
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) != 1:
        return None
    return tuple(inputs[0].shape[1:])


def two_feature_points(model: keras.Model) -> str | None:
    """None if the model takes points of 2 features (a plane to draw), else why not."""
    shape = sample_shape(model)
    if shape == (2,):
        return None
    needs = "it draws the plane of a model with exactly 2 inputs"
    if shape is None:
        return f"{needs}, and this one's input is not one tensor"
    if len(shape) == 1 and shape[0] is not None:
        return f"{needs}, and this one has {shape[0]}"
    if len(shape) == 1:
        return f"{needs}, and this one takes sequences of any length"
    if len(shape) == 2 and shape[0] is None:
        return f"{needs}, and this one takes sequences of any length, of {shape[1]} per step"
    shown = "(" + ", ".join(str(size) for size in shape) + ")"
    return f"{needs}, and this one takes samples of shape {shown}"


def one_input(model: keras.Model) -> str | None:
    """None if the model takes one input (or its inputs are not known yet), else why not.

    Example:
        >>> inputs = [keras.Input((2,)), keras.Input((3,))]
        >>> joined = keras.layers.Concatenate()(inputs)
        >>> one_input(keras.Model(inputs, keras.layers.Dense(1, "sigmoid")(joined)))
        'it feeds the model one array of samples, and this one takes 2 inputs'
    """
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) <= 1:
        return None
    return f"it feeds the model one array of samples, and this one takes {len(inputs)} inputs"


def probability_output(model: keras.Model) -> str | None:
    """None if the model outputs probabilities (sigmoid or softmax), else why not."""
    try:
        check_probability_output(model)
    except ValueError as error:
        return f"it reads the output as probabilities: {error}"
    return None


def cost_evaluation(model: keras.Model) -> str | None:
    """None if the cost over the data can be taken for `model`, else why not.

    One input, and a classifier's probabilities (sigmoid or softmax) or a
    regression's numbers: what `CostLogger` evaluates.
    """
    if model_task(model) == "regression":
        return one_input(model)
    return first_reason(model, one_input, probability_output)


def trainable_weights(model: keras.Model) -> str | None:
    """None if the model has trainable weights (a gradient to take), else why not."""
    if model.trainable_weights:
        return None
    return "it needs trainable weights for a gradient, and this model has none"


def has_recurrent_layer(model: keras.Model) -> bool:
    """Whether a layer of the model, nested ones included, is recurrent (`RECURRENT_LAYERS`).

    Example:
        >>> inputs = keras.Input((None, 1))
        >>> has_recurrent_layer(keras.Model(inputs, keras.layers.GRU(2)(inputs)))
        True
    """
    return any(isinstance(layer, RECURRENT_LAYERS) for layer in all_layers(model))


def two_parameters(model: keras.Model) -> str | None:
    """None if the model has at least 2 trainable parameters (a plane of them), else why not."""
    count = trainable_parameter_count(model)
    if count >= 2:
        return None
    return f"it needs a model with at least 2 trainable parameters, and this one has {count}"


def first_reason(model: keras.Model, *checks) -> str | None:
    """The reason of the first check that fails, or None."""
    for check in checks:
        reason = check(model)
        if reason is not None:
            return reason
    return None


def skip_note(callback_class: type, reason: str) -> str:
    """The one-line note printed for a callback left out of a run.

    Example:
        >>> skip_note(keras.callbacks.Callback, "it needs a classifier")
        'note: Callback is off for this run: it needs a classifier.'
    """
    return f"note: {callback_class.__name__} is off for this run: {reason}."


def noted_skip_reason(callback, model, stream=None) -> str | None:
    """Why `callback` leaves `model` out (its class's `skip_reason`), the note printed; or None.

    Args:
        callback: A kerasclf callback with a `skip_reason(model)` class method.
        model: The model it would draw.
        stream: Where the note goes (default: stdout).

    Example:
        >>> class Picky(keras.callbacks.Callback):
        ...     @classmethod
        ...     def skip_reason(cls, model):
        ...         return "it needs a classifier"
        >>> noted_skip_reason(Picky(), model=None)
        note: Picky is off for this run: it needs a classifier.
        'it needs a classifier'
    """
    reason = type(callback).skip_reason(model)
    if reason is not None:
        print(skip_note(type(callback), reason), file=stream or sys.stdout)
    return reason
