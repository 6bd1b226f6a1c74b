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

Run it:

    python -m benchmarks.image_cost [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

VARIANTS = {
    "no images (--images false)": ["--images", "false"],
    "boundary every epoch (--boundary-every 1)": ["--boundary-every", "1"],
    "default images (boundary every 5, surface every 10)": [],
}


def time_process(arguments: list[str], logdir: str) -> float:
    """Wall seconds of one `kerasclf train` process."""
    command = [sys.executable, "-m", "kerasclf.cli", "train", "--logdir", logdir, *arguments]
    started = time.perf_counter()
    subprocess.run(
        command,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return time.perf_counter() - started


def main(argv=None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each variant")
    arguments = parser.parse_args(argv)
    seconds = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as logdir:
        for _ in range(arguments.repeats):
            for name, flags in VARIANTS.items():
                seconds[name].append(time_process(flags, logdir))
    baseline_name = next(iter(VARIANTS))
    print(f"Default 100-epoch seminar run, whole process, {arguments.repeats} repeats:")
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
