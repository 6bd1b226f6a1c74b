"""model.keras is a plain Keras model: a process that never imports kerasclf loads it."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import kerasclf

# Loads each run's model.keras with Keras alone, and prints its probabilities and what it is.
LOAD_WITHOUT_KERASCLF = """
import json, sys
import keras, numpy as np
results = {}
for name, (path, points, labels) in json.loads(sys.argv[1]).items():
    model = keras.saving.load_model(path)
    points, labels = np.array(points, np.float32), np.array(labels)
    loss, accuracy = model.evaluate(points, labels, verbose=0, batch_size=len(points))
    results[name] = {
        "probabilities": model.predict(points, verbose=0).tolist(),
        "loss": loss,
        "accuracy": accuracy,
        "class": type(model).__name__,
    }
results["kerasclf imported"] = any(name.startswith("kerasclf") for name in sys.modules)
print(json.dumps(results))
"""

RUNS = {
    "logistic, decay schedule": {"optimizer": "decay", "epochs": 3},
    "mlp with phi(x), dropout, L2": {
        "model": "mlp",
        "features": "x1,x2,x1^2,x1*x2,sin(x2)",
        "hidden": [4],
        "dropout": 0.2,
        "l2": 0.01,
        "optimizer": "adam",
        "dataset": "circle",
        "epochs": 3,
    },
    "softmax, mean cost": {
        "dataset": "blobs",
        "cost": "mean",
        "optimizer": "momentum",
        "epochs": 3,
    },
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each run trained here, and its model.keras loaded by one process without kerasclf."""
    logdir = str(tmp_path_factory.mktemp("export"))
    trained, requests = {}, {}
    for name, settings in RUNS.items():
        result = kerasclf.train(logdir=logdir, images=False, stream=io.StringIO(), **settings)
        data = kerasclf.make_dataset(result.config.dataset, seed=0)
        points, labels = data.features[::5], data.labels[::5]
        trained[name] = (result, kerasclf.Data(points, labels, "every 5th point", data.num_classes))
        path = os.path.join(result.run_dir, "model.keras")
        requests[name] = (path, points.tolist(), labels.tolist())
    completed = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_KERASCLF, json.dumps(requests)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return trained, json.loads(completed.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", list(RUNS))
def test_model_keras_loads_and_predicts_without_kerasclf(runs, name):
    trained, loaded_runs = runs
    (result, points), loaded = trained[name], loaded_runs[name]
    assert loaded["class"] == "Functional" and not loaded_runs["kerasclf imported"]
    expected = result.model.predict(points.features.astype(np.float32), verbose=0)
    np.testing.assert_allclose(loaded["probabilities"], expected, rtol=1e-6, atol=1e-7)
    # Compiled with Keras's own cross-entropy in the run's reduction, and accuracy.
    evaluation = kerasclf.evaluate_model(result.model, points)
    reference = evaluation["cost"] if result.config.cost == "sum" else evaluation["mean_cost"]
    penalty = sum(float(loss) for loss in result.model.losses)  # Keras adds the L2 term.
    assert loaded["loss"] == pytest.approx(reference + penalty, rel=1e-4)
    assert loaded["accuracy"] == pytest.approx(evaluation["accuracy"])


def test_plain_model_refuses_what_it_cannot_export():
    import keras

    from kerasclf.run.export import plain_model

    with pytest.raises(TypeError, match="must be a built Functional keras.Model"):
        plain_model("model.keras")
    uncompiled = kerasclf.build_model("logistic", 2)
    with pytest.raises(ValueError, match="must be compiled with an optimizer and a loss"):
        plain_model(uncompiled)
    subclassed = keras.Sequential([keras.layers.Dense(1)])  # Never built: no inputs.
    with pytest.raises(TypeError, match="Received: model="):
        plain_model(subclassed)
