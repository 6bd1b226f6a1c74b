"""A hand-written XLA training loop: no Keras objects, one compiled program per epoch.

The same update as every other path (SGD with momentum on the summed
cross-entropy), written with raw TensorFlow: a `tf.function(jit_compile=True)`
runs a `tf.while_loop` over a [num_batches, batch, features] tensor. "d1"
draws each epoch's order with the stateless shuffle and gather that kerasclf
used until issue #22 (kept, so that its rows stay comparable; kerasclf now
computes a keyed Feistel permutation inside the gather's XLA program); "d2"
runs over one fixed pre-batched tensor.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import tensorflow as tf

import kerasclf
from benchmarks.speed.settings import LEARNING_RATE, MOMENTUM, SEED, Settings, hand_line
from benchmarks.speed.timing import Measurement, Runner, time_epochs
from kerasclf import pipeline


def logistic_gradients(parameters: list, features, labels) -> list:
    """The gradient of the summed cross-entropy of sigmoid(x w + b), by hand."""
    weights, bias = parameters
    probabilities = tf.sigmoid(tf.matmul(features, weights) + bias)
    errors = probabilities - labels[:, None]  # d cost / d logit, per sample.
    return [tf.matmul(features, errors, transpose_a=True), tf.reduce_sum(errors, axis=0)]


def mlp_gradients(parameters: list, features, labels) -> list:
    """The gradient of the summed cross-entropy of a tanh MLP, by `tf.GradientTape`."""
    with tf.GradientTape() as tape:
        tape.watch(parameters)
        hidden = features
        for index in range(0, len(parameters) - 2, 2):
            hidden = tf.tanh(tf.matmul(hidden, parameters[index]) + parameters[index + 1])
        logits = tf.matmul(hidden, parameters[-2]) + parameters[-1]
        cost = tf.reduce_sum(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=labels[:, None], logits=logits)
        )
    return tape.gradient(cost, parameters)


class HandWrittenLoop:
    """Minibatch SGD with momentum, one XLA program per epoch, no Keras objects.

    The parameters and velocities are `tf.Variable`s, read before the loop,
    carried through a `tf.while_loop` over the epoch's minibatches, and
    written back after it.

    Args:
        data: The training points.
        batch_size: Samples per minibatch; must divide the number of points.
        hidden: Hidden layer sizes; () for logistic regression.
        reshuffle: Draw each epoch's order as kerasclf did until issue #22
            (stateless shuffle keyed by (seed, epoch), then a gather), rather than reuse one
            fixed pre-batched tensor.

    Example:
        >>> loop = HandWrittenLoop(hand_line(64), batch_size=8)
        >>> loop.run_epoch(); loop.epochs_run
        1
    """

    def __init__(self, data: kerasclf.Data, batch_size: int, hidden=(), reshuffle=True):
        self.num_samples = data.num_samples
        self.batch_size = batch_size
        self.reshuffle = reshuffle
        self._features = tf.constant(data.features)
        self._labels = tf.constant(data.labels, tf.float32)
        self._gradients = mlp_gradients if hidden else logistic_gradients
        sizes = [data.num_features, *hidden, 1]
        generator = np.random.default_rng(SEED)
        self._parameters = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            limit = math.sqrt(6 / (fan_in + fan_out)) if hidden else 0.0  # Glorot, or zeros.
            kernel = generator.uniform(-limit, limit, (fan_in, fan_out)).astype("float32")
            self._parameters += [tf.Variable(kernel), tf.Variable(tf.zeros([fan_out]))]
        self._velocities = [tf.Variable(tf.zeros_like(p)) for p in self._parameters]
        self.epochs_run = 0
        self._gather = tf.function(self._gather_batches, jit_compile=True)
        self._train_epoch = tf.function(self._train_on_batches, jit_compile=True)
        self._fixed_batches = self._batched(self._features, self._labels)
        self.shuffle_seconds = []  # Per epoch, when reshuffling.

    def _batched(self, features, labels):
        shape = [self.num_samples // self.batch_size, self.batch_size]
        return tf.reshape(features, shape + [-1]), tf.reshape(labels, shape)

    def _shuffled_batches(self, epoch):
        # As kerasclf's pipeline did until issue #22, so that d1 stays
        # comparable with earlier runs: the stateless shuffle (which XLA
        # cannot compile), then one XLA-compiled gather into the epoch's order.
        key = pipeline.epoch_key(SEED, epoch)
        order = tf.random.experimental.stateless_shuffle(tf.range(self.num_samples), seed=key)
        return self._gather(order)

    def _gather_batches(self, order):
        return self._batched(tf.gather(self._features, order), tf.gather(self._labels, order))

    def _train_on_batches(self, batch_features, batch_labels):
        def one_minibatch(index, parameters, velocities):
            gradients = self._gradients(parameters, batch_features[index], batch_labels[index])
            velocities = [MOMENTUM * v - LEARNING_RATE * g for v, g in zip(velocities, gradients)]
            parameters = [p + v for p, v in zip(parameters, velocities)]
            return index + 1, parameters, velocities

        _, parameters, velocities = tf.while_loop(
            lambda index, parameters, velocities: index < tf.shape(batch_features)[0],
            one_minibatch,
            (
                tf.constant(0),
                [p.read_value() for p in self._parameters],
                [v.read_value() for v in self._velocities],
            ),
        )
        for variable, value in zip(self._parameters + self._velocities, parameters + velocities):
            variable.assign(value)
        return parameters[-1]

    def run_epoch(self) -> None:
        """Trains one epoch and waits for it."""
        if self.reshuffle:
            started = time.perf_counter()
            batches = self._shuffled_batches(tf.constant(self.epochs_run, tf.int64))
            self.shuffle_seconds.append(time.perf_counter() - started)
        else:
            batches = self._fixed_batches
        self.epochs_run += 1
        self._train_epoch(*batches).numpy()


def hand_written_runner(
    num_samples: int, batch_size: int, settings: Settings, logdir: str, hidden=(), reshuffle=True
) -> Runner:
    """The hand-written XLA loop, built once; each repeat has its own warm-up epoch.

    With `reshuffle`, each figure's `parts["shuffle + gather"]` holds the
    seconds per epoch spent drawing the order and gathering the batches.
    """
    loop = HandWrittenLoop(hand_line(num_samples), batch_size, hidden, reshuffle)

    def run() -> Measurement:
        result = time_epochs(loop.run_epoch, num_samples, settings.min_seconds)
        if reshuffle:
            timed = loop.shuffle_seconds[-result.timed_epochs :]
            result.parts["shuffle + gather"] = sum(timed) / len(timed)
        return result

    return run
