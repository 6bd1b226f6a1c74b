"""Exporting a trained model: its weights per layer as JSON, for any tool.

`weights.json` maps each layer that has weights to its named arrays as nested
lists, e.g. `{"output": {"kernel": [[0.35], [0.41]], "bias": [0.28]}}`.
"""

from __future__ import annotations

import keras

from kerasclf.runs import write_json


def weights_by_layer(model: keras.Model) -> dict[str, dict[str, list]]:
    """The model's weights as `{layer name: {weight name: nested list}}`.

    Example:
        >>> from kerasclf.models import build_model
        >>> weights_by_layer(build_model("logistic", 2))
        {'output': {'kernel': [[0.0], [0.0]], 'bias': [0.0]}}
    """
    return {
        layer.name: {
            weight.name: keras.ops.convert_to_numpy(weight).tolist() for weight in layer.weights
        }
        for layer in model.layers
        if layer.weights
    }


def write_weights_json(model: keras.Model, path: str) -> None:
    """Writes `weights_by_layer(model)` to `path` atomically."""
    write_json(path, weights_by_layer(model))
