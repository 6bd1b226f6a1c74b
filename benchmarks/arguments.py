"""The `--repeats` argument of the side-by-side benchmarks."""

from __future__ import annotations

import argparse


def parse_repeats(description: str, default: int, argv=None) -> int:
    """`--repeats` from `argv`: how many interleaved measurements of each variant.

    Exits 2 with a one-line message for fewer than 1.

    Example:
        >>> parse_repeats("A benchmark.", 7, ["--repeats", "3"])
        3
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--repeats", type=int, default=default, help="measurements of each variant, interleaved"
    )
    arguments = parser.parse_args(argv)
    if arguments.repeats < 1:
        parser.error(f"--repeats must be at least 1. Received: {arguments.repeats}.")
    return arguments.repeats
