"""Day 3 from the command line and the Python API: regression against references, bad input.

A regression trains on the squared error: its summary's costs are recomputed
with numpy from the saved model, its TensorBoard costs read back with
TensorBoard's reader, and logistic regression turned linear regression lands
where scikit-learn's least squares does. Each Day-3 mistake is one line and
exit 2, with nothing written.
"""

import csv
import io
import json
import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from conftest import read_images

import kerasclf
from kerasclf.cli.main import main
from kerasclf.engine.evaluation import evaluate_model
from kerasclf.engine.losses import SquaredError
from kerasclf.run.prediction import load_run_model


def _linear_targets(num_samples=60, seed=0):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(num_samples, 3)).astype(np.float32)
    targets = features @ np.array([1.5, -2.0, 0.5]) + 0.7 + 0.1 * rng.normal(size=num_samples)
    return features, targets.astype(np.float32)


@pytest.mark.parametrize("shape", [(5,), (5, 3)])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_squared_error_is_keras_mean_squared_error(shape, reduction):
    rng = np.random.default_rng(1)
    targets, predictions = (
        rng.normal(size=shape),
        rng.normal(size=(5, shape[-1] if len(shape) > 1 else 1)),
    )
    keras_reduction = "sum" if reduction == "sum" else "sum_over_batch_size"
    reference = keras.losses.MeanSquaredError(reduction=keras_reduction)(
        targets.reshape(predictions.shape), predictions
    )
    ours = SquaredError(reduction)(targets, predictions)
    assert float(ours) == pytest.approx(float(reference), rel=1e-6)


def test_regression_evaluation_and_its_gradient_match_numpy():
    features, targets = _linear_targets()
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(loss=SquaredError("sum"))
    kernel, bias = np.array([[0.5], [0.1], [-0.3]], np.float32), np.array([0.2], np.float32)
    model.set_weights([kernel, bias])
    data = kerasclf.Data(features, targets, task="regression")
    result = evaluate_model(model, data)
    errors = features.astype(np.float64) @ kernel[:, 0] + bias[0] - targets
    assert set(result) == {"cost", "mean_cost", "gradient_norm"}
    assert result["cost"] == pytest.approx(np.sum(errors**2), rel=1e-5)
    assert result["mean_cost"] == pytest.approx(np.mean(errors**2), rel=1e-5)
    gradient = np.concatenate([2 * features.T @ errors, [2 * np.sum(errors)]])
    assert result["gradient_norm"] == pytest.approx(np.linalg.norm(gradient), rel=1e-4)


@pytest.fixture(scope="module")
def linear_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("regression")
    features, targets = _linear_targets()
    path = str(folder / "linear.npz")
    np.savez(path, X=features, y=targets)
    result = kerasclf.train(
        data=path,
        task="regression",
        optimizer="adam",
        learning_rate=0.1,
        epochs=300,
        logdir=str(folder / "logs"),
        stream=(stream := io.StringIO()),
    )
    notes = [line for line in stream.getvalue().splitlines() if line.startswith("note:")]
    return result, features, targets, notes


def test_linear_regression_lands_on_least_squares(linear_run):
    result, features, targets, _ = linear_run
    reference = LinearRegression().fit(features, targets)
    assert result.weights == pytest.approx(reference.coef_.tolist(), abs=2e-3)
    assert result.bias == pytest.approx(reference.intercept_, abs=2e-3)
    assert result.config.task == "regression" and result.config.cost == "sum"


