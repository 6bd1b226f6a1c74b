"""The config an interrupted run resumes with, read from its files without TensorFlow.

`kerasclf train --resume RUN_DIR` continues a run from its `config.json` and
`checkpoint.npz`. What those files alone can tell is checked here: a run
that is not running, a readable config.json with every key and no unknown
one, settings that pass `make_config`'s checks, a single-process run whose
model config.json can rebuild, and a checkpoint within the run's epochs.
A run of a model given as a Python object (`python:NAME` in config.json)
resumes in Python only, with that model given again
(`kerasclf.resume(RUN_DIR, model=...)`, `python_model=True` here).
`kerasclf runs` asks the same before it offers a run as resumable;
`run.preparation.prepare_resume` then builds the model and restores the
checkpoint into it.

Example:
    >>> resume_config("logs/sgd-bs1").epochs  # doctest: +SKIP
    100
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from kerasclf.atomic_files import read_json
from kerasclf.npz_files import UNREADABLE_NPZ_ERRORS
from kerasclf.run.config import FIELDS, TrainConfig
from kerasclf.run.config_making import make_config
from kerasclf.run.config_json_keys import KEYS_ADDED_LATER, PYTHON_MODEL_PREFIX, RECORDED_KEYS
from kerasclf.run.directory import CHECKPOINT_FILE, check_resumable
from kerasclf.validation import did_you_mean


def resume_config(run_dir: str, python_model: bool = False, key: str = "resume") -> TrainConfig:
    """The checked config of an interrupted run, in its folder now; one line if it cannot resume.

    Args:
        run_dir: The run directory.
        python_model: Whether the caller gives the run's model as a Python
            object (`kerasclf.resume(run_dir, model=...)`): the run must be
            one of such a model, whose config.json names no model it can
            rebuild (`python:NAME`). Its config then holds the default
            `model`, as `kerasclf.train(model=...)` requires.
        key: What the messages call `run_dir`: the flag's name or the argument's.

    Raises:
        ValueError, TypeError: one line naming the file at fault and the fix.
    """
    config_path = check_resumable(run_dir, key)
    saved = read_run_config(config_path)
    if saved.get("strategy", "none") != "none":
        raise ValueError(
            f"`resume` continues single-process runs only. Received a run with "
            f"strategy={saved['strategy']!r}: resume={run_dir!r}."
        )
    recorded_model = str(saved.get("model", ""))
    if recorded_model.startswith(PYTHON_MODEL_PREFIX) and not python_model:
        raise ValueError(
            f"{config_path}: the run's model was a Python object ({recorded_model}), which "
            "config.json cannot rebuild, so `kerasclf train --resume` cannot continue it. "
            f"Continue it in Python, giving the model again: kerasclf.resume({run_dir!r}, "
            "model=YOUR_MODEL)."
        )
    if python_model and not recorded_model.startswith(PYTHON_MODEL_PREFIX):
        raise ValueError(
            f"`model` is for runs of a model given as a Python object; {config_path} rebuilds "
            f"its own (model={recorded_model!r}). Received: resume={run_dir!r} and a model. "
            f"Resume it without one: kerasclf.resume({run_dir!r})."
        )
    unknown = [key for key in saved if key not in FIELDS and key not in RECORDED_KEYS]
    if unknown:
        raise ValueError(
            f"{config_path}: unknown key {unknown[0]!r} in the run's config.json, which "
            f"`kerasclf train` did not write.{did_you_mean(unknown[0], FIELDS)} Received: "
            f"resume={run_dir!r}. Remove or correct the key, then resume."
        )
    values = {key: value for key, value in saved.items() if key in FIELDS}
    if python_model:  # The object given again stands in for it, as in `train(model=...)`.
        values["model"] = FIELDS["model"].default
    # The run's folder now, not the one config.json recorded: a copied or moved run
    # resumes where it is (and the TensorBoard command printed at the end points there).
    values["logdir"] = os.path.dirname(os.path.abspath(run_dir))
    try:
        config = make_config(values)
    except (ValueError, TypeError) as error:
        raise type(error)(f"{config_path}: {error}") from None
    check_epochs_completed(run_dir, checkpoint_epochs(run_dir), config.epochs)
    return config


def read_run_config(path: str) -> dict[str, Any]:
    """A run's `config.json`, with every config key, or one clear line."""
    try:
        saved = read_json(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(
            f"{path}: not a readable config.json ({error}). Resume a run directory that "
            "`kerasclf train` wrote whole, or start the run again."
        ) from None
    if isinstance(saved, dict):  # Runs written before a key existed have its default.
        saved = {**{key: FIELDS[key].default for key in KEYS_ADDED_LATER}, **saved}
    missing = [key for key in FIELDS if not isinstance(saved, dict) or key not in saved]
    if missing:
        raise ValueError(
            f"{path}: a run's config.json holds every config key; this one lacks "
            f"{', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}. Resume a run "
            "directory written by `kerasclf train`."
        )
    return saved


def checkpoint_epochs(run_dir: str) -> int | None:
    """The epochs a run's checkpoint completed, or None without a readable one.

    Example:
        >>> checkpoint_epochs("no/such/run") is None
        True
    """
    try:
        with np.load(os.path.join(run_dir, CHECKPOINT_FILE), allow_pickle=False) as archive:
            return int(archive["epochs_completed"])
    except (KeyError, TypeError, *UNREADABLE_NPZ_ERRORS):
        return None


def check_epochs_completed(run_dir: str, completed: int | None, epochs: int) -> None:
    """Refuses a checkpoint that completed more epochs than the run trains, or fewer than 0."""
    if completed is not None and not 0 <= completed <= epochs:
        raise ValueError(
            f"{os.path.join(run_dir, CHECKPOINT_FILE)}: epochs_completed is {completed}, outside "
            f"0..{epochs}. Start the run again instead of resuming it."
        )
