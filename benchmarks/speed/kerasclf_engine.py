"""kerasclf's own training: `kerasclf.train`, and its model and pipeline under a bare `fit`.

`kerasclf_runner` times whole `kerasclf.train` runs (compile included in
every repeat), with the time of each default callback's `on_epoch_end`;
`fused_fit_runner` takes kerasclf's compiled model and block pipeline and
runs them under `fit` with no callbacks, for the breakdown of an epoch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import time

import kerasclf.run.training as training_module
import tensorflow as tf

import kerasclf
from benchmarks.speed.settings import LEARNING_RATE, MAX_EPOCHS, SEED, Settings
from benchmarks.speed.timing import EpochTimer, Measurement, Runner
from kerasclf import pipeline
from kerasclf.run.config import TrainConfig
from kerasclf.run.model import make_model
from kerasclf.run.preparation import prepare_run


def image_period() -> int:
    """Epochs after which the default per-epoch logs repeat their pattern.

    The least common multiple of the default `*_every` settings (images every
    5 and 10 epochs, histograms every 5), so that a window of that many epochs
    holds each its share.

    Example:
        >>> image_period()
        10
    """
    defaults = dataclasses.asdict(TrainConfig())
    periods = [
        value
        for name, value in defaults.items()
        if name.endswith("_every") and isinstance(value, int) and value > 0
    ]
    return math.lcm(*periods)


@contextlib.contextmanager
def callback_timings():
    """Times the `on_epoch_end` of each of kerasclf's default callbacks.

    `kerasclf.train` looks up `kerasclf.run.training.default_callbacks` when it runs, so
    wrapping it here reaches the callbacks of every run inside the block.

    Yields:
        A dict that collects `{callback class name: [(epoch, seconds), ...]}`.

    Example:
        >>> with callback_timings() as timings:
        ...     pass  # kerasclf.train(...) here fills `timings`.
        >>> timings
        {}
    """
    timings: dict[str, list[tuple[int, float]]] = {}
    original = training_module.default_callbacks

    def timed(callback):
        name, on_epoch_end = type(callback).__name__, callback.on_epoch_end

        def on_epoch_end_timed(epoch, logs=None):
            started = time.perf_counter()
            on_epoch_end(epoch, logs)
            timings.setdefault(name, []).append((epoch, time.perf_counter() - started))

        callback.on_epoch_end = on_epoch_end_timed
        return callback

    def default_callbacks_timed(*args, **kwargs):
        return [timed(callback) for callback in original(*args, **kwargs)]

    training_module.default_callbacks = default_callbacks_timed
    try:
        yield timings
    finally:
        training_module.default_callbacks = original


def per_epoch_parts(timings: dict, timed_epochs: int) -> dict[str, float]:
    """Seconds per timed epoch (every epoch but the first) of each timed callback."""
    return {
        name: sum(seconds for epoch, seconds in calls if epoch >= 1) / timed_epochs
        for name, calls in timings.items()
    }


def kerasclf_runner(
    num_samples: int,
    batch_size: int,
    settings: Settings,
    logdir: str,
    period: int = 1,
    **overrides,
) -> Runner:
    """`kerasclf.train` on `hand_line`, each call a whole run (so compile is in every repeat).

    Args:
        num_samples: Points per epoch.
        batch_size: Samples per minibatch.
        settings: Sizes and repeats (`min_seconds` is used).
        logdir: Where the runs write.
        period: Time a multiple of this many epochs (see `image_period`).
        **overrides: More `kerasclf.train` settings (engine, images, model...).

    Returns:
        A runner whose figures hold each callback's `on_epoch_end` in `parts`.
    """

    def run() -> Measurement:
        timer = EpochTimer(settings.min_seconds, period)
        with callback_timings() as timings:
            kerasclf.train(
                dataset="hand_line",
                num_samples=num_samples,
                batch_size=batch_size,
                optimizer="momentum",
                learning_rate=LEARNING_RATE,
                cost="sum",
                epochs=MAX_EPOCHS,
                seed=SEED,
                logdir=logdir,
                stream=io.StringIO(),
                callbacks=[timer],
                **overrides,
            )
        return timer.measurement(num_samples, per_epoch_parts(timings, timer.timed_epochs))

    return run


def fused_model(num_samples: int, batch_size: int, logdir: str):
    """kerasclf's compiled logistic model and its training points, as `kerasclf.train` runs them.

    Momentum SGD on the summed cost, and no running means in the step (its
    CostLogger puts the loss into the logs).

    Returns:
        `(model, features, labels)`.
    """
    prepared = prepare_run(
        dataset="hand_line",
        num_samples=num_samples,
        batch_size=batch_size,
        optimizer="momentum",
        learning_rate=LEARNING_RATE,
        cost="sum",
        seed=SEED,
        logdir=logdir,
    )
    model = make_model(prepared.config, prepared.training)
    model.configure_step(dataclasses.replace(model.step_settings, step_metrics=False))
    return model, prepared.training.features, prepared.training.labels


def fused_fit_runner(
    num_samples: int, batch_size: int, settings: Settings, logdir: str, fixed_blocks: bool
) -> Runner:
    """kerasclf's compiled model under `fit` with no callbacks, built once for all repeats.

    With `fixed_blocks`, the first epoch's blocks are cached and replayed, so
    no epoch after the first shuffles or gathers: what is left is Keras's
    train step and `fit` itself.
    """
    model, features, labels = fused_model(num_samples, batch_size, logdir)
    steps = pipeline.block_layout(num_samples, batch_size)[1]

    def dataset() -> tf.data.Dataset:
        if fixed_blocks:
            return pipeline.blocks(features, labels, batch_size, SEED, 1).cache().repeat()
        return pipeline.blocks(features, labels, batch_size, SEED, MAX_EPOCHS)

    def run() -> Measurement:
        timer = EpochTimer(settings.min_seconds)
        model.fit(
            dataset(),
            epochs=MAX_EPOCHS,
            steps_per_epoch=steps,
            callbacks=[timer],
            verbose=0,
            shuffle=False,
        )
        return timer.measurement(num_samples)

    return run
