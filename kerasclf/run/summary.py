"""`summary.json`: how a run ended, its final cost and accuracy, and its line's w and b.

Example:
    >>> summarize(model, training, None, None, RunOutcome(...))  # doctest: +SKIP
    {'status': 'completed', 'cost': 56.5, ...}
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import numpy as np

from kerasclf.run.checkpoint import EpochSnapshot, read_extras
from kerasclf.engine import evaluation
from kerasclf.engine.losses import model_task
from kerasclf.models.inspection import linear_parameters
from kerasclf.atomic_files import read_json
from kerasclf.json_text import json_safe


@dataclasses.dataclass
class RunOutcome:
    """How training ended: what the summary reports besides the model's numbers.

    Attributes:
        status: "completed", "interrupted", "diverged" or "failed" (an exception).
        epochs: The epochs completed.
        wall_seconds: Training time, summed over a resumed run's parts.
        diverged_epoch: The epoch at whose end the run diverged, or None.
        history: Keras's per-epoch logs.
        callback_errors: One line per callback that failed.
        error: The exception that ended training ("failed"), or None.
    """

    status: str
    epochs: int
    wall_seconds: float
    diverged_epoch: int | None = None
    history: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    callback_errors: list[str] = dataclasses.field(default_factory=list)
    error: BaseException | None = None


def earlier_seconds(resume_dir: str | None) -> float:
    """The training time of a resumed run's earlier parts (0 if none).

    A periodic checkpoint records it (a killed run wrote no summary); else
    the summary of the interrupted part says it.

    Example:
        >>> earlier_seconds(None)
        0.0
    """
    if resume_dir is None:
        return 0.0
    recorded = read_extras(resume_dir).get("wall_seconds")
    if recorded is not None and recorded.shape == () and recorded.dtype.kind == "f":
        seconds = float(recorded)
    else:
        try:
            seconds = read_json(os.path.join(resume_dir, "summary.json"))["wall_seconds"]
        except (OSError, ValueError, KeyError, TypeError):
            return 0.0
    if isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0:
        return float(seconds)
    return 0.0


def last_logged(
    model, snapshot: EpochSnapshot, history: dict, epochs: list[int]
) -> dict[str, float] | None:
    """The last epoch's logged values, if the model still has that epoch's weights.

    `CostLogger` has then already evaluated the final weights, and the summary
    need not pass over the data again (on streamed data, a whole pass).
    Otherwise (nothing logged, stopped mid-epoch, weights changed by a
    callback at the end) None. So also when the history lacks the snapshot's
    epoch: Keras's `History` records an epoch after every other callback, so
    a callback of the user's that fails at an epoch's end leaves that epoch
    out, while the snapshot and the weights hold it.

    Args:
        model: The trained model.
        snapshot: The last completed epoch's state.
        history: Keras's `History.history` of the run's `fit`.
        epochs: `History.epoch`: the (0-based) epochs that history holds.
    """
    if not history.get("cost") or snapshot.model_values is None:
        return None
    if not epochs or epochs[-1] + 1 != snapshot.epochs_completed:
        return None
    current = [np.asarray(variable) for variable in model.variables]
    if len(current) != len(snapshot.model_values) or not all(
        np.array_equal(now, then, equal_nan=True)
        for now, then in zip(current, snapshot.model_values)
    ):
        return None
    return {key: values[-1] for key, values in history.items() if values}


def summarize(
    model, training, validation, test, outcome: RunOutcome, logged=None
) -> dict[str, Any]:
    """`summary.json`: the final cost and accuracy, weights and how the run ended.

    Args:
        model: The trained model.
        training, validation, test: The data (validation and test may be None).
        outcome: How training ended.
        logged: The last epoch's logs when they are of the final weights
            (`last_logged`); their values are used instead of evaluating again.
    """

    task = model_task(model)

    def final_values(data, prefix):
        # A held-out set's gradient is never followed: its cost and accuracy only.
        wanted = evaluation.value_keys(task, gradient=not prefix)
        if logged is not None and all(prefix + key in logged for key in wanted):
            return {key: logged[prefix + key] for key in wanted}
        values = evaluation.evaluate_model(model, data, gradient=not prefix)
        return {key: values[key] for key in wanted}

    final = final_values(training, "")
    linear = linear_parameters(model)
    summary = {
        "status": outcome.status,
        "cost": final["cost"],
        "mean_cost": final["mean_cost"],
        **({"accuracy": final["accuracy"]} if "accuracy" in final else {}),
        "gradient_norm": final["gradient_norm"],
        "weights": linear[0].tolist() if linear else None,
        "bias": linear[1] if linear else None,
        **_how_it_ended(outcome, int(model.optimizer.iterations.numpy())),
    }
    for data, prefix in ((validation, "val_"), (test, "test_")):
        if data is not None:
            values = final_values(data, prefix)
            summary.update({prefix + key: value for key, value in values.items()})
    return json_safe(summary)


def failed_summary(model, outcome: RunOutcome) -> dict[str, Any]:
    """`summary.json` of a run whose final numbers could not be computed: how it ended.

    The cost, accuracy and weights are null; the status is "failed" and the
    error the one that ended training, or else the one the evaluation raised.

    Example:
        >>> failed_summary(model, RunOutcome("failed", 3, 1.5, error=ValueError("NaN")))  # doctest: +SKIP
        {'status': 'failed', 'cost': None, ..., 'error': 'ValueError: NaN'}
    """  # noqa: E501
    iterations = getattr(getattr(model, "optimizer", None), "iterations", None)
    numbers = dict.fromkeys(("cost", "mean_cost", "gradient_norm", "weights", "bias"))
    iterations = None if iterations is None else int(iterations.numpy())
    return json_safe({"status": outcome.status, **numbers, **_how_it_ended(outcome, iterations)})


def _how_it_ended(outcome: RunOutcome, iterations: int | None) -> dict[str, Any]:
    """summary.json's fields of how training went: epochs, steps, time, and what failed."""
    ended = {
        "epochs": outcome.epochs,
        "iterations": iterations,
        "wall_seconds": outcome.wall_seconds,
        "diverged_epoch": outcome.diverged_epoch,
    }
    if outcome.callback_errors:
        ended["callback_errors"] = list(outcome.callback_errors)
    if outcome.error is not None:
        ended["error"] = error_line(outcome.error)
    return ended


def error_line(error: BaseException) -> str:
    """An exception as summary.json names it: its class and its message's first line.

    Example:
        >>> error_line(ValueError("cost is NaN\\nat epoch 3"))
        'ValueError: cost is NaN'
    """
    message = str(error).strip().splitlines()
    return type(error).__name__ + (f": {message[0]}" if message else "")
