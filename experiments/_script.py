"""What every experiment script's command line shares, with no TensorFlow to load.

`parse_arguments` reads `--quick` (or `KERASCLF_QUICK=1`) and `--logdir`;
`main_guard` turns bad input into one line and exit status 2; `run_sequence`
runs scripts one after the other (`day1`, `day2`, `day3`, `all`), each in a
process of its own, so that a sequence of every experiment never holds more
memory than its largest one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from kerasclf.cli.tensorboard_command import tensorboard_command
from kerasclf.run.directory import EXIT_INTERRUPTED, check_logdir
from kerasclf.validation import did_you_mean

QUICK_ENVIRONMENT_VARIABLE = "KERASCLF_QUICK"


class _ExperimentParser(argparse.ArgumentParser):
    """argparse whose errors are one-line ValueErrors (exit status 2 by `main_guard`)."""

    def error(self, message: str):
        raise ValueError(f"{message}. See `{self.prog} --help`.")


def parse_arguments(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    """`--quick` and `--logdir`, shared by every experiment script.

    Raises:
        ValueError: for an unknown option (naming the closest) or an unusable logdir.
    """
    main_module = getattr(sys.modules["__main__"], "__spec__", None)
    module_name = "" if main_module is None else main_module.name
    parser = _ExperimentParser(
        # As the student ran it: `python -m experiments.step_size --help`.
        prog=f"python -m {module_name}" if "experiments." in module_name else None,
        description=description.strip().splitlines()[0],
    )
    quick = parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: fewer epochs, less data, most without images "
        f"({QUICK_ENVIRONMENT_VARIABLE}=1 too)",
    )
    logdir = parser.add_argument("--logdir", default="logs", help="parent of logs/<experiment>/")
    arguments, unknown = parser.parse_known_args(argv)
    if unknown:
        first = next((argument for argument in unknown if argument.startswith("-")), unknown[0])
        options = [*quick.option_strings, *logdir.option_strings, "--help"]
        raise ValueError(
            f"unknown argument {first!r}.{did_you_mean(first.split('=', 1)[0], options)} "
            f"See `{parser.prog} --help`."
        )
    from_environment = quick_from_environment()  # Checked even where --quick is given.
    arguments.quick = arguments.quick or from_environment
    check_logdir(arguments.logdir)
    return arguments


def quick_from_environment() -> bool:
    """Whether `KERASCLF_QUICK` asks for a smoke run: 1 yes; 0, empty or unset no.

    Raises:
        ValueError: for another value, which would otherwise start the full
            runs (hours for `all`) where a smoke run was meant.

    Example:
        >>> os.environ[QUICK_ENVIRONMENT_VARIABLE] = "yes"
        >>> quick_from_environment()
        Traceback (most recent call last):
        ...
        ValueError: KERASCLF_QUICK must be 1 (a smoke run) or 0. Received: KERASCLF_QUICK='yes'. Did you mean '1'?
        >>> del os.environ[QUICK_ENVIRONMENT_VARIABLE]
    """  # noqa: E501
    value = os.environ.get(QUICK_ENVIRONMENT_VARIABLE, "").strip()
    if value not in ("", "0", "1"):
        meant = "1" if value.lower() in ("true", "yes", "on", "y", "t") else None
        hint = f" Did you mean {meant!r}?" if meant else ""
        raise ValueError(
            f"{QUICK_ENVIRONMENT_VARIABLE} must be 1 (a smoke run) or 0. Received: "
            f"{QUICK_ENVIRONMENT_VARIABLE}={value!r}.{hint}"
        )
    return value == "1"


def run_sequence(names: list[str], arguments: argparse.Namespace) -> dict[str, float]:
    """Runs experiments one after the other, each in its own process, then prints their times.

    A process of its own gives each experiment's memory back when it ends:
    TensorFlow keeps about 7 MB of every model it has compiled for as long as
    the process lives (stock `fit` too), which over all three days' runs in
    one process added up to gigabytes (`benchmarks/experiments_memory.py`).

    Args:
        names: Experiment module names, e.g. `["fonts", "optimizers"]`.
        arguments: The parsed `--quick` and `--logdir`, passed on to each.

    Returns:
        The wall seconds of each experiment, by name.

    Raises:
        SystemExit: with an experiment's exit status, if it failed; the
            experiments after it do not run.
    """
    forwarded = ["--logdir", arguments.logdir] + (["--quick"] if arguments.quick else [])
    started = time.perf_counter()
    timings = {}
    for name in names:
        print(f"=== {name} ===", flush=True)
        began = time.perf_counter()
        status = run_in_child_process(f"{__package__}.{name}", forwarded)
        if status != 0:
            ended = "was interrupted" if status == EXIT_INTERRUPTED else "failed"
            print(f"{name} {ended} (exit status {status}); the ones after it did not run",
                  file=sys.stderr)  # fmt: skip
            raise SystemExit(status)
        timings[name] = time.perf_counter() - began
    for name, seconds in timings.items():
        print(f"{name:<20} {seconds:7.1f} s")
    print(
        f"{'all':<20} {time.perf_counter() - started:7.1f} s; "
        f"open the logs with: {tensorboard_command(arguments.logdir)}"
    )
    return timings


def run_in_child_process(module: str, argv: list[str]) -> int:
    """Runs `python -m module *argv` with this interpreter; returns its exit status.

    The child finds `module` where this process found it (its folder goes
    first on PYTHONPATH). On Ctrl-C, which the child gets too, this waits for
    the child to save its run and returns its status (130, interrupted).

    Example:
        >>> run_in_child_process("experiments.hand_line", ["--help"])  # doctest: +SKIP
        0
    """
    package = sys.modules[module.partition(".")[0]]
    root = os.path.dirname(os.path.dirname(os.path.abspath(package.__file__)))
    search_path = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(search_path)}
    with subprocess.Popen([sys.executable, "-m", module, *argv], env=environment) as child:
        try:
            return child.wait()
        except KeyboardInterrupt:  # A second Ctrl-C while the child saves stops waiting.
            return child.wait()


def main_guard(main) -> None:
    """Runs an experiment's `main()`: bad input is exit status 2, Ctrl-C 130, in one line each."""
    try:
        main()
    except (ValueError, TypeError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted: the runs so far are saved; no other run started", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
