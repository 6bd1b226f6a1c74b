"""What became of each run in a log directory: completed, diverged, interrupted, killed, running.

A run says how it ended in `summary.json`, written as it ends. A run that
was killed (SIGKILL, out of memory, a power cut) wrote none, or only its
earlier part's, and left its lock (`directory.run_lock`) behind: its
process is gone without a final status. A run whose lock's process is
alive is running. Where a run's summary says nothing (killed, running),
its epoch and cost are the last ones in its TensorBoard events. Reading a
status loads no TensorFlow.

Example:
    >>> [(run.name, run.status) for run in list_runs("logs")]  # doctest: +SKIP
    [('sgd-bs1', 'killed'), ('gd-lr0.001', 'completed')]
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shlex

from kerasclf.run.directory import (
    LOCK_FILE,
    has_stale_lock,
    is_run_directory,
    lock_holder,
)
from kerasclf.run.event_files import last_event_step, last_scalar
from kerasclf.run.resume_config import checkpoint_epochs, resume_config

# Every status a run can have; the first four are summary.json's.
STATUSES = ("completed", "diverged", "interrupted", "failed", "killed", "running")
# What `--resume` continues (with a checkpoint; kerasclf.run.preparation.prepare_resume).
RESUMABLE_STATUSES = ("interrupted", "failed", "killed")


@dataclasses.dataclass
class RunStatus:
    """One run's state.

    Attributes:
        name: The run directory's name.
        run_dir: Its path.
        status: One of `STATUSES`.
        epoch: The last epoch it completed (its events' last step if it wrote
            no summary of it), or None.
        cost: The cost at that epoch, or None.
        checkpoint_epoch: The epoch its checkpoint holds, or None without one.
        resumable: Whether it resumes: with `kerasclf train --resume`, or
            (`in_python`) with `kerasclf.resume(run_dir, model=...)`.
        holder: "pid on host" of a running run's process, else None.
        in_python: Whether it resumes in Python only: a run of a model given
            as a Python object, which its config.json cannot rebuild.
    """

    name: str
    run_dir: str
    status: str
    epoch: int | None
    cost: float | None
    checkpoint_epoch: int | None
    resumable: bool
    holder: str | None = None
    in_python: bool = False


def run_status(run_dir: str) -> RunStatus:
    """The status of one run directory (one holding `config.json`).

    Example:
        >>> run_status("logs/sgd-bs1").status  # doctest: +SKIP
        'killed'
    """
    holder = lock_holder(run_dir)
    summary = _read_json(os.path.join(run_dir, "summary.json"))
    checkpoint_epoch = checkpoint_epochs(run_dir)
    # A run that ended removes its checkpoint last of all (then its lock).
    ended = summary is not None and summary.get("status") in ("completed", "diverged")
    if holder is not None:
        status = "running"
    elif summary is None or summary.get("status") not in STATUSES:
        status = "killed"
    elif has_stale_lock(run_dir) and not (ended and checkpoint_epoch is None):
        status = "killed"
    else:
        status = summary["status"]
    if status in ("running", "killed"):
        epoch = last_event_step(run_dir)
        last_cost = last_scalar(run_dir)
        cost = last_cost[1] if last_cost is not None and last_cost[0] == epoch else None
    else:
        epoch, cost = summary.get("epochs"), summary.get("cost")
    resumes = (
        status in RESUMABLE_STATUSES
        and checkpoint_epoch is not None
        and not _lock_in_the_way(run_dir)
    )
    how = _how_it_resumes(run_dir) if resumes else None
    return RunStatus(
        name=os.path.basename(os.path.normpath(run_dir)),
        run_dir=run_dir,
        status=status,
        epoch=epoch if isinstance(epoch, int) else None,
        cost=float(cost) if isinstance(cost, (int, float)) else None,
        checkpoint_epoch=checkpoint_epoch,
        resumable=how is not None,
        holder=holder,
        in_python=how == "python",
    )


def _lock_in_the_way(run_dir: str) -> bool:
    """Whether something other than a lock file sits where the run keeps its lock (a folder).

    `--resume` cannot replace it and refuses the run, so the listing does not offer it.
    """
    path = os.path.join(run_dir, LOCK_FILE)
    return os.path.lexists(path) and not os.path.isfile(path)


def list_runs(logdir: str) -> list[RunStatus]:
    """The status of every run directory directly in `logdir`, by name; of `logdir` if it is one.

    Args:
        logdir: A folder of runs (a string or a path), or one run's folder.

    Raises:
        TypeError: if `logdir` is not a path.
        ValueError: one line, if `logdir` does not exist or is not a folder.

    Example:
        >>> list_runs("/nonexistent")
        Traceback (most recent call last):
        ...
        ValueError: `logdir` does not exist, so it holds no runs yet. Received: logdir='/nonexistent'. Train one with `kerasclf train --logdir /nonexistent`, or give the folder your runs were written to (`logs` by default).
    """  # noqa: E501
    if not isinstance(logdir, (str, os.PathLike)):
        raise TypeError(
            f"`logdir` must be a folder's path. Received: logdir={logdir!r} of type "
            f"{type(logdir).__name__}."
        )
    logdir = os.fspath(logdir)
    _check_folder(logdir)
    if is_run_directory(logdir):  # `kerasclf runs logs/RUN`: that run's row.
        return [run_status(logdir)]
    names = sorted(
        name
        for name in _entries(logdir)
        if is_run_directory(os.path.join(logdir, name))
        or os.path.isfile(os.path.join(logdir, name, LOCK_FILE))
    )
    return [run_status(os.path.join(logdir, name)) for name in names]


def _check_folder(logdir: str) -> None:
    """One line unless `logdir` is a folder: missing (no runs yet) or a file."""
    if os.path.isdir(logdir):
        return
    if not os.path.exists(logdir):
        raise ValueError(
            f"`logdir` does not exist, so it holds no runs yet. Received: logdir={logdir!r}. "
            f"Train one with `kerasclf train --logdir {shlex.quote(logdir)}`, or give the folder "
            "your runs were written to (`logs` by default)."
        )
    raise ValueError(
        f"`logdir` must be a folder of runs, and it is a file. Received: logdir={logdir!r}. "
        "Give the folder your runs were written to (`logs` by default)."
    )


def _entries(logdir: str) -> list[str]:
    """The names in `logdir`, or one line if it cannot be listed (no permission)."""
    try:
        return os.listdir(logdir)
    except OSError as error:
        raise ValueError(
            f"`logdir` cannot be listed: {error.strerror or error}. Received: logdir={logdir!r}. "
            "Check its permissions."
        ) from None


def run_folders(logdir: str) -> dict[str, int]:
    """The folders directly in `logdir` that are no run but hold runs (an experiment's), by name.

    Each with its number of runs: `kerasclf runs` names them, so that a
    student who ran `python -m experiments.momentum` finds `logs/momentum`.

    Example:
        >>> run_folders("/")
        {}
    """
    folders = {}
    for name in sorted(os.listdir(logdir)):
        path = os.path.join(logdir, name)
        if os.path.isdir(path) and not is_run_directory(path):
            with contextlib.suppress(OSError):
                count = sum(is_run_directory(os.path.join(path, run)) for run in os.listdir(path))
                if count:
                    folders[name] = count
    return folders


def format_runs(runs: list[RunStatus]) -> str:
    """A table of runs: name, status, last epoch, cost, and whether and whence it resumes.

    Example:
        >>> python_model = RunStatus("mine", "mine", "failed", 3, 90.5, 3, True, in_python=True)
        >>> killed = RunStatus("a", "logs/a", "killed", 2015, 56.5, 2000, True)
        >>> diverged = RunStatus("big", "logs/big", "diverged", 9, 2.97e34, None, False)
        >>> print(format_runs([killed, python_model, diverged]))
        run   status    epoch  cost      resumable
        a     killed    2015   56.5000   yes, from epoch 2000
        mine  failed    3      90.5000   yes, from epoch 3 in Python (kerasclf.resume with model=)
        big   diverged  9      2.97e+34  no
    """
    header = ("run", "status", "epoch", "cost", "resumable")
    rows = [
        (
            run.name,
            run.status if run.holder is None else f"{run.status} ({run.holder})",
            "-" if run.epoch is None else str(run.epoch),
            _cost_cell(run.cost),
            _resumes_from(run),
        )
        for run in runs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def _cost_cell(cost: float | None) -> str:
    """The table's "cost" cell: 4 decimals; a diverged run's huge cost in 4 digits."""
    if cost is None:
        return "-"
    return f"{cost:.4f}" if abs(cost) < 1e9 else f"{cost:.4g}"


def _resumes_from(run: RunStatus) -> str:
    """The table's "resumable" cell."""
    if not run.resumable:
        return "no"
    where = " in Python (kerasclf.resume with model=)" if run.in_python else ""
    return f"yes, from epoch {run.checkpoint_epoch}{where}"


def _read_json(path: str) -> dict | None:
    with contextlib.suppress(OSError, ValueError):
        with open(path) as file:
            values = json.load(file)
        return values if isinstance(values, dict) else None
    return None


def _how_it_resumes(run_dir: str) -> str | None:
    """ "cli" or "python" where the run's files pass `resume`'s checks made without TensorFlow.

    "python": only with its model given again (`kerasclf.resume(run_dir, model=...)`).
    """
    for how in ("cli", "python"):
        try:
            resume_config(run_dir, python_model=how == "python")
        except (ValueError, TypeError):
            continue
        return how
    return None
