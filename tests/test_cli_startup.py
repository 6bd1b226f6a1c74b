"""The CLI answers without TensorFlow when it does not train.

One subprocess runs every such command through `kerasclf.cli.main.main` and
reports, after each, whether TensorFlow or Keras were imported. Speed itself
is measured in `benchmarks/cli_latency.py`, not here.
"""

from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys

import pytest

# Each command, and the first words its output must hold (stdout or stderr).
COMMANDS = {
    "help": (["--help"], "usage: kerasclf"),
    "train help": (["train", "--help"], "--learning-rate"),
    "presets": (["presets"], "nesterov"),
    "datasets": (["datasets"], "seminar_blobs"),
    "experiments": (["experiments"], "momentum"),
    "unknown command": (["trian"], "Did you mean 'train'?"),
    "unknown flag": (["train", "--epoch", "3"], "Did you mean '--epochs'?"),
    "bad type": (["train", "--epochs", "ten"], "`epochs` must be an integer"),
    "bad range": (["train", "--epochs", "0"], "`epochs` must be an integer >= 1"),
    "bad name": (["train", "--optimizer", "adamm"], "Did you mean 'adam'?"),
    "missing data file": (["train", "--data", "/nonexistent.csv"], "does not exist"),
    "missing config file": (["train", "--config", "/nonexistent.toml"], "does not exist"),
    "data file type": (["train", "--data", "README.md"], "must be a .csv, .npz or .txt file"),
    "dataset noise": (["train", "--dataset", "fonts", "--noise", "1.5"], "in [0.0, 1.0]"),
    "dataset size": (["train", "--dataset", "fonts", "--num-samples", "9"], "in [10, 100000]"),
    "model for other data": (["train", "--model", "gru"], "The 'gru' model reads sequences"),
    "ignored setting": (["train", "--hidden", "4"], "`hidden` does not shape the 'logistic' model"),
    "resume with settings": (["train", "--resume", "x", "--epochs", "3"], "takes no other"),
    "resume missing run": (["train", "--resume", "/nonexistent"], "`resume` folder does not exist"),
    "evaluate bad number": (["evaluate", "--weights", "one", "--bias", "0"], "must be a number"),
    "evaluate infinite number": (
        ["evaluate", "--weights", "nan", "1", "--bias", "inf"],
        "`weights` must be a finite number. Received: weights='nan'.",
    ),
    "evaluate weight count": (["evaluate", "--weights", "1", "--bias", "0"], "per feature (2)"),
    "evaluate missing data": (
        ["evaluate", "--weights", "1", "1", "--bias", "0", "--data", "/nonexistent.csv"],
        "does not exist",
    ),
    "evaluate missing run dir": (
        ["evaluate", "--run", "/nonexistent", "--data", "points.csv"],
        "`run` folder does not exist",
    ),
    "evaluate run without model": (
        ["evaluate", "--run", "/", "--data", "points.csv"],
        "has no trained model",
    ),
    "evaluate run with weights": (
        ["evaluate", "--run", "/", "--weights", "1", "1", "--data", "points.csv"],
        "Drop --weights to evaluate the run",
    ),
    "evaluate run without data": (["evaluate", "--run", "/"], "Add --data FILE"),
    "predict missing run": (
        ["predict", "--run", "/nonexistent", "--data", "points.csv"],
        "`run` folder does not exist",
    ),
}

