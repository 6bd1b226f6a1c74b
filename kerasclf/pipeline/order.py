"""The epoch's visiting order, and how an epoch is cut into minibatches and blocks."""

from __future__ import annotations

import math

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

from kerasclf.pipeline.feistel import permuted_index
from kerasclf.tracing import as_written
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
    """Minibatches per epoch, the last one possibly partial.

    Example:
        >>> num_minibatches(5, 2)
        3
    """
    return math.ceil(num_samples / batch_size)


def block_layout(num_samples: int, batch_size: int, max_block_samples: int = MAX_BLOCK_SAMPLES):
    """How the fused engine cuts an epoch into blocks.

    Returns:
        `(batches_per_block, blocks_per_epoch)`.

    Example:
        >>> block_layout(5, 2)  # 3 minibatches (the last of 1 sample) in one block.
        (3, 1)
        >>> block_layout(2**21, 1024)  # 2048 minibatches, 2**20 samples a block.
        (1024, 2)
    """
    batches = num_minibatches(num_samples, batch_size)
    batches_per_block = max(1, min(batches, max_block_samples // batch_size))
    return batches_per_block, math.ceil(batches / batches_per_block)


def epoch_key(seed: int, epoch) -> tf.Tensor:
    """The stateless random key of one epoch's order, shape [2].

    Example:
        >>> epoch_key(7, 3).numpy().tolist()
        [7, 3]
    """
    return tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])


def epoch_permutation(seed: int, epoch, num_samples: int) -> tf.Tensor:
    """The visiting order of the training points in one epoch.

    Position `i` visits point `permuted_index(i, num_samples, epoch_key(seed,
    epoch))`, a keyed Feistel permutation (`kerasclf.pipeline.feistel`): the
    blocks compute their own slice of it inside their XLA program, and this
    whole order equals theirs.

    Args:
        seed: The run's seed.
        epoch: The epoch, from 0 (a Python int or an int64 tensor).
        num_samples: The number of training points.

    Returns:
        An int32 tensor holding a permutation of `range(num_samples)`.

    Example:
        >>> order = epoch_permutation(0, 1, 5).numpy()
        >>> sorted(order.tolist())
        [0, 1, 2, 3, 4]
    """
    return _compiled_permutation(epoch_key(seed, epoch), num_samples)


@tf.function(jit_compile=True, autograph=False)
def _compiled_permutation(key, num_samples):
    return permuted_index(tf.range(num_samples), num_samples, key)


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

    Example:
        >>> stream = epoch_stream(3, 0, 0, 2, 1, lambda order, index: order)
        >>> [sorted(order.numpy().tolist()) for order in stream]
        [[0, 1, 2], [0, 1, 2]]
    """
    return keyed_epoch_stream(
        seed,
        initial_epoch,
        epochs,
        elements_per_epoch,
        make_element,
        per_epoch=lambda key: _compiled_permutation(key, num_samples),
    )


def keyed_epoch_stream(
    seed: int,
    initial_epoch: int,
    epochs: int,
    elements_per_epoch: int,
    make_element,
    per_epoch=None,
) -> tf.data.Dataset:
    """Epochs `initial_epoch..epochs-1`, each element built from the epoch's key.

    `make_element(per_epoch(key), index)` builds element `index` of the epoch
    whose key is `epoch_key(seed, epoch)`; `per_epoch` runs once per epoch.
    Without it the key itself goes to `make_element`, which then computes the
    positions it needs with `permuted_index`, and the stream is one `map` over
    every element of every epoch, with no dataset made per epoch (`python -m
    benchmarks.epoch_stream` times both ways side by side). The elements are
    built in parallel, in order, and prefetched.

    Example:
        >>> stream = keyed_epoch_stream(7, 1, 3, 2, lambda key, index: (key[1], index))
        >>> [(int(epoch), int(index)) for epoch, index in stream]
        [(1, 0), (1, 1), (2, 0), (2, 1)]
    """
    if per_epoch is None:

        def element(position):
            epoch, index = position // elements_per_epoch, position % elements_per_epoch
            return make_element(epoch_key(seed, epoch), index)

        positions = tf.data.Dataset.range(
            initial_epoch * elements_per_epoch, epochs * elements_per_epoch
        )
        elements = positions.map(as_written(element), num_parallel_calls=tf.data.AUTOTUNE)
        return without_autotune(elements.prefetch(tf.data.AUTOTUNE))

    def epoch_elements(epoch):
        shared = per_epoch(epoch_key(seed, epoch))
        return tf.data.Dataset.range(elements_per_epoch).map(
            as_written(lambda index: make_element(shared, index)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )

    epochs_dataset = tf.data.Dataset.range(initial_epoch, epochs)
    epochs_elements = epochs_dataset.flat_map(as_written(epoch_elements))
    return without_autotune(epochs_elements.prefetch(tf.data.AUTOTUNE))


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


def of_unknown_length(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """The same elements, their number hidden from Keras's `fit`.

    `fit` reads a dataset of known length with one iterator and, once the
    last step has read the last element, makes a new iterator for an epoch
    that kerasclf's streams, which hold every epoch, never have: the pipeline
    is built again, and its parallel map and prefetch start computing blocks
    that nobody reads (`python -m benchmarks.fit_restart` times a run both
    ways). Of a dataset of unknown length `fit` makes no new iterator; it
    needs no length, as kerasclf gives it `steps_per_epoch`.

    Example:
        >>> dataset = of_unknown_length(tf.data.Dataset.range(3))
        >>> int(dataset.cardinality()) == tf.data.UNKNOWN_CARDINALITY
        True
        >>> [int(element) for element in dataset]
        [0, 1, 2]
    """
    return dataset.filter(_keep)


def _keep(*element) -> tf.Tensor:
    """A filter's predicate that keeps every element."""
    return tf.constant(True)
