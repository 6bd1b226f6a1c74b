"""A sequence of experiments: every one in one process, or each in a process of its own.

`python -m experiments.all` (and `day1`, `day2`, `day3`) runs its
experiments one after the other. TensorFlow keeps part of every model it has
compiled (its XLA programs, its functions) until the process ends, so in one
process the memory grows with every run. This script runs the same sequence
both ways, side by side, and reports for each:

- **peak MiB**: the peak resident memory of the largest process of the run
  (`getrusage(RUSAGE_CHILDREN).ru_maxrss` of a small process that waits for
  it: the sequence's parent or one of its experiments);
- **wall s**: the whole run, TensorFlow's imports included.

The variants take turns, repeat after repeat; logs go to a temporary folder.

Run it (about 7 minutes on 2 cores with the defaults, `--quick` runs of all 15 experiments):

    python -m benchmarks.experiments_memory [--sequence all] [--full] [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.arguments import BenchmarkParser, choice, integer, parse_or_exit

MODULE = "benchmarks.experiments_memory"
SEQUENCES = ("day1", "day2", "day3", "all")

# The sequence in one process, as `run_sequence` ran it before each experiment got its own.
ONE_PROCESS = """\
import importlib, sys
sequence, argv = sys.argv[1], sys.argv[2:]
for name in importlib.import_module(f"experiments.{sequence}").EXPERIMENTS:
    importlib.import_module(f"experiments.{name}").main(argv)
"""

# Runs a command, then prints the peak resident memory of its largest process, in KiB.
PEAK_OF_CHILDREN = """\
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def variants(sequence: str, argv: list[str]) -> dict[str, list[str]]:
    """The two ways to run `sequence`, as commands."""
    return {
        "one process (before)": [sys.executable, "-c", ONE_PROCESS, sequence, *argv],
        "a process each (now)": [sys.executable, "-m", f"experiments.{sequence}", *argv],
    }


def measure(command: list[str]) -> tuple[float, float]:
    """(peak MiB of the command's largest process, wall seconds)."""
    started = time.perf_counter()
    printed = subprocess.run(
        [sys.executable, "-c", PEAK_OF_CHILDREN, *command],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(printed.split()[-1]) / 1024, time.perf_counter() - started


def parse_arguments(argv=None) -> argparse.Namespace:
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument(
        "--sequence", type=choice(SEQUENCES), default="all", help=f"one of {', '.join(SEQUENCES)}"
    )
    parser.add_argument("--full", action="store_true", help="full runs, not --quick ones")
    parser.add_argument(
        "--repeats", type=integer(), default=1, help="runs of each variant, in turns"
    )
    return parser.parse_args(argv)


def main(argv=None) -> None:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as logdir:
        flags = ["--logdir", logdir] + ([] if arguments.full else ["--quick"])
        commands = variants(arguments.sequence, flags)
        for repeat in range(arguments.repeats):
            for name, command in commands.items():
                results.setdefault(name, []).append(measure(command))
                peak, wall = results[name][-1]
                print(f"repeat {repeat + 1}: {name}: {peak:.0f} MiB, {wall:.1f} s", flush=True)
    mode = "full" if arguments.full else "--quick"
    print(f"\nexperiments.{arguments.sequence} ({mode}), median of {arguments.repeats}:\n")
    print(f"| {'variant':<22} | peak MiB | wall s |")
    print(f"| {'-' * 22} | -------- | ------ |")
    medians = {}
    for name, measured in results.items():
        peak = statistics.median(peak for peak, _ in measured)
        wall = statistics.median(wall for _, wall in measured)
        medians[name] = (peak, wall)
        print(f"| {name:<22} | {peak:8.0f} | {wall:6.1f} |")
    (before_peak, before_wall), (now_peak, now_wall) = medians.values()
    print(f"\npeak memory, now / before: {now_peak / before_peak:.2f}x")
    print(f"wall time, now / before: {now_wall / before_wall:.2f}x")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
