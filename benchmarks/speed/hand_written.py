"""A hand-written XLA training loop: no Keras objects, one compiled program per epoch.

The same update as every other path (SGD with momentum on the summed
cross-entropy), written with raw TensorFlow: a `tf.function(jit_compile=True)`
runs a `tf.while_loop` over a [num_batches, batch, features] tensor. `ORDERS`
names the four ways it visits the points (d1 to d4). d1 and d2 are the rows
issue #22's targets compare with. d3 and d4 are the design issue #22
proposes, with nothing else around it: kerasclf's keyed Feistel permutation
computed in the training loop's own XLA program, fused with the gather and
the steps, and no callbacks: what that design reaches before any callback
runs (BENCHMARKS.md, "Issue #22's design alone").
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
from kerasclf.pipeline.feistel import permuted_index
from kerasclf.validation import check_choice

# How the loop visits the points each epoch; d1 to d4 name the table rows.
ORDERS = (
    # d1: tf.random.experimental.stateless_shuffle keyed by (seed, epoch),
    # outside XLA (it cannot be compiled), then one XLA program gathering in
    # that order: kerasclf's shuffle until issue #22.
    "stateless",
    # d2: one fixed pre-batched tensor, never reshuffled.
    "fixed",
    # d3: in the epoch's one XLA program, before its loop: the Feistel
    # permutation of range(num_samples) keyed by (seed, epoch), and the gather.
    "feistel",
    # d4: the same permutation, computed and gathered minibatch by minibatch
    # inside the loop: positions i*batch ... (i+1)*batch - 1 of it each step.
    "feistel_per_minibatch",
)


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
        order: How each epoch visits the points, one of `ORDERS`.

    Example:
        >>> loop = HandWrittenLoop(hand_line(64), batch_size=8)
        >>> loop.run_epoch(); loop.epochs_run
        1
    """

    def __init__(self, data: kerasclf.Data, batch_size: int, hidden=(), order="stateless"):
        check_choice("order", order, ORDERS)
        self.num_samples = data.num_samples
        self.batch_size = batch_size
        self.order = order
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
        self._train_feistel_epoch = tf.function(self._train_in_feistel_order, jit_compile=True)
        self._fixed_batches = self._batched(self._features, self._labels)
        self.shuffle_seconds = []  # Per epoch, for the "stateless" order.

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

    def _train_in_feistel_order(self, epoch):
        key = pipeline.epoch_key(SEED, epoch)
        if self.order == "feistel":
            rows = permuted_index(tf.range(self.num_samples), self.num_samples, key)
            return self._train_on_batches(*self._gather_batches(rows))

        def minibatch(index):
            positions = index * self.batch_size + tf.range(self.batch_size)
            rows = permuted_index(positions, self.num_samples, key)
            return tf.gather(self._features, rows), tf.gather(self._labels, rows)

        return self._train_loop(minibatch, self.num_samples // self.batch_size)

    def _train_on_batches(self, batch_features, batch_labels):
        def minibatch(index):
            return batch_features[index], batch_labels[index]

        return self._train_loop(minibatch, tf.shape(batch_features)[0])

    def _train_loop(self, minibatch, num_batches):
        def one_minibatch(index, parameters, velocities):
            gradients = self._gradients(parameters, *minibatch(index))
            velocities = [MOMENTUM * v - LEARNING_RATE * g for v, g in zip(velocities, gradients)]
            parameters = [p + v for p, v in zip(parameters, velocities)]
            return index + 1, parameters, velocities

        _, parameters, velocities = tf.while_loop(
            lambda index, parameters, velocities: index < num_batches,
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
        epoch = tf.constant(self.epochs_run, tf.int64)
        self.epochs_run += 1
        if self.order in ("feistel", "feistel_per_minibatch"):
            self._train_feistel_epoch(epoch).numpy()
            return
        if self.order == "stateless":
            started = time.perf_counter()
            batches = self._shuffled_batches(epoch)
            self.shuffle_seconds.append(time.perf_counter() - started)
        else:
            batches = self._fixed_batches
        self._train_epoch(*batches).numpy()


def hand_written_runner(
    num_samples: int,
    batch_size: int,
    settings: Settings,
    logdir: str,
    hidden=(),
    order="stateless",
) -> Runner:
    """The hand-written XLA loop, built once; each repeat has its own warm-up epoch.

    With the "stateless" order, each figure's `parts["shuffle + gather"]`
    holds the seconds per epoch spent drawing the order and gathering the
    batches (the Feistel orders do both inside the epoch's program).
    """
    loop = HandWrittenLoop(hand_line(num_samples), batch_size, hidden, order)

    def run() -> Measurement:
        result = time_epochs(loop.run_epoch, num_samples, settings.min_seconds)
        if order == "stateless":
            timed = loop.shuffle_seconds[-result.timed_epochs :]
            result.parts["shuffle + gather"] = sum(timed) / len(timed)
        return result

    return run
