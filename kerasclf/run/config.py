"""One flat, typed run configuration, shared by the CLI, TOML files and Python.

The defaults reproduce the seminar's slide: seminar_blobs, logistic regression
from zeros, full-batch gradient descent with learning rate 0.001 on the summed
cross-entropy, 100 epochs. Keys whose default depends on the model (its
layers' options, the optimizer, the batch size, the epochs and the cost) are
None until the config is made, then take the model's own
(`kerasclf.run.model_defaults`): the CNN trains with Adam on minibatches of 32.

Every key is a command-line flag (`batch_size` is `--batch-size`) and a key
of a `--config FILE.toml` (read by `kerasclf.run.config_file`); flags override
the file. An unknown key is an error naming the closest valid one. Each value
is read once, where it enters, by its field's parser
(`kerasclf.run.config_fields`: a flag's text is parsed, a TOML or Python value
type-checked); `check_ranges` then checks the typed values'
ranges and combinations without converting them again.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

from kerasclf.data.datasets import DATASETS
from kerasclf.data.files import (
    STREAM_ABOVE_BYTES,
    STREAM_ABOVE_SAMPLES,
    is_large_csv,
    is_shard_glob,
)
from kerasclf.run.config_fields import (
    Parser,
    parse_boolean,
    parse_integer,
    parse_names,
    parse_number,
    parse_optional_batch_size,
    parse_optional_class_weight,
    parse_optional_data_path,
    parse_optional_feature_spec,
    parse_optional_integer,
    parse_optional_layer_sizes,
    parse_optional_number,
    parse_optional_string,
    parse_path,
    parse_string,
)
from kerasclf.run.config_ranges import (  # noqa: F401 (the config's vocabularies)
    ENGINES,
    IMAGE_CALLBACKS,
    MAX_CPU_DEVICES,
    SEQUENCE_CALLBACKS,
    SWITCHABLE_CALLBACKS,
)
from kerasclf.run.checkpoint_period import DEFAULT_CHECKPOINT_SECONDS, parse_checkpoint_every
from kerasclf.run.data_defaults import TEXT_SEQUENCE_LENGTH  # noqa: F401 (the config's)
from kerasclf.key_synonyms import KEY_SYNONYMS
from kerasclf.validation import did_you_mean

# Keys that name a file or directory: a pathlib.Path is fine too.
PATH_KEYS = ("data", "logdir")


def _key(default: Any, help_text: str, parse: Parser):
    """A config field: its default, its `--help` line and its parser (see `config_fields`)."""
    return dataclasses.field(default=default, metadata={"help": help_text, "parse": parse})


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run. See `kerasclf train --help`.

    Build one with `kerasclf.run.config_making.make_config`, which checks
    every value and fills the defaults that depend on the model.

    Example:
        >>> config = TrainConfig(optimizer="momentum", epochs=10)
        >>> config.optimizer, config.batch_size  # None: the model's own, once made.
        ('momentum', None)
    """

    # Data: the seminar's two Gaussian blobs, no validation split.
    dataset: str = _key(
        "seminar_blobs", "named synthetic dataset (kerasclf datasets)", parse_string
    )
    data: str | None = _key(
        None,
        "CSV, NPZ or .txt (character windows) file, or a quoted glob of CSV shards",
        parse_optional_data_path,
    )
    num_samples: int | None = _key(
        None, "points to generate; default: the dataset's own", parse_optional_integer
    )
    streaming: bool = _key(
        False,
        "read or generate the data chunk by chunk, in bounded memory (automatic for a "
        f"shard glob, a CSV file above {STREAM_ABOVE_BYTES >> 20} MiB and above "
        f"{STREAM_ABOVE_SAMPLES} generated points)",
        parse_boolean,
    )
    noise: float | None = _key(
        None, "the dataset's noise parameter; default: its own", parse_optional_number
    )
    validation_split: float = _key(0.0, "fraction held out for validation, in [0, 1)", parse_number)
    data_seed: int | None = _key(
        None, "seed of the data draw and split; default: --seed", parse_optional_integer
    )
    task: str | None = _key(
        None,
        "classification (cross-entropy) or regression (squared error, e.g. a forecast); "
        "default: the dataset's own (series: regression), else classification",
        parse_optional_string,
    )
    sequence_length: int | None = _key(
        None,
        "steps per sequence: a text's window of characters, or a generated sequence's length; "
        "default: the dataset's own (text 100)",
        parse_optional_integer,
    )
    stride: int = _key(1, "a text's step between windows, in characters", parse_integer)

    # Model: logistic regression, weights from zeros as in the seminar (init's default).
    model: str = _key(
        "logistic",
        "model: logistic, mlp, cnn, rnn, lstm, gru, or your own Keras model as FILE.py:FUNCTION "
        "(docs/my_models.py)",
        parse_string,
    )
    init: str | None = _key(
        None,
        "weight initializer: zeros or random (Glorot uniform, seeded); default: zeros for "
        "logistic, random for every other model",
        parse_optional_string,
    )
    features: str | None = _key(
        None, "feature map phi(x), e.g. x1,x2,x1^2,x2^2 or poly3", parse_optional_feature_spec
    )
    # The model's layer options: None takes the model's own (kerasclf.run.model_defaults).
    hidden: list[int] | None = _key(
        None,
        "sizes of the hidden Dense layers of mlp and cnn, e.g. 128,32; default: mlp 8,8, cnn 32",
        parse_optional_layer_sizes,
    )
    activation: str | None = _key(
        None,
        "hidden activation of mlp, cnn and rnn: relu, tanh, sigmoid or linear; default: mlp "
        "tanh, cnn relu, rnn tanh",
        parse_optional_string,
    )
    l1: float = _key(0.0, "L1 regularization rate", parse_number)
    l2: float = _key(0.0, "L2 regularization rate", parse_number)
    dropout: float | None = _key(
        None,
        "dropout rate after each hidden Dense layer (mlp, cnn) or recurrent layer (rnn, lstm, "
        "gru), in [0, 1); default: mlp 0, cnn 0.25, recurrent 0",
        parse_optional_number,
    )
    filters: list[int] | None = _key(
        None,
        "cnn: filters of each convolution block (a block per number), e.g. 32,64; default: 4",
        parse_optional_layer_sizes,
    )
    kernel_size: int | None = _key(
        None, "cnn: convolution kernel size (square); default: 5", parse_optional_integer
    )
    pool_size: int | None = _key(
        None, "cnn: pooling window after each convolution; default: 2", parse_optional_integer
    )
    pooling: str | None = _key(
        None, "cnn: max, average or none; default: max", parse_optional_string
    )
    units: int | None = _key(
        None, "rnn, lstm, gru: units of each recurrent layer; default: 32", parse_optional_integer
    )
    layers: int | None = _key(
        None, "rnn, lstm, gru: recurrent layers, stacked; default: 1", parse_optional_integer
    )
    embedding_dim: int | None = _key(
        None,
        "rnn, lstm, gru on token ids (text): size of each token's embedding; default: 16",
        parse_optional_integer,
    )

    # Optimization: None takes the model's own (the slides' full-batch GD; cnn: Adam on 32s).
    optimizer: str | None = _key(
        None,
        "optimizer preset (kerasclf presets); default: gd; adam for cnn, rnn, lstm, gru and "
        "for every model on images or sequences (a dataset or a --data file of them, as the "
        "notebooks train)",
        parse_optional_string,
    )
    learning_rate: float | None = _key(
        None, "step size; default: the preset's own", parse_optional_number
    )
    momentum: float | None = _key(
        None, "momentum beta in [0, 1); default: the preset's own", parse_optional_number
    )
    cost: str | None = _key(
        None,
        "cost reduction: sum (the slides') or mean; default: sum; mean where the optimizer "
        "defaults to adam",
        parse_optional_string,
    )
    class_weight: str | list[float] | None = _key(
        None,
        "weight of each class in the cost: balanced (n / (k n_c), for imbalanced data) or one "
        "number per class, e.g. 1,3; default: all 1",
        parse_optional_class_weight,
    )
    batch_size: int | str | None = _key(
        None,
        "minibatch size: an integer (1 = SGD) or full; default: full; 32 where the optimizer "
        "defaults to adam",
        parse_optional_batch_size,
    )
    epochs: int | None = _key(
        None,
        "passes over the training set; default: 100; 20 where the optimizer defaults to adam",
        parse_optional_integer,
    )
    seed: int = _key(0, "seed of data, initialization, shuffling and dropout", parse_integer)
    engine: str = _key(
        "fused", "fused (many steps per XLA program) or plain (stock fit)", parse_string
    )
    strategy: str = _key(
        "none", "tf.distribute strategy: none, mirrored or multiworker", parse_string
    )
    cpu_devices: int | None = _key(
        None, "split the CPU into N logical devices (for mirrored)", parse_optional_integer
    )

    # Logging: TensorBoard runs under logs/.
    logdir: str = _key("logs", "directory of the TensorBoard runs", parse_path)
    run_name: str | None = _key(
        None, "run directory name; default: a readable unique one", parse_optional_string
    )
    checkpoint_every: float = _key(
        DEFAULT_CHECKPOINT_SECONDS,
        "seconds of training between checkpoints, so that a killed run can resume; 0: none",
        parse_checkpoint_every,
    )
    boundary_every: int | None = _key(
        None,
        "log the decision-boundary image every k epochs; default: 5, or epochs/100 if more",
        parse_optional_integer,
    )
    surface_every: int | None = _key(
        None,
        "log the error-surface image every k epochs; default: 10, or epochs/100 if more",
        parse_optional_integer,
    )
    batch_cost: bool = _key(
        False, "also log the cost of every minibatch (SGD noise)", parse_boolean
    )
    images: bool = _key(
        True,
        "log images: decision boundary, error surface, and for images the panels, first layer "
        "and activations",
        parse_boolean,
    )
    histogram_every: int | None = _key(
        None,
        "log weight histograms every k epochs, 0 for none; default: 5, or epochs/100 if more",
        parse_optional_integer,
    )
    prompt: str | None = _key(
        None,
        "a character model's prompt for the generated_text panel; default: the text's start",
        parse_optional_string,
    )
    callbacks_off: list[str] = _key(
        (),
        "default callbacks to switch off, e.g. boundary,config: " + ", ".join(SWITCHABLE_CALLBACKS),
        parse_names,
    )

    @property
    def streamed(self) -> bool:
        """Whether the data streams chunk by chunk (`kerasclf.data.streaming`), not in memory."""
        if self.data is not None:
            return self.streaming or is_shard_glob(self.data) or is_large_csv(self.data)
        many = (self.num_samples or 0) > STREAM_ABOVE_SAMPLES
        # Only point sets stream; the others' own size range refuses so many.
        points = getattr(DATASETS.get(self.dataset), "kind", "points") == "points"
        return self.streaming or (many and points)

    @property
    def fits_in_memory(self) -> bool:
        """Whether the data would be held in memory without `streaming=True` asking to stream."""
        return not dataclasses.replace(self, streaming=False).streamed

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        for key in ("hidden", "filters", "callbacks_off"):
            if isinstance(values[key], tuple):  # Any other value is left for its check to name.
                values[key] = list(values[key])
        return values


