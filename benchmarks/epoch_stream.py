"""What the block stream costs an epoch: one `map` over every epoch, or a dataset per epoch.

`kerasclf.pipeline.keyed_epoch_stream` builds the fused engine's blocks. Up
to stop 56 it made a small dataset for each epoch (`Dataset.range(epochs)
.flat_map(...)`, one `map` of the epoch's blocks inside); now it is one
`map` over the position of every block of every epoch, each block computing
its epoch's key from its position. The blocks are the same; this measures,
side by side in one process and taking turns, how long each stream takes to
hand over an epoch of blocks (the first epoch left out: it traces), at

- the seminar's size: 500 points, full batch (one block an epoch), where
  the per-epoch dataset was most of the cost;
- 2^20 points at batch 1024 (issue #22's size: one block of 2^20 samples).

It prints each stream's median milliseconds per epoch and the ratio new / old.

Run it (about a minute on 2 cores):

    python -m benchmarks.epoch_stream [--repeats 5]
"""

from __future__ import annotations

import statistics
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import numpy as np
import tensorflow as tf

from benchmarks.arguments import parse_repeats
from kerasclf.pipeline.blocks import _block_rows, _gather_block, blocks
from kerasclf.pipeline.order import block_layout, epoch_key, without_autotune
from kerasclf.tracing import as_written

EPOCHS = 20
# (points, batch size) of each measurement.
SIZES = [(500, 500), (2**20, 1024)]


def dataset_per_epoch(features, labels, batch_size: int, epochs: int) -> tf.data.Dataset:
    """The stream as it was built up to stop 56: a `flat_map` of one dataset per epoch."""
    features, labels = tf.constant(features), tf.constant(labels)
    num_samples = len(features)
    batches_per_block, blocks_per_epoch = block_layout(num_samples, batch_size)
    layout = (batches_per_block, blocks_per_epoch, batch_size, num_samples)

    def block(key, index):
        rows = _block_rows(key, index, *layout)
        return _gather_block(features, labels, rows, index, *layout)

    def epoch_elements(epoch):
        key = epoch_key(0, epoch)
        return tf.data.Dataset.range(blocks_per_epoch).map(
            as_written(lambda index: block(key, index)), num_parallel_calls=tf.data.AUTOTUNE
        )

    stream = tf.data.Dataset.range(epochs).flat_map(as_written(epoch_elements))
    return without_autotune(stream.prefetch(tf.data.AUTOTUNE))


def epoch_milliseconds(stream: tf.data.Dataset, blocks_per_epoch: int) -> float:
    """Milliseconds per epoch to take every block of epochs 2..EPOCHS from `stream`."""
    iterator = iter(stream)
    for _ in range(blocks_per_epoch):  # The first epoch traces and compiles.
        next(iterator)
    start = time.perf_counter()
    for _ in range((EPOCHS - 1) * blocks_per_epoch):
        next(iterator)
    return 1000 * (time.perf_counter() - start) / (EPOCHS - 1)


def main(argv=None) -> dict[tuple[int, int], float]:
    repeats = parse_repeats("benchmarks.epoch_stream", __doc__, 5, argv)
    ratios = {}
    for num_samples, batch_size in SIZES:
        rng = np.random.default_rng(0)
        features = rng.random((num_samples, 2), np.float32)
        labels = (rng.random(num_samples) > 0.5).astype(np.float32)
        per_epoch = block_layout(num_samples, batch_size)[1]
        times = {"dataset per epoch (old)": [], "one map (now)": []}
        for _ in range(repeats):  # Taking turns: drift in the load hits both alike.
            old = dataset_per_epoch(features, labels, batch_size, EPOCHS)
            times["dataset per epoch (old)"].append(epoch_milliseconds(old, per_epoch))
            new = blocks(features, labels, batch_size, 0, EPOCHS)
            times["one map (now)"].append(epoch_milliseconds(new, per_epoch))
        medians = {name: statistics.median(values) for name, values in times.items()}
        print(f"{num_samples} points, batch {batch_size}: ms per epoch, median of {repeats}")
        for name, median in medians.items():
            print(f"  {name:<24} {median:8.3f}")
        ratio = medians["one map (now)"] / medians["dataset per epoch (old)"]
        print(f"  now / old: {ratio:.2f}x")
        ratios[(num_samples, batch_size)] = ratio
    return ratios


if __name__ == "__main__":
    main()
