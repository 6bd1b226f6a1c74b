"""Epoch overhead: what Keras's per-epoch metric bookkeeping costs a small run.

`fit` resets every metric as an epoch begins and reads every result as it
ends. Keras does each eagerly, an operation per variable and per result;
kerasclf's `Classifier` does each in one compiled call
(`kerasclf.engine.metric_calls.MetricCalls`). On the seminar's 200 points an
epoch of training takes a fraction of a millisecond, so this bookkeeping is
much of what an epoch costs.

This script trains the same run (`circle`, logistic regression, Adam, full
batch), taking turns so that drift in the machine's load hits both alike,
with the compiled calls and with Keras's eager loop (`MetricCalls` switched
off), once with every default callback and once with the callbacks off. It
prints each variant's median wall time per epoch (from the second epoch on:
the first traces and compiles) and the ratio eager / compiled.

Run it (about a minute on 2 cores):

    python -m benchmarks.epoch_overhead [--runs 5] [--epochs 200]
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time

import kerasclf.quiet_tensorflow  # First: TensorFlow's start-up lines silenced.
import keras
import numpy as np

import kerasclf
from benchmarks.arguments import BenchmarkParser, integer, parse_or_exit
from kerasclf.engine.metric_calls import MetricCalls

MODULE = "benchmarks.epoch_overhead"
RUN = dict(dataset="circle", optimizer="adam", learning_rate=0.02, cost="mean", images=False)
# Every callback of a points run that can be switched off.
CALLBACKS_OFF = ["cost", "weights", "boundary", "surface", "config", "progress"]


class EpochClock(keras.callbacks.Callback):
    """The wall time at the start of training and at each epoch's end."""

    def on_train_begin(self, logs=None):
        self.times = [time.perf_counter()]

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter())


def epoch_milliseconds(epochs: int, callbacks_off: list[str], logdir: str) -> float:
    """The run's median milliseconds per epoch, its first epoch left out."""
    clock = EpochClock()
    kerasclf.train(
        **RUN,
        epochs=epochs,
        callbacks_off=callbacks_off,
        logdir=logdir,
        callbacks=[clock],
        stream=io.StringIO(),
    )
    return float(np.median(np.diff(clock.times)[1:])) * 1e3


def measure(epochs: int, runs: int) -> None:
    compiled_reset, compiled_results = MetricCalls.reset, MetricCalls.results
    variants = {
        "compiled": (compiled_reset, compiled_results),
        "eager (Keras's loop)": (lambda self, metrics: False, lambda self, metrics: None),
    }
    for label, callbacks_off in (("default callbacks", []), ("callbacks off", CALLBACKS_OFF)):
        milliseconds = {name: [] for name in variants}
        with tempfile.TemporaryDirectory() as logdir:
            epoch_milliseconds(3, callbacks_off, logdir)  # Untimed: fills XLA's cache.
            for _ in range(runs):
                for name, (reset, results) in variants.items():
                    MetricCalls.reset, MetricCalls.results = reset, results
                    milliseconds[name].append(epoch_milliseconds(epochs, callbacks_off, logdir))
        MetricCalls.reset, MetricCalls.results = compiled_reset, compiled_results
        medians = {name: statistics.median(values) for name, values in milliseconds.items()}
        print(f"{label}: ms per epoch, median of {runs} runs of {epochs} epochs")
        for name, value in medians.items():
            spread = f"{min(milliseconds[name]):.2f}-{max(milliseconds[name]):.2f}"
            print(f"  {name:<22} {value:7.2f}  ({spread})")
        ratio = medians["eager (Keras's loop)"] / medians["compiled"]
        print(f"  eager / compiled: {ratio:.2f}x")


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument("--runs", type=integer(), default=5, help="timed runs per variant")
    parser.add_argument(
        "--epochs", type=integer(minimum=2), default=200, help="epochs per run (default 200)"
    )
    return parser.parse_args(argv)


def main(argv=None) -> None:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    measure(arguments.epochs, arguments.runs)


if __name__ == "__main__":
    main()
