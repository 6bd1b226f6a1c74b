"""Minibatches per iteration of an XLA training loop: why the fused step runs 4 (issue #22).

XLA's CPU runtime runs a loop body of at most 8 kernels ("thunks") one after
the other, and a longer one through its concurrent executor, which costs some
hundreds of nanoseconds an iteration (see BENCHMARKS.md). Momentum SGD on
logistic regression has a body above that threshold. This measures, side by
side in one process, the same momentum SGD epoch over 2**20 `hand_line`
points written with 1, 2, 4 and 8 minibatches per loop iteration (the same
updates in the same order; the script checks that the weights agree), at
batch 1, 32 and 1024, and prints the median milliseconds per epoch over
`--repeats` (interleaved) and each one's ratio to one minibatch an iteration.

It is the measurement behind `kerasclf.engine.unrolling`, which has the fused
step run 4 minibatches an iteration where a step is small.

Run it:

    python -m benchmarks.loop_unroll [--repeats 9]
"""

from __future__ import annotations

import statistics

import kerasclf.quiet_tensorflow  # first: TensorFlow's start-up lines silenced
import numpy as np
import tensorflow as tf

import kerasclf
from benchmarks.arguments import parse_repeats
from benchmarks.cross_entropy_gradient import MOMENTUM, descent_epoch, milliseconds
from kerasclf.engine.losses import binary_cross_entropy_from_logits

NUM_SAMPLES = 2**20
BATCH_SIZES = (1, 32, 1024)
UNROLLS = (1, 2, 4, 8)


def main(argv=None) -> dict[tuple[int, int], float]:
    repeats = parse_repeats("benchmarks.loop_unroll", __doc__, 9, argv)
    data = kerasclf.make_dataset("hand_line", num_samples=NUM_SAMPLES, seed=0)
    weights = (tf.constant([[1.0], [-1.0]]), tf.constant([0.2]))
    ratios = {}
    print("batch  " + "  ".join(f"{unroll} an iteration, ms" for unroll in UNROLLS))
    for batch_size in BATCH_SIZES:
        features = tf.constant(data.features.reshape(-1, batch_size, data.features.shape[1]))
        labels = tf.constant(data.labels.reshape(-1, batch_size).astype(np.float32))
        programs = {
            unroll: descent_epoch(binary_cross_entropy_from_logits, MOMENTUM, unroll)
            for unroll in UNROLLS
        }
        reference = programs[1](features, labels, *weights)
        for unroll in UNROLLS[1:]:
            for value, expected in zip(programs[unroll](features, labels, *weights), reference):
                np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=1e-5, atol=1e-7)
        times = {unroll: [] for unroll in UNROLLS}
        for _ in range(repeats):  # Interleaved: noise hits all alike.
            for unroll, program in programs.items():
                times[unroll].append(milliseconds(program, features, labels, *weights))
        medians = {unroll: statistics.median(values) for unroll, values in times.items()}
        cells = []
        for unroll in UNROLLS:
            ratios[batch_size, unroll] = medians[unroll] / medians[1]
            cells.append(f"{medians[unroll]:8.2f} ({ratios[batch_size, unroll]:.2f}x)")
        print(f"{batch_size:<6} " + "  ".join(f"{cell:>21}" for cell in cells))
    return ratios


if __name__ == "__main__":
    main()
