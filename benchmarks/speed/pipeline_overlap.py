"""Why the block pipeline's prefetch does not hide the epoch's shuffle at batch 1024 (issue #22).

tf.data prefetches the next epoch's block while `fit` trains on this one, so
the shuffle could in principle cost nothing beside training. Measured side
by side in one process, batch 1024, kerasclf's model (logistic regression,
momentum SGD) on 2^20 points, ms per epoch, median over interleaved repeats,
with the cores each part keeps busy (CPU time over wall time, pauses included):

- "train": `fit` over cached, never-shuffled blocks (no pipeline);
- "blocks": the block pipeline alone (permutation and gather, no training);
- "train beside blocks": `fit` over cached blocks while another thread
  reads blocks from the pipeline, to see whether the two share the machine;
- "train on blocks": `fit` over the pipeline, as `kerasclf.train` runs it;
- "train on prefetched blocks": the same with a 20 ms pause after each
  epoch's timer stops, so that every block is ready before its epoch begins;
- "numpy gather": numpy's fancy indexing of the features and labels by the
  same permutation, on one core: what the random access alone costs in
  plain C, with no XLA in the way;
- "cost pass": `CostLogger`'s end of epoch, the cost, accuracy and gradient
  norm over all the points at the epoch's weights (summaries included);
- "hand-written d2": the hand-written XLA loop over never-reshuffled
  batches, issue #22's yardstick.

It ends with the CPU time an epoch of `kerasclf.train` needs at the least,
training on a new block and logging its cost (the CPU milliseconds of
"train", "blocks" and "cost pass"; the other callbacks left out), and the
wall time that leaves on this machine's cores if they shared it perfectly:
a bound on kerasclf / d2 that no scheduling can beat.

    .venv/bin/python -m benchmarks.speed.pipeline_overlap --repeats 5
"""

from __future__ import annotations

import os
import resource
import statistics
import threading
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from benchmarks.arguments import BenchmarkParser, integer, parse_or_exit
from benchmarks.speed.hand_written import HandWrittenLoop
from benchmarks.speed.kerasclf_engine import fused_model
from benchmarks.speed.settings import SEED, hand_line
from kerasclf import pipeline
from kerasclf.callbacks import CostLogger
from kerasclf.pipeline.order import epoch_permutation

MODULE = "benchmarks.speed.pipeline_overlap"
BATCH_SIZE = 1024
# The parts an epoch of `kerasclf.train` cannot do without (its CPU floor).
NEEDED_PARTS = ("train", "blocks", "cost pass")
# Longer than the pipeline takes to make an epoch's block.
PAUSE_SECONDS = 0.02


class Pause(keras.callbacks.Callback):
    """Sleeps after each epoch (put it after `EpochTimes`: the pause is not timed)."""

    def on_epoch_end(self, epoch, logs=None):
        time.sleep(PAUSE_SECONDS)


class EpochTimes(keras.callbacks.Callback):
    """Wall seconds of each epoch of a `fit`."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._started)


def timed(work) -> tuple[float, float]:
    """`(ms per epoch, cores busy)` of `work()`, which returns its epochs' seconds."""
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    seconds = work()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return statistics.median(seconds[2:]) * 1e3, cpu / wall


