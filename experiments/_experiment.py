"""What every experiment script shares: run a list of configs, compare, summarize.

An experiment is a list of named runs (config overrides of `kerasclf.train`).
Each run is written to `logs/<experiment>/<run>/` with HParams, so that
TensorBoard's HParams and Scalars tabs compare them. Run the script again and
its runs go to `logs/<experiment>-2/` (then `-3`, ...): nothing written
before is overwritten, and each folder holds one invocation's runs, summary
and pictures. At the end the script
prints a table (run, final cost, accuracy, epochs until the cost settles
within 1% of the best cost of its group, or of its own best when it has no
group, wall seconds, status) and saves it as
`logs/<experiment>/summary.csv` and `summary.md`.

Every script takes `--quick` (or the environment variable `KERASCLF_QUICK=1`),
which cuts epochs and data and leaves out the image panels, for tests and
smoke runs, and `--logdir`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
from typing import Any

import kerasclf.quiet_tensorflow  # First: TensorFlow's start-up lines silenced.
import keras
import numpy as np

import kerasclf
from kerasclf.cli.tensorboard_command import tensorboard_command
from kerasclf.run.directory import create_run_dir


@dataclasses.dataclass
class Run:
    """One run of an experiment.

    Attributes:
        name: The run directory name, unique within the experiment.
        settings: `kerasclf.train` config keys.
        group: Runs of one group are set against each other (optimizers on
            one model, models on one dataset) and settle within 1% of the
            group's best cost, so that a run that stops short of it never
            settles. A run without one (None) settles within 1% of its own
            best: its cost compares with no other run's.
    """

    name: str
    settings: dict[str, Any]
    group: str | None = None


# The most parameters whose path `PathRecorder` keeps: the weight-plane pictures
# (`_paths.draw_paths`) need (w1, w2, b); a million-weight network's path would
# hold its every weight at every epoch (230 MB for `overfitting`'s 60 epochs).
MAX_PATH_PARAMETERS = 1000


class PathRecorder(keras.callbacks.Callback):
    """Records every parameter at the start and after each epoch: the path taken.

    `path` is None for a model of more than `MAX_PATH_PARAMETERS` parameters.
    """

    def on_train_begin(self, logs=None):
        small = self.model.count_params() <= MAX_PATH_PARAMETERS
        self.path = [self._parameters()] if small else None

    def on_epoch_end(self, epoch, logs=None):
        if self.path is not None:
            self.path.append(self._parameters())

    def _parameters(self):
        return np.concatenate([np.ravel(weight) for weight in self.model.get_weights()])


@dataclasses.dataclass
class Outcome:
    """A finished run, the path its parameters took, and its row of the summary."""

    run: Run
    result: kerasclf.TrainResult
    path: np.ndarray | None = None
    epochs_to_settle: int | None = None

    @property
    def costs(self) -> list[float]:
        return self.result.history.get("cost", [])


def experiment_directory(logdir: str, experiment: str) -> str:
    """Creates and returns this invocation's folder: `<logdir>/<experiment>`, or `-2`, `-3`...

    A second run of a script writes beside the first instead of mixing its
    runs, pictures and summary into the first one's folder.

    Example:
        >>> import tempfile
        >>> logdir = tempfile.mkdtemp()
        >>> [os.path.basename(experiment_directory(logdir, "momentum")) for _ in range(2)]
        ['momentum', 'momentum-2']
    """
    return create_run_dir(logdir, experiment)


def run_experiment(
    experiment_dir: str, runs: list[Run], verbose: bool = True, run_callbacks=None
) -> list[Outcome]:
    """Trains every run, carrying on past diverged ones, and writes the summary.

    Args:
        experiment_dir: The experiment's folder (`experiment_directory`).
        runs: The runs, trained in order.
        verbose: Print progress and the table.
        run_callbacks: Optional function `run_dir -> [callbacks]` for extra
            per-run callbacks.

    Returns:
        One `Outcome` per run, in order.

    Raises:
        KeyboardInterrupt: after a run that Ctrl-C (or SIGTERM) interrupted,
            once the runs so far are summarized.
    """
    experiment = os.path.basename(experiment_dir)
    outcomes = []
    for run in runs:
        if verbose:
            print(f"[{experiment}] {run.name}: {_describe(run.settings)}", flush=True)
        recorder = PathRecorder()

        def callbacks(run_dir, recorder=recorder):
            return [recorder, *(run_callbacks(run_dir) if run_callbacks else [])]

        result = kerasclf.train(
            logdir=experiment_dir,
            run_name=run.name,
            stream=io.StringIO(),
            callbacks=callbacks,
            **run.settings,
        )
        path = None if recorder.path is None else np.array(recorder.path)
        outcomes.append(Outcome(run, result, path))
        if result.summary.get("status") == "interrupted":  # Ctrl-C: summarized; no other run.
            _summarize(experiment_dir, outcomes, verbose)
            raise KeyboardInterrupt
    _summarize(experiment_dir, outcomes, verbose)
    return outcomes


def _summarize(experiment_dir: str, outcomes: list[Outcome], verbose: bool) -> None:
    mark_epochs_to_settle(outcomes)
    write_summary(experiment_dir, outcomes)
    if verbose:
        print(format_table(outcomes))
        print(
            f"summary: {os.path.join(experiment_dir, 'summary.md')}  "
            f"open it with: {tensorboard_command(experiment_dir)}"
        )


def _describe(settings: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in settings.items())


def epochs_to_settle(costs: list[float], threshold: float) -> int | None:
    """The first epoch from which the cost stays at or below `threshold`; None if it never does.

    A run that dips below and climbs back out (momentum's overshoot) settles
    only when it stays.

    Example:
        >>> epochs_to_settle([9.0, 1.0, 5.0, 1.0, 1.0], threshold=2.0)
        4
    """
    settled = None
    for epoch, cost in enumerate(costs):
        if math.isfinite(cost) and cost <= threshold:
            settled = settled or epoch + 1
        else:
            settled = None
    return settled


def mark_epochs_to_settle(outcomes: list[Outcome]) -> None:
    """Epochs each run needs to settle within 1% of the best cost of its group (or its own)."""

    def group(outcome: Outcome) -> tuple[str, str]:
        return ("group", outcome.run.group) if outcome.run.group else ("run", outcome.run.name)

    for key in {group(outcome) for outcome in outcomes}:
        members = [outcome for outcome in outcomes if group(outcome) == key]
        finite = [cost for outcome in members for cost in outcome.costs if math.isfinite(cost)]
        if not finite:
            continue
        threshold = min(finite) * 1.01
        for outcome in members:
            outcome.epochs_to_settle = epochs_to_settle(outcome.costs, threshold)


COLUMNS = ("run", "final cost", "accuracy", "epochs to settle within 1%", "wall seconds", "status")
# The held-out accuracy's column, shown when a run has a validation or test set.
HELD_OUT_COLUMN = "held-out accuracy"


def held_out_accuracy(summary: dict[str, Any]) -> float | None:
    """The validation accuracy of a run's summary, else its test accuracy, else None.

    Example:
        >>> held_out_accuracy({"accuracy": 1.0, "test_accuracy": 0.9})
        0.9
    """
    for key in ("val_accuracy", "test_accuracy"):
        if summary.get(key) is not None:
            return summary[key]
    return None


def table_columns(outcomes: list[Outcome]) -> tuple[str, ...]:
    """The table's columns: `COLUMNS`, with the held-out accuracy after the accuracy if any."""
    if any(held_out_accuracy(outcome.result.summary) is not None for outcome in outcomes):
        return (*COLUMNS[:3], HELD_OUT_COLUMN, *COLUMNS[3:])
    return COLUMNS


def _cost_cell(cost) -> str:
    """A summary's cost as the epoch lines print it: a diverged run's null is "nan"."""
    if cost is None:
        return "nan"
    return f"{cost:.6g}" if isinstance(cost, (int, float)) else str(cost)


def _accuracy_cell(accuracy: float | None) -> str:
    return "-" if accuracy is None else f"{accuracy:.4f}"


def table_rows(outcomes: list[Outcome]) -> list[list[str]]:
    """The summary table's rows as strings, one cell per `table_columns`."""
    held_out = HELD_OUT_COLUMN in table_columns(outcomes)
    rows = []
    for outcome in outcomes:
        summary = outcome.result.summary
        cost = summary["cost"]
        row = [
            outcome.run.name,
            _cost_cell(cost),
            _accuracy_cell(summary.get("accuracy")),
            "never" if outcome.epochs_to_settle is None else str(outcome.epochs_to_settle),
            f"{summary['wall_seconds']:.2f}",
            summary["status"],
        ]
        if held_out:
            row.insert(3, _accuracy_cell(held_out_accuracy(summary)))
        rows.append(row)
    return rows


def format_table(outcomes: list[Outcome]) -> str:
    """The summary as a Markdown table (also readable in a terminal)."""
    columns, rows = table_columns(outcomes), table_rows(outcomes)
    widths = [max(len(row[i]) for row in [list(columns), *rows]) for i in range(len(columns))]

    def line(cells):
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(columns), separator, *(line(row) for row in rows)])


def write_summary(experiment_dir: str, outcomes: list[Outcome]) -> None:
    """Writes `summary.csv` and `summary.md` in the experiment directory."""
    with open(os.path.join(experiment_dir, "summary.csv"), "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*table_columns(outcomes), "run_dir"])
        for row, outcome in zip(table_rows(outcomes), outcomes):
            writer.writerow([*row, outcome.result.run_dir])
    with open(os.path.join(experiment_dir, "summary.md"), "w") as file:
        file.write(format_table(outcomes) + "\n")
