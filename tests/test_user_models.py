"""A user's own Keras model: from a file on the CLI, or an object in Python.

A CNN (with BatchNormalization) on images and an LSTM on sequences train
from `--model FILE.py:FUNCTION` and from `kerasclf.train(model=...)`; their
fused-engine updates equal stock `fit`'s; every bad model is one line, exit
status 2, and nothing written.
"""

import io
import itertools
import json
import os
import re
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from conftest import read_images

import kerasclf
from kerasclf import pipeline
from kerasclf.engine.classifier import Classifier
from kerasclf.cli.main import main
from kerasclf.engine.losses import CrossEntropy

MODELS_FILE = """
import sys

import keras


def cnn(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(3, 3, activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(x))


def lstm(input_shape, num_classes):
    return keras.Sequential(
        [keras.Input(input_shape), keras.layers.LSTM(4), keras.layers.Dense(1, "sigmoid")]
    )


def logits(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(num_classes, name="scores")(x))


def two_units(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))


def wrong_input(input_shape, num_classes):
    inputs = keras.Input((5, 5, 1))
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(x))


def not_a_model(input_shape, num_classes):
    return "a model"


def raises(input_shape, num_classes):
    return {}["missing"]


def exits(input_shape, num_classes):
    sys.exit(0)


def two_outputs(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    scores = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, [scores, scores])


def two_inputs(input_shape, num_classes):
    inputs = [keras.Input(input_shape), keras.Input(input_shape)]
    x = keras.layers.Flatten()(keras.layers.Add()(inputs))
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(x))


def frozen(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    output = keras.layers.Dense(num_classes, activation="softmax", trainable=False)(x)
    return keras.Model(inputs, output)


def with_lambda(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = keras.layers.Lambda(lambda images: images * 2.0, name="double")(inputs)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(x))
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The models file, a 3-class image .npz and a 2-class sequence .npz."""
    folder = tmp_path_factory.mktemp("user_models")
    (folder / "my_models.py").write_text(MODELS_FILE)
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    images = rng.normal(0, 0.3, size=(60, 8, 8, 1)).astype(np.float32)
    for index, label in enumerate(labels):
        images[index, 2 * label : 2 * label + 2, :, 0] += 1.0
    np.savez(folder / "images.npz", X=images, y=labels)
    sequences = rng.normal(size=(40, 6, 2)).astype(np.float32)
    np.savez(folder / "sequences.npz", X=sequences, y=(sequences[:, 0, 0] > 0).astype(int))
    return folder


def _events(run_dir):
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return events


def _tensor_tags(run_dir):
    return _events(run_dir).Tags()["tensors"]


def _scalar_steps(run_dir, tag):
    return [event.step for event in _events(run_dir).Tensors(tag)]


