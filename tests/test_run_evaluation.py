"""A trained run evaluated on a data file, and used to predict: checked against numpy."""

import json
import math
import os

import keras
import numpy as np
import pytest
import sklearn.metrics
from conftest import numpy_cost

import kerasclf
from kerasclf.cli.main import main
from kerasclf.atomic_files import read_json
from kerasclf.data import Data, make_dataset
from kerasclf.run.evaluation import class_accuracies, confusion_matrix, evaluate_run

# The two runs: 3 classes (softmax), and the seminar's 2 (one sigmoid unit).
DATASETS = ("blobs", "seminar_blobs")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{dataset: (run_dir, data CSV path, Data)} of a 3-epoch run on each dataset."""
    folder = tmp_path_factory.mktemp("runs")
    result = {}
    for name in DATASETS:
        run = kerasclf.train(epochs=3, logdir=str(folder), dataset=name, images=False)
        data = make_dataset(name, seed=0)
        path = folder / f"{name}.csv"
        np.savetxt(path, np.column_stack([data.features, data.labels]), delimiter=",")
        result[name] = (run.run_dir, str(path), data)
    return result


def numpy_reference(run_dir, features, labels):
    """Cost, predictions and confusion matrix from stock Keras's probabilities and numpy."""
    model = keras.saving.load_model(os.path.join(run_dir, "model.keras"))
    probabilities = model.predict(features, verbose=0).astype(np.float64)
    if probabilities.shape[1] == 1:
        p = probabilities[:, 0]
        cost = -np.sum(labels * np.log(p) + (1 - labels) * np.log(1 - p))
        predicted = (p > 0.5).astype(int)
        num_classes = 2
    else:
        cost = -np.sum(np.log(probabilities[np.arange(len(labels)), labels]))
        predicted = probabilities.argmax(axis=1)
        num_classes = probabilities.shape[1]
    matrix = sklearn.metrics.confusion_matrix(labels, predicted, labels=range(num_classes))
    return float(cost), predicted, matrix


def expect_matches_numpy(result, run_dir, data):
    cost, predicted, matrix = numpy_reference(run_dir, data.features, data.labels)
    assert result["cost"] == pytest.approx(cost, rel=1e-5)
    assert result["mean_cost"] == pytest.approx(cost / len(data.labels), rel=1e-5)
    assert result["accuracy"] == pytest.approx(np.mean(predicted == data.labels))
    assert result["confusion_matrix"] == matrix.tolist()
    per_class = [np.mean(predicted[data.labels == k] == k) for k in range(len(matrix))]
    assert result["class_accuracy"] == pytest.approx(per_class)
    assert result["num_samples"] == len(data.labels)


@pytest.mark.parametrize("name", DATASETS)
def test_evaluate_run_matches_numpy(runs, name):
    run_dir, path, data = runs[name]
    result = evaluate_run(run_dir, path)
    expect_matches_numpy(result, run_dir, data)
    assert len(result["confusion_matrix"]) == data.num_classes
    assert result["run_dir"] == run_dir and result["data"] == path
    # A run that learned something: more right than a uniform guess.
    assert result["accuracy"] > 1.5 / data.num_classes


