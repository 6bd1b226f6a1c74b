"""The `kerasclf` command line.

    kerasclf train [--key value ...] [--config FILE.toml] [--json]
    kerasclf evaluate --weights W1 W2 --bias B [--dataset NAME | --data FILE] [--json]
    kerasclf evaluate --run RUN_DIR --data FILE [--json]
    kerasclf predict --run RUN_DIR --data FILE.csv [--out FILE.csv]
    kerasclf generate --run RUN_DIR --prompt TEXT [--length N] [--temperature T] [--seed S]
    kerasclf datasets | presets | experiments

Bad input exits with status 2 and one line on stderr, before anything is
trained or written. A diverged run exits with 3, an interrupted one with 130.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import shlex
import signal
import sys
from typing import Any

from kerasclf.run import config as config_module
from kerasclf.run.config_making import checked_config_over
from kerasclf.run.config_file import load_toml
from kerasclf.cli.runs import add_runs_parser, runs_command
from kerasclf.cli.evaluate import (
    add_evaluate_parser,
    add_predict_parser,
    evaluate_command,
    predict_command,
)
from kerasclf.cli.generate import add_generate_parser, checked_settings
from kerasclf.cli.arguments import (
    CommandParser,
    UsageError,
    check_command,
    check_options,
    unknown_arguments_error,
)
from kerasclf.cli.closed_pipes import tolerate_closed_pipes
from kerasclf.cli.process_exit import exit_process
from kerasclf.cli.tensorboard_command import program_command, tensorboard_command
from kerasclf.data import describe_datasets
from kerasclf.engine.presets import describe_presets
from kerasclf.run.directory import (
    EXIT_CALLBACK_FAILED,
    EXIT_DIVERGED,
    EXIT_INTERRUPTED,
    RunDirectoryError,
)
from kerasclf.run.resume_config import resume_config

EXIT_BAD_INPUT = 2
# The end of `kerasclf train --help`. The divergence rule is callbacks.divergence's.
TRAIN_EXIT_STATUSES = (
    "exit status: 0 completed; 2 bad input (one line, nothing trained or written); "
    "3 diverged: at the end of an epoch the mean cost per sample is above 100 (a model that "
    "gives each of k classes 1/k costs log k, 0.69 for two), or the cost or a weight is inf "
    "or NaN; 4 trained and saved, but a callback failed (its error is printed and listed in "
    "summary.json's callback_errors); 1 an exception in your own code (a callback you passed): "
    "its traceback is shown, and the last completed epoch is saved for --resume; 130 "
    "interrupted (continue with --resume RUN_DIR)."
)


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")


def build_parser() -> CommandParser:
    """The `kerasclf` parser: every subcommand and its flags (train's from `TrainConfig`)."""
    parser = CommandParser(
        prog="kerasclf",
        description="Train and inspect the seminar's classifiers, or your own Keras models.",
        allow_abbrev=False,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)

    train = commands.add_parser(
        "train",
        help="train a model and write a TensorBoard run",
        allow_abbrev=False,
        epilog=TRAIN_EXIT_STATUSES,
    )
    train.add_argument("--config", help="TOML file of config keys (flags override it)")
    train.add_argument("--json", action="store_true", help="print the summary as JSON last")
    train.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run")
    for key, field in config_module.FIELDS.items():
        default = field.default
        shown = (",".join(map(str, default)) or "none") if isinstance(default, tuple) else default
        help_text = field.metadata["help"]
        if default is not None:  # A None default is described in the help text.
            help_text += f" (default: {shown})"
        # An on/off key given alone means on: `--images` is `--images true`.
        switch = {"nargs": "?", "const": "true"} if field.type == "bool" else {}
        train.add_argument(
            _flag(key),
            dest=key,
            default=argparse.SUPPRESS,
            metavar="BOOL" if switch else "VALUE",
            help=help_text,
            **switch,
        )

    add_evaluate_parser(commands)
    add_predict_parser(commands)
    add_runs_parser(commands)
    add_generate_parser(commands)

    commands.add_parser("datasets", help="list the named datasets")
    commands.add_parser("presets", help="list the optimizer presets with their formulas")
    commands.add_parser("experiments", help="list the experiment scripts")
    return parser


def _train_values(arguments: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """Config keys from `--config FILE.toml`, and from the flags given, each read once.

    A flag's text is parsed by its key's parser, and a file's value is
    type-checked by it; `config_making.checked_config_over` checks the flags over the
    file, the file's values that they override included (a wrong file is
    refused, not silently half-used).
    """
    file_values = {} if arguments.config is None else load_toml(arguments.config)
    flags = {
        key: getattr(arguments, key) for key in config_module.FIELDS if hasattr(arguments, key)
    }
    return (
        config_module.parse_values(file_values),
        config_module.parse_values(flags, from_text=True),
    )


def run_train(arguments: argparse.Namespace) -> int:
    """`kerasclf train`: a new run from flags and a config file, or `--resume`; its exit status."""
    try:
        file_values, flag_values = _train_values(arguments)
        values = {**file_values, **flag_values}
        if arguments.resume is not None and (values or arguments.config):
            raise ValueError(
                f"`--resume` continues a run with its own config.json and takes no other "
                f"settings. Received: {', '.join(sorted(values)) or 'config'}. Remove them."
            )
        # Every setting is checked before TensorFlow loads, so bad input answers at once
        # (a resumed run's config.json too: what its files alone can tell).
        config = (
            resume_config(arguments.resume)
            if arguments.resume is not None
            else checked_config_over(file_values, flag_values, arguments.config)
        )
    except (ValueError, TypeError) as error:
        raise UsageError(str(error)) from None
    # TensorFlow loads here, for the commands that train or evaluate only.
    from kerasclf.run.default_callbacks import check_cadences_used
    from kerasclf.run.preparation import prepare_resume, prepare_run
    from kerasclf.run.training import run_prepared

    try:
        if arguments.resume is not None:
            prepared = prepare_resume(arguments.resume, config)
        else:
            prepared = prepare_run(config, checked=True)
            check_cadences_used(prepared)  # Its callbacks known once the model is built.
    except (ValueError, TypeError) as error:
        raise UsageError(str(error)) from None
    # Past validation, an exception is a bug, not bad input: let it show. Only
    # a logdir that the file system refuses is found this late (nothing has
    # trained or been written then).
    try:
        result = run_prepared(prepared)
    except RunDirectoryError as error:
        raise UsageError(str(error)) from None
    config, summary = prepared.config, result.summary
    line = f"status: {summary['status']}  cost {_shown_number(summary['cost'])}"
    if "accuracy" in summary:  # A regression has none.
        line += f"  accuracy {_shown_number(summary['accuracy'])}"
    print(line)
    if result.run_dir is None:
        print("this worker is not the chief: the chief writes the run")
    else:
        print(f"run written to {result.run_dir}")
        print(f"open it with: {tensorboard_command(config.logdir)}")
        print("and then http://localhost:6006 in a browser")
    if arguments.json:
        print(json.dumps({**summary, "run_dir": result.run_dir}))
    status = {"diverged": EXIT_DIVERGED, "interrupted": EXIT_INTERRUPTED}.get(summary["status"], 0)
    return status or (EXIT_CALLBACK_FAILED if summary.get("callback_errors") else 0)


def run_evaluate(arguments: argparse.Namespace) -> int:
    """`kerasclf evaluate`; bad input becomes a `UsageError` (one line, exit 2)."""
    try:
        return evaluate_command(arguments)
    except (ValueError, TypeError) as error:
        raise UsageError(str(error)) from None


def run_predict(arguments: argparse.Namespace) -> int:
    """`kerasclf predict`; bad input becomes a `UsageError` (one line, exit 2)."""
    try:
        return predict_command(arguments)
    except (ValueError, TypeError) as error:
        raise UsageError(str(error)) from None


def run_generate(arguments: argparse.Namespace) -> int:
    """`kerasclf generate`: its flags checked before TensorFlow loads, then the text."""
    try:
        settings = checked_settings(arguments)
    except (ValueError, TypeError) as error:
        raise UsageError(str(error)) from None
    # TensorFlow loads here, after the checks.
    from kerasclf.run.generation import generate_from_run

    try:
        text = generate_from_run(**settings)
    except (ValueError, TypeError) as error:  # A model file that cannot be read, say.
        raise UsageError(str(error)) from None
    print(arguments.prompt + text)
    return 0


def run_runs(arguments: argparse.Namespace) -> int:
    """`kerasclf runs`; bad input becomes a `UsageError` (one line, exit 2)."""
    try:
        return runs_command(arguments)
    except (ValueError, TypeError) as error:
        raise UsageError(str(error)) from None


def run_listing(command: str) -> int:
    """`kerasclf datasets`, `presets` or `experiments`: the table printed."""
    if command == "datasets":
        print(describe_datasets())
    elif command == "presets":
        print(describe_presets())
    else:
        print(describe_experiments())
    return 0


def describe_experiments() -> str:
    """One line per experiment script (its name, its docstring's first line); then how to run one.

    The scripts are read, not imported, so listing them imports no TensorFlow.
    From the checkout the command is the README's, `python -m experiments.NAME`;
    elsewhere the installed package's, `python -m kerasclf.experiments.NAME`.
    """
    # Finds the package (installed as kerasclf.experiments); runs none of it.
    spec = importlib.util.find_spec("kerasclf.experiments")
    folders = list(spec.submodule_search_locations or []) if spec else []
    lines = []
    for folder in folders:
        for filename in sorted(os.listdir(folder)):
            name, extension = os.path.splitext(filename)
            if extension != ".py" or name.startswith("_"):
                continue
            with open(os.path.join(folder, filename), encoding="utf-8") as file:
                docstring = ast.get_docstring(ast.parse(file.read())) or ""
            title = docstring.strip().splitlines()[0] if docstring.strip() else ""
            lines.append(f"{name:<20} {title}")
    if not lines:
        return "no experiments yet"
    here = os.path.isdir("experiments") and any(
        os.path.samefile("experiments", folder) for folder in folders
    )
    package = "experiments" if here else "kerasclf.experiments"
    python = shlex.quote(program_command("python"))
    lines.append(f"run one with: {python} -m {package}.NAME  (--quick for a short run)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Runs the CLI; returns the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        check_command(parser, argv)
        check_options(parser, argv)
        arguments, unknown = parser.parse_known_args(argv)
        if unknown and arguments.command is not None:
            raise unknown_arguments_error(parser, arguments.command, unknown)
        if arguments.command is None:
            parser.print_help()
            raise UsageError(
                f"no command given; commands: {', '.join(parser.commands)}. "
                f"See `{parser.prog} --help`."
            )
        if arguments.command == "train":
            return run_train(arguments)
        if arguments.command == "evaluate":
            return run_evaluate(arguments)
        if arguments.command == "predict":
            return run_predict(arguments)
        if arguments.command == "runs":
            return run_runs(arguments)
        if arguments.command == "generate":
            return run_generate(arguments)
        return run_listing(arguments.command)
    except UsageError as error:
        message = " ".join(str(error).split())
        print(f"kerasclf: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _shown_number(value) -> str:
    """A summary.json number as the epoch lines print it ("nan" for null, "inf" as is)."""
    if value is None:
        return "nan"
    return value if isinstance(value, str) else f"{value:.4f}"


def entry_point() -> None:
    """The `kerasclf` console script: `main` on the command line, then the process's exit."""
    # SIGTERM interrupts as Ctrl-C does from the start, so that a run stopped while
    # TensorFlow loads exits 130 like one stopped later (the default action exits 143).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # Piped into `head`, say, which stopped reading: the command goes on, its lines unread.
    tolerate_closed_pipes()
    try:
        status = main()
        sys.stdout.flush()
    except KeyboardInterrupt:  # SIGINT or SIGTERM outside training (training handles its own).
        print("kerasclf: interrupted; nothing was trained or saved", file=sys.stderr)
        status = EXIT_INTERRUPTED
    exit_process(status)


if __name__ == "__main__":
    entry_point()
