"""`RunConfigLogger`: the run's settings in TensorBoard's Text, HParams and Custom Scalars tabs.

At the start of training it writes, into `<run>/train` beside the run's other
events (so that TensorBoard lists the run once):

- the settings that apply to the run as a Markdown table (Text tab, tag
  `config`), the ones a student compares first at the top;
- an HParams session with the same settings. Its metrics are the last value
  of each scalar of the run (`cost`, `accuracy`, `validation/cost`, ...): the
  session is the run `<run>/train`, and TensorBoard takes a session's metrics
  from the scalars of its run and of the runs below it, never from a sibling
  such as `<run>/validation`;
- a Custom Scalars layout that draws the training, validation and test
  `cost`, `mean_cost` and `accuracy` of each run on one chart.

No HParams experiment summary is written: without one, TensorBoard builds the
HParams columns from the union of all sessions, so a column appears only when
it applies to some run, typed from its values (the filters need one type per
key across runs). A written one would be taken from one run, arbitrarily.

It writes them once per run, into their own event file (`*.config`): a
resumed run (or a second `fit`) finds it there already.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Mapping

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf
from tensorboard.compat.proto import summary_pb2
from tensorboard.plugins.custom_scalar import layout_pb2
from tensorboard.plugins.custom_scalar import metadata as custom_scalar_metadata
from tensorboard.plugins.hparams import api as hparams_api
from tensorboard.util import tensor_util

from kerasclf.callbacks.writers import EVENTS, SummaryWriters
from kerasclf.engine.losses import TASKS, model_task
from kerasclf.validation import check_choice, check_directory_path, suggests_keywords

# Suffix of the event file that holds the config, so that a resumed run finds it.
FILENAME_SUFFIX = ".config"
# CostLogger's scalars, each drawn for training, validation and test on one Custom Scalars chart.
# Not the summed cost: the sets' sizes differ (2,511 training images against 279 test ones
# for fonts), so their sums would not compare; the mean cost per sample does.
PAIRED_SCALARS = ("mean_cost", "accuracy")


def _always(config: dict) -> bool:
    return True


def _never(config: dict) -> bool:
    return False


def _is_set(key: str) -> Callable[[dict], bool]:
    return lambda config: config.get(key) is not None


def _is_regularized(config: dict) -> bool:
    return bool(config.get("l1")) or bool(config.get("l2"))


def _named_dataset(config: dict) -> bool:
    return config.get("data") is None


# Whether a config key applies to a run, given the run's config, in the order
# shown: what a student compares first, then the model, the optimization and
# the data. A key not listed here (a user's own) is shown after these.
APPLIES: dict[str, Callable[[dict], bool]] = {
    "model": _always,
    "optimizer": _always,
    "learning_rate": _always,
    "batch_size": _always,
    "epochs": _always,
    # The model.
    # None: the model's default (zeros for logistic regression, else random).
    "init": _is_set("init"),
    "features": _is_set("features"),
    # A model's layer options: None where they do not shape the model (logistic).
    "hidden": _is_set("hidden"),
    "activation": _is_set("activation"),
    "dropout": _is_set("dropout"),
    "filters": _is_set("filters"),
    "kernel_size": _is_set("kernel_size"),
    "pool_size": _is_set("pool_size"),
    "pooling": _is_set("pooling"),
    "units": _is_set("units"),
    "layers": _is_set("layers"),
    "embedding_dim": _is_set("embedding_dim"),
    "l1": _is_regularized,
    "l2": _is_regularized,
    # The optimization. The resolved momentum is None (adam) or 0.0 (gd, decay)
    # for the presets without one.
    "momentum": lambda config: bool(config.get("momentum")),
    "cost": _always,
    "class_weight": _is_set("class_weight"),
    "class_weight_used": _is_set("class_weight"),
    # Full batch is num_training_samples; a larger batch than that is cut to it.
    "batch_size_used": lambda config: (
        config.get("batch_size") != "full"
        and config.get("batch_size_used") != config.get("batch_size")
    ),
    "seed": _always,
    "engine": lambda config: config.get("engine") != "fused",
    "engine_used": lambda config: config.get("engine_used") != config.get("engine"),
    "strategy": lambda config: config.get("strategy") != "none",
    "cpu_devices": _is_set("cpu_devices"),
    # The data.
    "dataset": _named_dataset,
    # None: the dataset's own size and noise (`kerasclf datasets`).
    "num_samples": lambda config: _named_dataset(config) and config.get("num_samples") is not None,
    "noise": lambda config: _named_dataset(config) and config.get("noise") is not None,
    "data": _is_set("data"),
    "streaming": lambda config: bool(config.get("streaming")),
    "num_training_samples": _always,
    # Images and sequences: the shape of one sample, and the scaling of uint8 pixels.
    "feature_shape": lambda config: len(config.get("feature_shape") or [0]) != 1,
    "feature_scale": lambda config: config.get("feature_scale", 1.0) != 1.0,
    "validation_split": lambda config: (config.get("validation_split") or 0) > 0,
    "data_seed": _is_set("data_seed"),
    # Sequences: the task (classification unless a regression), a window and its stride.
    "task": lambda config: config.get("task") not in (None, "classification"),
    "sequence_length": _is_set("sequence_length"),
    "stride": lambda config: config.get("stride", 1) != 1,
    # Where the run went and what it logged: TensorBoard's run name says where,
    # and neither changes the training. config.json keeps them.
    "logdir": _never,
    "run_name": _never,
    "checkpoint_every": _never,
    "prompt": _never,
    "run_dir": _never,
    "boundary_every": _never,
    "surface_every": _never,
    "histogram_every": _never,
    "batch_cost": _never,
    "images": _never,
    "callbacks_off": _never,
}
# Keys whose values differ in type between runs (an integer or "full"),
# written to HParams as text so that every run gives them one type.
TEXT_HPARAMS = ("batch_size",)


def applicable_settings(config: dict) -> dict:
    """The settings that apply to the run, in the order of `APPLIES`.

    Args:
        config: The run's settings, a flat dict (kerasclf's `config.json`).

    Returns:
        The keys of `config` that apply to the run, those of `APPLIES` first.

    Example:
        >>> applicable_settings({"epochs": 10, "model": "logistic", "hidden": None})
        {'model': 'logistic', 'epochs': 10}
    """
    known = {key: config[key] for key in APPLIES if key in config and APPLIES[key](config)}
    return {**known, **{key: value for key, value in config.items() if key not in APPLIES}}


def text_value(value) -> str:
    """A value as the Text tab shows it: `true`/`false`, `–` for None, `8,8` for a list.

    Example:
        >>> [text_value(value) for value in (True, None, [8, 8], 0.001)]
        ['true', '–', '8,8', '0.001']
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(text_value(item) for item in value) or "–"
    return str(value)


