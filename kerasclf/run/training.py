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
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

from kerasclf import pipeline
from kerasclf.run.callback_isolation import isolate
from kerasclf.run.default_callbacks import check_cadences_used, default_callbacks
from kerasclf.run.checkpoint import EpochSnapshot, restore_checkpoint
from kerasclf.engine.cluster import is_chief, parse_tf_config
from kerasclf.run.config import TrainConfig
from kerasclf.run.interruption import StopOnSignal, removed_if_start_fails
from kerasclf.engine.step_settings import StepSettings
from kerasclf.engine.unrolling import minibatches_per_iteration_for_run
from kerasclf.run.preparation import PreparedRun, prepare_resume, prepare_run  # noqa: F401 (API)
from kerasclf.atomic_files import write_json
from kerasclf.run.directory import CONFIG_FILE, create_run_dir, default_run_name, run_lock
from kerasclf.run.config_json_keys import PYTHON_MODEL_PREFIX
from kerasclf.run.fitting import RunState, choose_engine, fit_run
from kerasclf.run.periodic_checkpoint import periodic_checkpoints
from kerasclf.run.resume_cleanup import clean_for_resume
from kerasclf.run.outputs import name_parts, resolved_settings, save_outputs, save_vocabulary
from kerasclf.run.summary import earlier_seconds, failed_summary, last_logged, summarize
from kerasclf.callbacks.divergence import DivergenceStop
from kerasclf.validation import check_text_stream, shown


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
        **overrides: Config keys that override `config`. `model` may also be
            your own model: a built, uncompiled `keras.Model`, or a function
            `build(input_shape=..., num_classes=...)` that returns one (see
            `kerasclf.models.user`); kerasclf compiles it and trains it on
            its fused engine.

    Returns:
        A `TrainResult`.

    Raises:
        ValueError, TypeError: for bad settings, data or models, before
            anything is written.

    Example:
        >>> result = train(epochs=5, logdir="/tmp/kerasclf-logs")  # doctest: +SKIP
        >>> round(result.summary["cost"], 2)  # doctest: +SKIP
        >>> inputs = keras.Input((2,))  # doctest: +SKIP
        >>> model = keras.Model(inputs, keras.layers.Dense(1, "sigmoid")(inputs))  # doctest: +SKIP
        >>> train(model=model, epochs=5)  # doctest: +SKIP
    """
    check_callbacks(callbacks)
    check_text_stream("stream", stream)
    model = overrides.get("model")
    if model is not None and not isinstance(model, str):  # The user's own Python object.
        del overrides["model"]
        prepared = prepare_run(config, model_object=model, **overrides)
    else:
        prepared = prepare_run(config, **overrides)
    check_cadences_used(prepared)
    return run_prepared(prepared, callbacks=callbacks, stream=stream)


def check_callbacks(callbacks) -> None:
    """`callbacks` must be None, Keras callbacks, or a function that returns them."""
    if callbacks is None:
        return
    if callable(callbacks):
        try:
            inspect.signature(callbacks).bind("logs/run")
        except TypeError:
            raise TypeError(
                f"`callbacks` must be a function that takes the run directory (one argument) "
                f"and returns a list of callbacks. Received: callbacks={shown(callbacks)}, "
                f"which takes {inspect.signature(callbacks)}."
            ) from None
        except ValueError:  # A builtin without a signature: called as it is.
            pass
        return
    if not isinstance(callbacks, (list, tuple)) or not all(
        isinstance(callback, keras.callbacks.Callback) for callback in callbacks
    ):
        raise TypeError(
            "`callbacks` must be a list of keras.callbacks.Callback, or a function that takes "
            f"the run directory and returns one. Received: callbacks={shown(callbacks)}."
        )


def run_prepared(
    prepared: PreparedRun,
    callbacks: list | Callable[[str], list] | None = None,
    stream: TextIO | None = None,
) -> TrainResult:
    """Trains a `PreparedRun`: creates the run directory, fits, saves.

    A run holds its directory's lock (`directory.run_lock`) meanwhile, a new
    run from the moment its directory exists, a resumed one from the start.

    Example:
        >>> prepared = prepare_run(dataset="xor", model="mlp", epochs=5)  # doctest: +SKIP
        >>> run_prepared(prepared).summary["status"]  # doctest: +SKIP
        'completed'
    """
    with contextlib.ExitStack() as lock:
        return _train_prepared(prepared, callbacks, stream, lock)


def _train_prepared(prepared: PreparedRun, callbacks, stream, lock) -> TrainResult:
    """Trains a prepared run: the named steps of a run, in order."""
    config, training = prepared.config, prepared.training
    stream = stream or sys.stdout
    strategy, model = prepared.strategy, prepared.model
    # The epoch order is a keyed permutation of (seed, epoch) (kerasclf.pipeline), so runs
    # are reproducible without `enable_op_determinism`, which would also turn
    # XLA off in Keras.
    keras.utils.set_random_seed(config.seed)
    # Each run traces its own small graphs on purpose; TensorFlow's retracing
    # warning would only alarm students running many runs in one process.
    tf.get_logger().setLevel("ERROR")
    engine, note = choose_engine(config, strategy)
    batch_size = pipeline.resolve_batch_size(config.batch_size, training.num_samples)
    chief = _is_chief(config)
    run = _start_run(prepared, model, engine, batch_size, chief, lock)
    notes = run_notes(prepared, note) + run.notes
    with removed_if_start_fails(run.run_dir if prepared.resume_dir is None else None):
        if prepared.resume_dir is None and chief:
            write_json(os.path.join(run.run_dir, CONFIG_FILE), run.resolved)
            save_vocabulary(training, run.run_dir)
        for line in notes:
            print(line, file=stream, flush=True)
        run_callbacks = _run_callbacks(prepared, model, run, callbacks, chief, stream)
    # Callbacks say what the step must compute; CostLogger logs the epoch's loss itself.
    # Steps of the whole run, resumed or not, so that a resume unrolls as the run did.
    num_steps = config.epochs * pipeline.num_minibatches(training.num_samples, batch_size)
    model.configure_step(
        StepSettings(
            record_minibatch_costs=config.batch_cost,
            step_metrics=not chief or "cost" in config.callbacks_off,
            minibatches_per_iteration=minibatches_per_iteration_for_run(num_steps),
        )
    )
    # Signals stop training at an epoch's end, and then wait until the run is saved.
    with run.stopper:
        outcome = fit_run(prepared, model, strategy, engine, batch_size, run, run_callbacks)
        summary = _summarize_and_save(prepared, model, run, outcome, chief, stream)
    if outcome.error is not None:  # Saved what could be saved; now the error itself.
        raise outcome.error
    # A model given as a Python object is named as config.json records it, not by the
    # default `model` key that stood in for it.
    config = dataclasses.replace(config, model=prepared.model_name)
    return TrainResult(config, outcome.history, summary, model, run.run_dir)


def _summarize_and_save(prepared: PreparedRun, model, run: RunState, outcome, chief, stream):
    """summary.json's values, and the run's outputs saved (by the chief); returns the summary.

    A final evaluation that fails makes the run "failed" (unless it failed
    already), with a summary of how it ended and no numbers (`failed_summary`).
    After a failure, an error while saving is dropped: the failure is what is reported.
    """
    history = getattr(model, "history", None)
    outcome.history = history.history if history is not None else {}
    logged_epochs = history.epoch if history is not None else []
    outcome.callback_errors = run.callback_errors
    try:
        summary = summarize(
            model,
            prepared.training,
            prepared.validation,
            prepared.test,
            outcome,
            logged=last_logged(model, run.snapshot, outcome.history, logged_epochs),
        )
    except Exception as error:  # Saved as failed below; `_train_prepared` raises it.
        if outcome.error is None:
            outcome.error, outcome.status = error, "failed"
        summary = failed_summary(model, outcome)
    try:
        if chief:
            python_model = prepared.model_name.startswith(PYTHON_MODEL_PREFIX)
            save_outputs(model, run, summary, outcome.status, stream, python_model)
    except Exception:
        if outcome.error is None:
            raise
    return summary


def _is_chief(config: TrainConfig) -> bool:
    """Under multiworker only the chief writes; the other workers train along."""
    return config.strategy != "multiworker" or is_chief(
        parse_tf_config(os.environ.get("TF_CONFIG"))
    )


def _start_run(prepared: PreparedRun, model, engine, batch_size, chief, lock) -> RunState:
    """Claims the run directory (or restores the run to resume); writes nothing else."""
    config = prepared.config
    snapshot = EpochSnapshot()
    notes = []
    if prepared.resume_dir is None:
        name = config.run_name or default_run_name(name_parts(config, prepared))
        run_dir = create_run_dir(config.logdir, name) if chief else None
        if run_dir is not None:
            lock.enter_context(run_lock(run_dir))
    else:
        run_dir = prepared.resume_dir
        lock.enter_context(run_lock(run_dir))
        snapshot.epochs_completed = restore_checkpoint(model, run_dir)
        iterations = int(model.optimizer.iterations.numpy())
        notes.extend(clean_for_resume(run_dir, snapshot.epochs_completed, iterations))
        notes.append(f"note: resuming {run_dir} after epoch {snapshot.epochs_completed}.")
    resolved = resolved_settings(prepared, run_dir, engine, batch_size)
    return RunState(run_dir, resolved, snapshot, notes=notes)


def _run_callbacks(prepared: PreparedRun, model, run: RunState, callbacks, chief, stream) -> list:
    """kerasclf's callbacks (each isolated), the snapshot, the caller's, then the stopper.

    The snapshot counts an epoch once kerasclf's callbacks have logged and
    printed it, so a checkpointed epoch is a logged one; the stopper acts
    last, after an epoch's work.
    """
    logging_callbacks = []
    if chief:
        logging_callbacks = default_callbacks(prepared, run.resolved, run.run_dir, stream)
    run.divergence = next(
        (callback for callback in logging_callbacks if isinstance(callback, DivergenceStop)),
        None,
    )
    run.stopper = StopOnSignal(stream=stream)
    return [
        *isolate(logging_callbacks, run.callback_errors, stream),
        run.snapshot,
        *periodic_checkpoints(
            prepared.config,
            run.snapshot,
            run.run_dir if chief else None,
            earlier_seconds(prepared.resume_dir),
            logging_callbacks,
        ),
        # The caller's callbacks keep Keras's rule: an exception ends training (and
        # `train` raises it once the run's outputs are saved).
        *_extra_callbacks(callbacks, run.run_dir),
        run.stopper,
    ]


def run_notes(prepared: PreparedRun, engine_note: str | None) -> list[str]:
    """The one-line notes a run prints before training: what differs from the request."""
    config, training = prepared.config, prepared.training
    notes = [engine_note] if engine_note else []
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
    if prepared.user_optimizer is not None:
        notes.append(
            f"note: your model was compiled (optimizer {prepared.user_optimizer}); "
            f"kerasclf trains a copy with its own settings: optimizer={config.optimizer!r}, "
            f"cost={config.cost!r}. Choose them with those keys."
        )
    return notes


def _extra_callbacks(callbacks, run_dir: str | None) -> list:
    """The caller's callbacks; a function of the run directory is called here."""
    if callable(callbacks):
        try:
            callbacks = callbacks(run_dir)
        except Exception as error:  # The user's code: anything can fail.
            name = getattr(callbacks, "__name__", type(callbacks).__name__)
            raise ValueError(
                f"`callbacks` function {name} raised {type(error).__name__}: "
                f"{str(error).splitlines()[0] if str(error) else ''} when called with the run "
                f"directory {run_dir!r}. Fix the function."
            ) from None
        check_callbacks(callbacks if callbacks is not None else [])
    return list(callbacks or [])
