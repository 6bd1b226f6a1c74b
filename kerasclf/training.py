"""`train(config)`: data -> pipeline -> model -> fit -> callbacks -> logs.

Everything is validated first; only then is the run directory created. The
run directory ends up holding `config.json`, the TensorBoard event files,
`model.keras`, `weights.json` and `summary.json`.

Example:
    >>> import kerasclf
    >>> result = kerasclf.train(optimizer="momentum", logdir="/tmp/logs")  # doctest: +SKIP
    >>> result.summary["cost"], result.run_dir  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf import pipeline
from kerasclf.checkpoint import (
    CHECKPOINT_FILE,
    EpochSnapshot,
    restore_checkpoint,
    write_checkpoint,
)
from kerasclf.architecture import check_architecture, default_init
from kerasclf.config import FIELDS, KEYS_ADDED_LATER, PATH_KEYS, TrainConfig, make_config
from kerasclf.data import Data, load_data, make_dataset, split_validation
from kerasclf.distribution import make_strategy
from kerasclf.export import plain_model, write_weights_json
from kerasclf.features import FeatureMap
from kerasclf.interruption import StopOnSignal, removed_if_interrupted
from kerasclf.losses import CrossEntropy
from kerasclf.models import build_model, linear_parameters
from kerasclf.cluster import is_chief, parse_tf_config
from kerasclf.multiworker import fit_multiworker
from kerasclf.optimizers import make_optimizer
from kerasclf.presets import resolve_hyperparameters
from kerasclf.runs import (  # noqa: F401 (EXIT_* re-exported)
    EXIT_DIVERGED,
    EXIT_INTERRUPTED,
    create_run_dir,
    default_run_name,
    json_safe,
    read_json,
    check_resumable,
    run_lock,
    write_json,
)
from kerasclf.data_files import is_shard_glob
from kerasclf.streaming import Stream, generated_stream, open_csv_data


@dataclasses.dataclass
class TrainResult:
    """What a run produced.

    Attributes:
        config: The resolved configuration.
        history: Per-epoch values, e.g. `history["cost"]` (summed, at each
            epoch's final weights) and `history["loss"]` (the loss the model
            trains on, at the same weights).
        summary: The contents of `summary.json`.
        model: The trained Keras model.
        run_dir: The run directory; None on a multiworker worker that is not
            the chief.

    Example:
        >>> result = kerasclf.train(epochs=5, logdir="/tmp/kerasclf-logs")  # doctest: +SKIP
        >>> result.weights, result.bias  # doctest: +SKIP
        ([0.39, 0.347], 0.00516)
    """

    config: TrainConfig
    history: dict[str, list[float]]
    summary: dict[str, Any]
    model: keras.Model
    run_dir: str | None

    @property
    def weights(self) -> list | None:
        """The final [w1, w2, ...] of a model that is one Dense unit, else None."""
        return self.summary["weights"]

    @property
    def bias(self) -> float | None:
        """The final bias b of a model that is one Dense unit, else None."""
        return self.summary["bias"]


def load_training_data(config: TrainConfig) -> tuple[Data | Stream, Data | None]:
    """The training data and the optional validation split of a config.

    Streamed data (`config.streamed`) comes back as a `Stream`, with no split.
    """
    data_seed = config.seed if config.data_seed is None else config.data_seed
    if config.streamed and config.data is not None:
        return open_csv_data(config.data), None
    if config.streamed:
        return generated_stream(config.dataset, config.num_samples, config.noise, data_seed), None
    if config.data is not None:
        data = load_data(config.data)
    else:
        data = make_dataset(config.dataset, config.num_samples, config.noise, data_seed)
    return split_validation(data, config.validation_split, data_seed)


def make_model(config: TrainConfig, data: Data) -> keras.Model:
    """The compiled model of a config, for data of this shape."""
    architecture = check_architecture(
        config.hidden, config.activation, config.l1, config.l2, config.dropout
    )
    feature_map = FeatureMap(config.features, name="phi") if config.features else None
    model = build_model(
        config.model,
        data.num_features,
        data.num_classes,
        init=config.init,
        seed=config.seed,
        architecture=architecture,
        feature_map=feature_map,
    )
    accuracy = "binary_accuracy" if data.num_classes == 2 else "sparse_categorical_accuracy"
    model.compile(
        optimizer=make_optimizer(
            config.optimizer, data.num_samples, config.learning_rate, config.momentum
        ),
        loss=CrossEntropy(config.cost),
        # Weighted, so that the zero-weight padding of a block is not counted.
        weighted_metrics=[keras.metrics.get(accuracy)],
        jit_compile=config.engine == "fused" and config.strategy == "none",
    )
    return model


def choose_engine(config: TrainConfig, strategy) -> tuple[str, str | None]:
    """The engine that will run, and a one-line note if it differs from the request."""
    if config.strategy == "multiworker":
        return "multiworker", (
            "note: strategy='multiworker' runs kerasclf's own per-step loop "
            "(kerasclf.multiworker), since Keras's fit fails under it; the fused engine loops "
            "over minibatches on one device."
        )
    if config.engine == "plain":
        return "plain", None
    if strategy is not None:
        return "plain", (
            f"note: strategy={config.strategy!r} runs Keras's per-step fit (engine plain); the "
            "fused engine loops over minibatches on one device."
        )
    return "fused", None


@dataclasses.dataclass
class PreparedRun:
    """A validated run, ready to train: nothing has been written yet."""

    config: TrainConfig
    training: Data
    validation: Data | None
    resume_dir: str | None = None


def prepare_run(config: TrainConfig | dict | None = None, **overrides: Any) -> PreparedRun:
    """Validates a config and loads its data, writing nothing.

    Raises:
        ValueError, TypeError: one clear line about the first bad setting.
    """
    if config is not None and not isinstance(config, (TrainConfig, dict)):
        raise TypeError(
            "`config` must be a TrainConfig, a dict of config keys (a TOML file's, from "
            "kerasclf.config.load_toml(path)) or None. "
            f"Received: config={config!r} of type {type(config).__name__}."
        )
    values = config.to_dict() if isinstance(config, TrainConfig) else config
    config = make_config(values, **overrides)
    training, validation = load_training_data(config)
    if config.features is not None:
        FeatureMap(config.features).build((None, training.num_features))
    if config.strategy == "mirrored":
        check_even_split(config, training.num_samples)
    return PreparedRun(config, training, validation)


def check_even_split(config: TrainConfig, num_samples: int) -> None:
    """Keras's mirrored `fit` needs every minibatch to split evenly across devices."""
    replicas = config.cpu_devices or max(1, len(tf.config.list_physical_devices("GPU")))
    batch_size = pipeline.resolve_batch_size(config.batch_size, num_samples)
    last = num_samples - batch_size * (pipeline.num_minibatches(num_samples, batch_size) - 1)
    if batch_size % replicas or last % replicas:
        raise ValueError(
            f"strategy 'mirrored' splits every minibatch across {replicas} devices, so the batch "
            f"size and the last minibatch must be multiples of {replicas}. Received: "
            f"batch_size={config.batch_size} on {num_samples} points (last minibatch {last}). "
            "Choose another --batch-size, or --strategy multiworker, which pads."
        )