def hparam_values(config: dict) -> dict:
    """The applicable settings as HParams values: bool, int, float or str.

    None (a default left to the dataset) is left out, so that a key keeps one
    type across runs; lists become text such as `8,8`.

    Example:
        >>> hparam_values({"model": "mlp", "batch_size": 32, "hidden": [8, 8], "noise": None})
        {'model': 'mlp', 'batch_size': '32', 'hidden': '8,8'}
    """
    values = {}
    for key, value in applicable_settings(config).items():
        if value is None:
            continue
        if key in TEXT_HPARAMS or not isinstance(value, (bool, int, float, str)):
            value = text_value(value)
        values[key] = value
    return values


def markdown_table(config: dict) -> str:
    """The applicable settings as a two-column Markdown table.

    Example:
        >>> print(markdown_table({"epochs": 100, "model": "logistic", "dropout": None}))
        | key | value |
        |---|---|
        | model | logistic |
        | epochs | 100 |
    """
    rows = [
        f"| {key} | {text_value(value).replace('|', chr(92) + '|')} |"
        for key, value in applicable_settings(config).items()
    ]
    return "\n".join(["| key | value |", "|---|---|", *rows])


# The Custom Scalars category: the sets a run's charts can hold.
LAYOUT_TITLE = "training, validation and test"


