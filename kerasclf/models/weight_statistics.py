"""`WeightStatistics`: the norm of a model's weights and whether all are finite, in one call.

Callbacks that look at the weights after every epoch (`EpochPrinter`'s |W|,
`DivergenceStop`'s test for inf and NaN) used `model.get_weights()`, which
copies each weight out with an eager operation of its own. `WeightStatistics`
computes both numbers in one traced function over the weights, so an epoch
pays one call however many weights the model has:

    norm   = sqrt(sum over every weight w, every entry: w^2)   (in float64)
    finite = every entry of every weight is neither inf nor NaN
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf


class WeightStatistics:
    """The L2 norm of all of a model's weights, and whether every entry is finite.

    The function is traced at the first call, and again only when the
    model's weights are other objects (another model, or a rebuilt one).

    Example:
        >>> import numpy as np
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> model.set_weights([np.array([[3.0], [0.0]]), np.array([4.0])])
        >>> norm, finite = WeightStatistics()(model)
        >>> round(norm, 6), finite
        (5.0, True)
    """

    def __init__(self):
        self._weights_key: tuple = ()
        self._compute = None

    def __call__(self, model: keras.Model) -> tuple[float, bool]:
        """`(norm, finite)` of `model`'s weights (`model.weights`, as `get_weights` reads)."""
        weights = list(model.weights)
        if not weights:
            return 0.0, True
        key = tuple(map(id, weights))
        if key != self._weights_key or self._compute is None:
            self._compute = tf.function(lambda: _statistics(weights), autograph=False)
            self._weights_key = key
        norm, finite = self._compute()
        return float(norm), bool(finite)


def _statistics(weights: list) -> tuple[tf.Tensor, tf.Tensor]:
    values = [tf.cast(tf.convert_to_tensor(weight), tf.float64) for weight in weights]
    squares = tf.add_n([tf.reduce_sum(tf.square(value)) for value in values])
    finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(value)) for value in values])
    return tf.sqrt(squares), finite
