"""`TrainingCost`: the cost J of the training points, for the title of an image.

J is the cross-entropy summed over the training points, divided by their
number when the model's loss averages (`kerasclf.engine.losses.model_reduction`), so
that the title shows the number the model minimises. For a plain linear model,
p = sigmoid(w . x + b), on at most `NUMPY_MAX_SAMPLES` points, numpy computes it
from the weights in float64: J = sum(log(1 + exp(z)) - y z) with z = w . x + b.
Any other model, and more points, get one XLA-compiled forward pass over the
training points, compiled at the first call: on 2**20 points numpy took 26 ms
an image and the compiled pass 3 ms.

Example:
    >>> import keras
    >>> from kerasclf.data import Data
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, "sigmoid")])
    >>> points = Data(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1]))
    >>> cost = TrainingCost(model, points, plain_linear=True)
    >>> round(cost.compute([np.zeros((2, 1)), np.zeros(1)]), 6)  # 2 log 2
    1.386294
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.callbacks.cost_minimum import logistic_cost
from kerasclf.data import Data
from kerasclf.engine.losses import model_reduction, model_task, per_sample_cost

# Above this many training points, even a plain linear model's cost is one
# compiled pass: numpy's float64 pass grows to tens of milliseconds an image.
NUMPY_MAX_SAMPLES = 2**14


class TrainingCost:
    """The cost J of fixed training points at the model's current weights.

    Args:
        model: A model with a sigmoid or softmax output.
        training: The training points.
        plain_linear: Whether the model is exactly p = sigmoid(w . x + b), so
            that numpy can compute J from the weights (on at most
            `NUMPY_MAX_SAMPLES` points).

    Attributes:
        reduction: "sum" or "mean", the model's (`model_reduction`).
    """

    def __init__(self, model: keras.Model, training: Data, plain_linear: bool):
        self.model = model
        self._by_numpy = plain_linear and len(training.labels) <= NUMPY_MAX_SAMPLES
        self.reduction = model_reduction(model)
        self._features = training.features
        self._labels = training.labels
        self._compiled_cost = None

    def compute(self, weights: list | None = None) -> float:
        """The cost J of the training points, in the model's reduction ("sum" or "mean").

        Args:
            weights: The model's `get_weights()`, if already at hand.
        """
        if self._by_numpy:
            kernel, bias = self.model.get_weights() if weights is None else weights
            total = logistic_cost(
                self._features.astype(np.float64),
                self._labels,
                kernel[:, 0].astype(np.float64),
                float(bias[0]),
            )
        else:
            if self._compiled_cost is None:
                features, labels = tf.constant(self._features), tf.constant(self._labels)
                self._compiled_cost = tf.function(
                    lambda: tf.reduce_sum(
                        per_sample_cost(model_task(self.model))(
                            labels, self.model(features, training=False)
                        )
                    ),
                    jit_compile=True,
                    autograph=False,
                )
            total = float(self._compiled_cost())
        return total / len(self._labels) if self.reduction == "mean" else total