@pytest.mark.parametrize(
    "function, data, num_classes", [("cnn", "images.npz", 3), ("lstm", "sequences.npz", 2)]
)
def test_a_user_model_trains_from_the_cli(files, tmp_path, capsys, function, data, num_classes):
    argv = ["train", "--model", f"{files / 'my_models.py'}:{function}", "--data", str(files / data)]
    argv += [
        "--optimizer",
        "adam",
        "--batch-size",
        "16",
        "--epochs",
        "3",
        "--logdir",
        str(tmp_path),
    ]
    assert main([*argv, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == "completed" and summary["epochs"] == 3
    run_dir = summary["run_dir"]
    assert os.path.basename(run_dir).startswith(f"{os.path.splitext(data)[0]}-{function}-adam")
    saved = keras.saving.load_model(os.path.join(run_dir, "model.keras"))
    loaded = np.load(files / data)
    probabilities = saved.predict(loaded["X"], verbose=0)
    assert probabilities.shape == (len(loaded["y"]), 1 if num_classes == 2 else num_classes)
    config = json.load(open(os.path.join(run_dir, "config.json")))
    assert config["model"] == f"{files / 'my_models.py'}:{function}" and config["init"] is None
    assert config["feature_shape"] == list(loaded["X"].shape[1:])
    assert _scalar_steps(run_dir, "cost") == [0, 1, 2, 3]


@pytest.mark.parametrize("channel_axis", [False, True])
def test_the_docs_example_model_trains_on_grey_images(files, tmp_path, capsys, channel_axis):
    """docs/my_models.py:build, as README and docs/models.md give it: (36, 36) fonts-like
    images as Keras's datasets store them, and (H, W, 1) images."""
    images = np.load(files / "images.npz")
    features = images["X"] if channel_axis else images["X"][..., 0]
    data = tmp_path / "grey.npz"
    np.savez(data, X=features, y=images["y"])
    example = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "my_models.py")
    argv = ["train", "--model", f"{example}:build", "--data", str(data), "--epochs", "1"]
    assert main([*argv, "--batch-size", "16", "--logdir", str(tmp_path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == "completed"
    config = json.load(open(os.path.join(summary["run_dir"], "config.json")))
    assert config["feature_shape"] == list(features.shape[1:])
    # The accuracy is the saved model's, as stock Keras predicts the images.
    saved = keras.saving.load_model(os.path.join(summary["run_dir"], "model.keras"))
    predicted = saved.predict(features, verbose=0).argmax(axis=1)
    assert summary["accuracy"] == pytest.approx(np.mean(predicted == images["y"]))


def test_the_cli_notes_a_callback_the_points_do_not_fit_not_one_for_points_only(
    files, tmp_path, capsys
):
    # Sequences: the decision boundary, a plane of two inputs, is for points; left out unnoted.
    argv = ["train", "--model", f"{files / 'my_models.py'}:lstm", "--data"]
    argv += [str(files / "sequences.npz"), "--epochs", "1", "--logdir", str(tmp_path), "--json"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "note:" not in out
    # An LSTM gets its error surface (tests/test_error_surface.py checks its costs).
    run_dir = json.loads(out.strip().splitlines()[-1])["run_dir"]
    steps, images = read_images(run_dir, "error_surface")
    assert steps == [0, 1] and len(np.unique(images[-1].reshape(-1, 3), axis=0)) > 20
    assert "decision_boundary" not in _tensor_tags(run_dir) and "cost" in _tensor_tags(run_dir)
    # Points of three features: a boundary was to be expected, so its absence is noted.
    points = tmp_path / "points3.csv"
    rows = np.random.default_rng(0).normal(size=(30, 3))
    np.savetxt(points, np.column_stack([rows, rows[:, 0] > 0]), delimiter=",", fmt="%g")
    argv = ["train", "--data", str(points), "--epochs", "1", "--logdir", str(tmp_path)]
    assert main(argv) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: DecisionBoundaryLogger is off for this run: it draws the plane of a model with "
        "exactly 2 inputs, and this one has 3."
    ]


def test_a_user_model_trains_from_python_as_an_object_and_as_a_function(files, tmp_path):
    data = np.load(files / "images.npz")

    def build(input_shape, num_classes):
        inputs = keras.Input(input_shape)
        outputs = keras.layers.Dense(num_classes, activation="softmax")(
            keras.layers.Flatten()(inputs)
        )
        return keras.Model(inputs, outputs, name="softmax_regression")

    common = dict(data=str(files / "images.npz"), epochs=2, logdir=str(tmp_path), images=False)
    from_function = kerasclf.train(model=build, **common, batch_size=20)
    keras.utils.set_random_seed(0)
    model = build((8, 8, 1), 3)
    before = [weight.copy() for weight in model.get_weights()]
    from_object = kerasclf.train(model=model, **common, batch_size=20)
    # The user's own layers were trained: the object's weights moved.
    assert not all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    for result in (from_function, from_object):
        assert result.summary["status"] == "completed"
        config = json.load(open(os.path.join(result.run_dir, "config.json")))
        assert config["model"] == "python:" + ("build" if result is from_function else model.name)
    # The summary's accuracy is that of the trained model, computed here with numpy.
    predicted = model.predict(data["X"], verbose=0).argmax(axis=1)
    assert from_object.summary["accuracy"] == pytest.approx(np.mean(predicted == data["y"]))


def test_a_user_lstm_trains_from_python_with_its_logs_read_back(files, tmp_path):
    def lstm(input_shape, num_classes):
        return keras.Sequential(
            [keras.Input(input_shape), keras.layers.GRU(3), keras.layers.Dense(1, "sigmoid")]
        )

    result = kerasclf.train(
        model=lstm, data=str(files / "sequences.npz"), epochs=2, batch_size=8, logdir=str(tmp_path)
    )
    assert result.summary["status"] == "completed" and "callback_errors" not in result.summary
    assert _scalar_steps(result.run_dir, "cost") == [0, 1, 2]
    saved = keras.saving.load_model(os.path.join(result.run_dir, "model.keras"))
    sequences = np.load(files / "sequences.npz")["X"]
    np.testing.assert_allclose(
        saved.predict(sequences, verbose=0), result.model.predict(sequences, verbose=0), rtol=1e-6
    )


def test_logging_callbacks_leave_a_dropout_gru_trained_as_without_them(files, tmp_path):
    """Keras's GRU advances its dropout seed even at training=False; a callback's pass must not."""

    def gru(input_shape, num_classes):
        return keras.Sequential(
            [
                keras.Input(input_shape),
                keras.layers.GRU(3, dropout=0.3),
                keras.layers.Dense(1, "sigmoid"),
            ]
        )

    common = dict(model=gru, data=str(files / "sequences.npz"), epochs=3, batch_size=8)
    logged = kerasclf.train(logdir=str(tmp_path / "logged"), **common)
    quiet = kerasclf.train(
        logdir=str(tmp_path / "quiet"),
        callbacks_off=["cost", "weights", "surface", "hidden_state", "progress"],
        images=False,
        **common,
    )
    assert logged.summary["status"] == quiet.summary["status"] == "completed"
    assert "callback_errors" not in logged.summary
    # The weights and the optimizer's slots; the seeds' end states differ (the
    # quiet run's summary makes one more pass after training).
    for logged_weight, quiet_weight in zip(
        logged.model.trainable_variables + logged.model.optimizer.variables,
        quiet.model.trainable_variables + quiet.model.optimizer.variables,
    ):
        np.testing.assert_array_equal(np.asarray(logged_weight), np.asarray(quiet_weight))


def test_a_model_function_run_twice_in_one_process_logs_the_same_tags(files, tmp_path):
    """As a notebook does: the second run's layers are named as the first's, as a fresh process
    names them, so TensorBoard overlays their weight charts; the user's own names go on."""
    keras.layers.Dense(1)  # The user's script made layers before: Keras has counted "dense".
    common = dict(data=str(files / "images.npz"), epochs=1, batch_size=20, images=False)
    runs = [
        kerasclf.train(model=str(files / "my_models.py:cnn"), logdir=str(tmp_path / name), **common)
        for name in ("first", "second")
    ]
    tags = []
    for run in runs:
        tags.append(sorted(_tensor_tags(run.run_dir)))
        assert [layer.name for layer in run.model.layers][1:3] == ["conv2d", "batch_normalization"]
    assert tags[0] == tags[1], set(tags[0]) ^ set(tags[1])
    assert any("conv2d" in tag for tag in tags[0]), tags[0]
    assert keras.layers.Dense(1).name != "dense"  # The user's counters were restored.


def _equal_to_stock(build, features, labels, num_classes):
    """Fused blocks against stock fit on the same minibatches, from the same weights."""
    keras.utils.set_random_seed(0)
    user = build()
    stock = keras.models.clone_model(user)
    stock.set_weights(user.get_weights())
    fused = Classifier.from_model(user)
    for model in (fused, stock):
        model.compile(
            # (Not Adam: it scales the conv bias's gradient, ~0 under BatchNorm, to whole
            # steps, so float rounding would decide them.)
            optimizer=keras.optimizers.SGD(0.1, momentum=0.5),
            loss=CrossEntropy("mean") if num_classes == 2 else "sparse_categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=model is fused,
        )
    blocks = pipeline.blocks(features, labels, 8, 0, 2, max_block_samples=16)
    steps = pipeline.block_layout(len(labels), 8, max_block_samples=16)[1]
    minibatches = [batch for block in blocks for batch in pipeline.block_minibatches(block)]
    fused_history = fused.fit(
        blocks, epochs=2, steps_per_epoch=steps, verbose=0, shuffle=False
    ).history
    stock_dataset = tf.data.Dataset.from_generator(
        lambda: iter(minibatches),
        output_signature=(
            tf.TensorSpec((None, *features.shape[1:]), tf.float32),
            tf.TensorSpec([None], tf.int32),
        ),
    )
    stock_history = stock.fit(
        stock_dataset, epochs=2, steps_per_epoch=len(minibatches) // 2, verbose=0, shuffle=False
    ).history
    for fused_variable, stock_variable in zip(fused.variables, stock.variables):
        if "float" in fused_variable.dtype:  # Not the seed generators' states.
            np.testing.assert_allclose(fused_variable, stock_variable, rtol=1e-4, atol=1e-6)
    for key, values in stock_history.items():
        np.testing.assert_allclose(fused_history[key], values, rtol=1e-4)


def test_a_user_cnn_with_batch_norm_trains_as_stock_fit():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(30, 6, 6, 1)).astype(np.float32)  # 30: a partial last batch.
    labels = (np.arange(30) % 3).astype(np.int32)

    def build():
        inputs = keras.Input((6, 6, 1))
        x = keras.layers.Conv2D(2, 3)(inputs)
        x = keras.layers.BatchNormalization(momentum=0.5)(x)
        x = keras.layers.Flatten()(keras.layers.ReLU()(x))
        return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))

    _equal_to_stock(build, features, labels, 3)


def test_a_user_lstm_trains_as_stock_fit():
    rng = np.random.default_rng(2)
    features = rng.normal(size=(22, 5, 2)).astype(np.float32)
    labels = (features[:, 0, 0] > 0).astype(np.int32)

    def build():
        return keras.Sequential(
            [keras.Input((5, 2)), keras.layers.LSTM(3), keras.layers.Dense(1, "sigmoid")]
        )

    _equal_to_stock(build, features, labels, 2)


BAD_MODELS = [
    ("missing.py:cnn", "`model` file does not exist"),
    ("my_models.py", "`model` in a file must be FILE.py:FUNCTION"),
    ("my_models.py:cnnn", "has no function 'cnnn'. Received: model="),
    ("broken.py:build", "has a syntax error at line 2"),
    ("my_models.py:raises", "raised KeyError: 'missing' (my_models.py line"),
    ("my_models.py:exits", "raised SystemExit: 0 (my_models.py line"),
    ("my_models.py:two_outputs", "has 2 outputs; kerasclf trains models of one input and one"),
    ("my_models.py:two_inputs", "has 2 inputs; kerasclf trains models of one input and one"),
    ("exits_on_import.py:build", "failed on import with SystemExit: 0 (exits_on_import.py line 1)"),
    ("my_models.py:not_a_model", "must return a keras.Model. Received 'a model' of type str"),
    ("my_models.py:logits", "output layer 'scores' has activation 'linear'"),
    ("my_models.py:two_units", "outputs 2 unit(s), but the data has 3 classes"),
    ("my_models.py:wrong_input", "takes inputs of shape (5, 5, 1), but the data's samples"),
    ("my_models.py:frozen", "has no trainable weights (its layers are frozen, trainable=False"),
    ("my_models.py:with_lambda", "layer 'double' is a Lambda layer, whose Python function"),
]


@pytest.mark.parametrize("model, message", BAD_MODELS)
def test_a_bad_model_is_one_line_exit_2_and_nothing_written(
    files, tmp_path, capsys, monkeypatch, model, message
):
    (files / "broken.py").write_text("def build(input_shape, num_classes):\n    return (\n")
    (files / "exits_on_import.py").write_text("raise SystemExit(0)\n")
    monkeypatch.chdir(files)
    logdir = tmp_path / "logs"
    argv = ["train", "--model", model, "--data", "images.npz", "--logdir", str(logdir)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in captured.err and not logdir.exists()
    if "cnnn" in model:
        assert "Did you mean 'cnn'?" in lines[0]


def test_keys_for_built_in_models_are_refused_with_a_user_model(files, tmp_path, capsys):
    argv = ["train", "--model", f"{files / 'my_models.py'}:cnn", "--hidden", "4"]
    argv += ["--data", str(files / "images.npz"), "--logdir", str(tmp_path / "logs")]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert re.search(r"shapes the built-in models, not yours .* Received: hidden=\[4\]", error)
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize("as_function", [False, True])
def test_keys_for_built_in_models_are_refused_with_a_python_model(tmp_path, as_function):
    def build(input_shape, num_classes):
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))

    model = build if as_function else build((2,), 2)
    with pytest.raises(ValueError) as raised:
        kerasclf.train(model=model, hidden=[4], l2=0.1, logdir=str(tmp_path), epochs=1)
    message = str(raised.value)
    assert message.startswith("hidden, l2 shape the built-in models, not yours (model=")
    assert "Received: hidden=[4], l2=0.1." in message and "\n" not in message
    assert os.listdir(tmp_path) == []


