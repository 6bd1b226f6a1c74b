"""Checkpoint cost: what periodic checkpoints (`--checkpoint-every`) cost a training run.

A run writes `checkpoint.npz` at an epoch's end once `checkpoint_every`
seconds (default 30) have passed since its last one
(`kerasclf.run.periodic_checkpoint`). Its cost has two parts:

- **check**: reading the clock at every epoch's end, paid by every epoch;
- **write**: flushing the run's TensorBoard writers and writing the
  checkpoint (temporary file, rename), paid once per period.

For each model this script trains the same run, taking turns so that drift
in the machine's load hits all alike, with checkpoints off (0), at the
default period, and at every epoch (the worst case), and times every write
of the every-epoch runs (`PeriodicCheckpoint.write`). The share of the
training time at the default period is then

    write seconds / period  +  check seconds * epochs per second

one write per period plus a check per epoch (timed alone, 100,000 times);
the script prints both parts, and the end-to-end times, whose differences
are within the machine's noise. The models: the Day-1 logistic regression
on `seminar_blobs` at batch size 1 (SGD, 200 steps an epoch), and the built-in
CNN on the font images (Adam on minibatches of 32). Images are off, which
makes training shorter and so the share larger.

Run it (about 2 minutes on 2 cores):

    python -m benchmarks.checkpoint_cost [--runs 3] [--models logistic-batch1 cnn-fonts]
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time

import kerasclf.quiet_tensorflow  # First: TensorFlow's start-up lines silenced.
import kerasclf
from benchmarks.arguments import BenchmarkParser, choice, integer, parse_or_exit
from kerasclf.run.checkpoint import EpochSnapshot
from kerasclf.run.checkpoint_period import DEFAULT_CHECKPOINT_SECONDS
from kerasclf.run.periodic_checkpoint import PeriodicCheckpoint

MODULE = "benchmarks.checkpoint_cost"
# By `--models` name: the label the report prints, and the run's settings.
MODELS = {
    "logistic-batch1": ("logistic, batch 1", dict(batch_size=1, epochs=300)),
    "cnn-fonts": ("cnn on fonts", dict(model="cnn", dataset="fonts", epochs=4)),
}
# Every epoch's end: the worst case, and how each write is timed.
EVERY_EPOCH = 1e-9
WRITE_SECONDS: list[float] = []


def timed_write(original):
    """`PeriodicCheckpoint.write`, recording how long each call takes."""

    def write(self):
        started = time.perf_counter()
        path = original(self)
        WRITE_SECONDS.append(time.perf_counter() - started)
        return path

    return write


def training_seconds(settings: dict, checkpoint_every: float, logdir: str) -> float:
    """The run's training time (summary.json's wall_seconds)."""
    result = kerasclf.train(
        **settings,
        checkpoint_every=checkpoint_every,
        images=False,
        histogram_every=0,
        logdir=logdir,
        stream=io.StringIO(),
    )
    return result.summary["wall_seconds"]


def check_seconds(calls: int = 100_000) -> float:
    """Seconds one epoch's end costs when no checkpoint is due (the clock check)."""
    callback = PeriodicCheckpoint(EpochSnapshot(), ".", DEFAULT_CHECKPOINT_SECONDS)
    callback.on_train_begin()
    started = time.perf_counter()
    for epoch in range(calls):
        callback.on_epoch_end(epoch)
    return (time.perf_counter() - started) / calls


def measure(name: str, settings: dict, runs: int) -> None:
    periods = {"off": 0.0, "default": DEFAULT_CHECKPOINT_SECONDS, "every epoch": EVERY_EPOCH}
    seconds = {label: [] for label in periods}
    with tempfile.TemporaryDirectory() as logdir:
        training_seconds(settings, 0.0, logdir)  # Untimed: compiles the step.
        WRITE_SECONDS.clear()
        for _ in range(runs):
            for label, period in periods.items():
                seconds[label].append(training_seconds(settings, period, logdir))
    medians = {label: statistics.median(values) for label, values in seconds.items()}
    epochs = settings["epochs"]
    write = statistics.median(WRITE_SECONDS)
    check = check_seconds()
    share = write / DEFAULT_CHECKPOINT_SECONDS + check * epochs / medians["off"]
    print(f"{name}: {epochs} epochs, training {medians['off']:.2f} s without checkpoints")
    for label, value in medians.items():
        print(f"  checkpoints {label:<12} {value:8.3f} s  ({value / medians['off'] - 1:+.1%})")
    print(f"  one write (flush + checkpoint.npz): median {write * 1e3:.2f} ms of "
          f"{len(WRITE_SECONDS)}")  # fmt: skip
    print(f"  one epoch end's clock check: {check * 1e6:.2f} us")
    spread = (min(seconds["off"]), max(seconds["off"]))
    print(f"  (noise: runs without checkpoints took {spread[0]:.3f} to {spread[1]:.3f} s)")
    print(f"  share at the default {DEFAULT_CHECKPOINT_SECONDS:g} s period: {share:.3%}")


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument("--runs", type=integer(), default=3, help="timed runs per setting")
    parser.add_argument(
        "--models",
        nargs="+",
        type=choice(MODELS),
        default=list(MODELS),
        help=f"models to time (default all: {' '.join(MODELS)})",
    )
    return parser.parse_args(argv)


def main(argv=None) -> None:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    PeriodicCheckpoint.write = timed_write(PeriodicCheckpoint.write)
    for name in arguments.models:
        label, settings = MODELS[name]
        measure(label, settings, arguments.runs)


if __name__ == "__main__":
    main()
