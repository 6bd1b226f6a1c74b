"""One flat, typed run configuration, shared by the CLI, TOML files and Python.

The defaults reproduce the seminar's slide: seminar_blobs, logistic regression
from zeros, full-batch gradient descent with learning rate 0.001 on the summed
cross-entropy, 100 epochs.

Every key is a command-line flag (`batch_size` is `--batch-size`) and a key
of a `--config FILE.toml`; flags override the file. Values are type-checked
against the key's type and then range-checked by `validate`, and an unknown key
is an error naming the closest valid one.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
import typing
from typing import Any

from kerasclf.architecture import INITS, check_architecture
from kerasclf.cluster import STRATEGIES, parse_tf_config
from kerasclf.data_files import (
    STREAM_ABOVE_BYTES,
    STREAM_ABOVE_SAMPLES,
    is_large_csv,
    is_shard_glob,
    match_shards,
)
from kerasclf.data import DATASETS
from kerasclf.feature_names import check_feature_names
from kerasclf.model_sources import is_model_file, parse_model_source
from kerasclf.presets import resolve_hyperparameters
from kerasclf.reductions import REDUCTIONS
from kerasclf.runs import check_logdir, check_run_name
from kerasclf.validation import check_choice, check_integer, check_number, did_you_mean, shown

ENGINES = {
    # Many minibatch steps per XLA program (kerasclf.classifier); the default.
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
}
# Keys added after runs were first written: a run's config.json without one
# (an older run, resumed) takes the key's default.
KEYS_ADDED_LATER = ("callbacks_off", "class_weight")
# Keys that name a file or directory: a pathlib.Path is fine too.
PATH_KEYS = ("data", "logdir")
# More logical CPU devices than this only slow TensorFlow's start.
MAX_CPU_DEVICES = 64


def _key(default, help_text: str, **choices):
    return dataclasses.field(default=default, metadata={"help": help_text, **choices})


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run. See `kerasclf train --help`.

    Example:
        >>> config = TrainConfig(optimizer="momentum", epochs=10)
        >>> config.batch_size
        'full'
    """

    # Data: the seminar's two Gaussian blobs, no validation split.
    dataset: str = _key("seminar_blobs", "named synthetic dataset (kerasclf datasets)")
    data: str | None = _key(
        None,
        "CSV or NPZ file of labelled points, or a quoted glob of CSV shards; replaces --dataset",
    )
    num_samples: int | None = _key(None, "points to generate; default: the dataset's own")
    streaming: bool = _key(
        False,
        "read or generate the data chunk by chunk, in bounded memory (automatic for a "
        f"shard glob, a CSV file above {STREAM_ABOVE_BYTES >> 20} MiB and above "
        f"{STREAM_ABOVE_SAMPLES} generated points)",
    )
    noise: float | None = _key(None, "the dataset's noise parameter; default: its own")
    validation_split: float = _key(0.0, "fraction held out for validation, in [0, 1)")
    data_seed: int | None = _key(None, "seed of the data draw and split; default: --seed")

    # Model: logistic regression, weights from zeros as in the seminar (init's default).
    model: str = _key(
        "logistic",
        "model: logistic, mlp, or your own Keras model as FILE.py:FUNCTION (docs/my_models.py)",
    )
    init: str | None = _key(
        None,
        "weight initializer: zeros or random (Glorot uniform, seeded); default: zeros for "
        "logistic, random for every other model",
    )
    features: str | None = _key(None, "feature map phi(x), e.g. x1,x2,x1^2,x2^2 or poly3")
    hidden: list[int] = _key((8, 8), "mlp hidden layer sizes, e.g. 8,8")
    activation: str = _key("tanh", "mlp activation: relu, tanh, sigmoid or linear")
    l1: float = _key(0.0, "L1 regularization rate")
    l2: float = _key(0.0, "L2 regularization rate")
    dropout: float = _key(0.0, "dropout rate after each hidden layer, in [0, 1)")

    # Optimization: the slide's full-batch GD on the summed cost.
    optimizer: str = _key("gd", "optimizer preset (kerasclf presets)")
    learning_rate: float | None = _key(None, "step size; default: the preset's own")
    momentum: float | None = _key(None, "momentum beta in [0, 1); default: the preset's own")
    cost: str = _key("sum", "cross-entropy reduction: sum (the slides') or mean")
    class_weight: str | list[float] | None = _key(
        None,
        "weight of each class in the cost: balanced (n / (k n_c), for imbalanced data) or one "
        "number per class, e.g. 1,3; default: all 1",
    )
    batch_size: int | str = _key("full", "minibatch size: an integer (1 = SGD) or full")
    epochs: int = _key(100, "passes over the training set")
    seed: int = _key(0, "seed of data, initialization, shuffling and dropout")
    engine: str = _key("fused", "fused (many steps per XLA program) or plain (stock fit)")
    strategy: str = _key("none", "tf.distribute strategy: none, mirrored or multiworker")
    cpu_devices: int | None = _key(None, "split the CPU into N logical devices (for mirrored)")

    # Logging: TensorBoard runs under logs/.
    logdir: str = _key("logs", "directory of the TensorBoard runs")
    run_name: str | None = _key(None, "run directory name; default: a readable unique one")
    boundary_every: int = _key(5, "log the decision-boundary image every k epochs")
    surface_every: int = _key(10, "log the error-surface image every k epochs")
    batch_cost: bool = _key(False, "also log the cost of every minibatch (SGD noise)")
    images: bool = _key(True, "log decision-boundary and error-surface images")
    histogram_every: int = _key(5, "log weight histograms every k epochs; 0 for none")
    callbacks_off: list[str] = _key(
        (),
        "default callbacks to switch off, e.g. boundary,config: " + ", ".join(SWITCHABLE_CALLBACKS),
    )

    @property
    def streamed(self) -> bool:
        """Whether the data streams chunk by chunk (`kerasclf.streaming`) instead of in memory."""
        if self.data is not None:
            return self.streaming or is_shard_glob(self.data) or is_large_csv(self.data)
        return self.streaming or (self.num_samples or 0) > STREAM_ABOVE_SAMPLES

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["hidden"] = list(values["hidden"])
        values["callbacks_off"] = list(values["callbacks_off"])
        return values


