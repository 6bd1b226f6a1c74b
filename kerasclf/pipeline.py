"""The tf.data minibatch pipeline: shuffle -> batch -> (block) -> prefetch.

Every epoch visits the training points in a fresh order, a permutation drawn
from `(seed, epoch)` by a stateless TensorFlow op. The order is therefore the
same in every process, on every engine, and after a resume from any epoch.
The last, partial minibatch is kept.

Two shapes of the same stream:

- `minibatches`: one `(x, y)` minibatch per element, for Keras's per-step
  `fit` (the "plain" engine).
- `blocks`: many minibatches per element, for the "fused" engine, whose train
  step loops over a block inside one XLA program (see `kerasclf.classifier`).

The batch size is an integer (1 is SGD) or "full" (full-batch gradient
descent). A batch size larger than the data is full batch.

A `kerasclf.streaming.Stream` (data that is never all in memory) becomes
blocks through `stream_blocks`, with a local shuffle: the stream's chunks in
an order drawn from `(seed, epoch)`, then the points shuffled within each
block. A minibatch larger than a block is cut into *parts*, blocks of one
minibatch-piece each, whose gradients the train step adds up before it
updates; that is how full-batch gradient descent runs on 10^8 points.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from kerasclf.validation import check_integer

# The fused engine packs at most this many samples into one block, so that an
# epoch of a large in-memory set streams through in pieces of a few MB.
MAX_BLOCK_SAMPLES = 2**20


def resolve_batch_size(batch_size: int | str, num_samples: int) -> int:
    """The number of samples per minibatch.

    Args:
        batch_size: A positive integer, or "full" for all samples.
        num_samples: The number of training points.

    Returns:
        An integer in [1, num_samples].

    Example:
        >>> resolve_batch_size("full", 200)
        200
    """
    if batch_size == "full":
        return num_samples
    if isinstance(batch_size, str):
        raise ValueError(
            "`batch_size` must be a positive integer or 'full'. "
            f"Received: batch_size={batch_size!r}."
        )
    return min(check_integer("batch_size", batch_size), num_samples)


def num_minibatches(num_samples: int, batch_size: int) -> int:
    """Minibatches per epoch, the last one possibly partial."""
    return math.ceil(num_samples / batch_size)


def block_layout(num_samples: int, batch_size: int, max_block_samples: int = MAX_BLOCK_SAMPLES):
    """How the fused engine cuts an epoch into blocks.

    Returns:
        `(batches_per_block, blocks_per_epoch)`.
    """
    batches = num_minibatches(num_samples, batch_size)
    batches_per_block = max(1, min(batches, max_block_samples // batch_size))
    return batches_per_block, math.ceil(batches / batches_per_block)


def epoch_key(seed: int, epoch) -> tf.Tensor:
    """The stateless random key of one epoch's order, shape [2]."""
    return tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])


def epoch_permutation(seed: int, epoch, num_samples: int) -> tf.Tensor:
    """The visiting order of the training points in one epoch.

    Args:
        seed: The run's seed.
        epoch: The epoch, from 0 (a Python int or an int64 tensor).
        num_samples: The number of training points.

    Returns:
        An int32 tensor holding a permutation of `range(num_samples)`.
    """
    key = epoch_key(seed, epoch)
    # int32 indices shuffle about 1.5x faster than int64 ones.
    return tf.random.experimental.stateless_shuffle(tf.range(num_samples), seed=key)


