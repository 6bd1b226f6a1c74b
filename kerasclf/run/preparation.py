"""A run, validated and ready: config, data, model and class weights; nothing written.

`prepare_run` checks every setting, loads the data and builds and compiles
the model, so that a bad setting, data file or model fails in one line
before the run directory exists. `prepare_resume` does the same for an
interrupted run directory.

Example:
    >>> prepared = prepare_run(epochs=5, logdir="/tmp/logs")  # doctest: +SKIP
    >>> prepared.training.num_samples  # doctest: +SKIP
    200
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from typing import Any

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf import pipeline
from kerasclf.run.checkpoint import restore_checkpoint
from kerasclf.engine.classifier import Classifier, check_parts_trainable
from kerasclf.run.config import (
    FIELDS,
    TEXT_SEQUENCE_LENGTH,
    TrainConfig,
)
from kerasclf.run.config_making import make_config
from kerasclf.engine.distribution import make_strategy
from kerasclf.data import Data, load_data_splits, make_dataset_splits, split_validation
from kerasclf.models.architecture import DEFAULT_EMBEDDING_DIM, RECURRENT_MODELS
from kerasclf.models.features import FeatureMap
from kerasclf.models.sources import is_model_file
from kerasclf.run.model import (
    base_model,
    compile_model,
    compiled_optimizer,
    model_description,
    resolve_class_weights,
)
from kerasclf.run.directory import CONFIG_FILE
from kerasclf.run.resume_config import check_epochs_completed, resume_config
from kerasclf.run.model_defaults import LAYER_KEYS
from kerasclf.data.csv_streams import open_csv_data
from kerasclf.data.streaming import Stream, generated_stream
from kerasclf.validation import shown


@dataclasses.dataclass
class PreparedRun:
    """A validated run, ready to train: nothing has been written yet.

    Attributes:
        config: The checked config.
        training: The training `Data`, or a `Stream`.
        validation: The validation split, or None.
        test: The data file's own test set (Keras's `x_test`, `y_test`), or None.
        model: The compiled model (built in the strategy's scope).
        strategy: The `tf.distribute` strategy, or None for one device.
        model_source: What the model was built from: a built-in name,
            `"FILE.py:FUNCTION"`, or the user's Python object.
        class_weights: The weight of each class, or None.
        resume_dir: The run directory to continue, or None for a new run.
        user_optimizer: The optimizer's class name if the user's model came
            compiled (kerasclf trains it with its own settings), else None.
    """

    config: TrainConfig
    training: Data | Stream
    validation: Data | None
    test: Data | None = None
    model: Classifier | None = None
    model_source: Any = None
    class_weights: np.ndarray | None = None
    resume_dir: str | None = None
    strategy: tf.distribute.Strategy | None = None
    user_optimizer: str | None = None

    @property
    def model_name(self) -> str:
        """The model as config.json records it."""
        return model_description(self.model_source)


def load_training_data(config: TrainConfig) -> tuple[Data | Stream, Data | None, Data | None]:
    """The training data, the optional validation split and the file's test set.

    Streamed data (`config.streamed`) comes back as a `Stream`, with no split.
    """
    data_seed = config.seed if config.data_seed is None else config.data_seed
    if config.streamed and config.data is not None:
        return open_csv_data(config.data), None, None
    if config.streamed:
        stream = generated_stream(config.dataset, config.num_samples, config.noise, data_seed)
        return stream, None, None
    if config.data is not None:
        data, test = load_data_splits(
            config.data,
            task=config.task,
            sequence_length=config.sequence_length or TEXT_SEQUENCE_LENGTH,
            stride=config.stride,
        )
    else:  # A named dataset and its held-out test part, if it has one (fonts).
        data, test = make_dataset_splits(
            config.dataset, config.num_samples, config.noise, data_seed, config.sequence_length
        )
    training, validation = split_validation(data, config.validation_split, data_seed)
    return training, validation, test


def prepare_run(
    config: TrainConfig | dict | None = None,
    *,
    model_object=None,
    checked: bool = False,
    **overrides: Any,
) -> PreparedRun:
    """Validates a config, loads its data and builds its model, writing nothing.

    Args:
        config: A `TrainConfig`, a dict of config keys, or None.
        model_object: The user's `keras.Model` or model function, instead
            of `config.model` (which must then be left at its default).
        checked: `config` is a `TrainConfig` already parsed and checked
            (`kerasclf.run.config_making.make_config` or `checked_config`, as the CLI
            makes it), so its values are not parsed again.
        **overrides: Config keys that override `config`.

    Raises:
        ValueError, TypeError: one clear line about the first bad setting.

    Example:
        >>> prepared = prepare_run(dataset="xor", model="mlp", epochs=5)  # doctest: +SKIP
        >>> prepared.training.num_samples, prepared.model.name  # doctest: +SKIP
        (500, 'mlp')
    """
    if config is not None and not isinstance(config, (TrainConfig, dict)):
        raise TypeError(
            "`config` must be a TrainConfig, a dict of config keys (a TOML file's, from "
            "kerasclf.run.config_file.load_toml(path)) or None. "
            f"Received: config={shown(config)} of type {type(config).__name__}."
            + (" Settings go by keyword, e.g. model='mlp'." if isinstance(config, str) else "")
        )
    if not (checked and isinstance(config, TrainConfig) and not overrides):
        values = config.to_dict() if isinstance(config, TrainConfig) else dict(config or {})
        if model_object is not None:
            _check_no_built_in_options({**values, **overrides}, model_object)
        config = make_config(values, **overrides)
    if model_object is not None:
        check_python_model(model_object, config)
    source = config.model if model_object is None else model_object
    training, validation, test = load_training_data(config)
    config = fill_embedding_dim(config, training)
    check_prompt(config, training)
    if config.features is not None:
        FeatureMap(config.features).build((None, training.num_features))
    if config.strategy == "mirrored":
        check_even_split(config, training.num_samples)
    labels = training.labels if isinstance(training, Data) else None
    class_weights = resolve_class_weights(config.class_weight, labels, training.num_classes)
    prepared = PreparedRun(config, training, validation, test, None, source, class_weights)
    # Before TensorFlow runs its first op: logical devices and the strategy.
    prepared.strategy = make_strategy(config.strategy, config.cpu_devices)
    # Seeded first: a user's initializers draw from Keras's global seed.
    keras.utils.set_random_seed(config.seed)
    with prepared.strategy.scope() if prepared.strategy else contextlib.nullcontext():
        built = base_model(config, training, source)
        prepared.user_optimizer = compiled_optimizer(built)
        prepared.model = compile_model(config, training, built)
    check_engine_fits(prepared, prepared.model)
    return prepared


def fill_embedding_dim(config: TrainConfig, training) -> TrainConfig:
    """A recurrent model on token ids records its Embedding's width: `DEFAULT_EMBEDDING_DIM`."""
    token_ids = getattr(training, "vocabulary_size", None) is not None
    if config.model in RECURRENT_MODELS and token_ids and config.embedding_dim is None:
        return dataclasses.replace(config, embedding_dim=DEFAULT_EMBEDDING_DIM)
    return config


def check_prompt(config: TrainConfig, training) -> None:
    """A `prompt` needs a text's vocabulary, and only characters from it."""
    if config.prompt is None:
        return
    vocabulary = getattr(training, "vocabulary", None)
    if vocabulary is None:
        raise ValueError(
            "`prompt` starts a character model's generated text, so it needs a text: "
            f"--data FILE.txt or --dataset grammar. Received: prompt={config.prompt!r}."
        )
    vocabulary.encode(config.prompt, key="prompt")


def _check_no_built_in_options(values: dict[str, Any], model_object) -> None:
    """Refuses the options that shape only the built-in models, given with the user's own."""
    keys = (*LAYER_KEYS, "init", "features", "l1", "l2")
    given = [key for key in keys if values.get(key) not in (None, FIELDS[key].default)]
    if given:
        received = ", ".join(f"{key}={shown(values[key])}" for key in given)
        raise ValueError(
            f"{', '.join(given)} shape the built-in models, not yours (model="
            f"{shown(model_object)}), so they would be ignored. Received: {received}. Remove "
            "them, and build those choices into your model."
        )


def check_python_model(model, config: TrainConfig) -> None:
    """A model passed as a Python object replaces `config.model`, on one device."""
    if config.model != FIELDS["model"].default:
        raise ValueError(
            f"Give the model once: as `model=` (a keras.Model or a function) or as the config's "
            f"`model` key. Received both, config model={config.model!r}."
        )
    if not callable(model) and not isinstance(model, keras.Model):
        raise TypeError(
            "`model` must be a built-in name, 'FILE.py:FUNCTION', a keras.Model or a function "
            f"that builds one. Received: model={shown(model)} of type {type(model).__name__}."
        )
    if config.strategy != "none":
        raise ValueError(
            f"strategy={config.strategy!r} builds the model inside its scope, which a built "
            "keras.Model cannot enter. Give the model as 'FILE.py:FUNCTION' instead."
        )


def check_engine_fits(prepared: PreparedRun, model: Classifier) -> None:
    """Refuses, in one line, a model or setting the chosen engine cannot train exactly."""
    config, training = prepared.config, prepared.training
    if config.streamed:
        batch_size = pipeline.resolve_batch_size(config.batch_size, training.num_samples)
        if pipeline.stream_layout(training.num_samples, batch_size)[0] is not None:
            smaller = f"Use a --batch-size of at most {pipeline.MAX_BLOCK_SAMPLES}"
            check_parts_trainable(
                model,
                f"{smaller}, or drop --streaming to hold the data in memory."
                if config.fits_in_memory
                else f"{smaller}: data this large streams in blocks of that many.",
            )
    if prepared.class_weights is not None and config.strategy == "multiworker":
        raise ValueError(
            "`class_weight` is not available with strategy='multiworker', whose loop "
            f"weighs every sample alike. Received: class_weight={config.class_weight!r}."
        )


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


def prepare_resume(
    run_dir: str, config: TrainConfig | None = None, model_object=None, key: str = "resume"
) -> PreparedRun:
    """Validates an interrupted run directory for `--resume`, writing nothing.

    Args:
        run_dir: The run directory.
        config: The run's, as `resume_config(run_dir)` read it (the command
            line does so before TensorFlow loads); None to read it here.
        model_object: For a run of a model given as a Python object, that
            model again (`kerasclf.resume(run_dir, model=...)`): a
            `keras.Model` of the same layers, or the function that builds it.
        key: What the messages call `run_dir`: the flag's name or the argument's.
    """
    if config is None:
        config = resume_config(run_dir, python_model=model_object is not None, key=key)
    try:
        prepared = prepare_run(config, model_object=model_object, checked=True)
    except (ValueError, TypeError) as error:
        if model_object is not None:  # About the model given (or a data file, named).
            raise
        raise ValueError(f"{os.path.join(run_dir, CONFIG_FILE)}: {error}") from None
    # Restored once into the model: a checkpoint that is unreadable or does
    # not fit the model fails here, before anything is written.
    if model_object is not None:
        mismatch = "Give the model the run trained: the same layers, built anew or by its function."
    elif is_model_file(config.model):
        model_file = config.model.rsplit(":", 1)[0]
        mismatch = (
            f"Was {model_file} or config.json edited? Resume with the model the run trained, or "
            "start a new run."
        )
    else:
        mismatch = "Was config.json edited?"
    completed = restore_checkpoint(prepared.model, run_dir, mismatch)
    check_epochs_completed(run_dir, completed, prepared.config.epochs)
    prepared.resume_dir = run_dir
    return prepared
