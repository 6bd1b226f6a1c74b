"""What the decision-boundary images cost a default run.

Measures, side by side in one run, the wall time of the default 100-epoch
seminar run (`kerasclf train`) as a whole process:

- with a decision-boundary image every epoch (`--boundary-every 1`) and the
  other defaults (error surface every 10 epochs);
- with no image callbacks at all (`--images false`);
- with the default image cadence (`--boundary-every 5`).

It runs several repeats of each, interleaved so that machine noise hits every
variant alike, and prints each variant's median and fastest run, every run's
time, and the ratio to the run without images: the median of the per-repeat
ratios and the ratio of the fastest runs (a whole process varies by a second
on a shared machine; the fastest run is the least disturbed). The target is
at most 1.25x for images every epoch.

With `--in-process` it times `kerasclf.train` calls in this one process
instead, after an untimed warm-up run of each variant: the images' cost per
run without the second-long jitter of starting Python and TensorFlow, and
without the one-time costs (importing matplotlib, compiling) that a whole
process also pays.

Run it:

    python -m benchmarks.image_cost [--repeats 5] [--in-process]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

# The settings each variant changes from the defaults.
VARIANTS = {
    "no images (--images false)": {"images": False},
    "boundary every epoch (--boundary-every 1)": {"boundary_every": 1},
    "default images (boundary every 5, surface every 10)": {},
}


def command_line_flags(settings: dict) -> list[str]:
    """`{"boundary_every": 1}` as `["--boundary-every", "1"]`."""
    flags = []
    for key, value in settings.items():
        flags += ["--" + key.replace("_", "-"), str(value).lower()]
    return flags


def time_process(settings: dict, logdir: str) -> float:
    """Wall seconds of one `kerasclf train` process."""
    command = [sys.executable, "-m", "kerasclf.cli", "train", "--logdir", logdir]
    started = time.perf_counter()
    subprocess.run(
        command + command_line_flags(settings),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return time.perf_counter() - started


def time_in_process(settings: dict, logdir: str) -> float:
    """Wall seconds of one `kerasclf.train` call, in this process."""
    import kerasclf

    started = time.perf_counter()
    kerasclf.train(logdir=logdir, stream=io.StringIO(), **settings)
    return time.perf_counter() - started


def main(argv=None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each variant")
    parser.add_argument(
        "--in-process", action="store_true", help="time kerasclf.train calls in this process"
    )
    arguments = parser.parse_args(argv)
    seconds = {name: [] for name in VARIANTS}
    time_run = time_in_process if arguments.in_process else time_process
    with tempfile.TemporaryDirectory() as logdir:
        if arguments.in_process:
            for settings in VARIANTS.values():
                time_run(settings, logdir)  # Warm-up: imports, first traces.
        for _ in range(arguments.repeats):
            for name, settings in VARIANTS.items():
                seconds[name].append(time_run(settings, logdir))
    baseline_name = next(iter(VARIANTS))
    where = "kerasclf.train in one process" if arguments.in_process else "whole process"
    print(f"Default 100-epoch seminar run, {where}, {arguments.repeats} repeats:")
    print(f"  {'':<52} {'median':>7} {'fastest':>8} {'ratio':>7} {'fastest':>8}   all s")
    medians = {}
    for name, values in seconds.items():
        medians[name] = statistics.median(values)
        ratios = [value / base for value, base in zip(values, seconds[baseline_name])]
        print(
            f"  {name:<52} {medians[name]:6.2f}s {min(values):7.2f}s "
            f"x{statistics.median(ratios):.3f} x{min(values) / min(seconds[baseline_name]):.3f}   "
            + ", ".join(f"{value:.2f}" for value in values)
        )
    return medians


if __name__ == "__main__":
    main()
