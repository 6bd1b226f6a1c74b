"""Streams: labelled points read or generated chunk by chunk, in bounded memory.

A `Stream` is the out-of-memory counterpart of `Data`. It never holds the
whole set; it knows its size, and it produces its points as a tf.data dataset
of `(features, labels)` chunks. Two kinds:

- **CSV shards** or **one big CSV file** in chunks of lines, checked once
  before training and parsed once (`kerasclf.data.csv_streams`).
- **Generated data**, for a named dataset with many points: chunk i holds
  `GENERATED_CHUNK_SAMPLES` points drawn by the dataset's own generator from
  the seed `(data_seed, i)`. Every epoch sees the same points.

`kerasclf.pipeline.stream_blocks` turns a stream into the fused engine's
blocks. The epoch order is a *local* shuffle, since a full permutation would
need every point in memory: the chunks come in an order drawn from
`(seed, epoch)`, and the points are shuffled within each block of up to
`pipeline.MAX_BLOCK_SAMPLES`.

Example:
    >>> stream = generated_stream("seminar_blobs", 10**8, seed=0)
    >>> stream.num_samples, stream.num_features, stream.num_classes
    (100000000, 2, 2)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

from kerasclf.data import Data
from kerasclf.data.datasets import check_dataset_arguments
from kerasclf.tracing import as_written

# Points per generated chunk. A chunk is generated in one numpy call.
GENERATED_CHUNK_SAMPLES = 2**16
# Points the image callbacks draw for a stream (its `sample`).
IMAGE_SAMPLE_SIZE = 4096


@dataclasses.dataclass(frozen=True)
class Stream:
    """Labelled points produced chunk by chunk.

    Attributes:
        source: Where the points come from, for messages.
        num_samples: The number of points in one epoch.
        num_features: Features per point.
        num_classes: Classes k; labels are 0..k-1.
        num_chunks: Chunks per epoch.
        read_chunk: Chunk index (an int64 tensor) -> `(features, labels)`,
            float32 `(n, num_features)` and int32 `(n,)`.
    """

    source: str
    num_samples: int
    num_features: int
    num_classes: int
    num_chunks: int
    read_chunk: Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]]

    @property
    def feature_shape(self) -> tuple[int, ...]:
        """The shape of one sample, as `Data.feature_shape`: streams are tables."""
        return (self.num_features,)

    @property
    def feature_scale(self) -> float:
        """As `Data.feature_scale`: streamed features are read as they are."""
        return 1.0

    def chunks(self, order_key: tf.Tensor | None = None) -> tf.data.Dataset:
        """The chunks as a dataset, in stored order or in an order drawn from a key.

        Args:
            order_key: None for chunk 0, 1, ...; else a shape-[2] int64
                stateless seed that permutes the chunks.
        """
        indices = tf.range(self.num_chunks, dtype=tf.int64)
        if order_key is not None:
            indices = tf.random.experimental.stateless_shuffle(indices, seed=order_key)
        return tf.data.Dataset.from_tensor_slices(indices).map(
            as_written(self.read_chunk), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
        )

    def sample(self, size: int = IMAGE_SAMPLE_SIZE, seed: int = 0) -> Data:
        """Up to `size` points, held in memory, drawn at random (seeded) from
        the stream's first chunks (about `16 * size` points).

        The image callbacks draw these points; the cost is always taken over
        the whole stream.
        """
        features, labels, count = [], [], 0
        for chunk_features, chunk_labels in self.chunks().take(16):
            features.append(chunk_features.numpy())
            labels.append(chunk_labels.numpy())
            count += len(chunk_labels)
            if count >= 16 * size:
                break
        features, labels = np.concatenate(features), np.concatenate(labels)
        rows = np.random.default_rng(seed).permutation(len(labels))[:size]
        return Data(features[rows], labels[rows], f"{self.source} (sample)", self.num_classes)


def generated_stream(
    name: str, num_samples: int | None = None, noise: float | None = None, seed: int = 0
) -> Stream:
    """A named synthetic dataset of any size, generated chunk by chunk.

    Args:
        name: One of `kerasclf.data.DATASETS`.
        num_samples: Points per epoch, e.g. 10**8; None for the dataset's default.
        noise: The dataset's noise parameter; None for its default.
        seed: The data seed; chunk i is drawn from `(seed, i)`.

    Example:
        >>> stream = generated_stream("seminar_blobs", 10**6)
        >>> stream.num_chunks
        16
    """
    spec, num_samples, noise, seed = check_dataset_arguments(name, num_samples, noise, seed)
    if spec.kind != "points":  # Images, sequences, text: small enough for memory.
        raise ValueError(
            f"`generated_stream` generates the 2-D point datasets only. Received: name={name!r}, "
            f"a dataset of {spec.kind}; load it whole with kerasclf.data.make_dataset_splits."
        )
    num_chunks = math.ceil(num_samples / GENERATED_CHUNK_SAMPLES)

    def generate(index):
        index = int(index)
        size = min(GENERATED_CHUNK_SAMPLES, num_samples - index * GENERATED_CHUNK_SAMPLES)
        features, labels = spec.generate(size, noise, np.random.default_rng([seed, index]))
        return features.astype(np.float32), labels.astype(np.int32)

    first_features, first_labels = generate(0)
    num_features = first_features.shape[1]

    def read_chunk(index):
        features, labels = tf.numpy_function(generate, [index], [tf.float32, tf.int32])
        return tf.reshape(features, [-1, num_features]), tf.reshape(labels, [-1])

    num_classes = int(first_labels.max()) + 1
    return Stream(
        f"dataset {name!r}", num_samples, num_features, num_classes, num_chunks, read_chunk
    )
