"""A user's model with a graph of its own and classes of its own: trained, saved, loaded back.

`model.keras` is copied layer by layer (`kerasclf.run.export.plain_model`),
along the model's own graph, and `evaluate`, `predict` and `generate` load it
with the classes of the run's model file. A class that cannot be made again
from its config is refused before training.
"""

import os

import keras
import numpy as np
import pytest

import kerasclf
from kerasclf.cli.main import main
from kerasclf.data import make_dataset
from kerasclf.run.prediction import load_run_model

MODELS_FILE = '''
import keras


class Scale(keras.layers.Layer):
    """A learned factor per feature: a layer of the user's own."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        return inputs * self.scale


class TwoLayers(keras.Model):
    """A subclassed model, written as Keras's guide says: **kwargs passed on."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="tanh")
        self.out = keras.layers.Dense(1, activation="sigmoid")

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class NoKeywords(keras.Model):
    def __init__(self):
        super().__init__()
        self.out = keras.layers.Dense(1, activation="sigmoid")

    def call(self, inputs):
        return self.out(inputs)


def branches(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    relu = keras.layers.Dense(4, activation="relu")(inputs)
    tanh = keras.layers.Dense(4, activation="tanh")(inputs)
    joined = keras.layers.Add()([relu, tanh])
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(joined))


def custom_layer(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(Scale()(inputs)))


def subclassed(input_shape, num_classes):
    return TwoLayers(units=3)


def no_keywords(input_shape, num_classes):
    return NoKeywords()
'''


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("custom_classes")
    (folder / "models.py").write_text(MODELS_FILE)
    blobs = make_dataset("seminar_blobs")
    np.savez(folder / "blobs.npz", X=blobs.features, y=blobs.labels)
    return folder


@pytest.mark.parametrize("function", ["branches", "custom_layer", "subclassed"])
def test_a_model_of_its_own_graph_or_classes_is_saved_and_loaded_back(files, tmp_path, function):
    result = kerasclf.train(
        model=f"{files / 'models.py'}:{function}",
        data=str(files / "blobs.npz"),
        epochs=3,
        images=False,
        logdir=str(tmp_path),
    )
    assert result.summary["status"] == "completed"
    features = np.load(files / "blobs.npz")["X"]
    expected = result.model.predict(features, verbose=0)
    loaded = load_run_model(result.run_dir)
    np.testing.assert_allclose(loaded.predict(features, verbose=0), expected, rtol=1e-5, atol=1e-7)
    if function == "branches":  # Keras's own layers only: Keras alone loads it.
        path = os.path.join(result.run_dir, "model.keras")
        plain = keras.saving.load_model(path)
        predicted = plain.predict(features, verbose=0)
        np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-7)
    # The CLI's evaluate loads it the same way: its accuracy is the trained model's.
    labels = np.load(files / "blobs.npz")["y"]
    accuracy = np.mean((expected[:, 0] > 0.5) == labels)
    assert main(["evaluate", "--run", result.run_dir, "--data", str(files / "blobs.npz")]) == 0
    assert result.summary["accuracy"] == pytest.approx(accuracy)


def test_a_class_that_cannot_be_made_from_its_config_is_refused_before_training(
    files, tmp_path, capsys
):
    argv = ["train", "--model", f"{files / 'models.py'}:no_keywords"]
    argv += ["--data", str(files / "blobs.npz"), "--logdir", str(tmp_path / "logs")]
    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "NoKeywords cannot be made again" in error
    assert "super().__init__(**kwargs)" in error
    assert not (tmp_path / "logs").exists()
