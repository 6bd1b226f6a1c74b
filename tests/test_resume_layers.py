"""A resume refuses a model whose layers differ from the checkpoint's, whatever their shapes.

The checkpoint's variables would fit: an edited model file of the same shapes
(relu for tanh, another dropout rate) used to continue the old weights
without a word. Checked through the command line, the Python API and a
checkpoint written before checkpoints recorded their layers.
"""

import io
import os
import re

import keras
import numpy as np
import pytest
from conftest import StopAt, file_times

import kerasclf
from kerasclf.cli.main import main
from kerasclf.models.layer_signature import layer_signature, signature_difference

MODEL_FILE = """
import keras


def build(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    hidden = keras.layers.Dense(4, activation="{activation}")(inputs)
    hidden = keras.layers.Dropout({rate})(hidden)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
"""


def _write_model(path, activation="relu", rate=0.25):
    path.write_text(MODEL_FILE.format(activation=activation, rate=rate))


def _stopped_run(tmp_path, model):
    """A run of `model` stopped during its third epoch: its directory, checkpoint at epoch 2."""
    result = kerasclf.train(
        model=model, epochs=5, images=False, logdir=str(tmp_path), run_name="stopped",
        callbacks=[StopAt(epoch=2)], stream=io.StringIO(),
    )  # fmt: skip
    assert result.summary["status"] == "interrupted"
    return result.run_dir


@pytest.mark.parametrize(
    "edit, said",
    [
        ({"activation": "tanh"}, "layer 2 (Dense) has activation='relu' in the checkpoint and "
         "activation='tanh' in the model"),
        ({"rate": 0.5}, "layer 3 (Dropout) has rate=0.25 in the checkpoint and rate=0.5 in the "
         "model"),
    ],
)  # fmt: skip
def test_an_edited_model_file_is_refused_in_one_line_and_the_original_resumes(
    tmp_path, capsys, edit, said
):
    model_file = tmp_path / "my_models.py"
    _write_model(model_file)
    run_dir = _stopped_run(tmp_path, f"{model_file}:build")
    capsys.readouterr()
    before = file_times(run_dir)
    _write_model(model_file, **edit)
    assert main(["train", "--resume", run_dir]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert f"{run_dir}/checkpoint.npz: {said}. Was {model_file} or config.json edited?" in error
    assert file_times(run_dir) == before  # Nothing written.
    _write_model(model_file)  # The model the run trained: it resumes.
    assert main(["train", "--resume", run_dir]) == 0


def _network(input_shape, num_classes, units=4):
    inputs = keras.Input(input_shape)
    hidden = keras.layers.Dense(units, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))


def _relu_network(input_shape, num_classes):
    return _network(input_shape, num_classes)


def test_kerasclf_resume_refuses_other_layers_of_the_same_shapes(tmp_path):
    run_dir = _stopped_run(tmp_path, _relu_network)

    def tanh_network(input_shape, num_classes):
        model = _network(input_shape, num_classes)
        model.layers[1].activation = keras.activations.tanh  # Shapes unchanged.
        return model

    def penalized(input_shape, num_classes):  # An L2 penalty on the hidden layer.
        inputs = keras.Input(input_shape)
        hidden = keras.layers.Dense(4, "relu", kernel_regularizer=keras.regularizers.L2(0.1))
        outputs = keras.layers.Dense(1, activation="sigmoid")(hidden(inputs))
        return keras.Model(inputs, outputs)

    said = "layer 2 (Dense) has kernel_regularizer=None in the checkpoint and "
    said += "kernel_regularizer=L2(l2=0.1) in the model. Give the model the run trained"
    with pytest.raises(ValueError, match=re.escape(f"{run_dir}/checkpoint.npz: {said}")):
        kerasclf.resume(run_dir, model=penalized)
    with pytest.raises(ValueError, match=r"activation='tanh' in the model\. Give the model the"):
        kerasclf.resume(run_dir, model=tanh_network)
    # Built again in this process (its layers numbered anew: dense_7 for dense_3), it resumes.
    result = kerasclf.resume(run_dir, model=_relu_network, stream=io.StringIO())
    assert result.summary["status"] == "completed"


def test_a_checkpoint_without_its_layers_resumes_as_before_and_damaged_ones_are_refused(
    tmp_path,
):
    run_dir = _stopped_run(tmp_path, _relu_network)
    path = os.path.join(run_dir, "checkpoint.npz")
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    assert len(arrays["layers"]) == 3  # Input, hidden Dense, output Dense.
    for damaged in (["not json"] * 3, ['{"units": 4}'] * 3, np.arange(3)):
        np.savez(path, **{**arrays, "layers": np.array(damaged)})
        before = file_times(run_dir)
        with pytest.raises(ValueError, match=r"^\S+checkpoint\.npz: its layers are not "):
            kerasclf.resume(run_dir, model=_relu_network)
        assert file_times(run_dir) == before
    del arrays["layers"]  # As a checkpoint of an earlier kerasclf.
    np.savez(path, **arrays)
    result = kerasclf.resume(run_dir, model=_relu_network, stream=io.StringIO())
    assert result.summary["status"] == "completed"


def test_two_builds_of_one_model_have_one_signature_and_names_do_not_count():
    first, second = _network((2,), 2), _network((2,), 2)
    assert [layer.name for layer in first.layers] != [layer.name for layer in second.layers]
    assert layer_signature(first) == layer_signature(second)
    assert signature_difference(layer_signature(first), layer_signature(second)) is None
    wider = layer_signature(_network((2,), 2, units=5))
    difference = signature_difference(layer_signature(first), wider)
    assert difference == "layer 2 (Dense) has units=4 in the checkpoint and units=5 in the model"


class Broken(keras.layers.Layer):
    """A user's layer whose get_config fails."""

    def call(self, inputs):
        return inputs

    def get_config(self):
        raise TypeError("cannot serialize")


def test_a_layer_whose_config_fails_counts_by_its_class():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1, "sigmoid")(Broken()(inputs)))
    signature = layer_signature(model)
    assert signature[1] == '{"layer": "Broken"}'
    assert signature_difference(signature, layer_signature(model)) is None


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: layer_signature("model.keras"), "`model` must be a keras.Model. Received: model="),
        (lambda: signature_difference("{}", []), "`stored` must be a list of `layer_signature`"),
        (lambda: signature_difference([], [1]), "Received: current=[1]."),
    ],
)
def test_the_signature_functions_refuse_bad_input_in_one_line(call, message):
    with pytest.raises(TypeError, match=re.escape(message)) as raised:
        call()
    assert "\n" not in str(raised.value)