def prepare_resume(run_dir: str) -> PreparedRun:
    """Validates an interrupted run directory for `--resume`, writing nothing."""
    config_path = check_resumable(run_dir)
    saved = _read_run_config(config_path)
    if saved.get("strategy", "none") != "none":
        raise ValueError(
            f"`resume` continues single-process runs only. Received a run with "
            f"strategy={saved['strategy']!r}: resume={run_dir!r}."
        )
    values = {key: value for key, value in saved.items() if key in FIELDS}
    try:
        prepared = prepare_run(values)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{config_path}: {error}") from None
    # Restored once into a throwaway model: a checkpoint that is unreadable or
    # does not fit the model fails here, before anything is written.
    completed = restore_checkpoint(make_model(prepared.config, prepared.training), run_dir)
    if not 0 <= completed <= prepared.config.epochs:
        raise ValueError(
            f"{os.path.join(run_dir, CHECKPOINT_FILE)}: epochs_completed is {completed}, outside "
            f"0..{prepared.config.epochs}. Start the run again instead of resuming it."
        )
    prepared.resume_dir = run_dir
    return prepared


def _read_run_config(path: str) -> dict[str, Any]:
    """A run's `config.json`, with every config key, or one clear line."""
    try:
        saved = read_json(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"{path}: not a readable config.json ({error}).") from None
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


def train(
    config: TrainConfig | dict | None = None,
    *,
    callbacks: list | Callable[[str], list] | None = None,
    stream: TextIO | None = None,
    **overrides: Any,
) -> TrainResult:
    """Trains a classifier as the config says and writes its run directory.

    Args:
        config: A `TrainConfig`, a dict of config keys, or None for the
            defaults (the seminar's slide).
        callbacks: Extra Keras callbacks, run after kerasclf's own; or a
            function that takes the run directory and returns them.
        stream: Where the per-epoch lines go; default stdout.
        **overrides: Config keys that override `config`.

    Returns:
        A `TrainResult`.

    Raises:
        ValueError, TypeError: for bad settings or data, before anything is
            written.

    Example:
        >>> result = train(epochs=5, logdir="/tmp/kerasclf-logs")  # doctest: +SKIP
        >>> round(result.summary["cost"], 2)  # doctest: +SKIP
    """
    check_callbacks(callbacks)
    check_stream(stream)
    return run_prepared(prepare_run(config, **overrides), callbacks=callbacks, stream=stream)