def epoch_stream(
    num_samples: int,
    seed: int,
    initial_epoch: int,
    epochs: int,
    elements_per_epoch: int,
    make_element,
) -> tf.data.Dataset:
    """Epochs `initial_epoch..epochs-1`, each `elements_per_epoch` elements long.

    `make_element(order, index)` builds element `index` of an epoch from that
    epoch's visiting order; the elements are built in parallel, in order, and
    prefetched.
    """

    def epoch_elements(epoch):
        order = epoch_permutation(seed, epoch, num_samples)
        return tf.data.Dataset.range(elements_per_epoch).map(
            lambda index: make_element(order, index), num_parallel_calls=tf.data.AUTOTUNE
        )

    epochs_dataset = tf.data.Dataset.range(initial_epoch, epochs)
    return epochs_dataset.flat_map(epoch_elements).prefetch(tf.data.AUTOTUNE)


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
    format is described in `kerasclf.classifier`: whole minibatches in `x`,
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
    slots = batches_per_block * batch_size
    full_batches, remainder = divmod(num_samples, batch_size)
    weigh = _sample_weigher(class_weights)

    # XLA-compiled: the gathers and reshapes of a 2^20-sample block fuse into
    # one pass, about 4x faster than as separate graph ops.
    @tf.function(jit_compile=True)
    def block(order, index):
        index = tf.cast(index, tf.int32)
        positions = index * slots + tf.range(slots)
        # Slots past the whole minibatches repeat the last row; the step never runs them.
        rows = tf.gather(order, tf.minimum(positions, full_batches * batch_size - 1))
        shape = [batches_per_block, batch_size]
        element = {
            "x": tf.reshape(tf.gather(features, rows), shape + features.shape[1:]),
            "y": tf.reshape(tf.gather(labels, rows), shape + labels.shape[1:]),
            "num_batches": tf.clip_by_value(
                full_batches - index * batches_per_block, 0, batches_per_block
            ),
        }
        if remainder:
            last_rows = order[full_batches * batch_size :]
            element["last_x"] = tf.gather(features, last_rows)
            element["last_y"] = tf.gather(labels, last_rows)
            element["has_last"] = tf.equal(index, blocks_per_epoch - 1)
        return weigh(element)

    return epoch_stream(num_samples, seed, initial_epoch, epochs, blocks_per_epoch, block)


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


def _sample_weigher(class_weights: np.ndarray | None):
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


