"""The model of a run: built-in or the user's, compiled, on the engine that runs it.

Example:
    >>> prepared = prepare_run(epochs=5)  # doctest: +SKIP
    >>> model = make_model(prepared.config, prepared.training)  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.models.architecture import (
    MODELS,
    Architecture,
    RECURRENT_MODELS,
    ConvArchitecture,
    check_architecture,
    check_conv_architecture,
)
from kerasclf.models.recurrent_architecture import (
    RecurrentArchitecture,
    check_recurrent_architecture,
)
from kerasclf.engine.classifier import Classifier
from kerasclf.run.config import TrainConfig
from kerasclf.models.features import FeatureMap
from kerasclf.engine.losses import task_loss
from kerasclf.models.xla import xla_is_faster
from kerasclf.models.registry import build_model
from kerasclf.models.user import user_model
from kerasclf.engine.optimizers import make_optimizer
from kerasclf.run.config_json_keys import PYTHON_MODEL_PREFIX


def make_model(config: TrainConfig, data, source=None) -> Classifier:
    """The compiled model of a config, for data of this shape.

    Args:
        config: The run's config.
        data: The training `Data` (or `Stream`): its sample shape and classes.
        source: The model: None for `config.model`; a built-in name,
            `"FILE.py:FUNCTION"`, a `keras.Model` or a function that builds
            one (see `kerasclf.models.user`).

    Returns:
        A compiled `Classifier`: the built-in model, or the user's model on
        the fused engine (its layers and weights unchanged).
    """
    return compile_model(config, data, base_model(config, data, source))


def base_model(config: TrainConfig, data, source=None) -> keras.Model:
    """The model as built, before kerasclf compiles it: built-in, or the user's, checked.

    Arguments as for `make_model`. A user's model comes back as the user
    made it, compiled or not.
    """
    source = config.model if source is None else source
    input_shape = feature_shape(data)
    task, num_targets = config.task, getattr(data, "num_targets", None) or 1
    if isinstance(source, str) and source in MODELS:
        _check_token_ids(source, data, input_shape)
        feature_map = FeatureMap(config.features, name="phi") if config.features else None
        return build_model(
            source,
            input_shape,
            data.num_classes,
            init=config.init,
            seed=config.seed,
            architecture=layer_architecture(config),
            conv=conv_architecture(config),
            feature_map=feature_map,
            recurrent=recurrent_architecture(config),
            vocabulary_size=getattr(data, "vocabulary_size", None),
            task=task,
            num_targets=num_targets,
        )
    vocabulary_size = getattr(data, "vocabulary_size", None)
    return user_model(source, input_shape, data.num_classes, task, num_targets, vocabulary_size)


def _check_token_ids(model_name: str, data, input_shape: tuple) -> None:
    """Names a sample a recurrent model cannot read as token ids, in data without a vocabulary.

    Samples of shape (time,) are token ids, whole numbers 0, 1, 2, ...; data
    of other numbers (negative or not whole) has no `vocabulary_size`, and the
    model would otherwise ask for one, which no setting gives.
    """
    features = getattr(data, "features", None)
    if model_name not in RECURRENT_MODELS or len(input_shape) != 1 or features is None:
        return
    if getattr(data, "vocabulary_size", None) is not None:
        return
    not_whole = features != np.floor(features)
    wrong, kind = (
        (not_whole, "is not a whole number") if not_whole.any() else (features < 0, "is negative")
    )
    if not wrong.any():
        return
    sample, step = (int(index) for index in np.argwhere(wrong)[0])
    raise ValueError(
        f"{data.source}: value {features[sample, step]:g} at sample {sample} (step {step}) {kind}: "
        f"the {model_name!r} model reads samples of shape (time,) as token ids, whole numbers "
        f"0, 1, 2, .... Received values from {features.min():g} to {features.max():g}. Fix the "
        f"ids, or save sequences of numbers of shape (samples, time, features): X[..., None] "
        f"makes each sample ({input_shape[0]}, 1)."
    )


def compile_model(config: TrainConfig, data, model: keras.Model) -> Classifier:
    """`model` on the fused engine (the same layers and weights), compiled with the config's
    optimizer and cost."""
    model = Classifier.from_model(model, feature_shape(data))
    model.compile(
        optimizer=make_optimizer(
            config.optimizer, data.num_samples, config.learning_rate, config.momentum
        ),
        loss=task_loss(config.task, config.cost),
        # Weighted, so that class weights weigh the accuracy as stock `fit` does.
        weighted_metrics=task_metrics(config.task, model),
        jit_compile=uses_xla(config, model),
    )
    return model


def compiled_optimizer(model: keras.Model) -> str | None:
    """The class name of the optimizer the user compiled `model` with; None if uncompiled.

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        >>> compiled_optimizer(model)
        >>> model.compile(optimizer="adam", loss="mse")
        >>> compiled_optimizer(model)
        'Adam'
    """
    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        return None
    return type(model.optimizer).__name__


def task_metrics(task: str, model: keras.Model) -> list:
    """The step metrics: a classifier's accuracy; none for a regression (its cost says it)."""
    if task == "regression":
        return []
    accuracy = "binary_accuracy" if model.output_shape[-1] == 1 else "sparse_categorical_accuracy"
    return [keras.metrics.get(accuracy)]