def check_callbacks(callbacks) -> None:
    """`callbacks` must be None, Keras callbacks, or a function that returns them."""
    if callbacks is None or callable(callbacks):
        return
    if not isinstance(callbacks, (list, tuple)) or not all(
        isinstance(callback, keras.callbacks.Callback) for callback in callbacks
    ):
        raise TypeError(
            "`callbacks` must be a list of keras.callbacks.Callback, or a function that takes "
            f"the run directory and returns one. Received: callbacks={callbacks!r}."
        )


def check_stream(stream) -> None:
    """`stream` must be None or a text stream, something with a `write` method."""
    if stream is not None and not callable(getattr(stream, "write", None)):
        raise TypeError(
            "`stream` must be a text stream such as sys.stdout or an open file, or None. "
            f"Received: stream={stream!r} of type {type(stream).__name__}."
        )


def run_prepared(
    prepared: PreparedRun,
    callbacks: list | Callable[[str], list] | None = None,
    stream: TextIO | None = None,
) -> TrainResult:
    """Trains a `PreparedRun`: creates the run directory, fits, saves.

    A resumed run holds its directory's lock (`runs.run_lock`) meanwhile.
    """
    if prepared.resume_dir is None:
        return _train_prepared(prepared, callbacks, stream)
    with run_lock(prepared.resume_dir):
        return _train_prepared(prepared, callbacks, stream)


