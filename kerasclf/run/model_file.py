"""A run's trained model file, `model.keras`, found or refused in one line.

`kerasclf predict`, `evaluate --run` and `generate` read a run's model from
its folder. A path that is not such a folder is named for what it is: a
missing folder (with the closest one beside it), a file, a run's model file
itself, or a folder of runs (a logdir), with the fix.

Example:
    >>> has_model_file("/nonexistent/run")
    False
"""

from __future__ import annotations

import os
import shlex

from kerasclf.validation import closest_path

# A run's trained model, as Keras saves it (kerasclf.run.outputs writes it last).
MODEL_FILE = "model.keras"


def has_model_file(path: str) -> bool:
    """Whether `path` is a run's folder with its trained `model.keras`."""
    return os.path.isfile(os.path.join(path, MODEL_FILE))


def _no_model_message(run_dir: str, path: str) -> str:
    """Why `run_dir` has no `model.keras`, and the fix: see `check_model_file`."""
    received = f"Received: run={run_dir!r}."
    written = "Pass a run directory written by `kerasclf train`."
    run_dir = os.path.normpath(run_dir) if run_dir else run_dir  # `model.keras/` is the file.
    if not os.path.lexists(run_dir):
        meant = closest_path(run_dir, wanted=os.path.isdir)
        return f"`run` folder does not exist. {received}{meant or ' ' + written}"
    if not os.path.isdir(run_dir):
        if os.path.basename(run_dir) == MODEL_FILE:
            folder = os.path.dirname(run_dir) or "."
            return (
                f"`run` names a run's model file, not its folder. {received} Pass run={folder!r}."
            )
        return f"`run` must be a run's folder, but {run_dir!r} is a file. {received} {written}"
    try:
        runs = sorted(
            entry for entry in os.listdir(run_dir) if has_model_file(os.path.join(run_dir, entry))
        )
    except OSError:
        runs = []
    if runs:
        example = os.path.join(run_dir, runs[-1])
        return (
            f"`run` is a folder of {len(runs)} run(s), not a run. {received} Pass one of them, "
            f"e.g. run={example!r} (`kerasclf runs {shlex.quote(run_dir)}` lists them)."
        )
    return (
        f"`run` has no trained model: {path!r} "
        f"{'is not a file' if os.path.lexists(path) else 'does not exist'}. {received} {written}"
    )


def check_model_file(run_dir: str) -> str:
    """The path of a run's `model.keras`, or one line saying why there is none.

    A missing folder names the closest folder beside it; a folder of runs (a
    logdir) names one of its runs; a run's `model.keras` itself names its folder.

    Example:
        >>> check_model_file("/nonexistent/run")
        Traceback (most recent call last):
        ...
        ValueError: `run` folder does not exist. Received: run='/nonexistent/run'. Pass a run directory written by `kerasclf train`.
    """  # noqa: E501
    path = os.path.join(run_dir, MODEL_FILE)
    if not os.path.isfile(path):
        raise ValueError(_no_model_message(run_dir, path))
    try:
        with open(path, "rb"):
            pass
    except OSError as error:  # No permission: not to be mistaken for a corrupt file.
        raise ValueError(
            f"`run`'s model cannot be read: {error.strerror or error} ({path!r}). Received: "
            f"run={run_dir!r}. Check the file's permissions."
        ) from None
    return path