def scalars_layout(task: str = "classification") -> layout_pb2.Layout:
    """The Custom Scalars layout: a run's training, validation and test scalar on one chart.

    Each chart matches `mean_cost`, `validation/mean_cost` and
    `test/mean_cost` (and so on) in every run, one line per run and tag.
    A regression run has no accuracy, so no accuracy chart; TensorBoard
    merges the runs' layouts, so a classifier's run beside it still has one.

    Example:
        >>> [chart.title for chart in scalars_layout("regression").category[0].chart]
        ['mean_cost']
    """
    task = check_choice("task", task, TASKS)
    tags = [tag for tag in PAIRED_SCALARS if task == "classification" or tag != "accuracy"]
    charts = [
        layout_pb2.Chart(
            title=tag,
            multiline=layout_pb2.MultilineChartContent(tag=[rf"^(validation/|test/)?{tag}$"]),
        )
        for tag in tags
    ]
    return layout_pb2.Layout(category=[layout_pb2.Category(title=LAYOUT_TITLE, chart=charts)])


def layout_summary(layout: layout_pb2.Layout) -> bytes:
    """A serialized Custom Scalars layout summary, for `tf.summary.experimental.write_raw_pb`."""
    summary = summary_pb2.Summary()
    summary.value.add(
        tag=custom_scalar_metadata.CONFIG_SUMMARY_TAG,
        metadata=custom_scalar_metadata.create_summary_metadata(),
        tensor=tensor_util.make_tensor_proto(layout.SerializeToString()),
    )
    return summary.SerializeToString()


def config_written(logdir: str) -> bool:
    """Whether the run directory holds its config already (older runs: at its top level)."""
    return bool(
        glob.glob(os.path.join(logdir, EVENTS, f"events.out.tfevents.*{FILENAME_SUFFIX}"))
        or glob.glob(os.path.join(logdir, "events.out.tfevents.*"))
    )


class RunConfigLogger(keras.callbacks.Callback):
    """Logs a run's config as a Markdown table and as HParams, and the Custom Scalars layout.

    Args:
        logdir: The run directory.
        config: The run's settings, a flat dict; only those that apply to the
            run are shown (`APPLIES`).

    Example:
        >>> callback = RunConfigLogger("logs/run", {"optimizer": "gd", "epochs": 100})
    """

    @suggests_keywords
    def __init__(self, logdir: str, config: dict):
        super().__init__()
        self.logdir = check_directory_path("logdir", logdir)
        if not isinstance(config, Mapping):
            raise TypeError(
                "`config` must be a dict of the run's settings, e.g. dataclasses.asdict(config). "
                f"Received: config={config!r} of type {type(config).__name__}."
            )
        self.config = dict(config)
        self._writers = SummaryWriters(logdir, filename_suffix=FILENAME_SUFFIX)

    def on_train_begin(self, logs=None):
        if config_written(self.logdir):
            return  # Written when the run began; a resumed run keeps it.
        with self._writers[EVENTS].as_default():
            # The run directory's name, not its path: no machine path in the HParams table.
            trial_id = os.path.basename(os.path.normpath(self.logdir))
            hparams_api.hparams(hparam_values(self.config), trial_id=trial_id)
            tf.summary.text("config", markdown_table(self.config), step=0)
            # Called outside `fit` (no model) it draws a classifier's charts, every one.
            task = "classification" if self.model is None else model_task(self.model)
            layout = scalars_layout(task)
            tf.summary.experimental.write_raw_pb(layout_summary(layout), step=0)
        self._writers.close()