def _train_prepared(prepared: PreparedRun, callbacks, stream) -> TrainResult:
    from callbacks import default_callbacks  # The callbacks package builds on kerasclf.

    config, training, validation = prepared.config, prepared.training, prepared.validation
    stream = stream or sys.stdout
    # Logical devices must be configured before TensorFlow runs any op.
    strategy = make_strategy(config.strategy, config.cpu_devices)
    # The epoch order comes from a stateless shuffle (kerasclf.pipeline), so runs
    # are reproducible without `enable_op_determinism`, which would also turn
    # XLA off in Keras.
    keras.utils.set_random_seed(config.seed)
    # Each run traces its own small graphs on purpose; TensorFlow's retracing
    # warning would only alarm students running many runs in one process.
    tf.get_logger().setLevel("ERROR")
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = make_model(config, training)
    engine, note = choose_engine(config, strategy)
    batch_size = pipeline.resolve_batch_size(config.batch_size, training.num_samples)
    notes = [note] if note else []
    if config.streamed and not config.streaming:
        notes.append(
            f"note: {training.num_samples} points from {training.source} stream chunk by chunk "
            "instead of loading into memory; the epoch order is shuffled within blocks."
        )
    if config.batch_size != "full" and config.batch_size > training.num_samples:
        notes.append(
            f"note: batch_size={config.batch_size} is larger than the {training.num_samples} "
            "training points; training full batch."
        )
    if config.model == "mlp" and config.init == "zeros":
        notes.append(
            "note: init=zeros starts every hidden unit the same, so they all learn the same "
            "thing (with tanh or relu: nothing); init=random breaks the symmetry."
        )

    # Under multiworker only the chief writes; the other workers train along.
    chief = config.strategy != "multiworker" or is_chief(
        parse_tf_config(os.environ.get("TF_CONFIG"))
    )
    snapshot = EpochSnapshot()
    if prepared.resume_dir is None:
        name = config.run_name or default_run_name(_name_parts(config))
        run_dir = create_run_dir(config.logdir, name) if chief else None
    else:
        run_dir = prepared.resume_dir
        snapshot.epochs_completed = restore_checkpoint(model, run_dir)
        notes.append(f"note: resuming {run_dir} after epoch {snapshot.epochs_completed}.")
    initial_epoch = snapshot.epochs_completed
    resolved = _resolved_settings(config, run_dir, engine, batch_size, training.num_samples)
    with removed_if_interrupted(run_dir if prepared.resume_dir is None else None):
        if prepared.resume_dir is None and chief:
            write_json(os.path.join(run_dir, "config.json"), resolved)
        for line in notes:
            print(line, file=stream, flush=True)
        # The snapshot counts an epoch once kerasclf's callbacks have logged and printed it, so
        # a checkpointed epoch is a logged one; the stopper acts last, after an epoch's work.
        stopper = StopOnSignal(stream=stream)
        run_callbacks = [
            *(
                default_callbacks(config, resolved, training, validation, run_dir, stream)
                if chief
                else []
            ),
            snapshot,
            *_extra_callbacks(callbacks, run_dir),
            stopper,
        ]
    # CostLogger puts each epoch's loss and accuracy at its final weights into
    # the logs, so the fused step need not keep Keras's running means of them.
    model.step_metrics = not chief or "cost" in config.callbacks_off
    started = time.perf_counter()
    status = "completed"
    with stopper:
        try:
            if config.strategy == "multiworker":
                outcome = fit_multiworker(
                    model,
                    strategy,
                    training,
                    batch_size,
                    config.seed,
                    config.epochs,
                    config.cost,
                    run_callbacks,
                    chief,
                )
                snapshot.epochs_completed = outcome["epochs"]
            else:
                dataset, steps = _training_stream(
                    engine, training, batch_size, config, initial_epoch
                )
                model.fit(
                    dataset,
                    epochs=config.epochs,
                    initial_epoch=initial_epoch,
                    steps_per_epoch=steps,
                    callbacks=run_callbacks,
                    verbose=0,
                    shuffle=False,
                )
        except KeyboardInterrupt:  # A second signal, or Ctrl-C outside the CLI.
            status = "interrupted"
            # Back to the last completed epoch, which the checkpoint, the
            # summary, the saved model and the final images all show.
            snapshot.restore()
            _end_after_error(run_callbacks)  # Keras skips on_train_end then.
        except Exception:
            _end_after_error(run_callbacks)
            if chief and snapshot.model_values is not None:
                snapshot.restore()
                _save_interrupted(model, snapshot, run_dir, stream, failed=True)
            raise
        # Signals from here on wait: the run is saved whole.
        stopper.finishing()
        # Summed over the parts of a resumed run: the time before, as its summary says.
        wall_seconds = time.perf_counter() - started + _earlier_seconds(prepared.resume_dir)
        # A signal during the last epoch's work stopped nothing.
        if stopper.signal_number is not None and snapshot.epochs_completed < config.epochs:
            status = "interrupted"
        if status == "interrupted" and chief:
            _save_interrupted(model, snapshot, run_dir, stream)
        if getattr(model, "diverged_epoch", None) is not None:
            status = "diverged"

        history = getattr(model, "history", None)
        history = history.history if history is not None else {}
        summary = _summarize(
            model,
            training,
            validation,
            snapshot.epochs_completed,
            status,
            wall_seconds,
            last_logged=_last_logged(model, snapshot, history),
        )
        if chief:
            _save_model(model, run_dir, stream)
            write_json(os.path.join(run_dir, "summary.json"), summary)
            checkpoint = os.path.join(run_dir, CHECKPOINT_FILE)
            if status != "interrupted" and os.path.exists(checkpoint):
                os.remove(checkpoint)  # Resumed to the end; removed once all is saved.
    return TrainResult(config, history, summary, model, run_dir)


