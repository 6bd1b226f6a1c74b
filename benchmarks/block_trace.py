"""What building the fused engine's block stream costs a run, new layout or seen one.

`kerasclf.pipeline.blocks` builds each run's `tf.data` stream of blocks from
two XLA programs: the rows a block visits in the epoch's keyed Feistel order
(`_block_rows`) and their gathers (`_gather_block`). Both are module-level
`tf.function`s of the layout (points, batch size, block size) and the data's
shape alone: a run whose layout this process has seen before reuses their
traces and compiled programs, as an experiment's runs and the test suite's
do. This measures, side by side in one process:

- building the stream for a layout not seen before (`num_samples` differs
  each time), and taking its first block: tracing and compiling;
- the same for the layout seen before (the seminar's 200 points, full
  batch): the reuse.

It prints each one's median milliseconds over `--repeats` and their ratio.

Run it:

    python -m benchmarks.block_trace [--repeats 7]
"""

from __future__ import annotations

import statistics
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import numpy as np

from benchmarks.arguments import parse_repeats
from kerasclf.pipeline.blocks import blocks

NUM_SAMPLES, EPOCHS = 200, 100


def first_block_seconds(num_samples: int) -> float:
    """Seconds to build a full-batch block stream of `num_samples` points and take a block."""
    features = np.zeros((num_samples, 2), np.float32)
    labels = np.zeros(num_samples, np.int32)
    start = time.perf_counter()
    next(iter(blocks(features, labels, num_samples, 0, EPOCHS)))
    return time.perf_counter() - start


def main(argv=None) -> dict[str, float]:
    repeats = parse_repeats("benchmarks.block_trace", __doc__, 7, argv)
    first_block_seconds(NUM_SAMPLES)  # The layout seen before; also imports and warms tf.data.
    seconds = {"new layout": [], "seen layout": []}
    for repeat in range(repeats):  # Interleaved: noise hits both alike.
        seconds["new layout"].append(first_block_seconds(NUM_SAMPLES + 1 + repeat))
        seconds["seen layout"].append(first_block_seconds(NUM_SAMPLES))
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    for name, values in seconds.items():
        shown = ", ".join(f"{1000 * value:.0f}" for value in values)
        print(f"{name:<12} median {1000 * medians[name]:6.1f} ms   all ms: {shown}")
    ratio = medians["new layout"] / medians["seen layout"]
    print(f"a seen layout builds its stream {ratio:.1f}x faster than a new one")
    return medians


if __name__ == "__main__":
    main()
