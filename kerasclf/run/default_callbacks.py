"""The callbacks `kerasclf train` turns on, in the order they must run.

`CostLogger` goes first: it puts the cost at the epoch's weights into the
epoch's `logs`, which `DivergenceStop` and `EpochPrinter` then read. Each
logger can be switched off by name (`TrainConfig.callbacks_off`); without
`CostLogger`, they read Keras's running mean of the loss instead.
"""

from __future__ import annotations

from kerasclf.callbacks.boundary import DecisionBoundaryLogger
from kerasclf.callbacks.cost import CostLogger
from kerasclf.callbacks.divergence import DivergenceStop
from kerasclf.callbacks.error_surface import ErrorSurfaceLogger
from kerasclf.callbacks.hparams import RunConfigLogger
from kerasclf.callbacks.minibatch_cost import MinibatchCostLogger
from kerasclf.callbacks.progress import EpochPrinter
from kerasclf.callbacks.requirements import skip_note
from kerasclf.callbacks.weights import WeightLogger
from kerasclf.engine.presets import PRESETS
from kerasclf.run.config import IMAGE_CALLBACKS, SEQUENCE_CALLBACKS, SWITCHABLE_CALLBACKS
from kerasclf.run.image_panels import PANEL_CLASSES, has_image_samples, panel_callbacks
from kerasclf.run.sequence_panels import (
    SEQUENCE_CLASSES,
    has_sequence_samples,
    sequence_callbacks,
    KIND_CALLBACKS,
    unfit_callbacks,
)
from kerasclf.run.config_ranges import CADENCES
from kerasclf.run.frame_cadence import OWN_CADENCES, frame_every
from kerasclf.run.preparation import PreparedRun
from kerasclf.data import SLIDE_LINE, Data

# Lines drawn on a named dataset's images: the slide's line on hand_line.
REFERENCE_LINES = {"hand_line": SLIDE_LINE}


# The switchable callbacks that declare needs of the model (`callbacks.requirements`).
CALLBACK_CLASSES = {
    "cost": CostLogger,
    "boundary": DecisionBoundaryLogger,
    "surface": ErrorSurfaceLogger,
}
# Every switchable callback whose needs are checked, by name.
SWITCHABLE_CLASSES = {**CALLBACK_CLASSES, **PANEL_CLASSES, **SEQUENCE_CLASSES}


def fitting_callbacks(prepared: PreparedRun, stream) -> set[str]:
    """The switchable callbacks that are on and fit the model; a note for each left out.

    The panels of one kind of data (`KIND_CALLBACKS`: the generated text,
    the forecast, the projector) are left out of other runs without a note,
    as are those `callbacks_off` or `images` false switch off, and the panels
    of data of another kind (`callbacks_left_out`).
    """
    on, left_out = callbacks_left_out(prepared)
    for name, (reason, noted) in left_out.items():
        if noted:
            print(skip_note(SWITCHABLE_CLASSES[name], reason), file=stream, flush=True)
    return on


def callbacks_left_out(prepared: PreparedRun) -> tuple[set[str], dict[str, tuple[str, bool]]]:
    """The switchable callbacks on for this run, and each one left out: (why, whether noted).

    The image classifiers' panels are candidates only for samples that are
    images, the sequence panels only for sequences (`has_sequence_samples`),
    and the decision boundary, a plane of two inputs, only for points: the
    seminar's CNN and LSTM runs start without a note about it. `images` false
    switches off every callback that draws images.
    """
    config, model = prepared.config, prepared.model
    left_out = {name: ("callbacks_off switches it off", False) for name in config.callbacks_off}
    on = {name for name in SWITCHABLE_CALLBACKS if name not in config.callbacks_off}
    sequences = has_sequence_samples(prepared)
    images = not sequences and has_image_samples(prepared)
    axes = len(getattr(prepared.training, "feature_shape", ()) or ())
    silent = {}
    if not images:
        silent.update(dict.fromkeys(IMAGE_CALLBACKS, "this run's samples are not images"))
    if not sequences:
        silent.update(dict.fromkeys(SEQUENCE_CALLBACKS, "this run's samples are not sequences"))
    if images or sequences or axes >= 2:  # Samples of more than one axis: never a plane.
        plane = "it draws a plane of 2 inputs"
        silent["boundary"] = f"{plane}, and this run's samples have {axes} axes"
    if not config.images:
        drawn = ("boundary", "surface", "panels", "first_layer", "activations")
        silent.update(dict.fromkeys((*drawn, "hidden_state", "forecast"), "`images` is false"))
    for name, reason in silent.items():
        if name in on:
            on.discard(name)
            left_out[name] = (reason, False)
    data_reasons = unfit_callbacks(prepared)
    for name, callback_class in SWITCHABLE_CLASSES.items():
        reason = None
        if name in on:
            reason = data_reasons.get(name) or callback_class.skip_reason(model)
        if reason is not None:
            on.discard(name)
            left_out[name] = (reason, name not in KIND_CALLBACKS)
    return on, left_out


