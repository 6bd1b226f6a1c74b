"""Beyond the line: feature maps, MLPs and multi-class data."""

import io

import keras
import numpy as np
import pytest
from conftest import train_run
from sklearn.linear_model import LogisticRegression

import kerasclf
from kerasclf import pipeline
from kerasclf.cli.main import main
from kerasclf.engine.evaluation import evaluate_model
from kerasclf.models.features import FeatureMap, parse_features
from kerasclf.models.registry import build_model
from kerasclf.run.preparation import prepare_run
from kerasclf.run.model import make_model


def _fit(epochs, batch_size="full", **config):
    """Trains straight through the fused engine, without per-epoch callbacks."""
    prepared = prepare_run(**config)
    keras.utils.set_random_seed(prepared.config.seed)
    model = make_model(prepared.config, prepared.training)
    data = prepared.training
    size = pipeline.resolve_batch_size(batch_size, data.num_samples)
    dataset = pipeline.blocks(data.features, data.labels, size, 0, epochs)
    steps = pipeline.block_layout(data.num_samples, size)[1]
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps, verbose=0, shuffle=False)
    return model, data


def test_three_blobs_match_scikit_learn_multinomial_regression():
    model, data = _fit(300, dataset="blobs", optimizer="adam", learning_rate=0.05)
    accuracy = evaluate_model(model, data)["accuracy"]
    reference = LogisticRegression(C=np.inf, max_iter=10_000).fit(data.features, data.labels)
    reference_accuracy = reference.score(data.features, data.labels)
    assert accuracy >= 0.95
    assert abs(accuracy - reference_accuracy) <= 0.01


def test_multiclass_run_through_the_api(tmp_path):
    result = kerasclf.train(
        dataset="blobs",
        optimizer="adam",
        learning_rate=0.05,
        epochs=30,
        logdir=str(tmp_path),
        stream=io.StringIO(),
    )
    assert result.summary["accuracy"] >= 0.95
    assert result.summary["weights"] is None  # Not a single linear unit.


def test_feature_map_values_against_numpy():
    points = np.array([[0.5, -2.0], [3.0, 1.5]], dtype=np.float32)
    layer = FeatureMap("x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2)")
    x1, x2 = points[:, 0], points[:, 1]
    expected = np.stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)
    np.testing.assert_allclose(layer(points).numpy(), expected, rtol=1e-6)
    assert parse_features("poly3") == [
        "x1",
        "x2",
        "x1^2",
        "x1*x2",
        "x2^2",
        "x1^3",
        "x1^2*x2",
        "x1*x2^2",
        "x2^3",
    ]
    poly = FeatureMap("poly3")(points).numpy()
    np.testing.assert_allclose(poly[:, 6], x1**2 * x2, rtol=1e-6)


def test_a_feature_map_takes_a_list_of_names_as_build_models_error_suggests():
    points = np.array([[0.5, -2.0], [3.0, 1.5]], dtype=np.float32)
    with pytest.raises(TypeError) as refused:
        build_model("logistic", 2, feature_map="x1^2")
    suggested = refused.value.args[0].split("e.g. ")[1].split(", or None")[0]
    assert suggested == "FeatureMap(['x1', 'x2', 'x1^2'])"
    layer = eval(suggested, {"FeatureMap": FeatureMap})
    np.testing.assert_allclose(
        layer(points).numpy(), FeatureMap("x1,x2,x1^2")(points).numpy(), rtol=0
    )
    model = build_model("logistic", 2, feature_map=layer)
    assert model.layers[1].get_config()["features"] == "x1,x2,x1^2"  # Saved as the spec.
    with pytest.raises(ValueError, match=r"Received data of shape \(4,\)"):
        FeatureMap(["x1"])(points[0, :1].repeat(4))


