"""RunConfigLogger: what applies to a run, and what it writes once per run, read back."""

import os

import keras
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.custom_scalar import layout_pb2
from tensorboard.plugins.custom_scalar import metadata as custom_scalar_metadata
from tensorboard.plugins.hparams import metadata as hparams_metadata

from kerasclf.callbacks.hparams import (
    APPLIES,
    RunConfigLogger,
    applicable_settings,
    hparam_values,
    markdown_table,
    scalars_layout,
    text_value,
)
from kerasclf.run.config_making import make_config

# What kerasclf.run.training adds to TrainConfig's keys in config.json.
RESOLVED = {
    "run_dir": "/logs/run",
    "engine_used": "fused",
    "batch_size_used": 200,
    "num_training_samples": 200,
    "class_weight_used": None,
    "feature_shape": [2],
    "feature_scale": 1.0,
}


def _config(**overrides) -> dict:
    """A config.json as `kerasclf.run.training` writes it, with the presets' values."""
    model = {key: overrides[key] for key in ("model",) if key in overrides}
    config = {**make_config(**model).to_dict(), **RESOLVED, "learning_rate": 0.001}
    return {**config, "momentum": 0.0, **overrides}


def test_every_config_key_has_a_rule():
    assert set(_config()) == set(APPLIES)


def test_a_logistic_run_shows_only_what_applies():
    settings = applicable_settings(_config())
    assert list(settings)[:5] == ["model", "optimizer", "learning_rate", "batch_size", "epochs"]
    assert list(settings) == [
        *["model", "optimizer", "learning_rate", "batch_size", "epochs", "cost", "seed"],
        *["dataset", "num_training_samples"],
    ]


@pytest.mark.parametrize(
    "overrides, shown, hidden",
    [
        ({"model": "mlp"}, ["hidden", "activation", "dropout"], []),
        ({"model": "logistic"}, [], ["hidden", "activation", "dropout"]),
        ({"optimizer": "momentum", "momentum": 0.9}, ["momentum"], []),
        ({"optimizer": "adam", "momentum": None}, [], ["momentum"]),
        ({"optimizer": "decay", "momentum": 0.0}, [], ["momentum"]),
        ({"features": "poly3"}, ["features"], []),
        ({"data": "/points.csv"}, ["data"], ["dataset", "num_samples", "noise"]),
        ({"num_samples": 500, "noise": 0.3}, ["num_samples", "noise"], []),
        ({"num_samples": None, "noise": None}, [], ["num_samples", "noise"]),
        ({"validation_split": 0.2}, ["validation_split"], []),
        ({"l2": 0.01}, ["l1", "l2"], []),
        ({"strategy": "mirrored", "cpu_devices": 2}, ["strategy", "cpu_devices"], []),
        ({"engine": "plain", "engine_used": "plain"}, ["engine"], ["engine_used"]),
        ({"batch_size": 500, "batch_size_used": 200}, ["batch_size_used"], []),
        ({"batch_size": 32, "batch_size_used": 32}, [], ["batch_size_used"]),
        (
            {"init": "random", "data_seed": 3, "streaming": True},
            ["init", "data_seed", "streaming"],
            [],
        ),
    ],
)
def test_a_key_shows_where_it_applies(overrides, shown, hidden):
    settings = applicable_settings(_config(**overrides))
    assert set(shown) <= set(settings)
    assert not set(hidden) & set(settings)
    assert not {"logdir", "run_name", "run_dir", "images", "callbacks_off"} & set(settings)


def test_keys_of_a_users_own_come_last_as_given():
    settings = applicable_settings({"my_key": [1, 2], "epochs": 3})
    assert settings == {"epochs": 3, "my_key": [1, 2]}


