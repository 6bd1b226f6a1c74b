"""The seminar's default 100-epoch full-batch run, as whole processes.

`kerasclf train`, with and without images, against small standalone scripts
that do the same training with stock `model.fit`, a hand-written XLA
while-loop, numpy and scikit-learn (batch 1: it has no full batch), and an
MLP (16, 16) row, kerasclf against stock `model.fit`. Each process's wall time
includes Python's and TensorFlow's start-up, as a user's run does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

import kerasclf
from benchmarks.speed.settings import MLP_HIDDEN, SEED, Settings
from benchmarks.speed.timing import progress

MLP_FLAGS = ["--model", "mlp", "--hidden", ",".join(map(str, MLP_HIDDEN))]
MLP_FLAGS += ["--activation", "tanh", "--init", "random"]

STOCK_FIT_SCRIPT = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras, numpy as np
data = np.load(sys.argv[1])
x, y = data["X"], data["y"]
keras.utils.set_random_seed(0)
hidden = [int(size) for size in sys.argv[2:]]  # An MLP's hidden layers (tanh), if any.
model = keras.Sequential([
    keras.Input((2,)),
    *[keras.layers.Dense(size, activation="tanh") for size in hidden],
    keras.layers.Dense(1, activation="sigmoid",
                       kernel_initializer="glorot_uniform" if hidden else "zeros"),
])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.001),
              loss=keras.losses.BinaryCrossentropy(reduction="sum"))
model.fit(x, y, batch_size=len(x), epochs=100, verbose=0)
print(json.dumps({"cost": float(model.evaluate(x, y, batch_size=len(x), verbose=0))}))
"""

NUMPY_SCRIPT = """
import json, sys
import numpy as np
data = np.load(sys.argv[1])
x, y = data["X"].astype("float64"), data["y"].astype("float64")
weights, bias = np.zeros(2), 0.0
for epoch in range(100):
    errors = 1.0 / (1.0 + np.exp(-(x @ weights + bias))) - y
    weights -= 0.001 * (x.T @ errors)
    bias -= 0.001 * errors.sum()
logits = x @ weights + bias
cost = np.sum(np.logaddexp(0.0, logits) - y * logits)
print(json.dumps({"cost": float(cost)}))
"""

HAND_WRITTEN_SCRIPT = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, tensorflow as tf
data = np.load(sys.argv[1])
x, y = tf.constant(data["X"], tf.float32), tf.constant(data["y"], tf.float32)

@tf.function(jit_compile=True)
def train(weights, bias):
    def step(epoch, weights, bias):
        errors = tf.sigmoid(tf.linalg.matvec(x, weights) + bias) - y
        return epoch + 1, weights - 0.001 * tf.linalg.matvec(x, errors, transpose_a=True), (
            bias - 0.001 * tf.reduce_sum(errors))
    _, weights, bias = tf.while_loop(lambda epoch, *_: epoch < 100, step, (0, weights, bias))
    logits = tf.linalg.matvec(x, weights) + bias
    return tf.reduce_sum(tf.math.softplus(logits) - y * logits)

print(json.dumps({"cost": float(train(tf.zeros([2]), tf.constant(0.0)))}))
"""

SKLEARN_SCRIPT = """
import json, sys, warnings
import numpy as np
from sklearn.linear_model import SGDClassifier
data = np.load(sys.argv[1])
x, y = data["X"], data["y"]
model = SGDClassifier(loss="log_loss", penalty=None, learning_rate="constant", eta0=0.001,
                      max_iter=100, tol=None, random_state=0)