def test_a_python_model_and_a_model_key_together_are_refused(tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    with pytest.raises(ValueError, match="Give the model once"):
        kerasclf.train({"model": "mlp"}, model=model, logdir=str(tmp_path))
    with pytest.raises(TypeError, match="a keras.Model or a function that builds one"):
        kerasclf.train(model=42, logdir=str(tmp_path))
    assert os.listdir(tmp_path) == []


def test_the_documented_example_file_builds_a_model_for_fonts_sized_images():
    from kerasclf.models.user import user_model

    example = os.path.join(os.path.dirname(__file__), "..", "docs", "my_models.py")
    model = user_model(f"{example}:build", (36, 36, 1), 5)
    assert model.output_shape == (None, 5)
    assert len(textwrap.dedent(open(example).read()).splitlines()) <= 14


def test_keras_layout_trains_on_the_train_part_and_reports_the_test_part(tmp_path):
    """x_train/y_train train; x_test/y_test are the test set, reported as test_* in the summary."""
    rng = np.random.default_rng(3)

    def images(count):
        labels = np.arange(count) % 2
        pixels = rng.integers(0, 100, size=(count, 6, 6)).astype(np.uint8)
        pixels[labels == 1, :3] += 150  # Class 1: a bright top half.
        return pixels, labels.astype(np.uint8)

    (x_train, y_train), (x_test, y_test) = images(40), images(20)
    path = tmp_path / "mnist_like.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    result = kerasclf.train(
        data=str(path), epochs=3, optimizer="adam", logdir=str(tmp_path / "logs"), images=False
    )
    assert result.config.data == str(path) and result.summary["status"] == "completed"
    probabilities = result.model.predict(x_test.astype(np.float32) / 255, verbose=0)[:, 0]
    expected_accuracy = np.mean((probabilities > 0.5) == y_test)
    assert result.summary["test_accuracy"] == pytest.approx(expected_accuracy)
    expected_cost = -np.sum(
        y_test * np.log(probabilities.astype(np.float64))
        + (1 - y_test) * np.log(1 - probabilities.astype(np.float64))
    )
    assert result.summary["test_cost"] == pytest.approx(expected_cost, rel=1e-4)
    config = json.load(open(os.path.join(result.run_dir, "config.json")))
    assert config["feature_scale"] == pytest.approx(1 / 255) and config["feature_shape"] == [6, 6]
    assert config["num_training_samples"] == 40


