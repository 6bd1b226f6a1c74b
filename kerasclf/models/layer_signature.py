"""What a checkpoint records of its model's layers, so that a resume refuses another model.

A checkpoint's variables fit any model of the same shapes: a student who
edits `my_models.py` between an interruption and `--resume` (relu for tanh,
another dropout rate) would continue the old weights in the new model, and
the run would end neither as the old one nor as the new one. So a checkpoint
also holds `layer_signature(model)`: each layer's class and its config, less
what restoring the checkpoint makes irrelevant or what differs between two
builds of one model:

    name             Keras numbers unnamed layers per process (dense, dense_1, ...);
                     where another layer's config names a layer, the name
                     becomes its place ("layer 3")
    seed             the seed generators' state is in the checkpoint
    *_initializer    the weights are in the checkpoint

A nested model counts by its class alone; its layers follow it in the list.

Example:
    >>> import keras
    >>> def build(activation):
    ...     inputs = keras.Input((2,))
    ...     hidden = keras.layers.Dense(3, activation)(inputs)
    ...     return keras.Model(inputs, keras.layers.Dense(1, "sigmoid")(hidden))
    >>> layer_signature(build("relu")) == layer_signature(build("relu"))
    True
    >>> signature_difference(layer_signature(build("relu")), layer_signature(build("tanh")))
    "layer 2 (Dense) has activation='relu' in the checkpoint and activation='tanh' in the model"
"""

from __future__ import annotations

import json

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.models.inspection import all_layers
from kerasclf.validation import shown

# A layer's config keys that two builds of one model may differ in, or that a checkpoint replaces.
IGNORED_KEYS = ("name", "seed")
IGNORED_SUFFIXES = ("_initializer",)


def layer_signature(model: keras.Model) -> list[str]:
    """Each layer of `model` (nested ones included) as one JSON line: its class and config.

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, "sigmoid")])
        >>> layer = json.loads(layer_signature(model)[0])
        >>> layer["layer"], layer["units"], layer["activation"]
        ('Dense', 1, 'sigmoid')
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"`model` must be a keras.Model. Received: model={shown(model)} of type "
            f"{type(model).__name__}."
        )
    layers = all_layers(model)
    places = {layer.name: f"layer {index + 1}" for index, layer in enumerate(layers)}
    return [
        json.dumps(_described(layer, places), sort_keys=True, default=_plain) for layer in layers
    ]


def signature_difference(stored: list[str], current: list[str]) -> str | None:
    """The first way `current`'s layers differ from `stored`'s, in words; None if they do not.

    Example:
        >>> signature_difference(['{"layer": "Dense"}'], ['{"layer": "Dense"}', '{"layer": "Dropout"}'])
        'the checkpoint is of a model of 1 layer, the model has 2 layers'
    """  # noqa: E501
    for key, lines in (("stored", stored), ("current", current)):
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            raise TypeError(
                f"`{key}` must be a list of `layer_signature` lines (str). Received: "
                f"{key}={shown(lines)}."
            )
    if len(stored) != len(current):
        return (
            f"the checkpoint is of a model of {_layers(len(stored))}, the model has "
            f"{_layers(len(current))}"
        )
    for index, (old, new) in enumerate(zip(stored, current)):
        if old == new:
            continue
        old, new = json.loads(old), json.loads(new)
        place = f"layer {index + 1} ({old['layer']})"
        if old["layer"] != new["layer"]:
            return f"{place} is a {new['layer']} in the model"
        key = min(key for key in {*old, *new} if old.get(key) != new.get(key))
        return (
            f"{place} has {key}={_shown(old.get(key))} in the checkpoint and "
            f"{key}={_shown(new.get(key))} in the model"
        )
    return None


def _described(layer, places: dict[str, str]) -> dict:
    """A layer's class and its config, less `IGNORED_KEYS`, layer names as places."""
    if isinstance(layer, keras.Model):  # Its layers are listed after it.
        return {"layer": type(layer).__name__}
    try:
        config = layer.get_config()
    except Exception:  # A user's layer may fail any way: its class alone.
        config = {}
    if not isinstance(config, dict):
        config = {}
    kept = {
        key: _placed(value, places)
        for key, value in config.items()
        if key not in IGNORED_KEYS and not key.endswith(IGNORED_SUFFIXES)
    }
    return {"layer": type(layer).__name__, **kept}


def _placed(value, places: dict[str, str]):
    """`value` with every string that names a layer replaced by that layer's place."""
    if isinstance(value, str):
        return places.get(value, value)
    if isinstance(value, dict):
        return {key: _placed(item, places) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_placed(item, places) for item in value]
    return value


def _shown(value) -> str:
    """A config value as code: a serialized Keras object as `L2(l2=0.1)`, others by repr.

    Example:
        >>> _shown({"class_name": "L2", "config": {"l2": 0.1}, "module": "keras.regularizers"})
        'L2(l2=0.1)'
    """
    if isinstance(value, dict) and isinstance(value.get("config"), dict) and "class_name" in value:
        arguments = ", ".join(f"{key}={_shown(item)}" for key, item in value["config"].items())
        return f"{value['class_name']}({arguments})"
    return repr(value)


def _layers(count: int) -> str:
    return f"{count} layer" if count == 1 else f"{count} layers"


def _plain(value):
    """What JSON cannot hold: a numpy number as its value, anything else by its type.

    (A repr could carry a memory address, which differs between two builds.)

    Example:
        >>> import numpy as np
        >>> _plain(np.float32(0.5)), _plain(object())
        (0.5, 'object')
    """
    if isinstance(value, np.generic):
        return value.item()
    return type(value).__name__
