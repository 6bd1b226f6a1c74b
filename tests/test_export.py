"""model.keras is a plain Keras model: a process that never imports kerasclf loads it."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import kerasclf

# Loads a run's model.keras with Keras alone, and prints its probabilities and what it is.
LOAD_WITHOUT_KERASCLF = """
import json, sys
import keras, numpy as np
model = keras.saving.load_model(sys.argv[1])
points = np.array(json.loads(sys.argv[2]), np.float32)
labels = np.array(json.loads(sys.argv[3]))
loss, accuracy = model.evaluate(points, labels, verbose=0, batch_size=len(points))
print(json.dumps({
    "probabilities": model.predict(points, verbose=0).tolist(),
    "loss": loss, "accuracy": accuracy,
    "class": type(model).__name__,
    "kerasclf imported": any(name.startswith("kerasclf") for name in sys.modules),
}))
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


@pytest.mark.parametrize("name", list(RUNS))
def test_model_keras_loads_and_predicts_without_kerasclf(tmp_path, name):
    result = kerasclf.train(logdir=str(tmp_path), images=False, stream=io.StringIO(), **RUNS[name])
    data = kerasclf.make_dataset(result.config.dataset, seed=0)
    points, labels = data.features[::5], data.labels[::5]
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            LOAD_WITHOUT_KERASCLF,
            os.path.join(result.run_dir, "model.keras"),
            json.dumps(points.tolist()),
            json.dumps(labels.tolist()),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    loaded = json.loads(completed.stdout.splitlines()[-1])
    assert loaded["class"] == "Functional" and not loaded["kerasclf imported"]
    expected = result.model.predict(points.astype(np.float32), verbose=0)
    np.testing.assert_allclose(loaded["probabilities"], expected, rtol=1e-6, atol=1e-7)
    # Compiled with Keras's own cross-entropy in the run's reduction, and accuracy.
    evaluation = kerasclf.evaluate_model(
        result.model, kerasclf.Data(points, labels, "every 5th point", num_classes=data.num_classes)
    )
    reference = evaluation["cost"] if result.config.cost == "sum" else evaluation["mean_cost"]
    penalty = sum(float(loss) for loss in result.model.losses)  # Keras adds the L2 term.
    assert loaded["loss"] == pytest.approx(reference + penalty, rel=1e-4)
    assert loaded["accuracy"] == pytest.approx(evaluation["accuracy"])
