"""The epoch's visiting order, and how an epoch is cut into minibatches and blocks."""

from __future__ import annotations

import math

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
    return without_autotune(epochs_dataset.flat_map(epoch_elements).prefetch(tf.data.AUTOTUNE))


def without_autotune(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """The dataset with tf.data's autotuning thread turned off.

    The iterator's destructor joins that thread, which kept `fit` from
    returning for up to seconds after its last `on_train_end`
    (`benchmarks/fit_teardown.py`). `AUTOTUNE` parallelism and prefetch
    buffers stay at tf.data's defaults without it; the benchmark measured
    the same epoch times with it on and off.

    Example:
        >>> without_autotune(tf.data.Dataset.range(3)).options().autotune.enabled
        False
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)
