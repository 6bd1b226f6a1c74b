"""Day 2 end to end: `kerasclf train --dataset fonts --model cnn` and its TensorBoard panels.

One short run of the built-in CNN on a small fonts set, read back with
TensorBoard's own reader: every panel is there on the cost's steps, the test
set is logged, and the per-class numbers equal scikit-learn's on the saved
model's own predictions.
"""

import io
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.metrics import confusion_matrix, recall_score
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
from kerasclf.data import make_dataset_splits
from kerasclf.callbacks.confusion_picture import ConfusionPicture
from kerasclf.data.fonts import FONT_NAMES

EPOCHS = 3
NUM_SAMPLES = 300


@pytest.fixture(scope="module")
def cnn_run(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("day2")
    stream = io.StringIO()
    result = kerasclf.train(
        dataset="fonts",
        num_samples=NUM_SAMPLES,
        model="cnn",
        epochs=EPOCHS,
        logdir=str(logdir),
        run_name="cnn",
        stream=stream,
    )
    events = EventAccumulator(os.path.join(result.run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return result, events, stream.getvalue()


def _scalars(events, tag):
    return {e.step: float(tf.make_ndarray(e.tensor_proto)) for e in events.Tensors(tag)}


def test_the_cnn_trains_with_the_models_own_defaults(cnn_run):
    result, _, printed = cnn_run
    with open(os.path.join(result.run_dir, "config.json")) as file:
        config = json.load(file)
    expected = {
        "optimizer": "adam",
        "batch_size": 32,
        "cost": "mean",
        "filters": [4],
        "kernel_size": 5,
        "pool_size": 2,
        "pooling": "max",
        "hidden": [32],
        "activation": "relu",
        "dropout": 0.25,
        "feature_shape": [36, 36],
    }
    assert {key: config[key] for key in expected} == expected
    epoch_lines = [line for line in printed.splitlines() if line.startswith("Epoch")]
    assert len(epoch_lines) == EPOCHS + 1
    assert all("test_accuracy" in line for line in epoch_lines)


def test_every_panel_is_logged_on_the_costs_steps(cnn_run):
    _, events, _ = cnn_run
    tags = set(events.Tags()["tensors"])
    steps = list(range(EPOCHS + 1))
    for tag in ("confusion_matrix", "misclassified", "first_layer", "test/accuracy"):
        assert [event.step for event in events.Tensors(tag)] == steps, tag
    assert [event.step for event in events.Tensors("activations")] == [0, EPOCHS]
    for name in FONT_NAMES:
        assert f"class_accuracy/{name}" in tags and f"pr_curves/{name}" in tags
    for layer in ("conv_1", "dense_1", "output"):
        assert list(_scalars(events, f"gradient_norm/{layer}")) == steps


def test_test_set_numbers_equal_sklearns_on_the_saved_models_predictions(cnn_run):
    result, events, _ = cnn_run
    _, test = make_dataset_splits("fonts", NUM_SAMPLES, seed=0)
    model = keras.saving.load_model(os.path.join(result.run_dir, "model.keras"))
    predicted = np.argmax(model.predict(test.features, verbose=0), axis=1)
    recall = recall_score(test.labels, predicted, average=None, labels=range(5), zero_division=0)
    for name, expected in zip(FONT_NAMES, recall):
        assert _scalars(events, f"class_accuracy/{name}")[EPOCHS] == pytest.approx(expected)
    accuracy = float(np.mean(predicted == test.labels))
    assert result.summary["test_accuracy"] == pytest.approx(accuracy)
    assert _scalars(events, "test/accuracy")[EPOCHS] == pytest.approx(accuracy)
    # The saved confusion matrix is the last one TensorBoard shows, titled as the test set's.
    counts = confusion_matrix(test.labels, predicted, labels=range(5))
    assert counts.trace() == round(accuracy * len(predicted))
    last_png = events.Tensors("confusion_matrix")[-1].tensor_proto.string_val[2]
    expected = ConfusionPicture(FONT_NAMES, "test").draw(counts, EPOCHS)
    np.testing.assert_array_equal(tf.io.decode_png(last_png).numpy(), expected)
    for tag in ("confusion_matrix", "misclassified", f"class_accuracy/{FONT_NAMES[0]}"):
        assert events.SummaryMetadata(tag).summary_description.endswith(" On the test set.")
    with open(os.path.join(result.run_dir, "confusion_matrix.png"), "rb") as file:
        assert file.read() == last_png


def test_a_day1_run_adds_no_image_panels(tmp_path):
    result = kerasclf.train(epochs=2, logdir=str(tmp_path), stream=io.StringIO())
    events = EventAccumulator(os.path.join(result.run_dir, "train"))
    events.Reload()
    tags = set(events.Tags()["tensors"])
    assert "cost" in tags
    assert not {tag for tag in tags if tag.startswith(("confusion", "gradient_norm/", "first"))}


def test_keras_image_npz_is_scaled_recorded_and_its_test_set_shown(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.arange(90) % 3
    images = np.zeros((90, 12, 12), np.uint8)
    for index, label in enumerate(labels):  # A bright bar whose row is the class.
        images[index, 2 + 4 * label : 4 + 4 * label] = 200 + rng.integers(0, 55)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=images[:60], y_train=labels[:60], x_test=images[60:], y_test=labels[60:])
    result = kerasclf.train(
        data=str(path), model="cnn", epochs=2, logdir=str(tmp_path / "logs"), stream=io.StringIO()
    )
    with open(os.path.join(result.run_dir, "config.json")) as file:
        assert json.load(file)["feature_scale"] == pytest.approx(1 / 255)
    events = EventAccumulator(os.path.join(result.run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    # The panels show the file's 30 test images: each class's recall is a multiple of 1/10.
    for name in ("0", "1", "2"):
        recall = _scalars(events, f"class_accuracy/{name}")[2]
        assert recall * 10 == pytest.approx(round(recall * 10))
    assert "test_accuracy" in result.summary


def test_a_long_run_draws_its_panels_every_kth_epoch(tmp_path):
    """Past 100 epochs, the images every ceil(epochs / 100)-th: 101 epochs, every 2nd."""
    labels = np.arange(30) % 3
    images = np.zeros((30, 8, 8, 1), np.float32)
    for index, label in enumerate(labels):
        images[index, 2 * label : 2 * label + 2] = 1.0
    path = tmp_path / "bars.npz"
    np.savez(path, X=images, y=labels)
    result = kerasclf.train(
        data=str(path), model="cnn", epochs=101, batch_size="full", logdir=str(tmp_path),
        stream=io.StringIO(),
    )  # fmt: skip
    events = EventAccumulator(os.path.join(result.run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    every_second = [*range(0, 101, 2), 101]  # And the last epoch.
    for tag in ("confusion_matrix", "misclassified", "first_layer", "class_accuracy/0"):
        assert [event.step for event in events.Tensors(tag)] == every_second, tag
    assert [event.step for event in events.Tensors("activations")] == [*range(0, 101, 5), 101]
    for tag in ("cost", "gradient_norm/output"):  # The scalars of the cost: every epoch.
        assert [event.step for event in events.Tensors(tag)] == list(range(102)), tag


@pytest.mark.parametrize("model", ["logistic", "mlp"])
def test_the_slide_models_train_on_fonts_as_the_notebooks_do(tmp_path, model):
    # The slides' full-batch step on the summed cost, made for 200 points, sent the cost on
    # fonts up from the first epoch and left the accuracy at chance (1 in 5).
    result = kerasclf.train(
        dataset="fonts",
        num_samples=NUM_SAMPLES,
        model=model,
        epochs=5,
        images=False,
        logdir=str(tmp_path),
        stream=io.StringIO(),
    )
    settings = {key: getattr(result.config, key) for key in ("optimizer", "batch_size", "cost")}
    assert settings == {"optimizer": "adam", "batch_size": 32, "cost": "mean"}
    costs = result.history["cost"]
    assert costs[-1] < 0.7 * costs[0] and np.all(np.diff(costs) < 0)
    assert result.summary["accuracy"] > 0.6 and result.summary["status"] == "completed"