SCRIPT = """
import contextlib, io, json, sys
from kerasclf.cli.main import main
results = {}
for name, arguments in json.loads(sys.argv[1]).items():
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            status = main(arguments)
        except SystemExit as stop:  # argparse's --help
            status = stop.code
    loaded = sorted(name for name in ("tensorflow", "keras") if name in sys.modules)
    results[name] = {"status": status, "output": output.getvalue(), "loaded": loaded}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def results():
    arguments = {name: command for name, (command, _) in COMMANDS.items()}
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(arguments)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_answers_without_tensorflow(results, name):
    result = results[name]
    assert COMMANDS[name][1] in result["output"]
    assert result["loaded"] == [], f"{name} imported {result['loaded']}"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_listings_exit_0_and_bad_input_exits_2(results, name):
    expected = 0 if name in ("help", "train help", "presets", "datasets", "experiments") else 2
    assert results[name]["status"] == expected


def _run_python(script: str) -> subprocess.CompletedProcess:
    """`python -c script` in a fresh interpreter, its output captured; raises if it fails."""
    command = [sys.executable, "-c", script]
    return subprocess.run(command, capture_output=True, text=True, check=True)


def test_import_kerasclf_loads_tensorflow_only_on_use():
    script = (
        "import sys, kerasclf\n"
        "before = 'tensorflow' in sys.modules\n"
        "kerasclf.PRESETS, kerasclf.DATASETS, kerasclf.make_config(epochs=3)\n"
        "middle = 'tensorflow' in sys.modules\n"
        "kerasclf.build_model\n"
        "print(before, middle, 'tensorflow' in sys.modules)\n"
    )
    completed = _run_python(script)
    assert completed.stdout.split() == ["False", "False", "True"]
    assert completed.stderr == ""  # TensorFlow's start-up lines stay silenced.


# Packages whose import loads TensorFlow. (TensorBoard's protos and stubs, which `kerasclf runs`
# reads events with, load none.)
HEAVY_PACKAGES = ("tensorflow", "keras")


def first_heavy_import(path) -> str | None:
    """The first top-level import of `path` that loads TensorFlow, unless the quiet one is first."""
    for node in ast.parse(path.read_text()).body:
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        if "kerasclf.quiet_tensorflow" in names:
            return None
        heavy = [name for name in names if name.split(".")[0] in HEAVY_PACKAGES]
        if heavy:
            return f"{path}:{node.lineno} imports {heavy[0]}"
    return None


def test_every_module_that_loads_tensorflow_silences_it_first():
    """So that `from kerasclf.models.registry import build_model`, with no `kerasclf.NAME`
    first, also loads TensorFlow without its start-up lines, and with the XLA cache. The
    experiments too, each for itself: their package loads no TensorFlow, so that `day1`,
    `day2`, `day3` and `all`, which only wait for their experiments' processes, load none."""
    root = pathlib.Path(__file__).resolve().parent.parent
    folders = ("kerasclf", "callbacks", "experiments")
    modules = [path for folder in folders for path in root.joinpath(folder).rglob("*.py")]
    assert len(modules) > 120
    loud = [first_heavy_import(path) for path in modules if path.name != "quiet_tensorflow.py"]
    assert [line for line in loud if line] == []


def test_a_submodule_imported_directly_loads_tensorflow_quietly(tmp_path):
    script = (
        "import os, sys\n"
        "from kerasclf.models.registry import build_model\n"
        "print('tensorflow' in sys.modules, os.environ.get('TF_XLA_FLAGS', ''))\n"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TF_CPP_MIN_LOG_LEVEL", "TF_XLA_FLAGS", "KERASCLF_XLA_CACHE")
    }
    environment["XDG_CACHE_HOME"] = str(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environment
    )
    loaded, flags = completed.stdout.split(" ", 1)
    assert completed.stderr == ""  # No oneDNN, cudart or absl lines.
    assert loaded == "True" and f"={tmp_path}" in flags  # The XLA cache, in the user's folder.


def test_keras_loads_its_scikit_learn_wrappers_on_first_use():
    """`import keras` would import scikit-learn (0.8 s); a kerasclf process loads it if used."""
    script = (
        "import sys\n"
        "from kerasclf.models.registry import build_model\n"
        "import keras\n"
        "print('sklearn' in sys.modules)\n"
        "from keras.wrappers import SKLearnClassifier\n"
        "import sklearn.base\n"
        "print(issubclass(SKLearnClassifier, sklearn.base.BaseEstimator))\n"
    )
    completed = _run_python(script)
    assert completed.stdout.split() == ["False", "True"]