model.fit(x, y)  # 100 epochs of batch-1 SGD: scikit-learn has no full batch.
logits = x @ model.coef_[0] + model.intercept_[0]
print(json.dumps({"cost": float(np.sum(np.logaddexp(0.0, logits) - y * logits))}))
"""

SCRIPTS = {
    "stock_fit.py": STOCK_FIT_SCRIPT,
    "numpy_gd.py": NUMPY_SCRIPT,
    "hand_written.py": HAND_WRITTEN_SCRIPT,
    "sklearn_sgd.py": SKLEARN_SCRIPT,
}


def kerasclf_command() -> list[str]:
    """The `kerasclf` console script of this environment."""
    beside_python = os.path.join(os.path.dirname(sys.executable), "kerasclf")
    found = beside_python if os.path.exists(beside_python) else shutil.which("kerasclf")
    if found is None:
        raise RuntimeError("The `kerasclf` command is not installed; run `pip install -e .` first.")
    return [found]


def write_inputs(workdir: str) -> tuple[str, dict[str, str]]:
    """Writes the seminar's points and the standalone scripts into `workdir`.

    Returns:
        `(data file, {script name: path})`.
    """
    data = kerasclf.make_dataset("seminar_blobs", seed=SEED)
    data_file = os.path.join(workdir, "seminar.npz")
    np.savez(data_file, X=data.features, y=data.labels)
    scripts = {}
    for name, text in SCRIPTS.items():
        scripts[name] = os.path.join(workdir, name)
        with open(scripts[name], "w") as file:
            file.write(text)
    return data_file, scripts


def process_commands(workdir: str) -> list[tuple[str, str, list[str]]]:
    """`(key, label, argv)` of each whole-process run."""
    data_file, scripts = write_inputs(workdir)
    logdir = os.path.join(workdir, "logs")
    train = [*kerasclf_command(), "train", "--logdir", logdir, "--json"]
    python = sys.executable
    return [
        ("kerasclf", "kerasclf train (all default callbacks, images on)", train),
        ("kerasclf_no_images", "kerasclf train --images false", [*train, "--images", "false"]),
        (
            "stock",
            "standalone script: stock model.fit",
            [python, scripts["stock_fit.py"], data_file],
        ),
        (
            "hand_written",
            "standalone script: hand-written XLA while-loop",
            [python, scripts["hand_written.py"], data_file],
        ),
        ("numpy", "standalone script: numpy", [python, scripts["numpy_gd.py"], data_file]),
        (
            "sklearn",
            "standalone script: scikit-learn SGDClassifier, batch 1 (no full batch)",
            [python, scripts["sklearn_sgd.py"], data_file],
        ),
        (
            "mlp_kerasclf",
            "MLP 16-16 tanh: kerasclf train (all default callbacks)",
            [*train, *MLP_FLAGS],
        ),
        (
            "mlp_stock",
            "MLP 16-16 tanh: standalone script, stock model.fit",
            [python, scripts["stock_fit.py"], data_file, *map(str, MLP_HIDDEN)],
        ),
        ("import", "reference: python -c 'import tensorflow'", [python, "-c", "import tensorflow"]),
    ]


def run_process(argv: list[str]) -> tuple[float, float | None]:
    """Wall seconds of one process, and the final summed cost it printed (if any).

    Raises:
        RuntimeError: if the process fails, with the last line of its stderr.
    """
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    completed = subprocess.run(argv, check=False, capture_output=True, text=True, env=environment)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or [""])[-1]
        raise RuntimeError(f"exit status {completed.returncode}: {last}")
    lines = completed.stdout.strip().splitlines()
    cost = json.loads(lines[-1]).get("cost") if lines and lines[-1].startswith("{") else None
    return seconds, cost


def measure_processes(settings: Settings, workdir: str) -> dict:
    """Times every whole-process run, interleaved within each repeat.

    Returns:
        `{key: {"label", "command", "seconds": [...], "cost", "error"}}`; a
        command that fails once is not run again.
    """
    results = {}
    commands = process_commands(workdir)
    for repeat in range(settings.process_repeats):
        for key, label, argv in commands:
            entry = results.setdefault(
                key, {"label": label, "command": argv, "seconds": [], "cost": None, "error": None}
            )
            if entry["error"] is not None:
                continue
            try:
                seconds, entry["cost"] = run_process(argv)
            except RuntimeError as error:
                entry["error"] = str(error)
                progress(f"process {key} failed: {error}")
                continue
            entry["seconds"].append(seconds)
            progress(
                f"process repeat {repeat + 1}/{settings.process_repeats}: {key:<19} {seconds:.2f} s"
            )
    return results
