"""Every experiment of the Day-1 seminar, one after the other.

What it does: runs hand_line, gradient_descent, batch_size, step_size,
momentum, initialization and nonlinear, so that a teacher can produce all the
TensorBoard logs before class with one command, then open them with
`.venv/bin/tensorboard --logdir logs --samples_per_plugin images=1000`.

Run it:

    python -m experiments.all [--quick]
"""

import importlib
import time

from ._experiment import main_guard, parse_arguments
from kerasclf.cli.main import tensorboard_command

# Settings: the order of the slides.
EXPERIMENTS = [
    "hand_line",
    "gradient_descent",
    "batch_size",
    "step_size",
    "momentum",
    "initialization",
    "nonlinear",
]


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    forwarded = ["--logdir", arguments.logdir] + (["--quick"] if arguments.quick else [])
    started = time.perf_counter()
    timings = {}
    for name in EXPERIMENTS:
        print(f"=== {name} ===", flush=True)
        began = time.perf_counter()
        importlib.import_module(f"experiments.{name}").main(forwarded)
        timings[name] = time.perf_counter() - began
    for name, seconds in timings.items():
        print(f"{name:<18} {seconds:7.1f} s")
    print(
        f"{'all':<18} {time.perf_counter() - started:7.1f} s; "
        f"open the logs with: {tensorboard_command(arguments.logdir)}"
    )
    return timings


if __name__ == "__main__":
    main_guard(main)
