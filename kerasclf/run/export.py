"""Exporting a trained model, for tools that know nothing of kerasclf.

- `model.keras` holds a plain Keras model (`plain_model`): the same layers and
  weights as the trained one, a Functional model of Keras's own layers and
  ops, compiled with Keras's own cross-entropy and accuracy. A notebook or a
  server loads it with `keras.saving.load_model` alone, without importing
  kerasclf, and gets the same probabilities.
- `weights.json` maps each layer that has weights to its named arrays as
  nested lists, e.g. `{"output": {"kernel": [[0.35], [0.41]], "bias": [0.28]}}`.
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.models.features import FeatureMap
from kerasclf.engine.losses import model_task, model_reduction
from kerasclf.atomic_files import write_json
from kerasclf.validation import shown

# Keras's own loss for each of kerasclf's cost reductions.
KERAS_REDUCTIONS = {"sum": "sum", "mean": "sum_over_batch_size"}


def plain_model(model: keras.Model) -> keras.Model:
    """The trained model as a Keras Functional model that needs no kerasclf to load.

    Its layers are copies of the model's, with the same configs and weights,
    so it has the same outputs. A `FeatureMap` becomes the Keras ops it
    computes. It is compiled with
    Keras's binary (one output unit) or sparse categorical cross-entropy,
    summed or averaged as the model was trained, an `accuracy` metric, and
    the model's optimizer with its current step size as a constant (a
    decaying schedule is kerasclf's own class) and fresh state: `--resume`
    continues from the run's checkpoint, not from this file.

    Args:
        model: A compiled, built model of `kerasclf.models.registry.build_model` or any
            Functional model whose layers are Keras's own.

    Returns:
        A compiled `keras.Model`.

    Raises:
        TypeError: if `model` is not a built Functional model.
        ValueError: if it is not compiled.

    Example:
        >>> from kerasclf.models.registry import build_model
        >>> from kerasclf.engine.losses import CrossEntropy
        >>> model = build_model("logistic", 2)
        >>> model.compile(optimizer="sgd", loss=CrossEntropy("sum"))
        >>> type(plain_model(model)).__name__, plain_model(model).loss.name
        ('Functional', 'binary_crossentropy')
    """
    if not isinstance(model, keras.Model) or not getattr(model, "inputs", None):
        raise TypeError(
            "`model` must be a built Functional keras.Model (as build_model makes). "
            f"Received: model={shown(model)} of type {type(model).__name__}."
        )
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        raise ValueError(
            f"`model` must be compiled with an optimizer and a loss, to export them. "
            f"Received the uncompiled model {model.name!r}. Call model.compile(...) first."
        )
    source = model.inputs[0]
    inputs = keras.Input(shape=tuple(source.shape[1:]), name=source.name, dtype=source.dtype)
    # The new input in the structure the model was built with (a tensor or a list of one).
    structured = [inputs] if isinstance(model.input, (list, tuple)) else inputs
    copied = keras.models.clone_model(model, structured, **_copies_with_weights())
    outputs = copied.outputs[0]
    exported = keras.Model(inputs, outputs, name=model.name)
    loss, metrics = keras_loss_and_metrics(model, outputs.shape[-1])
    optimizer = model.optimizer
    rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))  # Also if mirrored.
    settings = {**optimizer.get_config(), "learning_rate": rate}
    exported.compile(optimizer=type(optimizer).from_config(settings), loss=loss, metrics=metrics)
    # Built, so that loading finds the variables it saved (and warns of no mismatch).
    exported.optimizer.build(exported.trainable_variables)
    return exported


def _copies_with_weights() -> dict:
    """`clone_model`'s functions: each layer copied with its values, a `FeatureMap` as ops.

    The graph is the model's own (branches, shared layers); each copy is
    made from the layer's config, with its own variables, made outside any
    tf.distribute strategy, so that the chief alone saves it (a mirrored
    variable is made by all).
    """
    originals = {}  # id(copy): the layer it copies.

    def clone_function(layer):
        if isinstance(layer, FeatureMap):  # Made of keras.ops, which a Functional model saves.
            return layer
        copy = type(layer).from_config(layer.get_config())
        originals[id(copy)] = layer
        return copy

    def call_function(layer, *args, **kwargs):
        if isinstance(layer, FeatureMap):
            return layer.call(*args, **kwargs)
        outputs = layer(*args, **kwargs)
        original = originals[id(layer)]
        layer.set_weights([keras.ops.convert_to_numpy(weight) for weight in original.weights])
        return outputs

    return {"clone_function": clone_function, "call_function": call_function}


def keras_loss_and_metrics(model: keras.Model, num_outputs: int) -> tuple:
    """Keras's own loss (and accuracy) equal to the model's kerasclf cost, in its reduction."""
    reduction = KERAS_REDUCTIONS[model_reduction(model)]
    if model_task(model) == "regression":
        return keras.losses.MeanSquaredError(reduction=reduction), []
    if num_outputs == 1:
        loss = keras.losses.BinaryCrossentropy(reduction=reduction)
        return loss, [keras.metrics.BinaryAccuracy(name="accuracy")]
    loss = keras.losses.SparseCategoricalCrossentropy(reduction=reduction)
    return loss, [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]


def weight_arrays(model: keras.Model) -> dict[str, dict[str, np.ndarray]]:
    """The model's weights as `{layer name: {weight name: numpy array}}`.

    Example:
        >>> from kerasclf.models.registry import build_model
        >>> weight_arrays(build_model("logistic", 2))["output"]["kernel"].shape
        (2, 1)
    """
    return {
        layer.name: {weight.name: keras.ops.convert_to_numpy(weight) for weight in layer.weights}
        for layer in model.layers
        if layer.weights
    }


def weights_by_layer(model: keras.Model) -> dict[str, dict[str, list]]:
    """The model's weights as `{layer name: {weight name: nested list}}`.

    Example:
        >>> from kerasclf.models.registry import build_model
        >>> weights_by_layer(build_model("logistic", 2))
        {'output': {'kernel': [[0.0], [0.0]], 'bias': [0.0]}}
    """
    return {
        layer: {name: array.tolist() for name, array in weights.items()}
        for layer, weights in weight_arrays(model).items()
    }


def write_weights_json(model: keras.Model, path: str) -> None:
    """Writes `weights_by_layer(model)` to `path` atomically, each row of numbers on one line."""
    write_json(path, weight_arrays(model))
