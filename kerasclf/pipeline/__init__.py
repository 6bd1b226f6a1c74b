"""The tf.data minibatch pipeline: shuffle -> batch -> (block) -> prefetch.

Every epoch visits the training points in a fresh order, a keyed Feistel
permutation of `(seed, epoch)` (`kerasclf.pipeline.feistel`), computed inside
the XLA program that gathers each block. The order is therefore the
same in every process, on every engine, and after a resume from any epoch.
The last, partial minibatch is kept.

Two shapes of the same stream:

- `minibatches`: one `(x, y)` minibatch per element, for Keras's per-step
  `fit` (the "plain" engine).
- `blocks`: many minibatches per element, for the "fused" engine, whose train
  step loops over a block inside one XLA program (see `kerasclf.engine.classifier`).

The batch size is an integer (1 is SGD) or "full" (full-batch gradient
descent). A batch size larger than the data is full batch.

A `kerasclf.data.streaming.Stream` (data that is never all in memory) becomes
blocks through `stream_blocks`, with a local shuffle: the stream's chunks in
an order drawn from `(seed, epoch)`, then the points shuffled within each
block. A minibatch larger than a block is cut into *parts*, blocks of one
minibatch-piece each, whose gradients the train step adds up before it
updates; that is how full-batch gradient descent runs on 10^8 points.
"""

from kerasclf.pipeline.blocks import (
    block_minibatches,
    blocks,
    minibatches,
)
from kerasclf.pipeline.order import (
    MAX_BLOCK_SAMPLES,
    block_layout,
    epoch_key,
    epoch_permutation,
    epoch_stream,
    keyed_epoch_stream,
    num_minibatches,
    of_unknown_length,
    resolve_batch_size,
)
from kerasclf.pipeline.streamed import stream_blocks, stream_layout

__all__ = [
    "MAX_BLOCK_SAMPLES",
    "block_layout",
    "block_minibatches",
    "blocks",
    "epoch_key",
    "epoch_permutation",
    "epoch_stream",
    "keyed_epoch_stream",
    "minibatches",
    "num_minibatches",
    "of_unknown_length",
    "resolve_batch_size",
    "stream_blocks",
    "stream_layout",
]