FIELDS = {field.name: field for field in dataclasses.fields(TrainConfig)}
_TYPES = typing.get_type_hints(TrainConfig)


def _expected(key: str) -> str:
    kind = _TYPES[key]
    if key == "batch_size":
        return "a positive integer or 'full'"
    if key == "hidden":
        return "a list of positive integers such as [8, 8] (on the command line: 8,8)"
    if key == "callbacks_off":
        return 'a list of names such as ["boundary"] (on the command line: boundary,config)'
    if key == "class_weight":
        return "'balanced' or a list of positive numbers, one per class (on the command line: 1,3)"
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
    base = [arg for arg in typing.get_args(kind) if arg is not type(None)] or [kind]
    return names.get(base[0], str(base[0]))


def convert_value(key: str, value: Any, from_command_line: bool = False) -> Any:
    """Checks a value against the key's type; parses command-line strings.

    A TOML or Python value must already have the key's type (an int is
    accepted for a float); a command-line string is parsed into it.

    Raises:
        TypeError: if the value does not have, or parse as, the key's type.

    Example:
        >>> convert_value("epochs", "10", from_command_line=True)
        10
    """
    kind = _TYPES[key]
    optional = type(None) in typing.get_args(kind)
    from_text = from_command_line and isinstance(value, str)
    if value is None and optional:
        return None
    error = TypeError(
        f"`{key}` must be {_expected(key)}. Received: {key}={shown(value)}"
        + (f" of type {type(value).__name__}." if not from_text else ".")
    )
    if key == "batch_size":
        if value == "full":
            return value
        return _to_int(value, error, from_text)
    if key == "hidden":
        if from_text:
            return [_to_int(part.strip(), error, True) for part in value.split(",")]
        if not isinstance(value, (list, tuple)):
            raise error
        return [_to_int(size, error, False) for size in value]
    if key == "class_weight":
        return _class_weight(value, error, from_text)
    if key == "callbacks_off":
        if from_text:
            return [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(n, str) for n in value):
            raise error
        return list(value)
    base = [arg for arg in typing.get_args(kind) if arg is not type(None)] or [kind]
    if base[0] is bool:
        if from_text and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        if isinstance(value, bool):
            return value
        raise error
    if base[0] is int:
        return _to_int(value, error, from_text)
    if base[0] is float:
        if from_text:
            try:
                return float(value)
            except ValueError:
                raise error from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise error
        try:
            return float(value)
        except OverflowError:  # An integer beyond float's range, e.g. 10**400.
            raise ValueError(
                f"`{key}` must be a finite number. Received: {key}={shown(value)}."
            ) from None
    if key in PATH_KEYS and isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise error
    return value


