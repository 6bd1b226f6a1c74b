"""What a run writes: config.json's settings, its directory's name, the model, the checkpoint.

Example:
    >>> settings = resolved_settings(prepared, "logs/run", "fused", 200)  # doctest: +SKIP
    >>> settings["engine_used"]  # doctest: +SKIP
    'fused'
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import Any, TextIO

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.callbacks.error_surface import PATH_FILE as SURFACE_PATH_FILE
from kerasclf.models.architecture import MODELS, default_init
from kerasclf.run.checkpoint import CHECKPOINT_FILE, write_checkpoint
from kerasclf.run.config import PATH_KEYS, TrainConfig
from kerasclf.run.model_file import MODEL_FILE
from kerasclf.data.files import is_shard_glob
from kerasclf.data.vocabulary import VOCABULARY_FILE
from kerasclf.run.export import plain_model, write_weights_json
from kerasclf.run.fitting import RunState
from kerasclf.models.sources import is_model_file, parse_model_source
from kerasclf.run.preparation import PreparedRun
from kerasclf.engine.presets import resolve_hyperparameters
from kerasclf.run.config_json_keys import PYTHON_MODEL_PREFIX
from kerasclf.run.model import feature_shape
from kerasclf.atomic_files import write_json


def save_outputs(
    model, run: RunState, summary: dict, status: str, stream, python_model: bool = False
) -> None:
    """`model.keras`, `weights.json`, `summary.json`; the checkpoint once no longer needed.

    `python_model`: whether the run's model was given as a Python object,
    which `kerasclf train --resume` cannot rebuild: a stopped run then says
    to resume it in Python, with the model given again.
    """
    if status in ("interrupted", "failed"):
        failed = status == "failed"
        output = sys.stderr if failed else stream
        save_interrupted(model, run.snapshot, run.run_dir, output, failed, python_model)
    save_model(model, run.run_dir, stream)
    write_json(os.path.join(run.run_dir, "summary.json"), summary)
    checkpoint = os.path.join(run.run_dir, CHECKPOINT_FILE)
    if status not in ("interrupted", "failed") and os.path.exists(checkpoint):
        os.remove(checkpoint)  # Resumed to the end; removed once all is saved.
    path_file = os.path.join(run.run_dir, SURFACE_PATH_FILE)
    if status == "diverged" and os.path.exists(path_file):
        os.remove(path_file)  # A diverged run cannot resume: its path is not kept.


def save_vocabulary(training, run_dir: str) -> None:
    """`vocabulary.json`, for a text's run: what `kerasclf generate` decodes with."""
    vocabulary = getattr(training, "vocabulary", None)
    if vocabulary is not None:
        vocabulary.save(os.path.join(run_dir, VOCABULARY_FILE))


def resolved_settings(prepared: PreparedRun, run_dir, engine, batch_size) -> dict[str, Any]:
    """`config.json`: every setting, with the model's and the preset's defaults filled in."""
    config = prepared.config
    learning_rate, momentum = resolve_hyperparameters(
        config.optimizer, config.learning_rate, config.momentum
    )
    settings = config.to_dict()
    # Absolute, so that `--resume` works from any directory.
    for key in PATH_KEYS:
        if settings[key] is not None:
            settings[key] = os.path.abspath(settings[key])
    model = prepared.model_name
    if is_model_file(model) and not model.startswith(PYTHON_MODEL_PREFIX):
        model_file = parse_model_source(model)
        model = f"{os.path.abspath(model_file.path)}:{model_file.function}"
    builtin = model in MODELS
    data = prepared.training
    return {
        **settings,
        # Whether the data streamed: a shard glob or a large file does whatever `streaming` says.
        "streaming": config.streamed,
        "model": model,
        "init": default_init(model, config.init) if builtin else None,
        "learning_rate": learning_rate,
        "momentum": momentum,
        "class_weight_used": (
            None if prepared.class_weights is None else prepared.class_weights.tolist()
        ),
        "feature_shape": list(feature_shape(data)),
        "feature_scale": getattr(data, "feature_scale", 1.0),
        "run_dir": run_dir,
        "engine_used": engine,
        "batch_size_used": batch_size,
        "num_training_samples": data.num_samples,
        "num_classes": getattr(data, "num_classes", None),
    }


def save_interrupted(
    model, snapshot, run_dir, stream, failed: bool = False, python_model: bool = False
) -> None:
    """Writes the last completed epoch's checkpoint and says how to resume, if it can.

    After a failure (`failed`) that may be the full disk itself: then there is
    nothing to save, and the failure is what gets reported.
    """
    if snapshot.model_values is None:  # Interrupted before the first epoch began.
        snapshot.set_model(model)
        snapshot.take()
    try:
        path = write_checkpoint(snapshot, run_dir)
    except OSError:
        if failed:
            return
        raise
    what = "training failed" if failed else "interrupted"
    after = (
        f"continue in Python, giving the model again: kerasclf.resume({run_dir!r}, "
        "model=YOUR_MODEL)"
        if python_model
        else f"continue with `kerasclf train --resume {shlex.quote(run_dir)}` "
        f"(in Python: kerasclf.resume({run_dir!r}))"
    )
    print(
        f"{what} after epoch {snapshot.epochs_completed}: saved {path}; {after}",
        file=stream,
        flush=True,
    )


def name_parts(config: TrainConfig, prepared: PreparedRun) -> list[str]:
    """The parts of a run's default name: data, model, optimizer, learning rate, batch size."""
    if config.data is None:
        source = config.dataset
    elif is_shard_glob(config.data):  # shards/*.csv -> shards
        source = os.path.basename(os.path.dirname(os.path.abspath(config.data))) or "shards"
    else:
        source = os.path.splitext(os.path.basename(config.data))[0]
    model = prepared.model_name.removeprefix(PYTHON_MODEL_PREFIX)
    if is_model_file(model):  # my_models.py:build -> build
        model = parse_model_source(model).function
    parts = [source, model, config.optimizer]
    if config.learning_rate is not None:
        parts.append(f"lr{config.learning_rate:g}")
    parts.append(f"bs{config.batch_size}")
    return parts


def save_model(model: keras.Model, run_dir: str, stream: TextIO) -> None:
    """Saves `model.keras` (a plain Keras model) and `weights.json`, falling back to a temp dir."""
    try:
        plain_model(model).save(os.path.join(run_dir, MODEL_FILE))
        write_weights_json(model, os.path.join(run_dir, "weights.json"))
    except OSError as error:
        fallback = os.path.join(
            os.environ.get("TMPDIR", "/tmp"), f"kerasclf-{os.getpid()}-model.keras"
        )
        plain_model(model).save(fallback)
        print(
            f"error: could not write the model to {run_dir} ({error}); saved it to {fallback}",
            file=stream,
            flush=True,
        )
        raise
