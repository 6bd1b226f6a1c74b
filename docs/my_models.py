"""Your own model for `kerasclf train --model docs/my_models.py:build` (see docs/models.md)."""

import keras


def build(input_shape, num_classes):
    """A small CNN: kerasclf calls it with the data's sample shape and class count."""
    inputs = keras.Input(input_shape)  # e.g. (36, 36): grey images get the channel Conv2D needs
    x = keras.layers.Reshape((*input_shape, 1))(inputs) if len(input_shape) == 2 else inputs
    x = keras.layers.Conv2D(4, 5, activation="relu")(x)
    x = keras.layers.MaxPooling2D(2)(keras.layers.BatchNormalization()(x))
    x = keras.layers.Dense(32, activation="relu")(keras.layers.Flatten()(x))
    outputs = keras.layers.Dense(num_classes, activation="softmax")(x)  # probabilities
    return keras.Model(inputs, outputs)  # uncompiled: kerasclf compiles it
