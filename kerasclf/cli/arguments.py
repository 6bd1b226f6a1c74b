"""The command line's own argument checks, before argparse's: one line for each mistake.

`CommandParser` is argparse that raises `UsageError` (one line, exit status 2)
instead of printing usage, reads -5e-1 and -1,1 as values, and records its
options and commands. The checks name the closest command or option for a
typo, refuse options before the command and an option given twice.

Example:
    >>> parser = CommandParser(prog="kerasclf")
    >>> _ = parser.add_subparsers(dest="command").add_parser("train")
    >>> check_command(parser, ["trian"])
    Traceback (most recent call last):
    ...
    kerasclf.cli.arguments.UsageError: unknown command 'trian'. Did you mean 'train'? Commands: train. See `kerasclf --help`.
"""  # noqa: E501

from __future__ import annotations

import argparse
import re

from kerasclf.key_synonyms import KEY_SYNONYMS
from kerasclf.validation import did_you_mean


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


# A value that starts with "-" is a negative number, not an option, when it
# matches this: -3, -0.5, -5e-1, -1E3, -inf, or a list that starts with one,
# such as --class-weight -1,1. (argparse's own pattern, on Python 3.11, takes
# "-5e-1" and "-1,1" for options.)
_NUMBER = r"(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|nan"
NEGATIVE_NUMBER = re.compile(rf"^-({_NUMBER})(,[-+]?({_NUMBER}))*$", re.IGNORECASE)
EXPECTED_ONE_ARGUMENT = re.compile(r"argument (\S+): expected one argument")


class CommandParser(argparse.ArgumentParser):
    """argparse that raises one-line errors, reads -5e-1 as a number, and lists its options.

    `option_strings` and `commands` record what `add_argument` and
    `add_subparsers` made, so that the checks below need not read argparse's
    private `_actions`.
    """

    def __init__(self, *args, **kwargs):
        self.option_strings: list[str] = []
        self.positionals: list[str] = []  # Each positional argument's name in the usage.
        self.commands: dict[str, argparse.ArgumentParser] = {}
        super().__init__(*args, **kwargs)
        # argparse has no public setting for what a negative number looks like.
        self._negative_number_matcher = NEGATIVE_NUMBER

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        self.option_strings.extend(action.option_strings)
        if not action.option_strings:
            self.positionals.append(action.metavar or action.dest.upper())
        return action

    def add_subparsers(self, **kwargs):
        action = super().add_subparsers(**kwargs)
        self.commands = action.choices  # The dict that add_parser fills.
        return action

    def error(self, message: str):
        missing = EXPECTED_ONE_ARGUMENT.fullmatch(message)
        if missing:  # argparse's words for "--run-name -x", or a flag last on the line.
            flag = missing.group(1).split("/")[-1]
            message = (
                f"`{flag}` needs a value and none followed it (a value that begins with '-' "
                f"is written {flag}=-VALUE)"
            )
        raise UsageError(f"{message}. See `{self.prog} --help`.")


def check_command(parser: CommandParser, argv: list[str]) -> None:
    """Refuses an unknown command, naming the closest one, and options before a command."""
    commands = parser.commands
    if not argv or argv[0] in commands or argv[0] in ("-h", "--help"):
        return
    if argv[0].startswith("-"):
        raise UsageError(
            f"unknown option {argv[0]!r}; options go after a command: "
            f"{', '.join(commands)}. See `{parser.prog} --help`."
        )
    raise UsageError(
        f"unknown command {argv[0]!r}.{did_you_mean(argv[0], commands)} Commands: "
        f"{', '.join(commands)}. See `{parser.prog} --help`."
    )


def check_options(parser: CommandParser, argv: list[str]) -> None:
    """Refuses an option the command does not take, before argparse's other errors.

    (A mistyped required option would otherwise be reported as missing.)
    """
    commands = parser.commands
    command = next((arg for arg in argv if arg in commands), None)
    if command is None:
        return
    rest = argv[argv.index(command) + 1 :]
    unknown = [
        arg
        for arg in rest
        if arg.startswith("--") and arg.split("=", 1)[0] not in commands[command].option_strings
    ]
    if unknown:
        raise unknown_arguments_error(parser, command, unknown)
    _check_given_once(commands[command], rest)


def _check_given_once(subparser: CommandParser, arguments: list[str]) -> None:
    """Refuses an option given twice: argparse would keep the last one, unsaid."""
    values: dict[str, list[str | None]] = {}
    for index, argument in enumerate(arguments):
        flag, equals, value = argument.partition("=")
        if flag not in subparser.option_strings or flag in ("-h", "--help"):
            continue
        if not equals:  # None: an on/off flag given alone; '' is a value given empty.
            following = arguments[index + 1 : index + 2]
            value = following[0] if following and not following[0].startswith("--") else None
        values.setdefault(flag, []).append(value)
    for flag, given in values.items():
        if len(given) > 1:
            shown_values = " and ".join(repr(value) for value in given if value is not None)
            raise UsageError(
                f"`{flag}` is given {len(given)} times{': ' + shown_values if shown_values else ''}"
                f"; give it once. See `{subparser.prog} --help`."
            )


def unknown_arguments_error(parser: CommandParser, command: str, unknown: list[str]):
    """One line about the first argument the command does not take."""
    subparser = parser.commands[command]
    first = next((arg for arg in unknown if arg.startswith("-")), unknown[0])
    dashes = re.match(r"[\u2010-\u2015\u2212]+", first)  # A dash a word processor made.
    if dashes is not None:
        meant = "--" + first[dashes.end() :].split("=", 1)[0]
        return UsageError(
            f"unexpected argument {first!r}: its dash is not a hyphen-minus."
            f"{did_you_mean(meant, subparser.option_strings, KEY_SYNONYMS)} Type options "
            f"with two '-'. See `{subparser.prog} --help`."
        )
    if not first.startswith("-"):
        positionals = getattr(subparser, "positionals", [])
        takes = f"one {' and '.join(positionals)} and options" if positionals else "only options"
        return UsageError(
            f"unexpected argument {first!r}: `{subparser.prog}` takes {takes}. "
            f"See `{subparser.prog} --help`."
        )
    flag = first.split("=", 1)[0]
    if flag == "--":
        return UsageError(
            f"unexpected '--': `{subparser.prog}` reads no arguments after options end. "
            f"Remove it. See `{subparser.prog} --help`."
        )
    valid = subparser.option_strings
    return UsageError(
        f"unknown option {flag!r} for `{subparser.prog}`."
        f"{did_you_mean(flag, valid, KEY_SYNONYMS)} "
        f"See `{subparser.prog} --help`."
    )