FIELDS = {field.name: field for field in dataclasses.fields(TrainConfig)}


def parse_value(key: str, value: Any, from_text: bool = False) -> Any:
    """`value` read by the key's own parser (the `parse` of its field).

    Args:
        key: A config key.
        value: A command-line string when `from_text`, else a TOML or Python value.
        from_text: Whether `value` is a flag's text, to parse; else it must already
            have the key's type (an int is accepted for a number).

    Raises:
        TypeError: if the value does not have, or parse as, the key's type.

    Example:
        >>> parse_value("hidden", "16,8", from_text=True)
        [16, 8]
    """
    parse = FIELDS[key].metadata["parse"]
    return parse(key, value, from_text and isinstance(value, str))


def parse_values(values: Mapping[str, Any], from_text: bool = False) -> dict[str, Any]:
    """Each value read once by its key's parser; an unknown key names the closest one.

    Example:
        >>> parse_values({"epochs": "5", "images": "no"}, from_text=True)
        {'epochs': 5, 'images': False}
    """
    return {check_key(key): parse_value(key, value, from_text) for key, value in values.items()}


def check_key(key: str) -> str:
    """Returns `key` if it is a config key, else raises with the closest one."""
    if key not in FIELDS:
        raise ValueError(
            f"Unknown config key {key!r}.{did_you_mean(key, FIELDS, KEY_SYNONYMS)} "
            f"Valid keys: {', '.join(FIELDS)}."
        )
    return key


def _refuses_unknown_keys(dataclass_init):
    """`TrainConfig`'s generated `__init__`, refusing a misspelled key as `make_config` does.

    Python alone says "got an unexpected keyword argument 'epohcs'"; this names
    the closest key (and its synonyms: `lr` is `learning_rate`).
    """

    @functools.wraps(dataclass_init)
    def init(self, *args, **values):
        for key in values:
            check_key(key)
        dataclass_init(self, *args, **values)

    return init


TrainConfig.__init__ = _refuses_unknown_keys(TrainConfig.__init__)
