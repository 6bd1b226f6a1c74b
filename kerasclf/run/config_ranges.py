"""Range and cross-key checks of a typed config, and the vocabularies they check against.

`kerasclf.run.config` reads each value once into its type; `check_ranges`
then checks ranges, names and combinations without converting anything, and
raises one line naming the key, the value received and the fix.

Example:
    >>> check_choice("engine", "fused", ENGINES)
    'fused'
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import TYPE_CHECKING

from kerasclf.data import DATASETS
from kerasclf.data.datasets import check_dataset_arguments
from kerasclf.data.loading import check_data_path, data_file_kind, is_text_file
from kerasclf.data.files import is_shard_glob, match_shards
from kerasclf.engine.cluster import STRATEGIES, parse_tf_config
from kerasclf.engine.presets import resolve_hyperparameters
from kerasclf.engine.reductions import REDUCTIONS
from kerasclf.engine.tasks import TASKS
from kerasclf.models.architecture import (
    INITS,
    MODELS,
    RECURRENT_MODELS,
    Architecture,
    ConvArchitecture,
    check_architecture,
    check_conv_architecture,
)
from kerasclf.models.recurrent_architecture import (
    check_recurrent_architecture,
    RecurrentArchitecture,
)
from kerasclf.models.feature_names import check_feature_names
from kerasclf.models.sources import parse_model_source
from kerasclf.run.config_checks import check_class_weight, check_combinations, check_streamable
from kerasclf.run.directory import check_logdir, check_run_name
from kerasclf.validation import check_choice, check_integer, check_number

if TYPE_CHECKING:
    from kerasclf.run.config import TrainConfig

ENGINES = {
    # Many minibatch steps per XLA program (kerasclf.engine.classifier); the default.
    "fused": "blocks of minibatches, one XLA program per block",
    # Keras's own per-step fit: one program call per minibatch.
    "plain": "stock Keras fit, one step per minibatch",
}
# The default callbacks that `callbacks_off` can switch off, by name.
SWITCHABLE_CALLBACKS = {
    "cost": "CostLogger: cost, mean cost and accuracy at each epoch's weights",
    "weights": "WeightLogger: w1, w2, b, learning rate, gradient norm, histograms",
    "boundary": "DecisionBoundaryLogger: the decision-boundary images",
    "surface": "ErrorSurfaceLogger: the error-surface images",
    "config": "RunConfigLogger: the run's config as text and HParams",
    "progress": "EpochPrinter: the line printed after each epoch",
    # Image classifiers' panels (on for samples with two or more axes).
    "panels": "ClassificationPanels: confusion_matrix, class_accuracy, misclassified, pr_curves",
    "first_layer": "FirstLayerImages: the first layer's weights (units or filters) as images",
    "activations": "ActivationImages: a fixed example's feature maps through each convolution",
    "gradient_norms": "GradientNorms: gradient_norm/<layer>, the gradient's norm per layer",
    # Sequence models' panels.
    "generated_text": "GeneratedTextLogger: a character model's text from a fixed prompt",
    "hidden_state": "HiddenStateLogger: the first recurrent layer's hidden units over time",
    "forecast": "ForecastLogger: a regression's predicted series against the truth",
    "projector": "EmbeddingProjector: the learned embeddings in TensorBoard's Projector",
}
# The switchable callbacks of sequence models.
SEQUENCE_CALLBACKS = ("generated_text", "hidden_state", "forecast", "projector")
# The switchable callbacks of image classifiers, on when samples have two or more axes.
IMAGE_CALLBACKS = ("panels", "first_layer", "activations", "gradient_norms")
# More logical CPU devices than this only slow TensorFlow's start.
MAX_CPU_DEVICES = 64


def check_ranges(config: TrainConfig) -> None:
    """Range- and cross-key checks of a config whose values have their types.

    Raises one clear ValueError or TypeError; converts no value.
    """
    _check_data(config)
    _check_model(config)
    _check_training(config)
    _check_logging(config)
    check_combinations(config)


def _check_data(config: TrainConfig) -> None:
    if config.data is None:
        check_choice("dataset", config.dataset, DATASETS)
    elif is_shard_glob(config.data):
        match_shards(config.data)
    else:
        check_data_path(config.data)
    if config.streamed:
        check_streamable(config)
    if config.num_samples is not None:
        check_integer("num_samples", config.num_samples, minimum=2)
    named = config.data is None and not config.streamed
    if config.noise is not None and not named:  # A named dataset's own range is checked below.
        check_number("noise", config.noise, 0.0, math.inf, low_inclusive=True)
    check_number("validation_split", config.validation_split, 0.0, 1.0, low_inclusive=True)
    _check_sequences(config)
    if named:  # The dataset's own size and noise ranges.
        check_dataset_arguments(
            config.dataset, config.num_samples, config.noise, 0, config.sequence_length
        )


def _check_sequences(config: TrainConfig) -> None:
    """The task fits the data; a sequence length and stride only where there are sequences."""
    check_choice("task", config.task, TASKS)
    spec = DATASETS[config.dataset] if config.data is None else None
    if spec is not None and config.task != spec.task:
        labels = "float targets" if spec.task == "regression" else "classes"
        raise ValueError(
            f"`task` does not fit dataset {config.dataset!r}, whose labels are {labels}. "
            f"Received: task={config.task!r}. Leave it out, or give --task {spec.task}."
        )
    if config.sequence_length is not None:
        check_integer("sequence_length", config.sequence_length)
        if spec is not None and spec.sequence_length is None:
            raise ValueError(
                f"`sequence_length` applies to sequence datasets and text files, not to dataset "
                f"{config.dataset!r}. Received: sequence_length={config.sequence_length}. "
                "Remove it, or choose long_dependency, series, grammar or a .txt file."
            )
        if spec is None and not is_text_file(config.data):
            raise ValueError(
                "`sequence_length` cuts a text file (.txt) into windows; the samples of "
                f"{config.data!r} have their own shape. Received: "
                f"sequence_length={config.sequence_length}. Remove it."
            )
    _check_task_fits(config, spec)
    check_integer("stride", config.stride)
    if config.stride != 1 and not is_text_file(config.data):
        raise ValueError(
            "`stride` applies to a text file's windows (--data FILE.txt). "
            f"Received: stride={config.stride}. Remove it, or give a .txt file."
        )


def _check_task_fits(config: TrainConfig, spec) -> None:
    """No class weights without classes; text (token ids) only for a model that embeds them;
    a recurrent model only on sequences (or a file)."""
    if config.class_weight is not None and config.task == "regression":
        raise ValueError(
            "`class_weight` weighs classes, and a regression has none. Received: "
            f"class_weight={config.class_weight!r} with task='regression'. Remove it."
        )
    text = spec.kind == "text" if spec is not None else is_text_file(config.data)
    if text and config.model in MODELS and config.model not in RECURRENT_MODELS:
        raise ValueError(
            f"A text is read as token ids, which the {config.model!r} model would take for "
            f"numbers. Received: model={config.model!r}. Use --model lstm, gru or rnn, which "
            "embed each token (or your own model with an Embedding layer)."
        )
    if spec is not None and spec.kind == "points" and config.model in RECURRENT_MODELS:
        sequences = [name for name, data in DATASETS.items() if data.sequence_length is not None]
        images = [name for name, data in DATASETS.items() if data.kind == "images"]
        raise ValueError(
            f"The {config.model!r} model reads sequences, and dataset {config.dataset!r} holds "
            f"points in the plane (x1, x2). Received: model={config.model!r}, "
            f"dataset={config.dataset!r}. Choose a dataset of sequences ({', '.join(sequences)}; "
            f"{', '.join(images)} read row by row) or --data FILE, or a model for points "
            "(logistic, mlp)."
        )


def _check_features_on_points(config: TrainConfig) -> None:
    """phi(x) maps the columns of points (a table), not images, sequences or a text."""
    if config.data is None:
        kind, source = DATASETS[config.dataset].kind, f"dataset {config.dataset!r}"
    else:
        kind, source = data_file_kind(config.data), repr(config.data)
    if kind != "points":
        raise ValueError(
            f"`features` maps the columns of points (x1, x2, ...) to phi(x), and {source} holds "
            f"{kind}. Received: features={config.features!r}. Remove --features: hidden "
            "layers (mlp, cnn, a recurrent model) learn their own."
        )


def _check_model(config: TrainConfig) -> None:
    parse_model_source(config.model)
    check_class_weight(config.class_weight)
    if config.init is not None:
        check_choice("init", config.init, INITS)
    if config.features is not None:
        check_feature_names(config.features)
        _check_features_on_points(config)
    # A model's layer options: each one given is checked, the others at their defaults.
    unset, unset_convolution = Architecture(), ConvArchitecture()
    check_architecture(
        unset.hidden if config.hidden is None else config.hidden,
        unset.activation if config.activation is None else config.activation,
        config.l1,
        config.l2,
        unset.dropout if config.dropout is None else config.dropout,
    )
    check_conv_architecture(
        *(
            getattr(unset_convolution, key)
            if getattr(config, key) is None
            else getattr(config, key)
            for key in ("filters", "kernel_size", "pool_size", "pooling")
        )
    )
    unset_recurrent = RecurrentArchitecture()
    check_recurrent_architecture(
        unset_recurrent.units if config.units is None else config.units,
        unset_recurrent.layers if config.layers is None else config.layers,
        config.embedding_dim,
    )


def _check_training(config: TrainConfig) -> None:
    resolve_hyperparameters(config.optimizer, config.learning_rate, config.momentum)
    check_choice("cost", config.cost, REDUCTIONS)
    if config.batch_size != "full":
        check_integer("batch_size", config.batch_size)
    check_integer("epochs", config.epochs)
    check_integer("seed", config.seed, minimum=0)
    if config.data_seed is not None:
        check_integer("data_seed", config.data_seed, minimum=0)
    check_choice("engine", config.engine, ENGINES)
    check_choice("strategy", config.strategy, STRATEGIES)
    if config.cpu_devices is not None:
        check_integer("cpu_devices", config.cpu_devices, maximum=MAX_CPU_DEVICES)
    if config.strategy == "multiworker":
        parse_tf_config(os.environ.get("TF_CONFIG"))
    if config.strategy != "mirrored" and config.cpu_devices is not None:
        raise ValueError(
            "`cpu_devices` applies to strategy 'mirrored' only (with none, the run uses one "
            "device; each multiworker worker uses its own). Received: cpu_devices="
            f"{config.cpu_devices} with strategy={config.strategy!r}. Add --strategy mirrored, "
            "or drop --cpu-devices."
        )
    if config.strategy != "none" and config.batch_cost:
        raise ValueError(
            f"`batch_cost` is not available with strategy={config.strategy!r}: the per-minibatch "
            "cost is recorded by the single-device fused step. Drop --batch-cost or the strategy."
        )


# Each setting of how often a default callback logs, and that callback's name.
CADENCES = {"boundary_every": "boundary", "surface_every": "surface", "histogram_every": "weights"}


def _check_cadences_of_callbacks_on(config: TrainConfig) -> None:
    """Refuses how often to log, given for a callback that `callbacks_off` switches off."""
    defaults = {field.name: field.default for field in dataclasses.fields(config)}
    for key, callback in CADENCES.items():
        value = getattr(config, key)
        if value != defaults[key] and callback in config.callbacks_off:
            raise ValueError(
                f"`{key}` sets how often {SWITCHABLE_CALLBACKS[callback].split(':')[0]} logs, "
                f"and callbacks_off switches it off. Received: {key}={value}, "
                f"callbacks_off={','.join(config.callbacks_off)!r}. Remove one of the two."
            )


def _check_logging(config: TrainConfig) -> None:
    for key in CADENCES:  # None where its callback is off; histograms 0 for none.
        if getattr(config, key) is not None:
            check_integer(key, getattr(config, key), minimum=0 if key == "histogram_every" else 1)
    for index, name in enumerate(config.callbacks_off):
        check_choice("callbacks_off", name, SWITCHABLE_CALLBACKS)
        if name in config.callbacks_off[:index]:
            raise ValueError(
                f"`callbacks_off` names {name!r} twice. Received: "
                f"callbacks_off={','.join(config.callbacks_off)!r}. Name each callback once."
            )
    _check_cadences_of_callbacks_on(config)
    if config.prompt is not None and not config.prompt:
        raise ValueError("`prompt` must be some text to continue. Received: prompt=''.")
    check_logdir(config.logdir)
    if config.run_name is not None:
        check_run_name(config.run_name)
