"""The command line every benchmark shares: bad input is one line and exit status 2.

`BenchmarkParser` is argparse whose errors are one-line ValueErrors naming
the closest option or choice for a typo; the type functions (`integer`,
`number`, `integer_list`, `choice`, `choice_list`) check a flag's value as
it is parsed; `check_markdown_output` checks a report's `--output` before
anything is measured; `parse_or_exit` turns a ValueError or TypeError from
any of these into `python -m benchmarks.NAME: error: ...` on stderr and exit
status 2, with no traceback. No TensorFlow is imported here.

Example:
    >>> parser = BenchmarkParser("benchmarks.example", "An example.")
    >>> _ = parser.add_argument("--repeats", type=integer(), default=3)
    >>> parser.parse_args(["--repeats", "5"]).repeats
    5
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterable
from typing import TypeVar

from kerasclf.validation import MAX_INTEGER, did_you_mean, shown

Parsed = TypeVar("Parsed")


class BenchmarkParser(argparse.ArgumentParser):
    """argparse whose errors are one-line ValueErrors; `parse_or_exit` prints them, exit 2.

    Args:
        module: The benchmark's module, e.g. `"benchmarks.day2_speed"`: its
            program name is `python -m benchmarks.day2_speed`, as it is run.
        description: The script's docstring; its first line is the description.

    Example:
        >>> parser = BenchmarkParser("benchmarks.example", "An example.")
        >>> _ = parser.add_argument("--quick", action="store_true")
        >>> parser.parse_args(["--quik"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: unrecognized argument '--quik'. Did you mean '--quick'? Options: ...
    """

    def __init__(self, module: str, description: str, **kwargs):
        kwargs.setdefault("allow_abbrev", False)  # `--epoch` is a typo of `--epochs`, said so.
        super().__init__(
            prog=f"python -m {module}", description=description.strip().splitlines()[0], **kwargs
        )

    def error(self, message: str):
        """Raises the message as a ValueError, on one line (argparse would print and exit)."""
        raise ValueError(" ".join(str(message).split()))

    def parse_args(self, args=None, namespace=None) -> argparse.Namespace:
        """argparse's `parse_args`, with the closest option named for an unrecognized one."""
        arguments, extras = self.parse_known_args(args, namespace)
        if extras:
            first = extras[0]
            options = self.option_names()
            suggestion = did_you_mean(first.split("=", 1)[0], options)
            self.error(
                f"unrecognized argument {shown(first)}.{suggestion} Options: {', '.join(options)}."
            )
        return arguments

    def option_names(self) -> list[str]:
        """The longest name of each visible option, `--help` last."""
        names = [
            max(action.option_strings, key=len)
            for action in self._actions
            if action.option_strings and action.help != argparse.SUPPRESS
        ]
        return [name for name in names if name != "--help"] + ["--help"]


def parse_or_exit(
    module: str, parse: Callable[[list[str] | None], Parsed], argv: list[str] | None
) -> Parsed:
    """`parse(argv)`; bad input (ValueError, TypeError) is one line on stderr and exit status 2.

    Example:
        >>> parse_or_exit("benchmarks.example", lambda argv: len(argv), ["--quick"])
        1
    """
    try:
        return parse(argv)
    except (ValueError, TypeError) as error:
        print(f"python -m {module}: error: {' '.join(str(error).split())}", file=sys.stderr)
        raise SystemExit(2) from None


def integer(minimum: int = 1, maximum: int = MAX_INTEGER) -> Callable[[str], int]:
    """A type function: an integer in [`minimum`, `maximum`].

    Example:
        >>> integer(minimum=2)("3")
        3
    """

    def parse(text: str) -> int:
        expected = f"an integer >= {minimum}" + (
            f" and <= {maximum}" if maximum < MAX_INTEGER else ""
        )
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be {expected}. Received: {shown(text)}.")
        return value

    parse.__name__ = "integer"
    return parse


def number(
    low: float = 0.0, high: float = math.inf, low_inclusive: bool = False, high_inclusive=False
) -> Callable[[str], float]:
    """A type function: a finite number between `low` and `high` (by default: positive).

    Example:
        >>> number()("0.5")
        0.5
    """
    left, right = "[" if low_inclusive else "(", "]" if high_inclusive else ")"
    expected = f"a finite number in {left}{low:g}, {high:g}{right}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        above = value >= low if low_inclusive else value > low
        below = value <= high if high_inclusive else value < high
        if not (math.isfinite(value) and above and below):
            raise argparse.ArgumentTypeError(f"must be {expected}. Received: {shown(text)}.")
        return value

    parse.__name__ = "number"
    return parse


def integer_list(
    minimum: int = 1, allowed: Iterable[int] | None = None
) -> Callable[[str], list[int]]:
    """A type function: comma-separated integers >= `minimum`, each one of `allowed` if given.

    Example:
        >>> integer_list(allowed=(1, 32, 1024))("32,1024")
        [32, 1024]
    """
    allowed = None if allowed is None else tuple(allowed)
    if allowed is None:
        expected = f"comma-separated integers >= {minimum}, e.g. 32,128"
    else:
        expected = f"comma-separated integers out of {','.join(map(str, allowed))}"

    def parse(text: str) -> list[int]:
        values = []
        for item in text.split(","):
            try:
                value = int(item)
            except ValueError:
                value = None
            if (
                value is None
                or value < minimum
                or value > MAX_INTEGER
                or (allowed is not None and value not in allowed)
            ):
                raise argparse.ArgumentTypeError(
                    f"must be {expected}. Received: {shown(text)} (bad item: {shown(item)})."
                )
            values.append(value)
        return values

    parse.__name__ = "integer list"
    return parse


def choice(names: Iterable[str]) -> Callable[[str], str]:
    """A type function: one of `names`, the closest named for a typo.

    Example:
        >>> choice(["day1", "all"])("day1")
        'day1'
    """
    names = tuple(names)

    def parse(text: str) -> str:
        if text not in names:
            raise argparse.ArgumentTypeError(
                f"must be one of {', '.join(map(repr, names))}. "
                f"Received: {shown(text)}.{did_you_mean(text, names)}"
            )
        return text

    parse.__name__ = "choice"
    return parse


def choice_list(names: Iterable[str]) -> Callable[[str], list[str]]:
    """A type function: comma-separated names out of `names`, the closest named for a typo.

    Example:
        >>> choice_list(["cnn", "mlp", "logistic"])("cnn, mlp")
        ['cnn', 'mlp']
    """
    names = tuple(names)

    def parse(text: str) -> list[str]:
        values = [item.strip() for item in text.split(",")]
        for item in values:
            if item not in names:
                raise argparse.ArgumentTypeError(
                    f"must be comma-separated names out of {', '.join(names)}. "
                    f"Received: {shown(text)} (unknown: {shown(item)}).{did_you_mean(item, names)}"
                )
        return values

    parse.__name__ = "choice list"
    return parse


def check_markdown_output(option: str, path: str) -> str:
    """Returns `path` if a report can be written there as a section, else raises ValueError.

    `benchmarks.report.write_section` rewrites the whole file, keeping its
    other `# ` sections, so the file must be Markdown (`.md`) made of such
    sections (or new, or empty), in a folder that exists and can be written.

    Example:
        >>> check_markdown_output("--output", "new-report.md")
        'new-report.md'
    """

    def refuse(problem: str):
        raise ValueError(
            f"{option}: {problem}. Received: {path!r}. Expected a Markdown file (.md), "
            "new or made of '# ' sections (a benchmark report), in a writable folder."
        )

    if os.path.isdir(path):
        refuse("a directory")
    if not path.lower().endswith(".md"):
        refuse("not a Markdown file name (no .md)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        refuse("its folder does not exist" if not os.path.exists(folder) else "under a file")
    if not os.path.exists(path):
        if not os.access(folder, os.W_OK | os.X_OK):
            refuse("its folder cannot be written to")
        return path
    if not os.path.isfile(path) or not os.access(path, os.R_OK | os.W_OK):
        refuse("not a file that can be read and written")
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        refuse("not readable as text")
    if text.strip() and not text.startswith("# "):
        refuse("it does not start with a '# ' section title, so it is no benchmark report")
    return path


def parse_repeats(module: str, description: str, default: int, argv=None) -> int:
    """`--repeats` from `argv`: how many interleaved measurements of each variant.

    Bad input (an unknown flag, fewer than 1) is one line and exit status 2.

    Example:
        >>> parse_repeats("benchmarks.example", "A benchmark.", 7, ["--repeats", "3"])
        3
    """
    parser = BenchmarkParser(module, description)
    parser.add_argument(
        "--repeats",
        type=integer(),
        default=default,
        help="measurements of each variant, interleaved",
    )
    return parse_or_exit(module, parser.parse_args, argv).repeats
