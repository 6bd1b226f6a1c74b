"""The error surface's memory on a large network: one run with it, one without, side by side.

The run is `experiments.overfitting`'s first (`plain`): a 1296-512-512-5
MLP, about 930,000 weights, 60 epochs of Adam on 200 font images. The
error surface (`ErrorSurfaceLogger`, a `LandscapeSurface` for a model this
size) records the weights at every epoch and, when training ends, takes the
path's two principal directions and the cost on the plane they span. Each
run is a fresh process (`kerasclf.train`, all other default callbacks on);
its peak resident memory is `getrusage(RUSAGE_CHILDREN).ru_maxrss`, read by
this process after it ends. The two variants take turns, repeat after repeat.

Run it (about 1.5 minutes on 2 cores with the defaults):

    python -m benchmarks.surface_memory [--repeats 1] [--epochs 60]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile

from benchmarks.arguments import BenchmarkParser, integer, parse_or_exit
from benchmarks.experiments_memory import measure

MODULE = "benchmarks.surface_memory"

# One run in a child process: experiments.overfitting's settings, and the variant's.
RUN = """\
import io, json, sys
import kerasclf
from experiments.overfitting import COMMON
settings = {**COMMON, **json.loads(sys.argv[1])}
kerasclf.train(logdir=sys.argv[2], stream=io.StringIO(), **settings)
"""

VARIANTS = {
    "error surface on (the default)": {},
    "error surface off": {"callbacks_off": ["surface"]},
}


def peak_mib(settings: dict, logdir: str) -> float:
    """Peak resident memory of one run in a fresh process, MiB."""
    peak, _ = measure([sys.executable, "-c", RUN, json.dumps(settings), logdir])
    return peak


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument(
        "--repeats", type=integer(), default=1, help="runs of each variant, in turns"
    )
    parser.add_argument("--epochs", type=integer(), default=60, help="epochs of each run")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    peaks: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for repeat in range(arguments.repeats):
        for name, settings in VARIANTS.items():
            with tempfile.TemporaryDirectory() as logdir:
                peaks[name].append(peak_mib({**settings, "epochs": arguments.epochs}, logdir))
            print(f"repeat {repeat + 1}: {name}: {peaks[name][-1]:.0f} MiB", flush=True)
    print(
        f"\noverfitting's `plain` run, {arguments.epochs} epochs, median of {arguments.repeats}:\n"
    )
    print(f"| {'run':<30} | peak MiB |")
    print(f"| {'-' * 30} | -------- |")
    medians = {name: statistics.median(values) for name, values in peaks.items()}
    for name, median in medians.items():
        print(f"| {name:<30} | {median:8.0f} |")
    on, off = medians.values()
    print(f"\nthe error surface's share: {on - off:.0f} MiB ({on / off:.2f}x the run without it)")


if __name__ == "__main__":
    main()
