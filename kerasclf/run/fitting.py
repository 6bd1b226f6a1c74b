"""Fitting a prepared run: the engine's dataset, Keras's `fit`, and how it ended.

Example:
    >>> outcome = fit_run(prepared, model, None, "fused", 200, state, callbacks)  # doctest: +SKIP
    >>> outcome.status  # doctest: +SKIP
    'completed'
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from typing import Any

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)

from kerasclf.callbacks.divergence import DivergenceStop
from kerasclf import pipeline
from kerasclf.run.checkpoint import EpochSnapshot
from kerasclf.run.config import TrainConfig
from kerasclf.run.interruption import StopOnSignal
from kerasclf.engine.multiworker import fit_multiworker
from kerasclf.run.preparation import PreparedRun
from kerasclf.data.streaming import Stream
from kerasclf.run.summary import RunOutcome, earlier_seconds


@dataclasses.dataclass
class RunState:
    """A started run: its directory, resolved settings and the state callbacks share."""

    run_dir: str | None
    resolved: dict[str, Any]
    snapshot: EpochSnapshot
    stopper: StopOnSignal | None = None
    divergence: DivergenceStop | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    callback_errors: list[str] = dataclasses.field(default_factory=list)


def choose_engine(config: TrainConfig, strategy) -> tuple[str, str | None]:
    """The engine that will run, and a one-line note if it differs from the request."""
    if config.strategy == "multiworker":
        return "multiworker", (
            "note: strategy='multiworker' runs kerasclf's own per-step loop "
            "(kerasclf.engine.multiworker), since Keras's fit fails under it; the fused engine "
            "loops over minibatches on one device."
        )
    if config.engine == "plain":
        return "plain", None
    if strategy is not None:
        return "plain", (
            f"note: strategy={config.strategy!r} runs Keras's per-step fit (engine plain); the "
            "fused engine loops over minibatches on one device."
        )
    return "fused", None


def fit_run(prepared: PreparedRun, model, strategy, engine, batch_size, run: RunState, callbacks):
    """Fits the model; returns the `RunOutcome` (status, epochs, time, divergence).

    Call it inside `with run.stopper:`, kept until the run is saved: a signal
    then stops training at an epoch's end, and once training is over
    (`stopper.finishing()`) waits for the saves instead of cutting them short.
    """
    config, snapshot, stopper = prepared.config, run.snapshot, run.stopper
    # Read before training: the run's own periodic checkpoints replace the one it resumed.
    earlier = earlier_seconds(prepared.resume_dir)
    started = time.perf_counter()
    status, diverged_epoch, failure = "completed", None, None
    try:
        if config.strategy == "multiworker":
            outcome = fit_multiworker(
                model,
                strategy,
                prepared.training,
                batch_size,
                config.seed,
                config.epochs,
                config.cost,
                callbacks,
                run.run_dir is not None,
            )
            snapshot.epochs_completed = outcome["epochs"]
            diverged_epoch = outcome["diverged_epoch"]
        else:
            fit_in_process(prepared, model, engine, batch_size, snapshot, callbacks)
    except KeyboardInterrupt:  # A second signal, or Ctrl-C outside the CLI.
        status = "interrupted"
        # Back to the last completed epoch, which the checkpoint, the
        # summary, the saved model and the final images all show.
        snapshot.restore()
        end_after_error(callbacks)  # Keras skips on_train_end then.
    except Exception as error:  # Saved as "failed"; `_train_prepared` raises it.
        end_after_error(callbacks)
        status, failure = "failed", error
        if snapshot.model_values is not None:
            snapshot.restore()
    # Signals from here on wait: the run is saved whole.
    stopper.finishing()
    # Summed over the parts of a resumed run: the time before, as its summary says.
    wall_seconds = time.perf_counter() - started + earlier
    # A signal during the last epoch's work stopped nothing.
    if stopper.signal_number is not None and snapshot.epochs_completed < config.epochs:
        status = "interrupted"
    if run.divergence is not None and run.divergence.diverged_epoch is not None:
        diverged_epoch = run.divergence.diverged_epoch
    if diverged_epoch is not None and status == "completed":
        status = "diverged"
    outcome = RunOutcome(status, snapshot.epochs_completed, wall_seconds, diverged_epoch)
    outcome.error = failure
    return outcome


def fit_in_process(prepared: PreparedRun, model, engine, batch_size, snapshot, callbacks):
    """Keras's `fit` on the engine's dataset, from the epoch the run is at."""
    config = prepared.config
    initial_epoch = snapshot.epochs_completed
    dataset, steps = training_stream(prepared, engine, batch_size, initial_epoch)
    class_weights = prepared.class_weights
    model.fit(
        pipeline.of_unknown_length(dataset),
        epochs=config.epochs,
        initial_epoch=initial_epoch,
        steps_per_epoch=steps,
        callbacks=callbacks,
        # The plain engine weighs classes as stock fit does; blocks carry their weights.
        class_weight=(
            dict(enumerate(class_weights.tolist()))
            if engine == "plain" and class_weights is not None
            else None
        ),
        verbose=0,
        shuffle=False,
    )


def end_after_error(callbacks: list) -> None:
    """Lets every callback close its writers and threads after training failed.

    Keras skips `on_train_end` when `fit` raises; a second error while
    ending is dropped, so the first one is the one reported.
    """
    for callback in callbacks:
        with contextlib.suppress(Exception):
            callback.on_train_end()


def training_stream(prepared: PreparedRun, engine: str, batch_size: int, initial_epoch: int):
    """The dataset `fit` reads, and its steps per epoch."""
    config, training = prepared.config, prepared.training
    epochs_args = (config.seed, config.epochs)
    if isinstance(training, Stream):
        dataset = pipeline.stream_blocks(
            training,
            batch_size,
            *epochs_args,
            initial_epoch=initial_epoch,
            class_weights=prepared.class_weights,
        )
        return dataset, pipeline.stream_layout(training.num_samples, batch_size)[1]
    if engine == "fused":
        dataset = pipeline.blocks(
            training.features,
            training.labels,
            batch_size,
            *epochs_args,
            initial_epoch=initial_epoch,
            class_weights=prepared.class_weights,
        )
        return dataset, pipeline.block_layout(training.num_samples, batch_size)[1]
    dataset = pipeline.minibatches(
        training.features, training.labels, batch_size, *epochs_args, initial_epoch=initial_epoch
    )
    return dataset, pipeline.num_minibatches(training.num_samples, batch_size)
