"""Streamed data (a `kerasclf.data.streaming.Stream`) as blocks or parts of minibatches."""

from __future__ import annotations

import numpy as np
import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

from kerasclf.pipeline.blocks import sample_weigher
from kerasclf.pipeline.order import (
    MAX_BLOCK_SAMPLES,
    block_layout,
    epoch_key,
    without_autotune,
)
from kerasclf.tracing import as_written


def stream_layout(num_samples: int, batch_size: int, max_block_samples: int | None = None):
    """How `stream_blocks` cuts an epoch: `(part_sizes, steps_per_epoch)`.

    `part_sizes` is None when whole minibatches fit in a block (the blocks are
    then those of `block_layout`); else the sizes of the parts one minibatch
    is cut into, e.g. `[2**20, 2**20, 1696]` for a minibatch of 2,098,848.
    `max_block_samples` defaults to `MAX_BLOCK_SAMPLES`.

    Example:
        >>> stream_layout(10, 2)  # Whole minibatches fit in a block: 1 block an epoch.
        (None, 1)
        >>> stream_layout(10, 4, max_block_samples=3)  # Parts of 3 and 1; 4, 4, then 2.
        ([3, 1], 5)
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
    `kerasclf.engine.classifier.check_parts_trainable` accepts train on them.

    Example:
        >>> from kerasclf.data.streaming import generated_stream
        >>> stream = generated_stream("seminar_blobs", 10**6)
        >>> block = next(iter(stream_blocks(stream, 1024, seed=0, epochs=1)))
        >>> tuple(block["x"].shape)  # All 977 minibatches of 10^6 points fit one block.
        (977, 1024, 2)
    """
    num_samples = stream.num_samples
    max_block_samples = max_block_samples or MAX_BLOCK_SAMPLES
    part_sizes, steps = stream_layout(num_samples, batch_size, max_block_samples)
    weigh = sample_weigher(class_weights)
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
        return {**element, **_part_position(index, len(part_sizes), steps, batch_size, num_samples)}

    def epoch_blocks(epoch):
        key = epoch_key(seed, epoch)
        rebatched = stream.chunks(order_key=key).rebatch(tf.constant(cut, tf.int64))
        return rebatched.enumerate().map(
            as_written(lambda index, chunk: block(key, index, *chunk)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )

    epochs_dataset = tf.data.Dataset.range(initial_epoch, epochs)
    epochs_blocks = epochs_dataset.flat_map(as_written(epoch_blocks))
    return without_autotune(epochs_blocks.prefetch(tf.data.AUTOTUNE))


def _part_position(index, parts_per_batch: int, steps: int, batch_size: int, num_samples: int):
    """Where part `index` of an epoch lies: whether it ends its minibatch, and that one's size."""
    part = index % parts_per_batch
    minibatch = index // parts_per_batch
    ends_batch = tf.logical_or(tf.equal(part, parts_per_batch - 1), tf.equal(index, steps - 1))
    batch_samples = tf.minimum(
        tf.constant(batch_size, tf.int64), num_samples - minibatch * batch_size
    )
    return {"ends_batch": ends_batch, "batch_samples": tf.cast(batch_samples, tf.float32)}


def _whole_minibatches(batches_per_block: int, batch_size: int, remainder: int):
    """A compiled function: a chunk's points in `order` as a block of whole minibatches.

    Only the epoch's last chunk ends in a partial minibatch (of `remainder`
    points): it goes to `last_x`, `last_y`, unpadded.
    """
    shape = [batches_per_block, batch_size]

    @tf.function(jit_compile=True, autograph=False)  # One fused gather-and-pad pass.
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

    @tf.function(jit_compile=True, autograph=False)
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