def stream_layout(num_samples: int, batch_size: int, max_block_samples: int | None = None):
    """How `stream_blocks` cuts an epoch: `(part_sizes, steps_per_epoch)`.

    `part_sizes` is None when whole minibatches fit in a block (the blocks are
    then those of `block_layout`); else the sizes of the parts one minibatch
    is cut into, e.g. `[2**20, 2**20, 1696]` for a minibatch of 2,098,848.
    `max_block_samples` defaults to `MAX_BLOCK_SAMPLES`.
    """
    max_block_samples = max_block_samples or MAX_BLOCK_SAMPLES
    if batch_size <= max_block_samples:
        return None, block_layout(num_samples, batch_size, max_block_samples)[1]
    part_sizes = [max_block_samples] * (batch_size // max_block_samples)
    if batch_size % max_block_samples:
        part_sizes.append(batch_size % max_block_samples)
    full_batches, remainder = divmod(num_samples, batch_size)
    remainder_parts = int(np.searchsorted(np.cumsum(part_sizes), remainder)) + 1 if remainder else 0
    return part_sizes, full_batches * len(part_sizes) + remainder_parts


def stream_blocks(
    stream,
    batch_size: int,
    seed: int,
    epochs: int,
    initial_epoch: int = 0,
    max_block_samples: int | None = None,
    class_weights: np.ndarray | None = None,
) -> tf.data.Dataset:
    """Blocks (or parts) of minibatches over a `Stream`, epoch after epoch.

    Pass it to `fit` with `steps_per_epoch=stream_layout(...)[1]`. Blocks
    are those of `blocks`: whole minibatches, and the epoch's partial one
    unpadded in `last_x`. Parts (a minibatch larger than a block) are padded
    with zero-weight rows, which `Classifier` sums away; only models that
    `kerasclf.classifier.check_parts_trainable` accepts train on them.

    Example:
        >>> from kerasclf.streaming import generated_stream
        >>> stream = generated_stream("seminar_blobs", 10**6)
        >>> block = next(iter(stream_blocks(stream, 1024, seed=0, epochs=1)))
        >>> tuple(block["x"].shape)  # All 977 minibatches of 10^6 points fit one block.
        (977, 1024, 2)
    """
    num_samples = stream.num_samples
    max_block_samples = max_block_samples or MAX_BLOCK_SAMPLES
    part_sizes, steps = stream_layout(num_samples, batch_size, max_block_samples)
    weigh = _sample_weigher(class_weights)
    if part_sizes is None:  # Whole minibatches: blocks cut at `slots` points.
        batches_per_block, _ = block_layout(num_samples, batch_size, max_block_samples)
        cut = batches_per_block * batch_size
        arrange = _whole_minibatches(batches_per_block, batch_size, num_samples % batch_size)
    else:  # One minibatch in parts: cut at the part sizes, padded to the largest.
        cut = part_sizes
        arrange = _padded_part(part_sizes[0])

    def block(key, index, features, labels):
        order = tf.range(tf.shape(labels)[0])
        if part_sizes is None:  # A part's order cannot matter: its gradients are summed.
            order = tf.random.experimental.stateless_shuffle(
                order, seed=tf.random.experimental.stateless_fold_in(key, index)
            )
            return weigh(arrange(features, labels, order))
        element = arrange(features, labels, order)
        if class_weights is not None:  # Padded rows keep weight 0.
            element["sample_weight"] *= weigh({"y": element["y"]})["sample_weight"]
        part = index % len(part_sizes)
        minibatch = index // len(part_sizes)
        element["ends_batch"] = tf.logical_or(
            tf.equal(part, len(part_sizes) - 1), tf.equal(index, steps - 1)
        )
        element["batch_samples"] = tf.cast(
            tf.minimum(tf.constant(batch_size, tf.int64), num_samples - minibatch * batch_size),
            tf.float32,
        )
        return element

    def epoch_blocks(epoch):
        key = epoch_key(seed, epoch)
        rebatched = stream.chunks(order_key=key).rebatch(tf.constant(cut, tf.int64))
        return rebatched.enumerate().map(
            lambda index, chunk: block(key, index, *chunk), num_parallel_calls=tf.data.AUTOTUNE
        )

    epochs_dataset = tf.data.Dataset.range(initial_epoch, epochs)
    return epochs_dataset.flat_map(epoch_blocks).prefetch(tf.data.AUTOTUNE)


def _whole_minibatches(batches_per_block: int, batch_size: int, remainder: int):
    """A compiled function: a chunk's points in `order` as a block of whole minibatches.

    Only the epoch's last chunk ends in a partial minibatch (of `remainder`
    points): it goes to `last_x`, `last_y`, unpadded.
    """
    shape = [batches_per_block, batch_size]

    @tf.function(jit_compile=True)  # One fused gather-and-pad pass, as in `blocks`.
    def arrange(features, labels, order):
        size = tf.shape(order)[0]
        whole = size // batch_size * batch_size

        def padded(tensor):
            tensor = tensor[:whole]
            padding = [[0, shape[0] * batch_size - whole]] + [[0, 0]] * (len(tensor.shape) - 1)
            return tf.reshape(tf.pad(tensor, padding), shape + tensor.shape[1:])

        element = {
            "x": padded(tf.gather(features, order)),
            "y": padded(tf.gather(labels, order)),
            "num_batches": size // batch_size,
        }
        if remainder:
            last_rows = tf.slice(tf.pad(order, [[0, remainder]]), [whole], [remainder])
            element["last_x"] = tf.gather(features, last_rows)
            element["last_y"] = tf.gather(labels, last_rows)
            element["has_last"] = tf.not_equal(size, whole)
        return element

    return arrange


def _padded_part(part_size: int):
    """A compiled function: a part's points, padded with zero-weight rows to `part_size`."""

    @tf.function(jit_compile=True)
    def arrange(features, labels, order):
        size = tf.shape(order)[0]

        def padded(tensor):
            padding = [[0, part_size - size]] + [[0, 0]] * (len(tensor.shape) - 1)
            return tf.reshape(tf.pad(tensor, padding), [1, part_size] + tensor.shape[1:])

        return {
            "x": padded(tf.gather(features, order)),
            "y": padded(tf.gather(labels, order)),
            "sample_weight": padded(tf.ones([size], tf.float32)),
            "num_batches": tf.constant(1, tf.int32),
        }

    return arrange