def test_values_are_written_for_students_not_as_python_reprs():
    assert [text_value(v) for v in (True, False, None, [8, 8], (), 0.5, "gd")] == [
        "true",
        "false",
        "–",
        "8,8",
        "–",
        "0.5",
        "gd",
    ]
    table = markdown_table({**_config(model="mlp"), "my_key": None})
    assert "| hidden | 8,8 |" in table and "| my_key | – |" in table
    assert "None" not in table and "True" not in table and "False" not in table
    assert "| data | a\\|b.csv |" in markdown_table({"data": "a|b.csv"})


def test_hparams_values_keep_one_type_per_key_across_runs():
    full = hparam_values(_config())
    minibatch = hparam_values(_config(batch_size=32, batch_size_used=32))
    assert full["batch_size"] == "full" and minibatch["batch_size"] == "32"
    assert "noise" not in full  # None: left out rather than written as text.
    values = hparam_values(_config(model="mlp", streaming=True))
    assert values["hidden"] == "8,8" and values["streaming"] is True
    assert all(isinstance(value, (bool, int, float, str)) for value in values.values())


def _events(run_dir):
    accumulator = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    accumulator.Reload()
    return accumulator


def test_config_hparams_and_layout_are_written_once_per_run(tmp_path):
    config = _config(model="mlp", validation_split=0.2)
    for _ in range(2):  # The second start is a resumed run.
        RunConfigLogger(str(tmp_path), config).on_train_begin()
    assert not [name for name in os.listdir(tmp_path) if "tfevents" in name]  # One row.
    events = _events(tmp_path)
    tags = events.Tags()["tensors"]
    assert {"config", hparams_metadata.SESSION_START_INFO_TAG} <= set(tags)
    assert hparams_metadata.EXPERIMENT_TAG not in tags  # TensorBoard builds it from all runs.
    (text,) = events.Tensors("config")
    assert text.step == 0
    assert tf.make_ndarray(text.tensor_proto).item().decode() == markdown_table(config)
    assert len(events.Tensors(hparams_metadata.SESSION_START_INFO_TAG)) == 1
    content = events.SummaryMetadata(hparams_metadata.SESSION_START_INFO_TAG).plugin_data.content
    start_info = hparams_metadata.parse_session_start_info_plugin_data(content)
    assert set(start_info.hparams) == set(hparam_values(config))
    assert start_info.hparams["hidden"].string_value == "8,8"
    (layout_event,) = events.Tensors(custom_scalar_metadata.CONFIG_SUMMARY_TAG)
    layout = layout_pb2.Layout.FromString(tf.make_ndarray(layout_event.tensor_proto).item())
    assert [category.title for category in layout.category] == ["training, validation and test"]
    # The mean cost, not the summed one: training and test sets differ in size.
    charts = {chart.title: list(chart.multiline.tag) for chart in layout.category[0].chart}
    assert charts == {
        "mean_cost": ["^(validation/|test/)?mean_cost$"],
        "accuracy": ["^(validation/|test/)?accuracy$"],
    }


def test_a_regression_runs_layout_has_no_accuracy_chart(tmp_path):
    """A series forecast has no accuracy: its run's layout draws only the mean cost."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])  # Linear: regression.
    logger = RunConfigLogger(str(tmp_path), _config(dataset="series"))
    logger.set_model(model)
    logger.on_train_begin()
    (layout_event,) = _events(tmp_path).Tensors(custom_scalar_metadata.CONFIG_SUMMARY_TAG)
    layout = layout_pb2.Layout.FromString(tf.make_ndarray(layout_event.tensor_proto).item())
    assert [chart.title for chart in layout.category[0].chart] == ["mean_cost"]


def test_the_layout_refuses_a_task_it_does_not_know():
    with pytest.raises(ValueError, match="`task` must be one of .* Received: task='regresion'"):
        scalars_layout("regresion")


def test_a_run_written_before_keeps_its_top_level_config(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        tf.summary.text("config", "old", step=0)
    writer.close()
    RunConfigLogger(str(tmp_path), _config()).on_train_begin()
    assert not os.path.exists(tmp_path / "train")