@pytest.mark.parametrize(
    "config",
    [
        {"model": "logistic", "features": "poly2"},
        {"model": "mlp", "hidden": [4, 3], "dropout": 0.2, "l2": 0.01, "features": "x1,x2,sin(x1)"},
    ],
)
def test_feature_layer_and_mlp_round_trip_through_save(tmp_path, config):
    model, data = _fit(5, dataset="circle", init="random", **config)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(
        loaded.predict(data.features, verbose=0), model.predict(data.features, verbose=0)
    )


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--features", "x1,x2,x1^3x"], "Unknown feature 'x1^3x'"),
        (["--features", "sin(x3)"], "Did you mean 'sin(x2)'"),
        (["--features", "poly0"], "degree"),
        (["--hidden", "0"], "`hidden` must be an integer >= 1"),
        (["--hidden", "8,two"], "`hidden` must be a list of positive integers"),
        (["--hidden", "1.5"], "hidden"),
        (["--activation", "tanhh"], "Did you mean 'tanh'"),
        (["--dropout", "1.0"], "dropout"),
        (["--l2", "-1"], "l2"),
    ],
)
def test_bad_model_flags(tmp_path, capsys, flags, message):
    assert main(["train", "--logdir", str(tmp_path / "logs"), *flags]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


def test_features_need_two_inputs(tmp_path, capsys):
    path = tmp_path / "three.csv"
    path.write_text("1,2,3,0\n4,5,6,1\n")
    assert (
        main(
            ["train", "--data", str(path), "--features", "x1^2", "--logdir", str(tmp_path / "logs")]
        )
        == 2
    )
    assert "maps two inputs" in capsys.readouterr().err


def test_predict_errors(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text("1,2,3\n")
    empty_run = tmp_path / "empty"
    empty_run.mkdir()
    assert main(["predict", "--run", str(empty_run), "--data", str(points)]) == 2
    assert "has no trained model" in capsys.readouterr().err
    assert train_run(str(tmp_path), "run", "--epochs", "1") == 0
    wide = tmp_path / "wide.csv"
    wide.write_text("1,2,3,4\n")
    capsys.readouterr()
    assert main(["predict", "--run", str(tmp_path / "run"), "--data", str(wide)]) == 2
    assert "takes 2 features per point. Received 4 columns" in capsys.readouterr().err
    for label in ("7", "0.5"):
        labelled = tmp_path / "labelled.csv"
        labelled.write_text(f"1,2,0\n3,4,{label}\n")
        assert main(["predict", "--run", str(tmp_path / "run"), "--data", str(labelled)]) == 2
        error = capsys.readouterr().err
        assert f"tells 2 classes apart. Received {label} in data row 2" in error
        assert error.count("\n") == 1
    archive = tmp_path / "points.npz"
    np.savez(archive, X=np.zeros((2, 2)), y=np.array([0, 1]))
    assert main(["predict", "--run", str(tmp_path / "run"), "--data", str(archive)]) == 2
    error = capsys.readouterr().err
    assert (
        "expected a CSV file of numbers, a name ending in .csv. Received:" in error
        and error.count("\n") == 1
    )


def test_predict_writes_multiclass_probabilities(tmp_path, capsys):
    assert (
        train_run(
            str(tmp_path),
            "blobs",
            "--dataset",
            "blobs",
            "--optimizer",
            "adam",
            "--epochs",
            "20",
            "--learning-rate",
            "0.05",
        )
        == 0
    )
    points = tmp_path / "points.csv"
    points.write_text("x1,x2\n4,0\n-2,3.4\n")
    out = tmp_path / "probabilities.csv"
    assert (
        main(
            ["predict", "--run", str(tmp_path / "blobs"), "--data", str(points), "--out", str(out)]
        )
        == 0
    )
    rows = np.loadtxt(out, delimiter=",", skiprows=1)
    np.testing.assert_allclose(rows[:, 2:-1].sum(axis=1), 1.0, rtol=1e-5)
    assert rows[0, 2:-1].argmax() == 0 and rows[1, 2:-1].argmax() == 1
