"""The `kerasclf generate` command: text from a trained character model.

    kerasclf generate --run RUN_DIR --prompt TEXT [--length N] [--temperature T] [--seed S]

It prints the prompt followed by the generated characters. `checked_settings`
checks the flags, the run directory and the prompt's characters without
TensorFlow, raising `ValueError` for bad input (the CLI prints one line and
exits with 2), so bad input answers at once; `kerasclf.cli.main` then loads
TensorFlow and `kerasclf.run.generation.generate_from_run`.
"""

from __future__ import annotations

import argparse

from kerasclf.run.config_fields import parse_integer, parse_number
from kerasclf.run.generation_checks import check_generation

DEFAULT_LENGTH = 200
DEFAULT_TEMPERATURE = 1.0
DEFAULT_SEED = 0


def add_generate_parser(commands) -> argparse.ArgumentParser:
    """Adds `generate` and its flags to the CLI's subcommands (`add_subparsers()`'s action)."""
    generate = commands.add_parser(
        "generate",
        help="continue a prompt with a trained character model's text",
        allow_abbrev=False,
    )
    generate.add_argument("--run", required=True, help="run directory of a character model")
    generate.add_argument(
        "--prompt", required=True, help="the text to continue, of the run's characters"
    )
    generate.add_argument("--length", help=f"characters to generate (default: {DEFAULT_LENGTH})")
    generate.add_argument(
        "--temperature",
        help=f"T >= 0: 1 samples the model's probabilities, lower is surer, 0 takes the "
        f"most probable character every time (default: {DEFAULT_TEMPERATURE:g})",
    )
    generate.add_argument("--seed", help=f"seed of the draws (default: {DEFAULT_SEED})")
    return generate


def parsed_number(name: str, text: str | None, default, kind):
    """The flag's text as `kind` (int or float), or `default` when it was not given.

    Example:
        >>> parsed_number("length", "50", 200, int), parsed_number("seed", None, 0, int)
        (50, 0)
    """
    if text is None:
        return default
    parse = parse_integer if kind is int else parse_number
    return parse(name, text, from_text=True)  # As `train` reads its flags: 1e8 is an integer.


def checked_settings(arguments: argparse.Namespace) -> dict:
    """The flags as `generate_from_run`'s arguments, all checked without TensorFlow.

    Raises:
        ValueError: one line, for a flag that is not a number, a run directory
            without a model or a vocabulary, a prompt with characters outside
            the vocabulary, or a number out of range.
    """
    length = parsed_number("length", arguments.length, DEFAULT_LENGTH, int)
    temperature = parsed_number("temperature", arguments.temperature, DEFAULT_TEMPERATURE, float)
    seed = parsed_number("seed", arguments.seed, DEFAULT_SEED, int)
    check_generation(arguments.run, arguments.prompt, length, temperature, seed)
    return {
        "run_dir": arguments.run,
        "prompt": arguments.prompt,
        "length": length,
        "temperature": temperature,
        "seed": seed,
    }
