"""The block pipeline alone, before and after issue #22: how long an epoch's blocks take to make.

"stateless": the order drawn by `tf.random.experimental.stateless_shuffle`
before the blocks (kerasclf until issue #22), then one XLA program per block
gathering in that order. "feistel": `kerasclf.pipeline.blocks`, whose XLA
programs compute its positions' points with the keyed Feistel permutation
and gather them. "stored order": the same blocks without any permutation,
the floor that shows what a shuffle's random access costs. No training:
the blocks are made and read, ms per epoch, median over repeats
(interleaved).

    .venv/bin/python -m benchmarks.speed.permutation                  # 2^20 points
    .venv/bin/python -m benchmarks.speed.permutation --num-samples 1048577
"""

from __future__ import annotations

import statistics
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import numpy as np
import tensorflow as tf

from benchmarks.arguments import BenchmarkParser, integer, parse_or_exit
from kerasclf import pipeline
from kerasclf.pipeline.order import block_layout, epoch_key, without_autotune


def stateless_blocks(features, labels, batch_size: int, seed: int, epochs: int):
    """kerasclf's blocks as they were made before issue #22 (no class weights, no partial batch).

    Example:
        >>> x = np.zeros((8, 2), "float32"); y = np.zeros(8, "int32")
        >>> int(next(iter(stateless_blocks(x, y, 2, 0, 1)))["num_batches"])
        4
    """
    features, labels = tf.constant(features), tf.constant(labels)
    num_samples = int(features.shape[0])
    batches_per_block, blocks_per_epoch = block_layout(num_samples, batch_size)
    slots, full_batches = batches_per_block * batch_size, num_samples // batch_size

    @tf.function(jit_compile=True)
    def block(order, index):
        index = tf.cast(index, tf.int32)
        positions = tf.minimum(index * slots + tf.range(slots), full_batches * batch_size - 1)
        rows = tf.gather(order, positions)
        shape = [batches_per_block, batch_size]
        return {
            "x": tf.reshape(tf.gather(features, rows), shape + features.shape[1:]),
            "y": tf.reshape(tf.gather(labels, rows), shape),
            "num_batches": tf.clip_by_value(
                full_batches - index * batches_per_block, 0, batches_per_block
            ),
        }

    def epoch_elements(epoch):
        key = epoch_key(seed, epoch)
        order = tf.random.experimental.stateless_shuffle(tf.range(num_samples), seed=key)
        return tf.data.Dataset.range(blocks_per_epoch).map(
            lambda index: block(order, index), num_parallel_calls=tf.data.AUTOTUNE
        )

    epochs_dataset = tf.data.Dataset.range(epochs)
    return without_autotune(epochs_dataset.flat_map(epoch_elements).prefetch(tf.data.AUTOTUNE))


def stored_order_blocks(features, labels, batch_size: int, seed: int, epochs: int):
    """The floor: the same blocks with no permutation, the points gathered in stored order.

    What any shuffle adds to it is the permutation and, above all, the random
    access of its gather (cache misses): the part no epoch order can avoid.

    Example:
        >>> x = np.arange(8, dtype="float32").reshape(4, 2); y = np.zeros(4, "int32")
        >>> next(iter(stored_order_blocks(x, y, 2, 0, 1)))["x"].numpy()[0].tolist()
        [[0.0, 1.0], [2.0, 3.0]]
    """
    features, labels = tf.constant(features), tf.constant(labels)
    num_samples = int(features.shape[0])
    batches_per_block, blocks_per_epoch = block_layout(num_samples, batch_size)
    slots, full_batches = batches_per_block * batch_size, num_samples // batch_size

    @tf.function(jit_compile=True, autograph=False)
    def block(index):
        index = tf.cast(index, tf.int32)
        rows = tf.minimum(index * slots + tf.range(slots), full_batches * batch_size - 1)
        shape = [batches_per_block, batch_size]
        return {
            "x": tf.reshape(tf.gather(features, rows), shape + features.shape[1:]),
            "y": tf.reshape(tf.gather(labels, rows), shape),
        }

    epoch_elements = tf.data.Dataset.range(blocks_per_epoch).map(block)
    return without_autotune(epoch_elements.repeat(epochs).prefetch(tf.data.AUTOTUNE))


def epoch_milliseconds(make, features, labels, batch_size: int, epochs: int = 10) -> float:
    """ms per epoch of reading `make`'s blocks, after one warm-up epoch."""
    steps = block_layout(len(features), batch_size)[1]
    blocks = iter(make(features, labels, batch_size, 0, epochs + 1))
    for _ in range(steps):
        next(blocks)["x"].numpy()
    started = time.perf_counter()
    for _ in range(epochs * steps):
        next(blocks)["x"].numpy()
    return (time.perf_counter() - started) / epochs * 1e3


MODULE = "benchmarks.speed.permutation"


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument(
        "--num-samples", type=integer(minimum=1024), default=2**20, help="points (at least 1024)"
    )
    parser.add_argument("--repeats", type=integer(), default=3, help="epochs timed of each maker")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    generator = np.random.default_rng(0)
    features = generator.random((arguments.num_samples, 2), dtype=np.float32)
    labels = (features[:, 0] > 0.5).astype("int32")
    makers = {
        "stateless": stateless_blocks,
        "feistel": pipeline.blocks,
        "stored order (no shuffle)": stored_order_blocks,
    }
    print(f"{arguments.num_samples} points, ms per epoch of blocks (median of {arguments.repeats})")
    for batch_size in (1, 32, 1024):
        times = {name: [] for name in makers}
        for _ in range(arguments.repeats):
            for name, make in makers.items():
                times[name].append(epoch_milliseconds(make, features, labels, batch_size))
        medians = ", ".join(f"{name} {statistics.median(t):.1f}" for name, t in times.items())
        print(f"batch {batch_size}: {medians}")


if __name__ == "__main__":
    main()