def uses_xla(config: TrainConfig, model: keras.Model) -> bool:
    """Whether the fused step compiles with XLA: on one device, where XLA is faster."""
    single_device = config.engine == "fused" and config.strategy == "none"
    return single_device and xla_is_faster(model)


def layer_architecture(config: TrainConfig) -> Architecture:
    """The hidden layers and penalties of a built-in model (logistic: penalties only)."""
    unset = Architecture()  # A model without hidden layers leaves their options unset.
    return check_architecture(
        unset.hidden if config.hidden is None else config.hidden,
        unset.activation if config.activation is None else config.activation,
        config.l1,
        config.l2,
        unset.dropout if config.dropout is None else config.dropout,
    )


def conv_architecture(config: TrainConfig) -> ConvArchitecture | None:
    """The convolution blocks of a `cnn`, or None for a model without them."""
    if config.filters is None:
        return None
    # pooling "none" leaves pool_size unset: the blocks have no pooling window.
    pool_size = ConvArchitecture.pool_size if config.pool_size is None else config.pool_size
    return check_conv_architecture(config.filters, config.kernel_size, pool_size, config.pooling)


def recurrent_architecture(config: TrainConfig) -> RecurrentArchitecture | None:
    """The recurrent layers of an `rnn`, `lstm` or `gru`, or None for another model."""
    if config.model not in RECURRENT_MODELS:
        return None
    return check_recurrent_architecture(config.units, config.layers, config.embedding_dim)


def feature_shape(data) -> tuple[int, ...]:
    """The shape of one sample of `Data` or of a `Stream` (tabular)."""
    shape = getattr(data, "feature_shape", None)
    return tuple(shape) if shape is not None else (data.num_features,)


def model_description(source) -> str:
    """What config.json records as the model: its name, file, or Python object."""
    if isinstance(source, str):
        return source
    return PYTHON_MODEL_PREFIX + getattr(source, "name", getattr(source, "__name__", "model"))


def resolve_class_weights(class_weight, labels: np.ndarray | None, num_classes: int):
    """The weight of each class as float32 (num_classes,), or None.

    `"balanced"` weighs class c by n / (k n_c), as scikit-learn's
    `compute_class_weight("balanced", ...)`: each class then counts as much
    in the cost as if the classes were equally frequent.

    Example:
        >>> resolve_class_weights("balanced", np.array([0, 0, 0, 1]), 2).tolist()
        [0.6666666865348816, 2.0]
    """
    if class_weight is None:
        return None
    if class_weight == "balanced":
        if labels is None:
            raise ValueError(
                "`class_weight='balanced'` counts the classes, which streamed data cannot do "
                "before training. Give one weight per class instead, e.g. --class-weight 1,3."
            )
        counts = np.bincount(labels, minlength=num_classes)
        return (len(labels) / (num_classes * np.maximum(counts, 1))).astype(np.float32)
    if len(class_weight) != num_classes:
        raise ValueError(
            f"`class_weight` must hold one weight per class, {num_classes} here. Received "
            f"{len(class_weight)}: class_weight={list(class_weight)}."
        )
    return np.asarray(class_weight, np.float32)
