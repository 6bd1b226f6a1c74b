"""The cost J at many weight vectors at once, for any model, over a sample of the points.

The error surface evaluates the cost at thousands of weight vectors per
image. `ParameterCost` does it in one compiled, vectorized pass of the
model; `surface_sample` bounds the points it runs over, and `cost_scale`
turns the sum over that sample into the cost of all the points.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from callbacks.surface_plot import GRID_POINTS
from kerasclf.data import Data
from kerasclf.losses import per_sample_cross_entropy

# Largest number of activations one vectorized chunk may hold (128 MB of float32).
MAX_CHUNK_VALUES = 2**25
MAX_SURFACE_SAMPLES = 4096


class ParameterCost:
    """The cost J at many flattened parameter vectors at once.

    The model runs with each vector's weights through `stateless_call`,
    vectorized over the vectors with `tf.vectorized_map` and compiled with
    XLA, so a whole grid is one call. The model's own weights are not
    touched. Only the cross-entropy counts, no regularization penalty.

    Args:
        model: The model; its trainable weights, flattened and concatenated in
            order, make a parameter vector.
        data: The training points.
        reduction: `"sum"` or `"mean"`.
        represented_samples: How many points `data` stands for, when it is a
            sample of them (`surface_sample`); by default its own.

    Example:
        >>> cost = ParameterCost(build_model("logistic", 2), data, "sum")  # doctest: +SKIP
        >>> cost(np.zeros((1, 3)))  # 200 log 2 for 200 points  # doctest: +SKIP
        array([138.62943611])
    """

    def __init__(
        self, model: keras.Model, data: Data, reduction: str, represented_samples: int | None = None
    ):
        self.model = model
        self._shapes = [tuple(weight.shape) for weight in model.trainable_weights]
        self._sizes = [int(np.prod(shape)) for shape in self._shapes]
        self.num_parameters = sum(self._sizes)
        self._features = tf.constant(data.features)
        self._labels = tf.constant(data.labels)
        self._scale = cost_scale(data, reduction, represented_samples)
        widest = max([data.num_features] + [shape[-1] for shape in self._shapes if shape])
        self._chunk = int(
            np.clip(MAX_CHUNK_VALUES // (data.num_samples * widest), 1, GRID_POINTS**2)
        )
        self._costs = tf.function(self._chunk_costs, jit_compile=True)

    def _chunk_costs(self, parameters, non_trainable):
        def cost(vector):
            pieces = tf.split(vector, self._sizes)
            weights = [tf.reshape(piece, shape) for piece, shape in zip(pieces, self._shapes)]
            probabilities, _ = self.model.stateless_call(
                weights, non_trainable, self._features, training=False
            )
            return tf.reduce_sum(per_sample_cross_entropy(self._labels, probabilities))

        return tf.vectorized_map(cost, parameters)

    def __call__(self, parameters: np.ndarray, non_trainable: list | None = None) -> np.ndarray:
        """The costs of `parameters` `(num_vectors, num_parameters)`, as float64.

        `non_trainable` holds the values of the model's non-trainable
        variables (a dropout's seed state too) to use; by default their
        current values.
        """
        parameters = np.asarray(parameters, dtype=np.float32)
        if non_trainable is None:
            non_trainable = [weight.value for weight in self.model.non_trainable_variables]
        costs = []
        for start in range(0, len(parameters), self._chunk):
            chunk = parameters[start : start + self._chunk]
            # Every chunk has the same shape, so XLA compiles only once.
            padded = np.resize(chunk, (self._chunk, self.num_parameters))
            costs.append(self._costs(padded, non_trainable).numpy()[: len(chunk)])
        return np.concatenate(costs).astype(np.float64) * self._scale


def surface_sample(data: Data, seed: int = 0) -> Data:
    """At most `MAX_SURFACE_SAMPLES` of the points, drawn once per run.

    The surface evaluates the cost at thousands of weight vectors per image;
    over a seeded sample of the points it costs the same for any data size,
    and `cost_scale` scales the summed cost up to stand for all the points.
    """
    if data.num_samples <= MAX_SURFACE_SAMPLES:
        return data
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(data.num_samples, MAX_SURFACE_SAMPLES, replace=False))
    return data.subset(rows, f"{data.source} (a sample for the error surface)")


def cost_scale(data: Data, reduction: str, represented_samples: int | None) -> float:
    """Turns a sum over `data` into the summed or mean cost of all the points.

    Example:
        >>> four_points = Data(np.zeros((4, 2), np.float32), np.array([0, 1, 0, 1]))
        >>> cost_scale(four_points, "sum", 400), cost_scale(four_points, "mean", 400)
        (100.0, 0.25)
    """
    if reduction == "mean":
        return 1.0 / data.num_samples
    return (represented_samples or data.num_samples) / data.num_samples
