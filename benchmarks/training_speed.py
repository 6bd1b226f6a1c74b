"""Training speed: kerasclf against stock Keras, a hand-written XLA loop, numpy and scikit-learn.

What it measures, side by side in one process, so that the ratios share the
machine's state (each ratio is taken within one repeat; the tables give the
median over repeats):

1. Training throughput, in samples/s, of logistic regression (Dense(1,
   sigmoid)) on the `hand_line` data with SGD, momentum 0.9, learning rate
   1e-4 on the summed cross-entropy (the same update rule on every path), at
   batch sizes 1, 32 and 1024; and of an MLP (16, 16) tanh, the same way.
   Every figure is taken after a warm-up epoch, so compile time is excluded
   (it is reported separately, from the first repeat), and times whole epochs
   until at least `--min-seconds` have passed. The paths:

   - `kerasclf.train` with its default per-epoch callbacks (cost, weights,
     histograms, images), timed over a multiple of 10 epochs so that it holds
     its share of histograms and decision-boundary images (every 5 epochs)
     and error-surface images (every 10), with the time of each callback's
     `on_epoch_end`; with images and histograms off; and with `engine="plain"`
     (stock per-step fit inside kerasclf), images and histograms off.
   - For the breakdown: kerasclf's model and pipeline under `fit` with no
     callbacks, and the same model on cached, never reshuffled blocks.
   - Stock `model.fit` on numpy arrays with its defaults, and the same model
     compiled with `jit_compile=True` and `steps_per_execution` = minibatches
     per epoch (Keras's own answer to per-step overhead); both for the MLP too.
   - A hand-written XLA loop, no Keras objects: one `tf.function(jit_compile=
     True)` per epoch runs a `tf.while_loop` over a [num_batches, batch, 2]
     tensor and does the momentum update by hand. "d1" draws each epoch's
     order with the stateless shuffle and gather kerasclf used until issue
     #22 (now a Feistel permutation inside XLA); "d2" runs over one fixed
     pre-batched tensor.
   - numpy minibatch SGD with momentum (vectorized per batch), and
     scikit-learn's `SGDClassifier` (always batch 1, no momentum).

2. The seminar's default run end to end (200 points, full batch, 100 epochs,
   learning rate 0.001 on the summed cost, zeros init) as whole processes:
   `kerasclf train`, `kerasclf train --images false`, and small standalone
   scripts doing the same with stock `model.fit`, a hand-written XLA
   while-loop and numpy; scikit-learn's `SGDClassifier` for 100 epochs of
   batch 1 (it has no full batch); and an MLP (16, 16) row, kerasclf against
   stock `model.fit`.

It prints the tables and writes them to BENCHMARKS.md with a description of
the machine and the command. Run it from the repository root:

    .venv/bin/python -m benchmarks.training_speed            # about 10 minutes on 2 cores
    .venv/bin/python -m benchmarks.training_speed --quick    # a smoke run; prints only

Progress lines go to stderr. No figure here is asserted on: speed is
reported, never tested.

This module is the entry point: the arguments and the order of the
measurements. The runners live in `benchmarks/speed/` (one module per runner
family), the tables in `benchmarks/report.py`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines would bury progress)
from benchmarks.arguments import (
    BenchmarkParser,
    check_markdown_output,
    choice_list,
    integer,
    integer_list,
    number,
    parse_or_exit,
)
from benchmarks.report import machine_description, write_section
from benchmarks.speed.document import training_speed_report
from benchmarks.speed.paths import PATH_KEYS
from benchmarks.speed.processes import measure_processes
from benchmarks.speed.settings import BATCH_SIZES, DEFAULT_OUTPUT, FULL_SETTINGS, QUICK_SETTINGS
from benchmarks.speed.throughput import measure_throughput
from benchmarks.speed.timing import progress

MODULE = "benchmarks.training_speed"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, checked: bad input raises a one-line ValueError (see `main`).

    `arguments.output` is the file the report goes to (None: printed only),
    checked before anything is measured.
    """
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat: a smoke run")
    parser.add_argument(
        "--repeats", type=integer(), help="repeats of every figure (default 3; 1 quick)"
    )
    parser.add_argument(
        "--min-seconds", type=number(), help="least time per figure (default 1.0; finite)"
    )
    parser.add_argument(
        "--output", help=f"Markdown file to write (default {DEFAULT_OUTPUT}; none with --quick)"
    )
    parser.add_argument("--skip-processes", action="store_true", help="skip the whole-process runs")
    parser.add_argument(
        "--paths",
        type=choice_list(PATH_KEYS),
        help="comma-separated path keys to time (default all; then nothing is written "
        "without --output), e.g. kerasclf,sklearn",
    )
    parser.add_argument(
        "--batch-sizes",
        type=integer_list(allowed=BATCH_SIZES),
        help="comma-separated batch sizes out of 1,32,1024 (default all)",
    )
    arguments = parser.parse_args(argv)
    subset = arguments.paths is not None or arguments.batch_sizes is not None
    if arguments.output is None and not (arguments.quick or subset):
        arguments.output = DEFAULT_OUTPUT
    if arguments.output is not None:
        check_markdown_output("--output", arguments.output)
    return arguments


def main(argv: list[str] | None = None) -> None:
    """Times the in-process paths, then the whole processes; prints and writes the report."""
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    settings = QUICK_SETTINGS if arguments.quick else FULL_SETTINGS
    if arguments.repeats is not None:
        settings = dataclasses.replace(
            settings, repeats=arguments.repeats, process_repeats=arguments.repeats
        )
    if arguments.min_seconds is not None:
        settings = dataclasses.replace(settings, min_seconds=arguments.min_seconds)
    output = arguments.output
    command = " ".join(["python -m benchmarks.training_speed", *(argv or sys.argv[1:])]).strip()

    load_before = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kerasclf-bench-") as workdir:
        throughput, failures = measure_throughput(
            settings,
            os.path.join(workdir, "runs"),
            arguments.paths,
            arguments.batch_sizes or BATCH_SIZES,
        )
        processes = {} if arguments.skip_processes else measure_processes(settings, workdir)
    wall_seconds = time.perf_counter() - started
    machine = machine_description(load_before, os.getloadavg())

    text = training_speed_report(
        command, settings, throughput, failures, processes, machine, wall_seconds
    )
    print(text)
    if output:
        write_section(output, text)
        progress(f"wrote the Training speed section of {output}")


if __name__ == "__main__":
    main()
