"""The callbacks `kerasclf train` turns on, in the order they must run.

`CostLogger` goes first: it puts the cost at the epoch's weights into the
epoch's `logs`, which `DivergenceStop` and `EpochPrinter` then read. Each
logger can be switched off by name (`TrainConfig.callbacks_off`); without
`CostLogger`, they read Keras's running mean of the loss instead.
"""

from __future__ import annotations

from callbacks.boundary import DecisionBoundaryLogger
from callbacks.cost import CostLogger
from callbacks.divergence import DivergenceStop
from callbacks.error_surface import ErrorSurfaceLogger
from callbacks.hparams import RunConfigLogger
from callbacks.minibatch_cost import MinibatchCostLogger
from callbacks.progress import EpochPrinter
from callbacks.requirements import skip_note
from callbacks.weights import WeightLogger
from kerasclf.config import SWITCHABLE_CALLBACKS
from kerasclf.data import SLIDE_LINE, Data

# Lines drawn on a named dataset's images: the slide's line on hand_line.
REFERENCE_LINES = {"hand_line": SLIDE_LINE}


# The switchable callbacks that declare needs of the model (`callbacks.requirements`).
CALLBACK_CLASSES = {
    "cost": CostLogger,
    "boundary": DecisionBoundaryLogger,
    "surface": ErrorSurfaceLogger,
}


def fitting_callbacks(config, model, stream) -> set[str]:
    """The switchable callbacks that are on and fit the model; a note for each left out."""
    on = {name for name in SWITCHABLE_CALLBACKS if name not in config.callbacks_off}
    if not config.images:
        on -= {"boundary", "surface"}
    for name, callback_class in CALLBACK_CLASSES.items():
        reason = callback_class.skip_reason(model) if name in on else None
        if reason is not None:
            on.discard(name)
            print(skip_note(callback_class, reason), file=stream, flush=True)
    return on


def default_callbacks(
    config, resolved: dict, model, training, validation, run_dir: str, stream
) -> list:
    """kerasclf's callbacks for one run, those that fit its model.

    Args:
        config: The run's `TrainConfig`.
        model: The model: each callback's needs are checked against it.
        resolved: The resolved settings written to `config.json`.
        training: The training `Data`, or a `Stream` for data that is not in
            memory: the cost is then taken over the whole stream, and the
            images draw a sample of it.
        validation: The validation `Data`, or None.
        run_dir: The run directory.
        stream: Where printed lines go.
    """
    validation_data = None if validation is None else (validation.features, validation.labels)
    if isinstance(training, Data):
        cost_x, cost_y = x, y = training.features, training.labels
    else:
        cost_x, cost_y = training, None
        sample = training.sample(seed=config.seed)
        x, y = sample.features, sample.labels
    on = fitting_callbacks(config, model, stream)
    callbacks = []
    if "cost" in on:
        callbacks.append(
            CostLogger(run_dir, cost_x, cost_y, validation_data=validation_data, cost=config.cost)
        )
    callbacks.append(DivergenceStop(stream=stream))
    if "weights" in on:
        callbacks.append(
            WeightLogger(
                run_dir,
                x,
                y,
                cost=config.cost,
                histogram_every=config.histogram_every,
                # Without CostLogger (which logs it over all points), WeightLogger's own;
                # not for a stream, where WeightLogger sees only a sample.
                gradient_norm="cost" not in on and isinstance(training, Data),
            )
        )
    if config.batch_cost:
        callbacks.append(MinibatchCostLogger(run_dir))
    reference = None if config.data else REFERENCE_LINES.get(config.dataset)
    if "boundary" in on:
        callbacks.append(
            DecisionBoundaryLogger(
                run_dir,
                x,
                y,
                validation_data=validation_data,
                every=config.boundary_every,
                reference_line=reference,
                stream=stream,
            )
        )
    if "surface" in on:
        callbacks.append(
            ErrorSurfaceLogger(
                run_dir,
                x,
                y,
                cost=config.cost,
                every=config.surface_every,
                stream=stream,
                num_samples=training.num_samples,
            )
        )
    if "config" in on:
        callbacks.append(RunConfigLogger(run_dir, resolved))
    if "progress" in on:
        callbacks.append(EpochPrinter(stream=stream))
    return callbacks
