"""`kerasclf runs LOGDIR`: each run's status, last epoch, cost and whether it resumes.

    $ kerasclf runs logs
    run        status     epoch  cost     resumable
    gd-lr0.01  completed  100    56.4952  no
    sgd-bs1    killed     2015   48.1207  yes, from epoch 2000
    folders of runs: momentum (4); `kerasclf runs logs/momentum` lists one

It reads the run directories' files only (`kerasclf.run.run_status`), so it
answers at once, without loading TensorFlow, also while runs train.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex

from kerasclf.json_text import json_safe
from kerasclf.run.run_status import STATUSES, format_runs, list_runs, run_folders


def add_runs_parser(commands) -> argparse.ArgumentParser:
    """Adds `runs` and its arguments to the CLI's subcommands (`add_subparsers()`'s action).

    Example:
        >>> parser = argparse.ArgumentParser()
        >>> runs = add_runs_parser(parser.add_subparsers())
        >>> runs.parse_args(["logs"]).logdir
        'logs'
    """
    runs = commands.add_parser(
        "runs",
        help="list the runs in a log directory: " + ", ".join(STATUSES) + "; which resume",
        allow_abbrev=False,
    )
    runs.add_argument("logdir", nargs="?", metavar="LOGDIR", help="default: logs")
    runs.add_argument(
        "--logdir", dest="logdir_option", metavar="LOGDIR", help="the same, as `train` takes it"
    )
    runs.add_argument("--json", action="store_true", help="print one JSON object per run")
    return runs


def runs_logdir(arguments: argparse.Namespace) -> str:
    """The log directory given as LOGDIR or as `--logdir` (not both), or "logs".

    Example:
        >>> runs_logdir(argparse.Namespace(logdir=None, logdir_option="logs/momentum"))
        'logs/momentum'
    """
    given = [value for value in (arguments.logdir, arguments.logdir_option) if value is not None]
    if len(set(given)) > 1:
        raise ValueError(
            "`kerasclf runs` lists one log directory. Received: LOGDIR "
            f"{arguments.logdir!r} and --logdir {arguments.logdir_option!r}. Give one of them."
        )
    return given[0] if given else "logs"


def runs_command(arguments: argparse.Namespace) -> int:
    """Prints the runs of the log directory (`runs_logdir`); returns the exit status (0).

    Raises:
        ValueError: one line, if the log directory does not exist or two are given.
    """
    logdir = runs_logdir(arguments)
    runs = list_runs(logdir)
    if arguments.json:
        for run in runs:
            print(json.dumps(json_safe(dataclasses.asdict(run)), allow_nan=False))
        return 0
    print(format_runs(runs) if runs else f"no runs in {logdir}")
    folders = run_folders(logdir)
    if folders:
        listed = ", ".join(f"{name} ({count})" for name, count in folders.items())
        example = shlex.quote(os.path.join(logdir, next(iter(folders))))
        print(f"folders of runs: {listed}; `kerasclf runs {example}` lists one")
    return 0