def measure(num_samples: int, epochs: int) -> dict[str, tuple[float, float]]:
    """One repeat of every figure: `{name: (ms per epoch, cores busy)}`."""
    model, features, labels = fused_model(
        num_samples, BATCH_SIZE, logdir="logs/benchmark_pipeline_overlap"
    )
    steps = pipeline.block_layout(num_samples, BATCH_SIZE)[1]

    def shuffled_blocks(count=epochs):
        return pipeline.blocks(features, labels, BATCH_SIZE, SEED, count)

    def fit(dataset, pause=False):
        times = EpochTimes()
        callbacks = [times, Pause()] if pause else [times]
        model.fit(dataset, epochs=epochs, steps_per_epoch=steps, callbacks=callbacks, verbose=0)
        return times.seconds

    def read_blocks():
        blocks = iter(shuffled_blocks())

        def read_epoch():
            for _ in range(steps):
                next(blocks)["x"].numpy()

        return _epoch_seconds(read_epoch, epochs)

    cached = pipeline.blocks(features, labels, BATCH_SIZE, SEED, 1).cache().repeat()
    fit(cached)  # Compiles the step; the cache fills.
    results = {"train": timed(lambda: fit(cached)), "blocks": timed(read_blocks)}
    stop = threading.Event()

    def spin():
        blocks = iter(shuffled_blocks(10**6))
        while not stop.is_set():
            next(blocks)["x"].numpy()

    beside = threading.Thread(target=spin)
    beside.start()
    try:
        results["train beside blocks"] = timed(lambda: fit(cached))
    finally:
        stop.set()
        beside.join()
    results["train on blocks"] = timed(lambda: fit(shuffled_blocks()))
    results["train on prefetched blocks"] = timed(lambda: fit(shuffled_blocks(), pause=True))
    rows = epoch_permutation(SEED, 1, num_samples).numpy().astype(np.intp)
    feature_words = np.ascontiguousarray(features).view(np.int64).ravel()  # one word a row

    def numpy_gather():
        return _epoch_seconds(lambda: (feature_words[rows], labels[rows]), epochs)

    results["numpy gather"] = timed(numpy_gather)
    results["cost pass"] = timed(lambda: _cost_passes(model, features, labels, epochs))
    loop = HandWrittenLoop(hand_line(num_samples), BATCH_SIZE, order="fixed")
    results["hand-written d2"] = timed(lambda: _epoch_seconds(loop.run_epoch, epochs))
    return results


def _epoch_seconds(run_epoch, epochs: int) -> list[float]:
    """Wall seconds of each of `epochs` calls of `run_epoch`."""
    seconds = []
    for _ in range(epochs):
        started = time.perf_counter()
        run_epoch()
        seconds.append(time.perf_counter() - started)
    return seconds


def _cost_passes(model, features, labels, epochs: int) -> list[float]:
    """Seconds of each of `epochs` ends of epoch of `CostLogger`, as `kerasclf.train` logs."""
    logger = CostLogger("logs/benchmark_pipeline_overlap", features, labels)
    logger.set_model(model)
    epoch = iter(range(10**6))
    try:
        return _epoch_seconds(lambda: logger.on_epoch_end(next(epoch), {}), epochs)
    finally:
        logger.on_train_end()


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument(
        "--num-samples",
        type=integer(minimum=BATCH_SIZE),
        default=2**20,
        help=f"points (at least {BATCH_SIZE}, one batch)",
    )
    parser.add_argument(
        "--epochs",
        type=integer(minimum=3),
        default=40,
        help="epochs of each figure (at least 3: the first 2 are left out)",
    )
    parser.add_argument("--repeats", type=integer(), default=3, help="repeats of every figure")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    repeats = [measure(arguments.num_samples, arguments.epochs) for _ in range(arguments.repeats)]
    print(
        f"{arguments.num_samples} points, batch {BATCH_SIZE}: ms per epoch and cores busy, "
        f"median of {arguments.repeats}"
    )
    for name in repeats[0]:
        milliseconds = statistics.median(repeat[name][0] for repeat in repeats)
        cores = statistics.median(repeat[name][1] for repeat in repeats)
        print(f"  {name:27s} {milliseconds:6.2f} ms  {cores:.2f} cores")
    ratios = {
        "train on blocks / train": ("train on blocks", "train"),
        "train on prefetched blocks / train": ("train on prefetched blocks", "train"),
        "train beside blocks / train": ("train beside blocks", "train"),
        "blocks / numpy gather": ("blocks", "numpy gather"),
    }
    for label, (top, bottom) in ratios.items():
        ratio = statistics.median(repeat[top][0] / repeat[bottom][0] for repeat in repeats)
        print(f"  {label:35s} {ratio:.2f}x")
    cores = os.cpu_count()
    # CPU milliseconds: each part's wall time times the cores it kept busy.
    needed = statistics.median(
        sum(repeat[part][0] * repeat[part][1] for part in NEEDED_PARTS) for repeat in repeats
    )
    bound = statistics.median(
        repeat["hand-written d2"][0]
        * cores
        / sum(repeat[part][0] * repeat[part][1] for part in NEEDED_PARTS)
        for repeat in repeats
    )
    parts = " + ".join(NEEDED_PARTS)
    print(
        f"  an epoch of kerasclf.train needs at least {needed:.1f} CPU ms ({parts}): on "
        f"{cores} cores shared perfectly, kerasclf / d2 <= {bound:.2f}x (issue #22: 0.5x)"
    )


if __name__ == "__main__":
    main()
