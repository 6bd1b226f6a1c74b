"""A run's trained model file, `model.keras`, found or refused in one line.

`kerasclf predict`, `evaluate --run` and `generate` read a run's model from
its folder. A path that is not such a folder is named for what it is
(`kerasclf.run.run_paths.not_a_run_message`).

Example:
    >>> has_model_file("/nonexistent/run")
    False
"""

from __future__ import annotations

import os

from kerasclf.run.run_paths import not_a_run_message

# A run's trained model, as Keras saves it (kerasclf.run.outputs writes it last).
MODEL_FILE = "model.keras"
MODEL_LABEL = "trained model"


def has_model_file(path: str) -> bool:
    """Whether `path` is a run's folder with its trained `model.keras`."""
    return os.path.isfile(os.path.join(path, MODEL_FILE))


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
        raise ValueError(not_a_run_message(run_dir, "run", MODEL_FILE, has_model_file, MODEL_LABEL))
    try:
        with open(path, "rb"):
            pass
    except OSError as error:  # No permission: not to be mistaken for a corrupt file.
        raise ValueError(
            f"`run`'s model cannot be read: {error.strerror or error} ({path!r}). Received: "
            f"run={run_dir!r}. Check the file's permissions."
        ) from None
    return path