def _earlier_seconds(resume_dir: str | None) -> float:
    """The training time of a resumed run's earlier parts, from its summary (0 if none)."""
    if resume_dir is None:
        return 0.0
    try:
        seconds = read_json(os.path.join(resume_dir, "summary.json"))["wall_seconds"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0
    return float(seconds) if isinstance(seconds, (int, float)) and seconds >= 0 else 0.0


def _end_after_error(callbacks: list) -> None:
    """Lets every callback close its writers and threads after training failed.

    Keras skips `on_train_end` when `fit` raises; a second error while
    ending is dropped, so the first one is the one reported.
    """
    for callback in callbacks:
        with contextlib.suppress(Exception):
            callback.on_train_end()


def _extra_callbacks(callbacks, run_dir: str | None) -> list:
    """The caller's callbacks; a function of the run directory is called here."""
    if callable(callbacks):
        callbacks = callbacks(run_dir)
        check_callbacks(callbacks if callbacks is not None else [])
    return list(callbacks or [])


def _resolved_settings(config, run_dir, engine, batch_size, num_samples) -> dict[str, Any]:
    """`config.json`: every setting, with the model's and the preset's defaults filled in."""
    learning_rate, momentum = resolve_hyperparameters(
        config.optimizer, config.learning_rate, config.momentum
    )
    settings = config.to_dict()
    # Absolute, so that `--resume` works from any directory.
    for key in PATH_KEYS:
        if settings[key] is not None:
            settings[key] = os.path.abspath(settings[key])
    return {
        **settings,
        "init": default_init(config.model, config.init),
        "learning_rate": learning_rate,
        "momentum": momentum,
        "run_dir": run_dir,
        "engine_used": engine,
        "batch_size_used": batch_size,
        "num_training_samples": num_samples,
    }


def _training_stream(
    engine: str, training: Data, batch_size: int, config: TrainConfig, initial_epoch: int
):
    """The dataset `fit` reads, and its steps per epoch."""
    if isinstance(training, Stream):
        dataset = pipeline.stream_blocks(
            training, batch_size, config.seed, config.epochs, initial_epoch=initial_epoch
        )
        return dataset, pipeline.stream_layout(training.num_samples, batch_size)[1]
    fused = engine == "fused"
    make_dataset = pipeline.blocks if fused else pipeline.minibatches
    dataset = make_dataset(
        training.features,
        training.labels,
        batch_size,
        config.seed,
        config.epochs,
        initial_epoch=initial_epoch,
    )
    if fused:
        return dataset, pipeline.block_layout(training.num_samples, batch_size)[1]
    return dataset, pipeline.num_minibatches(training.num_samples, batch_size)


def _save_interrupted(model, snapshot, run_dir, stream, failed: bool = False) -> None:
    """Writes the last completed epoch's checkpoint and says how to resume.

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
    print(
        f"{what} after epoch {snapshot.epochs_completed}: saved {path}; continue with "
        f"`kerasclf train --resume {run_dir}`",
        file=stream,
        flush=True,
    )


def _name_parts(config: TrainConfig) -> list[str]:
    if config.data is None:
        source = config.dataset
    elif is_shard_glob(config.data):  # shards/*.csv -> shards
        source = os.path.basename(os.path.dirname(os.path.abspath(config.data))) or "shards"
    else:
        source = os.path.splitext(os.path.basename(config.data))[0]
    parts = [source, config.model, config.optimizer]
    if config.learning_rate is not None:
        parts.append(f"lr{config.learning_rate:g}")
    parts.append(f"bs{config.batch_size}")
    return parts


def _last_logged(model, snapshot: EpochSnapshot, history: dict) -> dict[str, float] | None:
    """The last epoch's logged values, if the model still has that epoch's weights.

    `CostLogger` has then already evaluated the final weights, and the summary
    need not pass over the data again (on streamed data, a whole pass).
    Otherwise (nothing logged, stopped mid-epoch, weights changed by a
    callback at the end) None.
    """
    if not history.get("cost") or snapshot.model_values is None:
        return None
    current = [np.asarray(variable) for variable in model.variables]
    if len(current) != len(snapshot.model_values) or not all(
        np.array_equal(now, then, equal_nan=True)
        for now, then in zip(current, snapshot.model_values)
    ):
        return None
    return {key: values[-1] for key, values in history.items() if values}


def _summarize(
    model, training, validation, epochs, status, wall_seconds, last_logged=None
) -> dict[str, Any]:
    """`summary.json`: the final cost and accuracy, weights and how the run ended.

    `last_logged` holds the last epoch's logs when they are of the final
    weights; their values are used instead of evaluating again.
    """
    from kerasclf.evaluation import ModelEvaluator, evaluate_model

    def final_values(data, prefix):
        keys = [prefix + key for key in ModelEvaluator.KEYS]
        if last_logged is not None and all(key in last_logged for key in keys):
            return {key: last_logged[prefix + key] for key in ModelEvaluator.KEYS}
        return evaluate_model(model, data)

    final = final_values(training, "")
    linear = linear_parameters(model)
    summary = {
        "status": status,
        "cost": final["cost"],
        "mean_cost": final["mean_cost"],
        "accuracy": final["accuracy"],
        "weights": linear[0].tolist() if linear else None,
        "bias": linear[1] if linear else None,
        "epochs": epochs,
        "iterations": int(model.optimizer.iterations.numpy()),
        "wall_seconds": wall_seconds,
        "diverged_epoch": getattr(model, "diverged_epoch", None),
    }
    if validation is not None:
        validation_result = final_values(validation, "val_")
        summary.update({f"val_{key}": value for key, value in validation_result.items()})
    return json_safe(summary)


def _save_model(model: keras.Model, run_dir: str, stream: TextIO) -> None:
    """Saves `model.keras` (a plain Keras model) and `weights.json`, falling back to a temp dir."""
    try:
        plain_model(model).save(os.path.join(run_dir, "model.keras"))
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
