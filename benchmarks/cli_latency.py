"""How fast the CLI answers when it does not train.

Measures, side by side in one run, the wall time of whole processes:

- `python -c "import tensorflow"`, the reference: what every command paid
  before the CLI loaded TensorFlow lazily;
- `kerasclf --help`, `kerasclf train --help`, `kerasclf presets`, `datasets`
  and `experiments`;
- three kinds of bad input: a mistyped flag, a value out of range and a data
  file that does not exist.

The processes run interleaved, several repeats each, so that machine noise
hits every command alike. It prints each command's median and its ratio to
the median of `import tensorflow`. The target is at most 0.2x.

Run it:

    python -m benchmarks.cli_latency [--repeats 7] [--write]

`--write` also replaces the "CLI latency" section of BENCHMARKS.md.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from benchmarks.arguments import BenchmarkParser, check_markdown_output, integer, parse_or_exit

# benchmarks.report, which imports TensorFlow, is imported once the flags are checked.
MODULE = "benchmarks.cli_latency"
OUTPUT = "BENCHMARKS.md"

REFERENCE = "python -c 'import tensorflow'"
TARGET_RATIO = 0.2
# Each command's arguments after `kerasclf`, by the name the table shows.
COMMANDS = {
    "kerasclf --help": ["--help"],
    "kerasclf train --help": ["train", "--help"],
    "kerasclf presets": ["presets"],
    "kerasclf datasets": ["datasets"],
    "kerasclf experiments": ["experiments"],
    "kerasclf train --epoch 3 (typo)": ["train", "--epoch", "3"],
    "kerasclf train --epochs 0 (range)": ["train", "--epochs", "0"],
    "kerasclf train --data missing.csv": ["train", "--data", "missing.csv"],
}


def time_process(command: list[str]) -> float:
    """Wall seconds of one process, its output discarded."""
    started = time.perf_counter()
    subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        check=False,
    )
    return time.perf_counter() - started


def measure(repeats: int) -> dict[str, list[float]]:
    """Every command's wall seconds, `repeats` times, interleaved."""
    commands = {REFERENCE: [sys.executable, "-c", "import tensorflow"]}
    for name, arguments in COMMANDS.items():
        commands[name] = [sys.executable, "-m", "kerasclf.cli.main", *arguments]
    seconds = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            seconds[name].append(time_process(command))
    return seconds


def report(seconds: dict[str, list[float]], repeats: int) -> str:
    """The Markdown section: medians, ratios to the reference and the target."""
    import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
    from benchmarks.report import format_table

    reference = statistics.median(seconds[REFERENCE])
    rows = []
    for name, values in seconds.items():
        ratio = statistics.median(values) / reference
        verdict = "" if name == REFERENCE else ("yes" if ratio <= TARGET_RATIO else "NO")
        rows.append([name, f"{statistics.median(values):.3f}", f"{ratio:.3f}x", verdict])
    table = format_table(["command", "median s", f"ratio to {REFERENCE}", "≤ 0.2x"], rows)
    return (
        "# CLI latency\n\n"
        f"Whole processes, median of {repeats} interleaved repeats, measured by "
        "`python -m benchmarks.cli_latency`. The commands that do not train import no "
        "TensorFlow (tested in `tests/test_cli_startup.py`); the target is at most "
        f"{TARGET_RATIO}x `import tensorflow`.\n\n{table}\n"
    )


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument("--repeats", type=integer(), default=7, help="runs of each command")
    parser.add_argument("--write", action="store_true", help=f"update {OUTPUT}")
    arguments = parser.parse_args(argv)
    if arguments.write:
        check_markdown_output("--write", OUTPUT)
    return arguments


def main(argv=None) -> str:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    text = report(measure(arguments.repeats), arguments.repeats)
    print(text)
    if arguments.write:
        from benchmarks.report import write_section

        write_section(OUTPUT, text)
    return text


if __name__ == "__main__":
    main()
