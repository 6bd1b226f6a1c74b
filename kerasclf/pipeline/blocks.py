"""In-memory data as minibatches (stock fit) or blocks of minibatches (the fused engine)."""

from __future__ import annotations

import numpy as np
import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

from kerasclf.pipeline.feistel import permuted_index
from kerasclf.pipeline.order import (
    MAX_BLOCK_SAMPLES,
    block_layout,
    epoch_stream,
    keyed_epoch_stream,
    num_minibatches,
)


def minibatches(
    features: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    seed: int,
    epochs: int,
    initial_epoch: int = 0,
) -> tf.data.Dataset:
    """A dataset of `(x, y)` minibatches for epochs `initial_epoch..epochs-1`.

    Pass it to `fit` with `steps_per_epoch=num_minibatches(...)`.

    Example:
        >>> x = np.zeros((5, 2), "float32"); y = np.zeros(5, "int32")
        >>> [int(batch_x.shape[0]) for batch_x, _ in minibatches(x, y, 2, 0, 1)]
        [2, 2, 1]
    """
    features, labels = tf.constant(features), tf.constant(labels)
    num_samples = int(features.shape[0])

    def minibatch(order, index):
        first = tf.cast(index, tf.int32) * batch_size
        rows = order[first : first + batch_size]
        return tf.gather(features, rows), tf.gather(labels, rows)

    count = num_minibatches(num_samples, batch_size)
    return epoch_stream(num_samples, seed, initial_epoch, epochs, count, minibatch)


# Two XLA programs: the rows the block's positions visit in the epoch's
# order (the keyed Feistel permutation of `epoch_permutation`), then the
# gathers and reshapes. In one program XLA fused the permutation into
# each gather, computing it twice: 5.0 ms against 3.7 ms for 2**20 points.
# Both are module-level functions of the layout (and the data's shape)
# alone, so that every run of that layout in a process reuses their traces
# and XLA programs (`python -m benchmarks.block_trace`).
@tf.function(jit_compile=True, autograph=False)
def _block_rows(
    key, index, batches_per_block: int, blocks_per_epoch: int, batch_size: int, num_samples: int
):
    """The rows block `index` visits in the epoch's order: its slots, then the partial minibatch."""
    slots = batches_per_block * batch_size
    full_batches, remainder = divmod(num_samples, batch_size)
    positions = tf.cast(index, tf.int32) * slots + tf.range(slots)
    # Slots past the whole minibatches repeat the last row; the step never runs them.
    positions = tf.minimum(positions, full_batches * batch_size - 1)
    if remainder:
        positions = tf.concat([positions, tf.range(full_batches * batch_size, num_samples)], 0)
    return permuted_index(positions, num_samples, key)


@tf.function(jit_compile=True, autograph=False)
def _gather_block(
    features,
    labels,
    rows,
    index,
    batches_per_block: int,
    blocks_per_epoch: int,
    batch_size: int,
    num_samples: int,
):
    """Block `index`'s minibatches from the rows it visits: whole ones, then the partial one.

    The data comes in as arguments, not captured: runs of one layout and
    data shape in a process share the trace and the XLA program.
    """
    slots = batches_per_block * batch_size
    full_batches, remainder = divmod(num_samples, batch_size)
    index = tf.cast(index, tf.int32)
    shape = [batches_per_block, batch_size]
    element = {
        "x": tf.reshape(tf.gather(features, rows[:slots]), shape + features.shape[1:]),
        "y": tf.reshape(tf.gather(labels, rows[:slots]), shape + labels.shape[1:]),
        "num_batches": tf.clip_by_value(
            full_batches - index * batches_per_block, 0, batches_per_block
        ),
    }
    if remainder:
        element["last_x"] = tf.gather(features, rows[slots:])
        element["last_y"] = tf.gather(labels, rows[slots:])
        element["has_last"] = tf.equal(index, blocks_per_epoch - 1)
    return element


def blocks(
    features: np.ndarray,
    labels: np.ndarray,
    batch_size: int,
    seed: int,
    epochs: int,
    initial_epoch: int = 0,
    max_block_samples: int = MAX_BLOCK_SAMPLES,
    class_weights: np.ndarray | None = None,
) -> tf.data.Dataset:
    """The same minibatches as `minibatches`, packed into fixed-shape blocks.

    Pass it to `fit` with `steps_per_epoch=block_layout(...)[1]`. The block
    format is described in `kerasclf.engine.classifier`: whole minibatches in `x`,
    `y`, and the epoch's last, partial minibatch (if any) unpadded in
    `last_x`, `last_y` of the epoch's last block.

    Args:
        class_weights: The weight of each class, float (num_classes,), or
            None; with them every minibatch carries `sample_weight =
            class_weights[y]`, as Keras's `fit(class_weight=...)` makes.

    Example:
        >>> x = np.zeros((5, 2), "float32"); y = np.zeros(5, "int32")
        >>> block = next(iter(blocks(x, y, 2, 0, 1)))
        >>> tuple(block["x"].shape), int(block["num_batches"]), tuple(block["last_x"].shape)
        ((3, 2, 2), 2, (1, 2))
    """
    features, labels = tf.constant(features), tf.constant(labels)
    num_samples = int(features.shape[0])
    batches_per_block, blocks_per_epoch = block_layout(num_samples, batch_size, max_block_samples)
    weigh = sample_weigher(class_weights)
    layout = (batches_per_block, blocks_per_epoch, batch_size, num_samples)

    def block(key, index):
        rows = _block_rows(key, index, *layout)
        return weigh(_gather_block(features, labels, rows, index, *layout))

    return keyed_epoch_stream(seed, initial_epoch, epochs, blocks_per_epoch, block)


def block_minibatches(block: dict) -> list[tuple[np.ndarray, ...]]:
    """The minibatches a block (or a part) holds, in training order, as numpy.

    Each is `(x, y)`, or `(x, y, sample_weight)` when the block carries
    weights. A part's zero-weight padding is dropped. For tests and for
    reading a block by eye; training never unpacks blocks in Python.

    Example:
        >>> x = np.arange(10, dtype="float32").reshape(5, 2); y = np.zeros(5, "int32")
        >>> [len(batch_x) for batch_x, _ in block_minibatches(next(iter(blocks(x, y, 2, 0, 1))))]
        [2, 2, 1]
    """
    block = {key: np.asarray(value) for key, value in block.items()}
    weighted = "sample_weight" in block
    minibatches = []
    for slot in range(int(block["num_batches"])):
        minibatch = [block["x"][slot], block["y"][slot]]
        if weighted:
            minibatch.append(block["sample_weight"][slot])
        if "ends_batch" in block:  # A part: padded rows have weight 0.
            real = block["sample_weight"][slot] > 0
            minibatch = [array[real] for array in minibatch]
        minibatches.append(tuple(minibatch))
    if block.get("has_last", False):
        last = [block["last_x"], block["last_y"]]
        if weighted:
            last.append(block["last_sample_weight"])
        minibatches.append(tuple(last))
    return minibatches


def sample_weigher(class_weights: np.ndarray | None):
    """A function adding the sample weights of class weights to a block (or a no-op)."""
    if class_weights is None:
        return lambda element: element
    table = tf.constant(np.asarray(class_weights, np.float32))

    def weigh(element):
        element["sample_weight"] = tf.gather(table, element["y"])
        if "last_y" in element:
            element["last_sample_weight"] = tf.gather(table, element["last_y"])
        return element

    return weigh