@pytest.mark.parametrize("file_type", ["csv", "npz"])
def test_evaluate_of_a_regression_run_scores_its_squared_error(
    linear_run, tmp_path, capsys, file_type
):
    result, features, targets = linear_run[:3]
    path = str(tmp_path / f"points.{file_type}")
    if file_type == "csv":
        np.savetxt(path, np.hstack([features, targets[:, None]]), delimiter=",")
    else:
        np.savez(path, X=features, y=targets)
    assert main(["evaluate", "--run", result.run_dir, "--data", path, "--json"]) == 0
    *lines, last = capsys.readouterr().out.splitlines()
    scores = json.loads(last)
    # The linear model's values from its weights in numpy, scored by scikit-learn.
    predicted = features.astype(np.float64) @ np.array(result.weights) + result.bias
    assert scores["task"] == "regression" and scores["num_samples"] == len(targets)
    assert scores["cost"] == pytest.approx(np.sum((predicted - targets) ** 2), rel=1e-5)
    assert scores["mean_cost"] == pytest.approx(mean_squared_error(targets, predicted), rel=1e-5)
    assert scores["root_mean_squared_error"] == pytest.approx(
        np.sqrt(mean_squared_error(targets, predicted)), rel=1e-5
    )
    assert scores["mean_absolute_error"] == pytest.approx(
        mean_absolute_error(targets, predicted), rel=1e-5
    )
    assert scores["r2"] == pytest.approx(r2_score(targets, predicted), rel=1e-6)
    assert lines[1] == (
        f"cost (summed squared error) {scores['cost']:.6f}  "
        f"mean squared error {scores['mean_cost']:.6f}"
    )
    assert lines[2].endswith(f"R^2 {scores['r2']:.4f}")


