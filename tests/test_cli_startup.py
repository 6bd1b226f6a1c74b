"""The CLI answers without TensorFlow when it does not train.

One subprocess runs every such command through `kerasclf.cli.main.main` and
reports, after each, whether TensorFlow or Keras were imported. Speed itself
is measured in `benchmarks/cli_latency.py`, not here.
"""

from __future__ import annotations

import json
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
    "ignored setting": (["train", "--hidden", "4"], "`hidden` does not shape the 'logistic' model"),
    "resume with settings": (["train", "--resume", "x", "--epochs", "3"], "takes no other"),
    "resume missing run": (["train", "--resume", "/nonexistent"], "holding config.json"),
    "evaluate bad number": (["evaluate", "--weights", "one", "--bias", "0"], "must be a number"),
    "evaluate missing data": (
        ["evaluate", "--weights", "1", "1", "--bias", "0", "--data", "/nonexistent.csv"],
        "does not exist",
    ),
    "evaluate missing run dir": (
        ["evaluate", "--run", "/nonexistent", "--data", "points.csv"],
        "does not exist or is not a directory",
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
        "has no trained model",
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


def test_import_kerasclf_loads_tensorflow_only_on_use():
    script = (
        "import sys, kerasclf\n"
        "before = 'tensorflow' in sys.modules\n"
        "kerasclf.PRESETS, kerasclf.DATASETS, kerasclf.make_config(epochs=3)\n"
        "middle = 'tensorflow' in sys.modules\n"
        "kerasclf.build_model\n"
        "print(before, middle, 'tensorflow' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert completed.stdout.split() == ["False", "False", "True"]
    assert completed.stderr == ""  # TensorFlow's start-up lines stay silenced.