def test_a_compiled_model_is_noted_and_trained_with_kerasclfs_settings(tmp_path):
    def model(compiled):
        inputs = keras.Input((2,))
        built = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
        if compiled:
            built.compile(optimizer="adam", loss="binary_crossentropy")
        return built

    def function(compiled):  # A model function that returns a compiled model.
        return lambda input_shape, num_classes: model(compiled)

    for compiled, source in itertools.product((True, False), (model, function)):
        stream = io.StringIO()
        result = kerasclf.train(
            model=source(compiled), epochs=1, images=False, logdir=str(tmp_path), stream=stream
        )
        notes = [line for line in stream.getvalue().splitlines() if "was compiled" in line]
        expected = (
            "note: your model was compiled (optimizer Adam); kerasclf trains a copy with its own "
            "settings: optimizer='gd', cost='sum'. Choose them with those keys."
        )
        assert notes == ([expected] if compiled else [])
        assert type(result.model.optimizer).__name__ == "SGD"


def _sequence_output_model():
    # The forgotten return_sequences=False: one probability per sample and time step.
    inputs = keras.Input((2,))
    steps = keras.layers.Reshape((2, 1))(inputs)
    hidden = keras.layers.LSTM(3, return_sequences=True)(steps)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))


def _two_sigmoid_units_model():
    inputs = keras.Input((2,))
    return keras.Model(inputs, keras.layers.Dense(2, activation="sigmoid")(inputs))


@pytest.mark.parametrize(
    "build, says",
    [
        (_sequence_output_model, "outputs shape (None, 2, 1), but a classifier gives one row"),
        (_two_sigmoid_units_model, "ends in 2 sigmoid units: 2 separate yes/no probabilities"),
    ],
)
def test_an_output_that_is_not_one_probability_per_class_is_refused(tmp_path, build, says):
    with pytest.raises(ValueError) as raised:
        kerasclf.train(model=build(), logdir=str(tmp_path), epochs=1)
    message = str(raised.value)
    assert says in message and "\n" not in message
    assert os.listdir(tmp_path) == []


def test_one_softmax_unit_is_refused_before_training(tmp_path):
    # softmax over one unit is 1 for every input: the model could never learn.
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="softmax")(inputs))
    with pytest.raises(ValueError) as raised:
        kerasclf.train(model=model, logdir=str(tmp_path), epochs=1)
    message = str(raised.value)
    assert "ends in one softmax unit, whose output is always 1" in message
    assert "Dense(1, activation='sigmoid')" in message and "\n" not in message
    assert os.listdir(tmp_path) == []