def check_cadences_used(prepared: PreparedRun) -> None:
    """Refuses how often to draw, set for a callback this run leaves out (a setting ignored).

    A cadence at its automatic value (`frame_cadence.frame_every`) was not
    set, or changes nothing. `images` false is a switch for the moment (an
    experiment's quick run), so the cadences stay, for when it is true.
    `kerasclf.train` and the CLI call it between `prepare_run` and
    `run_prepared`: one line, before anything is written.
    """
    config = prepared.config
    if not config.images:
        return
    _, left_out = callbacks_left_out(prepared)
    for key, callback in CADENCES.items():
        value = getattr(config, key)
        if value is None or callback not in left_out or callback in config.callbacks_off:
            continue  # Switched off by name: `config_ranges` refuses a cadence given for it.
        if value == frame_every(config.epochs, OWN_CADENCES[key]):
            continue
        raise ValueError(
            f"`{key}` sets how often {SWITCHABLE_CALLBACKS[callback].split(':')[0]} logs, and "
            f"this run leaves it out: {left_out[callback][0]}. Received: {key}={value}. "
            "Remove it."
        )


def default_callbacks(prepared: PreparedRun, resolved: dict, run_dir: str, stream) -> list:
    """kerasclf's callbacks for one run, those that fit its model, in the order they run.

    Args:
        prepared: The run: its config, its model (each callback's needs are
            checked against it) and its data. Training data that is a
            `Stream` (not in memory) has its cost taken over the whole
            stream, and its images drawn from a sample.
        resolved: The resolved settings written to `config.json`.
        run_dir: The run directory.
        stream: Where printed lines go.
    """
    config, training = prepared.config, prepared.training
    on = fitting_callbacks(prepared, stream)
    points = _Points(config, training, prepared.validation, prepared.test)
    callbacks = []
    if "cost" in on:
        callbacks.append(
            CostLogger(
                run_dir,
                *points.cost,
                validation_data=points.validation,
                cost=config.cost,
                test_data=points.test,
                task=config.task,
                num_classes=training.num_classes,
            )
        )
    # With a summed cost the step of gd, momentum and nesterov grows with the minibatch.
    summed = config.cost == "sum" and PRESETS[config.optimizer].proportional_step
    summed_over = resolved["batch_size_used"] if summed else None
    callbacks.append(DivergenceStop(stream=stream, summed_over=summed_over))
    if "weights" in on:
        # Without CostLogger (which logs it over all points), WeightLogger's own gradient
        # norm; not for a stream, where WeightLogger sees only a sample.
        gradient_norm = "cost" not in on and isinstance(training, Data)
        callbacks.append(
            WeightLogger(
                run_dir,
                *points.images,
                cost=config.cost,
                histogram_every=config.histogram_every,
                gradient_norm=gradient_norm,
                task=config.task,
                num_classes=training.num_classes,
            )
        )
    if config.batch_cost:
        callbacks.append(MinibatchCostLogger(run_dir))
    callbacks.extend(_image_callbacks(config, on, points, training, run_dir, stream))
    callbacks.extend(panel_callbacks(prepared, on, run_dir, stream))
    callbacks.extend(sequence_callbacks(prepared, on, run_dir))
    if "config" in on:
        callbacks.append(RunConfigLogger(run_dir, resolved))
    if "progress" in on:
        callbacks.append(EpochPrinter(stream=stream))
    return callbacks


class _Points:
    """The points each callback reads: all of them for the cost, a sample of a stream to draw."""

    def __init__(self, config, training, validation, test):
        self.validation = None if validation is None else (validation.features, validation.labels)
        self.test = None if test is None else (test.features, test.labels)
        if isinstance(training, Data):
            self.cost = self.images = (training.features, training.labels)
        else:
            sample = training.sample(seed=config.seed)
            self.cost, self.images = (training, None), (sample.features, sample.labels)


def _image_callbacks(config, on: set[str], points: _Points, training, run_dir, stream):
    """The decision-boundary and error-surface loggers that are on, for the `training` data."""
    callbacks = []
    if "boundary" in on:
        reference = None if config.data else REFERENCE_LINES.get(config.dataset)
        callbacks.append(
            DecisionBoundaryLogger(
                run_dir,
                *points.images,
                validation_data=points.validation,
                every=config.boundary_every,
                reference_line=reference,
                stream=stream,
            )
        )
    if "surface" in on:
        callbacks.append(
            ErrorSurfaceLogger(
                run_dir,
                *points.images,
                cost=config.cost,
                every=config.surface_every,
                stream=stream,
                num_samples=training.num_samples,
                num_classes=training.num_classes,
            )
        )
    return callbacks
