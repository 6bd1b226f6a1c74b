"""Minibatch SGD with momentum in numpy: vectorized per batch, a Python loop over batches."""

from __future__ import annotations

import numpy as np

import kerasclf
from benchmarks.speed.settings import LEARNING_RATE, MOMENTUM, SEED, Settings, hand_line
from benchmarks.speed.timing import Runner, time_epochs


class NumpyLoop:
    """Logistic regression by minibatch SGD with momentum, in numpy.

    Args:
        data: The training points.
        batch_size: Samples per minibatch.

    Example:
        >>> loop = NumpyLoop(hand_line(64), batch_size=8)
        >>> loop.run_epoch(); loop.weights.shape
        (2,)
    """

    def __init__(self, data: kerasclf.Data, batch_size: int):
        self.features = data.features
        self.labels = data.labels.astype("float32")
        self.batch_size = batch_size
        self.weights = np.zeros(data.num_features, "float32")
        self.bias = np.float32(0.0)
        self.weight_velocity = np.zeros_like(self.weights)
        self.bias_velocity = np.float32(0.0)
        self.generator = np.random.default_rng(SEED)

    def run_epoch(self) -> None:
        """Trains one epoch over a new permutation of the points."""
        order = self.generator.permutation(len(self.labels))
        features, labels = self.features[order], self.labels[order]
        for start in range(0, len(labels), self.batch_size):
            batch_features = features[start : start + self.batch_size]
            batch_labels = labels[start : start + self.batch_size]
            logits = batch_features @ self.weights + self.bias
            errors = 1.0 / (1.0 + np.exp(-logits)) - batch_labels
            self.weight_velocity = MOMENTUM * self.weight_velocity - LEARNING_RATE * (
                batch_features.T @ errors
            )
            self.bias_velocity = MOMENTUM * self.bias_velocity - LEARNING_RATE * errors.sum()
            self.weights += self.weight_velocity
            self.bias += self.bias_velocity


def numpy_runner(num_samples: int, batch_size: int, settings: Settings, logdir: str) -> Runner:
    """The numpy loop, built once; each repeat has its own warm-up epoch."""
    loop = NumpyLoop(hand_line(num_samples), batch_size)
    return lambda: time_epochs(loop.run_epoch, num_samples, settings.min_seconds)