def _class_weight(value: Any, error: Exception, from_text: bool) -> str | list[float]:
    if value == "balanced":
        return value
    if from_text:
        try:
            return [float(part) for part in value.split(",")]
        except ValueError:
            raise error from None
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(weight, (int, float)) and not isinstance(weight, bool) for weight in value
    ):
        raise error
    return [float(weight) for weight in value]


def _to_int(value: Any, error: Exception, from_text: bool) -> int:
    if from_text and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
        try:  # Scientific notation for a whole number: --num-samples 1e8.
            number = float(value)
        except ValueError:
            raise error from None
        if not (math.isfinite(number) and number.is_integer()):
            raise error
        return int(number)
    if isinstance(value, bool) or not isinstance(value, int):
        raise error
    return value


def check_key(key: str) -> str:
    """Returns `key` if it is a config key, else raises with the closest one."""
    if key not in FIELDS:
        raise ValueError(
            f"Unknown config key {key!r}.{did_you_mean(key, FIELDS)} "
            f"Valid keys: {', '.join(FIELDS)}."
        )
    return key


def make_config(values: dict[str, Any] | None = None, **overrides: Any) -> TrainConfig:
    """A validated `TrainConfig` from a dict of keys and keyword overrides.

    Example:
        >>> make_config({"epochs": 5}, optimizer="adam").optimizer
        'adam'
    """
    merged = {**(values or {}), **overrides}
    converted = {check_key(key): convert_value(key, value) for key, value in merged.items()}
    config = TrainConfig(**converted)
    validate(config)
    return config


def load_toml(path: str) -> dict[str, Any]:
    """Reads a flat TOML file of config keys (parsed with `tomllib` only)."""
    if not os.path.isfile(path):
        raise ValueError(f"`config` file does not exist. Received: config={path!r}.")
    try:
        with open(path, "rb") as file:
            values = tomllib.load(file)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not valid TOML ({error}).") from None
    for key, value in values.items():
        if isinstance(value, dict):
            raise ValueError(
                f"{path}: config files are flat; [{key}] tables are not read. "
                "Put every key at the top level."
            )
        check_key(key)
    return values


def check_streamable(config: TrainConfig) -> None:
    """Streamed data trains on one device with the fused engine, without a split."""
    what = f"data={config.data!r}" if config.data else f"num_samples={config.num_samples}"
    if config.data is not None and not config.data.lower().endswith(".csv"):
        raise ValueError(
            f"`streaming` reads CSV files only. Received: data={config.data!r}. "
            "Save the points as CSV, or drop --streaming to load the file into memory."
        )
    if config.validation_split:
        raise ValueError(
            f"`validation_split` needs the data in memory; streamed data ({what}) has no split. "
            f"Received: validation_split={config.validation_split}. Hold out a separate file."
        )
    if config.engine != "fused":
        raise ValueError(
            f"Streamed data ({what}) trains on the fused engine only. "
            f"Received: engine={config.engine!r}. Drop --engine plain."
        )
    if config.strategy != "none":
        raise ValueError(
            f"Streamed data ({what}) trains on one device. Received: strategy="
            f"{config.strategy!r}. Drop --strategy, or train on in-memory data."
        )