@pytest.mark.parametrize("name", DATASETS)
def test_cli_evaluate_run_prints_a_table_and_json_last(runs, name, capsys):
    run_dir, path, data = runs[name]
    assert main(["evaluate", "--run", run_dir, "--data", path, "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    result = json.loads(lines[-1])
    expect_matches_numpy(result, run_dir, data)
    assert result["run_dir"] == run_dir and result["data"] == path
    assert lines[1].startswith(f"cost (summed) {result['cost']:.6f}")
    header = lines.index("confusion matrix (rows: true class, columns: predicted class):")
    table = lines[header + 1 : header + 2 + data.num_classes]
    assert table[0].split() == [word for k in range(data.num_classes) for word in ("pred", str(k))]
    for k, row in enumerate(table[1:]):
        assert row.split() == ["true", str(k), *map(str, result["confusion_matrix"][k])]
    assert len({len(row) for row in table}) == 1  # Aligned columns.
    for k, accuracy in enumerate(result["class_accuracy"]):
        assert (
            f"  class {k}  {accuracy:.4f}  ({sum(result['confusion_matrix'][k])} samples)" in lines
        )


@pytest.mark.parametrize("kept", [(1,), (0, 2)])
def test_evaluate_run_on_a_csv_file_of_some_of_its_classes(runs, tmp_path, capsys, kept):
    """The run's config.json gives its 3 classes: a file may hold one, or skip the middle one."""
    run_dir, _, data = runs["blobs"]
    assert read_json(os.path.join(run_dir, "config.json"))["num_classes"] == 3
    present = np.isin(data.labels, kept)
    path = tmp_path / "some_classes.csv"
    np.savetxt(path, np.column_stack([data.features, data.labels])[present], delimiter=",")
    assert main(["evaluate", "--run", run_dir, "--data", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    cost, _, matrix = numpy_reference(run_dir, data.features[present], data.labels[present])
    assert result["cost"] == pytest.approx(cost, rel=1e-5)
    assert result["confusion_matrix"] == matrix.tolist()
    assert [k for k in range(3) if result["class_accuracy"][k] is not None] == list(kept)


def test_evaluate_run_on_an_npz_file_without_a_class(runs, tmp_path, capsys):
    run_dir, _, data = runs["blobs"]
    present = data.labels < 2  # No point of class 2.
    path = tmp_path / "two_classes.npz"
    np.savez(path, X=data.features[present], y=data.labels[present])
    assert main(["evaluate", "--run", run_dir, "--data", str(path), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    result = json.loads(lines[-1])
    cost, predicted, matrix = numpy_reference(run_dir, data.features[present], data.labels[present])
    assert result["cost"] == pytest.approx(cost, rel=1e-5)
    assert result["confusion_matrix"] == matrix.tolist() and sum(matrix[2]) == 0
    assert result["class_accuracy"][2] is None  # No points of class 2: no accuracy.
    assert "  class 2     n/a  (0 samples)" in lines


def test_saturated_probabilities_give_the_exact_finite_cost(tmp_path):
    """Where float32 p is exactly 0 or 1, the cost comes from the logit, as in training."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[30.0], [30.0]], np.float32), np.array([0.0], np.float32)])
    model.save(tmp_path / "model.keras")
    data = Data(np.array([[2.0, 2.0], [-2.0, -2.0], [1.0, 1.0]]), np.array([0, 1, 1]))
    result = evaluate_run(str(tmp_path), data)
    expected = numpy_cost([30.0, 30.0], 0.0, data.features, data.labels)
    assert math.isfinite(result["cost"]) and result["cost"] == pytest.approx(expected, rel=1e-6)
    assert result["confusion_matrix"] == [[0, 1], [1, 1]]


def test_points_of_any_shape_are_evaluated_as_the_model_takes_them(tmp_path):
    features = np.random.default_rng(0).normal(size=(12, 2, 3)).astype(np.float32)
    labels = np.arange(12) % 3
    data = Data(features, labels)
    inputs = keras.Input((2, 3))
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(inputs))
    keras.Model(inputs, outputs).save(tmp_path / "model.keras")
    result = evaluate_run(str(tmp_path), data)
    expect_matches_numpy(result, str(tmp_path), data)


def test_points_of_another_shape_and_labels_beyond_the_classes_are_one_line(runs, tmp_path):
    run_dir, _, data = runs["seminar_blobs"]
    wide = Data(np.column_stack([data.features, data.features[:, :1]]), data.labels, "wide.csv")
    with pytest.raises(ValueError, match=r"takes samples of shape \(2,\), .* have shape \(3,\)"):
        evaluate_run(run_dir, wide)
    _, blobs_path, _ = runs["blobs"]  # Labels 0..2; the seminar's run has 2 classes.
    with pytest.raises(
        ValueError, match="tells 2 classes apart, 0..1. Received label 2 in data row [0-9]+ "
    ):
        evaluate_run(run_dir, blobs_path)


@pytest.mark.parametrize(
    "rows, message",
    [
        # Classes the run lacks: named as the run's, not by training data's rules
        # ("every class present", "at least 2 classes").
        ("1,2,0\n3,4,2\n", "tells 2 classes apart, 0..1. Received label 2 in data row 2 (the"),
        ("1,2,5\n", "tells 2 classes apart, 0..1. Received label 5 in data row 1 (the"),
        ("1,2,0\n3,4,1\n5,5,0.5\n", "tells 2 classes apart, 0..1. Received label 0.5 in data "),
        # A feature too many: its shape, not its last column taken for a class.
        ("1,2,0,7\n", "takes samples of shape (2,), but the file's samples have shape (3,)."),
        # A point that is no number: its data row, as a spreadsheet counts.
        ("1,2,0\nnan,2,1\n", "Received a NaN or infinity in data row 2 (the header not counted)"),
    ],
)
def test_a_file_that_does_not_fit_the_run_says_how(runs, tmp_path, capsys, rows, message):
    run_dir, _, _ = runs["seminar_blobs"]
    path = tmp_path / "points.csv"
    path.write_text(rows)
    assert main(["evaluate", "--run", run_dir, "--data", str(path)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1, error
    assert "--task" not in error


@pytest.mark.parametrize("header", ["", "x1,x2\n"])
def test_a_csv_file_of_features_alone_is_told_its_label_column_is_missing(
    runs, tmp_path, capsys, header
):
    """Its last feature is not taken for labels: the fix (a label column, or predict) is named."""
    run_dir, _, _ = runs["seminar_blobs"]
    path = tmp_path / "points.csv"
    path.write_text(header + "4,4\n-4,-4\n")
    assert main(["evaluate", "--run", run_dir, "--data", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    assert "needs each point's label in a last column, and this file has 2 columns" in error
    assert f"kerasclf predict --run {run_dir} --data {path}" in error


def test_confusion_matrix_and_class_accuracies_match_sklearn():
    rng = np.random.default_rng(1)
    labels, predicted = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    matrix = confusion_matrix(labels, predicted, 4)
    assert matrix.tolist() == sklearn.metrics.confusion_matrix(labels, predicted).tolist()
    recall = sklearn.metrics.recall_score(labels, predicted, average=None)
    assert class_accuracies(matrix) == pytest.approx(recall.tolist())


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--weights", "1", "2"], "Drop --weights to evaluate the run, or drop --run"),
        (["--weights", "1", "2", "--bias", "0"], "Drop --weights and --bias to evaluate the run"),
        (["--bias", "0"], "Drop --bias to evaluate the run"),
        ([], "without --data. Add --data FILE"),
        (["--dataset", "blobs"], "Drop --dataset and give --data FILE"),
        (["--data", "/nonexistent.csv"], "`data` file does not exist"),
    ],
)
def test_bad_evaluate_run_flags_exit_2_with_one_line(runs, capsys, flags, message):
    run_dir, _, _ = runs["blobs"]
    capsys.readouterr()
    assert main(["evaluate", "--run", run_dir, *flags]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and "Traceback" not in error


def test_bad_runs_and_data_exit_2_with_one_line(runs, tmp_path, capsys):
    _, blobs_path, _ = runs["blobs"]
    seminar_run, _, _ = runs["seminar_blobs"]
    rows = tmp_path / "rows.npz"  # Three numbers per sample: no labels at all.
    np.savez(rows, X=np.zeros((20, 2)), y=np.full((20, 3), 2.5))
    cases = [
        (["--run", seminar_run, "--data", str(rows)], "labels must be a 1-D array (num_samples,)"),
        (["--run", str(tmp_path / "missing"), "--data", blobs_path], "`run` folder does not"),
        (["--run", str(tmp_path), "--data", blobs_path], "`run` has no trained model"),
        (["--run", seminar_run, "--data", blobs_path], "Received label 2 in data row"),
        (["--data", blobs_path], "required: --weights, --bias (a hand-set line), or --run"),
        (["--weights", "1", "2", "--data", blobs_path], "required: --bias"),
    ]
    for flags, message in cases:
        capsys.readouterr()
        assert main(["evaluate", *flags]) == 2, flags
        error = capsys.readouterr().err
        assert message in error and error.count("\n") == 1, (flags, error)


@pytest.mark.parametrize("name", DATASETS)
def test_predict_writes_the_class_and_the_label(runs, name, tmp_path, capsys):
    run_dir, path, data = runs[name]
    out = tmp_path / "predictions.csv"
    assert main(["predict", "--run", run_dir, "--data", path, "--out", str(out)]) == 0
    header = out.read_text().splitlines()[0].split(",")
    probability_columns = [f"p_{k}" for k in range(data.num_classes)]
    assert header == ["x1", "x2", *probability_columns, "class", "label"]
    rows = np.loadtxt(out, delimiter=",", skiprows=1)
    probabilities = rows[:, 2 : 2 + data.num_classes]
    _, predicted, _ = numpy_reference(run_dir, data.features, data.labels)
    np.testing.assert_array_equal(rows[:, -2], probabilities.argmax(axis=1))
    np.testing.assert_array_equal(rows[:, -2], predicted)
    np.testing.assert_array_equal(rows[:, -1], data.labels)
    # Features only: no label column.
    features = tmp_path / "features.csv"
    np.savetxt(features, data.features[:5], delimiter=",")
    capsys.readouterr()
    assert main(["predict", "--run", run_dir, "--data", str(features)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",") == ["x1", "x2", *probability_columns, "class"]
    classes = [int(line.split(",")[-1]) for line in lines[1:]]
    assert classes == predicted[:5].tolist()
