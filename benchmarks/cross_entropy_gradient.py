"""The two-class cross-entropy's gradient: TensorFlow's derivative against the written one.

kerasclf's `CrossEntropy` differentiates a sigmoid unit's cost as p - l,
written out (`kerasclf.engine.losses.binary_cross_entropy_from_logits`),
instead of letting TensorFlow differentiate its stable formula
(`tf.nn.sigmoid_cross_entropy_with_logits`). This measures both side by side
in one process, as XLA-compiled loops over 2**20 `hand_line` points of
logistic regression:

- "gradient alone": one epoch of minibatch gradient descent at batch 1, 32
  and 1024, one update per minibatch, the cost's value never used: the work
  of the fused train step when `CostLogger` is on (`kerasclf.train`'s default);
  and at batch 32 once more with momentum 0.9, whose two more updates make
  the loop body longer (see BENCHMARKS.md on XLA's thunk executor);
- "cost and gradient": the summed cost and its gradient over all the points
  in chunks of 2**14: the work of an evaluation (`CostLogger`'s, each epoch).

It prints each one's median milliseconds over `--repeats` (interleaved) and
the ratio written / TensorFlow, and checks that both reach the same weights.

Run it:

    python -m benchmarks.cross_entropy_gradient [--repeats 15]
"""

from __future__ import annotations

import functools
import statistics
import time

import kerasclf.quiet_tensorflow  # first: TensorFlow's start-up lines silenced
import numpy as np
import tensorflow as tf

import kerasclf
from benchmarks.arguments import parse_repeats
from kerasclf.engine.losses import binary_cross_entropy_from_logits

NUM_SAMPLES = 2**20
CHUNK_SAMPLES = 2**14
BATCH_SIZES = (1, 32, 1024)
LEARNING_RATE = 1e-4
MOMENTUM = 0.9


def tensorflow_cost(labels, logits):
    """The cost whose gradient TensorFlow derives from its formula."""
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)


COSTS = {"tensorflow": tensorflow_cost, "written": binary_cross_entropy_from_logits}


def cost_and_gradient(cost_function, features, labels, kernel, bias):
    """The summed cost of one minibatch or chunk and its gradient (kernel, bias)."""
    with tf.GradientTape() as tape:
        tape.watch([kernel, bias])
        logits = tf.matmul(features, kernel) + bias
        cost = tf.reduce_sum(cost_function(labels[:, None], logits))
    return cost, tape.gradient(cost, [kernel, bias])


def descent_epoch(cost_function, momentum: float = 0.0, minibatches_per_iteration: int = 1):
    """An XLA program: gradient descent over (batches, batch, 2) features; the weights after.

    Each iteration of its loop runs `minibatches_per_iteration` minibatches,
    one after the other (`benchmarks.loop_unroll`); minibatches after the
    last whole group are left out.
    """

    def update(features, labels, kernel, bias, kernel_velocity, bias_velocity):
        _, (kernel_gradient, bias_gradient) = cost_and_gradient(
            cost_function, features, labels, kernel, bias
        )
        if not momentum:
            kernel -= LEARNING_RATE * kernel_gradient
            bias -= LEARNING_RATE * bias_gradient
            return kernel, bias, kernel_velocity, bias_velocity
        kernel_velocity = momentum * kernel_velocity - LEARNING_RATE * kernel_gradient
        bias_velocity = momentum * bias_velocity - LEARNING_RATE * bias_gradient
        return kernel + kernel_velocity, bias + bias_velocity, kernel_velocity, bias_velocity

    def epoch(features, labels, kernel, bias):
        def step(index, *state):
            for offset in range(minibatches_per_iteration):
                minibatch = index * minibatches_per_iteration + offset
                state = update(features[minibatch], labels[minibatch], *state)
            return (index + 1, *state)

        iterations = features.shape[0] // minibatches_per_iteration
        start = (tf.constant(0), kernel, bias, tf.zeros_like(kernel), tf.zeros_like(bias))
        return tf.while_loop(lambda index, *_: index < iterations, step, start)[1:3]

    return tf.function(epoch, jit_compile=True, autograph=False)


def evaluation(cost_function):
    """An XLA program: the summed cost and its gradient over (chunks, chunk, 2) features."""

    def evaluate(features, labels, kernel, bias):
        def add_chunk(index, cost, kernel_total, bias_total):
            chunk_cost, (kernel_gradient, bias_gradient) = cost_and_gradient(
                cost_function, features[index], labels[index], kernel, bias
            )
            return (
                index + 1,
                cost + chunk_cost,
                kernel_total + kernel_gradient,
                bias_total + bias_gradient,
            )

        num_chunks = features.shape[0]
        start = (tf.constant(0), tf.constant(0.0), tf.zeros_like(kernel), tf.zeros_like(bias))
        return tf.while_loop(lambda index, *_: index < num_chunks, add_chunk, start)[1:]

    return tf.function(evaluate, jit_compile=True, autograph=False)


def milliseconds(program, *arguments) -> float:
    """Milliseconds of one call of `program`, its results fetched."""
    start = time.perf_counter()
    [result.numpy() for result in program(*arguments)]
    return 1000 * (time.perf_counter() - start)


def passes(features: np.ndarray, labels: np.ndarray) -> dict:
    """Each measured pass's name: its (program of a cost function, stacked arguments)."""
    kernel, bias = tf.constant([[1.0], [-1.0]]), tf.constant([0.2])
    stacked = {f"gradient alone, batch {size}": (descent_epoch, size) for size in BATCH_SIZES}
    stacked["the same with momentum, batch 32"] = (
        functools.partial(descent_epoch, momentum=MOMENTUM),
        32,
    )
    stacked["cost and gradient, all points"] = (evaluation, CHUNK_SAMPLES)
    return {
        name: (
            make,
            (
                tf.constant(features.reshape(-1, rows, features.shape[1])),
                tf.constant(labels.reshape(-1, rows).astype(np.float32)),
                kernel,
                bias,
            ),
        )
        for name, (make, rows) in stacked.items()
    }


def main(argv=None) -> dict[str, float]:
    repeats = parse_repeats("benchmarks.cross_entropy_gradient", __doc__, 15, argv)
    data = kerasclf.make_dataset("hand_line", num_samples=NUM_SAMPLES, seed=0)
    ratios = {}
    print(f"{'pass':<34} {'TensorFlow ms':>13} {'written ms':>10} {'written / TensorFlow':>21}")
    for name, (make, stacked) in passes(data.features, data.labels).items():
        programs = {variant: make(cost) for variant, cost in COSTS.items()}
        results = {variant: program(*stacked) for variant, program in programs.items()}
        for value, reference in zip(results["written"], results["tensorflow"]):
            np.testing.assert_allclose(value.numpy(), reference.numpy(), rtol=1e-4, atol=1e-6)
        times = {variant: [] for variant in programs}
        for _ in range(repeats):  # Interleaved: noise hits both alike.
            for variant, program in programs.items():
                times[variant].append(milliseconds(program, *stacked))
        medians = {variant: statistics.median(values) for variant, values in times.items()}
        ratios[name] = medians["written"] / medians["tensorflow"]
        print(
            f"{name:<34} {medians['tensorflow']:13.2f} {medians['written']:10.2f} "
            f"{ratios[name]:20.2f}x"
        )
    return ratios


if __name__ == "__main__":
    main()