def validate(config: TrainConfig) -> None:
    """Range-checks every key, raising one clear ValueError or TypeError.

    Nothing is read from disk except the existence of `data` and the
    writability of `logdir`; nothing is written.
    """
    for key in FIELDS:
        convert_value(key, getattr(config, key))  # Types, for configs built in Python.
    if config.data is None:
        check_choice("dataset", config.dataset, DATASETS)
    elif is_shard_glob(config.data):
        match_shards(config.data)
    elif not os.path.isfile(config.data):
        raise ValueError(f"`data` file does not exist. Received: data={config.data!r}.")
    if config.streamed:
        check_streamable(config)
    if config.num_samples is not None:
        check_integer("num_samples", config.num_samples, minimum=2)
    if config.noise is not None:
        check_number("noise", config.noise, 0.0, math.inf, low_inclusive=True)
    check_number("validation_split", config.validation_split, 0.0, 1.0, low_inclusive=True)
    parse_model_source(config.model)
    check_class_weight(config.class_weight)
    if config.init is not None:
        check_choice("init", config.init, INITS)
    if config.features is not None:
        check_feature_names(config.features)
    check_architecture(config.hidden, config.activation, config.l1, config.l2, config.dropout)
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
        if config.cpu_devices is not None:
            raise ValueError(
                "`cpu_devices` applies to strategy 'mirrored' only; each multiworker worker "
                f"uses its own device. Received: cpu_devices={config.cpu_devices}."
            )
    if config.strategy != "none" and config.batch_cost:
        raise ValueError(
            f"`batch_cost` is not available with strategy={config.strategy!r}: the per-minibatch "
            "cost is recorded by the single-device fused step. Drop --batch-cost or the strategy."
        )
    check_integer("boundary_every", config.boundary_every)
    check_integer("surface_every", config.surface_every)
    check_integer("histogram_every", config.histogram_every, minimum=0)
    for name in config.callbacks_off:
        check_choice("callbacks_off", name, SWITCHABLE_CALLBACKS)
    check_logdir(config.logdir)
    if config.run_name is not None:
        check_run_name(config.run_name)
    check_combinations(config)


def check_class_weight(class_weight) -> None:
    """Class weights must be positive, finite numbers (their count is checked with the data).

    Example:
        >>> check_class_weight([1, 0])
        Traceback (most recent call last):
        ...
        ValueError: `class_weight` must hold positive, finite numbers. Received 0 for class 1. Give every class a weight above 0, or use 'balanced'.
    """  # noqa: E501
    if class_weight is None or class_weight == "balanced":
        return
    for label, weight in enumerate(class_weight):
        if not (math.isfinite(weight) and weight > 0):
            raise ValueError(
                f"`class_weight` must hold positive, finite numbers. Received {weight:g} for "
                f"class {label}. Give every class a weight above 0, or use 'balanced'."
            )


def check_combinations(config: TrainConfig) -> None:
    """Refuses settings that the rest of the config would silently ignore."""
    rules = []  # (keys, why they would be ignored, the fix)
    if config.data is not None:
        rules.append(
            (
                ("dataset", "num_samples", "noise"),
                f"`data` replaces the named dataset (data={config.data!r})",
                "Remove them, or drop --data.",
            )
        )
    if is_model_file(config.model):
        rules.append(
            (
                ("init", "features", "hidden", "activation", "l1", "l2", "dropout"),
                f"they shape the built-in models, not yours (model={config.model!r})",
                "Remove them, and build those choices into your model's function.",
            )
        )
    elif config.model != "mlp":
        rules.append(
            (
                ("hidden", "activation", "dropout"),
                f"only the mlp has hidden layers (model={config.model!r})",
                "Add --model mlp, or remove them.",
            )
        )
    for keys, reason, fix in rules:
        ignored = [key for key in keys if _is_set(config, key)]
        if ignored:
            received = ", ".join(f"{key}={getattr(config, key)!r}" for key in ignored)
            raise ValueError(
                f"{reason}, so {', '.join(ignored)} would be ignored. Received: {received}. {fix}"
            )


def _is_set(config: TrainConfig, key: str) -> bool:
    """Whether a key differs from its default."""
    value, default = getattr(config, key), FIELDS[key].default
    if isinstance(default, tuple):
        return list(value) != list(default)
    return value != default