@pytest.mark.parametrize(
    "content, message",
    [
        ("features", "needs each point's target in a last column, and this file has 3 columns"),
        ("two targets", "the run's model predicts 1 target a sample, and the data has 2."),
        ("two features", "the run's model takes samples of shape (3,), but the file's samples"),
    ],
)
def test_evaluate_of_a_regression_run_refuses_data_of_another_shape(
    linear_run, tmp_path, capsys, content, message
):
    result, features, targets = linear_run[:3]
    if content == "features":
        path = str(tmp_path / "points.csv")
        np.savetxt(path, features, delimiter=",")
    else:
        path = str(tmp_path / "points.npz")
        if content == "two targets":
            np.savez(path, X=features, y=np.stack([targets, targets], axis=1))
        else:
            np.savez(path, X=features[:, :2], y=targets)
    assert main(["evaluate", "--run", result.run_dir, "--data", path]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


@pytest.mark.parametrize("with_targets", [False, True])
def test_predict_of_a_regression_run_writes_its_values(linear_run, tmp_path, capsys, with_targets):
    result, features, targets, _ = linear_run
    table = np.hstack([features, targets[:, None]] if with_targets else [features])
    path = tmp_path / "points.csv"
    np.savetxt(path, table, delimiter=",", header="a,b,c" + (",t" if with_targets else ""))
    assert main(["predict", "--run", result.run_dir, "--data", str(path)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["x1", "x2", "x3", "prediction"] + (["target"] if with_targets else [])
    written = np.array(rows[1:], dtype=np.float64)
    # The linear model's values, from its weights in numpy (6 significant digits printed).
    reference = features.astype(np.float64) @ np.array(result.weights) + result.bias
    np.testing.assert_allclose(written[:, 3], reference, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(written[:, :3], features, rtol=1e-5)
    if with_targets:
        np.testing.assert_allclose(written[:, 4], targets, rtol=1e-5)
    # Neither the features alone nor with the one target: one line, what the model takes.
    np.savetxt(path, np.hstack([features, features]), delimiter=",")
    assert main(["predict", "--run", result.run_dir, "--data", str(path)]) == 2
    error = capsys.readouterr().err
    assert "takes 3 features per point and predicts 1 target. Received 6 columns." in error
    assert error.count("\n") == 1


def test_a_regression_notes_why_the_classifier_images_are_off(linear_run):
    notes = linear_run[3]
    assert notes == [
        "note: DecisionBoundaryLogger is off for this run: it shows a classifier's "
        "probabilities, and this run is a regression.",
        "note: ErrorSurfaceLogger is off for this run: it draws the cross-entropy over a plane "
        "of weights, and this run is a regression.",
    ]


@pytest.mark.parametrize(
    "flags, expected_notes",
    [
        # A series read flat by logistic regression: no image panels (its windows are no
        # pictures), no boundary (no plane), and the one note of a classifier's surface.
        (
            ["--dataset", "series", "--model", "logistic"],
            [
                "note: ErrorSurfaceLogger is off for this run: it draws the cross-entropy over a "
                "plane of weights, and this run is a regression."
            ],
        ),
        (["--dataset", "long_dependency", "--model", "mlp", "--hidden", "4"], []),
    ],
)
def test_sequences_read_flat_get_no_image_panels_and_no_wrong_notes(
    tmp_path, capsys, flags, expected_notes
):
    logdir = tmp_path / "logs"
    assert main(["train", *flags, "--epochs", "1", "--logdir", str(logdir)]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert notes == expected_notes
    (run_dir,) = logdir.iterdir()
    pictures = {path.name for path in run_dir.glob("*.png")}
    assert not pictures & {"first_layer.png", "confusion_matrix.png", "misclassified.png"}
    events = EventAccumulator(str(run_dir / "train"), size_guidance={"tensors": 0})
    events.Reload()
    assert not {"first_layer", "confusion_matrix", "decision_boundary"} & set(
        events.Tags()["tensors"]
    )


def test_regression_summary_and_events_hold_the_squared_error(linear_run):
    result, features, targets, _ = linear_run
    summary = result.summary
    assert "accuracy" not in summary
    model = load_run_model(result.run_dir)
    predictions = np.asarray(model.predict(features, verbose=0))[:, 0].astype(np.float64)
    squared = np.sum((predictions - targets) ** 2)
    assert summary["cost"] == pytest.approx(squared, rel=1e-4)
    assert summary["mean_cost"] == pytest.approx(squared / len(targets), rel=1e-4)
    events = EventAccumulator(os.path.join(result.run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    tags = events.Tags()["tensors"]
    assert "cost" in tags and "mean_cost" in tags and "accuracy" not in tags
    logged = {e.step: float(tf.make_ndarray(e.tensor_proto)) for e in events.Tensors("cost")}
    assert sorted(logged) == list(range(result.config.epochs + 1))
    assert logged[result.config.epochs] == pytest.approx(summary["cost"], rel=1e-5)


def _write(path, **arrays):
    np.savez(path, **arrays)
    return str(path)


def _bad_inputs(tmp_path):
    rng = np.random.default_rng(0)
    sequences = rng.normal(size=(20, 6, 2)).astype(np.float32)
    classes = np.arange(20) % 2
    text = tmp_path / "tiny.txt"
    text.write_text("the cat sees a dog. " * 20)
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = np.zeros(3), np.zeros(4)
    return [
        (["--data", _write(tmp_path / "ragged.npz", X=ragged, y=np.array([0, 1]))], "ragged"),
        (
            [
                "--data",
                _write(
                    tmp_path / "ids.npz",
                    X=rng.integers(0, 9, size=(20, 5)),
                    y=classes,
                    vocabulary_size=np.array(5),
                ),
            ],
            "outside the vocabulary",
        ),
        (
            [
                "--data",
                _write(tmp_path / "classes.npz", X=sequences, y=classes),
                "--task",
                "regression",
            ],
            "look like class labels",
        ),
        (["--dataset", "fonts", "--task", "regression"], "`task` does not fit dataset 'fonts'"),
        (["--task", "regresion"], "Did you mean 'regression'"),
        (["--dataset", "fonts", "--sequence-length", "10"], "`sequence_length` applies to"),
        (
            [
                "--data",
                _write(tmp_path / "seq.npz", X=sequences, y=classes),
                "--sequence-length",
                "3",
            ],
            "`sequence_length` cuts a text file (.txt) into windows; the samples of",
        ),
        (["--stride", "3"], "`stride` applies to a text file's windows"),
        (["--model", "mlp", "--units", "8"], "`units` does not shape the 'mlp' model"),
        (["--model", "lstm", "--dataset", "series", "--layers", "0"], "Received: layers=0."),
        (["--data", str(text), "--model", "lstm", "--prompt", "The Cat"], "'C', 'T'"),
        (["--prompt", "hello"], "`prompt` starts a character model's generated text"),
        (
            ["--data", str(text), "--model", "gru", "--sequence-length", "500"],
            "the text has 400 characters",
        ),
        (["--data", str(text), "--model", "mlp"], "which the 'mlp' model would take for numbers"),
        (
            ["--data", str(text), "--model", "gru", "--sequence-length", "6", "--stride", "394"],
            "stride=394 leaves one window of sequence_length=6 in the text's 400 characters",
        ),
    ]


def test_bad_day3_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys):
    for flags, message in _bad_inputs(tmp_path):
        logdir = tmp_path / "logs"
        code = main(["train", "--logdir", str(logdir), "--epochs", "1", *flags])
        error = capsys.readouterr().err
        assert code == 2, (flags, error)
        assert message in error, (flags, error)
        assert error.count("\n") == 1 and error.startswith("kerasclf: error: "), error
        assert not logdir.exists(), flags


def test_a_text_run_saves_its_vocabulary_and_generates_from_it(tmp_path, capsys):
    text = tmp_path / "tiny.txt"
    text.write_text("abcabcabd " * 30)
    logdir = tmp_path / "logs"
    flags = ["--data", str(text), "--model", "gru", "--sequence-length", "6", "--stride", "2"]
    assert main(["train", "--logdir", str(logdir), "--epochs", "2", *flags]) == 0
    run_dir = os.path.join(logdir, os.listdir(logdir)[0])
    vocabulary = kerasclf.data.vocabulary.Vocabulary.load(os.path.join(run_dir, "vocabulary.json"))
    assert vocabulary.tokens == (" ", "a", "b", "c", "d")
    config = kerasclf.atomic_files.read_json(os.path.join(run_dir, "config.json"))
    assert (config["sequence_length"], config["stride"], config["embedding_dim"]) == (6, 2, 16)
    # The hidden state's columns are the characters of one window, quoted in its description.
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    description = events.SummaryMetadata("hidden_state").summary_description
    assert re.search(r"The example's text: `[ abcd]{6}`$", description), description
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    # Neither the forecast's absence (a classifier) nor the decision boundary's (not points).
    assert notes == []
    # The error surface is drawn, though no window is followed by a space (class 0).
    steps, images = read_images(run_dir, "error_surface")
    assert steps == [0, 2] and len(np.unique(images[-1].reshape(-1, 3), axis=0)) > 20
    assert main(["generate", "--run", run_dir, "--prompt", "ab", "--length", "20"]) == 0
    generated = capsys.readouterr().out.strip().splitlines()[-1]
    assert generated.startswith("ab") and set(generated) <= set(vocabulary.tokens)
    # evaluate --run reads a text as the run does: its vocabulary, windows of its length.
    other = tmp_path / "other.txt"
    other.write_text("dcba " * 6)  # 30 characters: windows of 6, labelled with the next.
    assert main(["evaluate", "--run", run_dir, "--data", str(other), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    ids = np.array([vocabulary.tokens.index(character) for character in other.read_text()])
    windows = np.lib.stride_tricks.sliding_window_view(ids[:-1], 6)
    probabilities = load_run_model(run_dir).predict(windows, verbose=0).astype(np.float64)
    expected = -np.sum(np.log(probabilities[np.arange(len(windows)), ids[6:]]))
    assert result["num_samples"] == 24 and result["cost"] == pytest.approx(expected, rel=1e-4)
    # Characters it never saw, and numbers that are not its token ids, are one line each.
    other.write_text("ABC abc " * 5)
    points = tmp_path / "points.csv"
    points.write_text("0.5,-1,0\n1,2,1\n")
    for path, message in (
        (other, "has characters outside the run's vocabulary: 'A', 'B', 'C'"),
        (points, "token id 0.5 at sample 0 (step 0) is outside the vocabulary of 5 tokens"),
    ):
        assert main(["evaluate", "--run", run_dir, "--data", str(path)]) == 2
        error = capsys.readouterr().err
        assert message in error and error.count("\n") == 1
    assert main(["predict", "--run", run_dir, "--data", str(points)]) == 2
    error = capsys.readouterr().err
    assert "this run's model reads sequences of any length" in error and error.count("\n") == 1
    # A text given to predict points to the commands that read texts.
    assert main(["predict", "--run", run_dir, "--data", str(other)]) == 2
    error = capsys.readouterr().err
    assert f"Score it on the text with `kerasclf evaluate --run {run_dir} --data {other}`" in error
    assert f"`kerasclf generate --run {run_dir} --prompt TEXT`" in error
    assert error.count("\n") == 1
