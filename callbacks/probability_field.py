"""`ProbabilityField`: the model's prediction at every pixel, as rows of a colour table.

A decision-boundary image colours each pixel of its axes box by the model's
output at the pixel's centre. With a sigmoid (or 2-unit softmax) output the
pixel takes row floor(256 p) of the table, p = p(class 1), clipped to 0..255.
With k > 2 units it takes row 256 c + floor(256 s) for the predicted class c
and the sureness s = (max p - 1/k) / (1 - 1/k). `callbacks.field_colours`
builds the table these rows index.

For a plain linear model, p = sigmoid(w1 x1 + w2 x2 + b), numpy computes the
rows directly: the logits over the pixel grid are an outer sum of a row and a
column, well under a millisecond with nothing to compile. Any other model
gets one XLA-compiled forward pass over the grid, compiled at the first call.

Example:
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, "softmax")])
    >>> field = ProbabilityField(model, [0.0, 1.0], [1.0, 0.0], output_units(model), False)
    >>> field.indices().shape
    (2, 2)
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf


def output_units(model: keras.Model) -> int:
    """The number of output units of `model`, from its output shape or one forward pass.

    Example:
        >>> import keras
        >>> output_units(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
        1
    """
    outputs = getattr(model, "outputs", None)
    if outputs and outputs[0].shape[-1] is not None:
        return int(outputs[0].shape[-1])
    return int(model(np.zeros((1, 2), np.float32), training=False).shape[-1])


class ProbabilityField:
    """The rows of the colour table for every pixel centre of a fixed grid.

    Args:
        model: A model with 2 inputs and a sigmoid or softmax output.
        pixel_x: x1 of the pixel centres, one per column.
        pixel_y: x2 of the pixel centres, one per row, top row first.
        num_units: The model's output units (`output_units(model)`).
        plain_linear: Whether the model is exactly p = sigmoid(w . x + b), one
            Dense unit on the raw inputs (`plain_linear_parameters`), so that
            numpy can compute the field from the weights.

    Attributes:
        binary: Whether the field shows p(class 1), for 1 or 2 output units.

    Example:
        >>> import keras
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, "sigmoid")])
        >>> field = ProbabilityField(model, [0.0, 1.0, 2.0], [1.0], 1, plain_linear=True)
        >>> field.indices([np.zeros((2, 1)), np.zeros(1)]).tolist()  # p = 0.5 everywhere
        [[128, 128, 128]]
    """

    def __init__(self, model: keras.Model, pixel_x, pixel_y, num_units: int, plain_linear: bool):
        self.model = model
        self.num_units = num_units
        self.binary = num_units <= 2
        self.plain_linear = plain_linear
        self._pixel_x = np.asarray(pixel_x).astype(np.float32)
        self._pixel_y = np.asarray(pixel_y).astype(np.float32)
        self._grid = None  # The pixel centres as a tensor, for the compiled pass.
        self._compiled_indices = None

    @property
    def shape(self) -> tuple[int, int]:
        """`(rows, columns)` of the grid."""
        return len(self._pixel_y), len(self._pixel_x)

    def indices(self, weights: list | None = None) -> np.ndarray:
        """Row of the lookup table for every pixel: floor(256 p), plus 256 c for k > 2.

        Args:
            weights: The model's `get_weights()`, if already at hand.

        Returns:
            int32 rows `(rows, columns)`.
        """
        if self.plain_linear:
            return self._linear_indices(self.model.get_weights() if weights is None else weights)
        if self._compiled_indices is None:
            grid_x, grid_y = np.meshgrid(self._pixel_x, self._pixel_y)
            self._grid = tf.constant(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1), tf.float32)
            self._compiled_indices = tf.function(self._compute_indices, jit_compile=True)
        indices = self._compiled_indices(self._grid).numpy()
        return indices.reshape(self.shape)

    def _linear_indices(self, weights: list) -> np.ndarray:
        """The rows for p = sigmoid(w1 x1 + w2 x2 + b), an outer sum in numpy."""
        kernel, bias = weights
        logits = kernel[0, 0] * self._pixel_x[None, :] + (
            kernel[1, 0] * self._pixel_y[:, None] + bias[0]
        )
        positive = 0.5 * (1.0 + np.tanh(0.5 * logits))  # sigmoid, without overflow
        return np.minimum(positive * 256.0, 255.0).astype(np.int32)

    def _compute_indices(self, grid):
        """The rows for the model's probabilities over `grid`, as a TensorFlow graph."""
        probabilities = self.model(grid, training=False)
        if self.binary:
            positive = probabilities[:, -1]
            return tf.cast(tf.clip_by_value(tf.floor(positive * 256.0), 0.0, 255.0), tf.int32)
        predicted = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        chance = 1.0 / self.num_units
        confidence = (tf.reduce_max(probabilities, axis=-1) - chance) / (1.0 - chance)
        level = tf.cast(tf.clip_by_value(tf.floor(confidence * 256.0), 0.0, 255.0), tf.int32)
        return predicted * 256 + level
