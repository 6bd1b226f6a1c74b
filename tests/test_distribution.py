"""tf.distribute: MirroredStrategy over logical CPU devices equals one device."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import kerasclf
from kerasclf.cli import main

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
SETTINGS = ["--optimizer", "momentum", "--batch-size", "8", "--epochs", "5", "--images", "false"]


@pytest.mark.parametrize("cost", ["sum", "mean"])
def test_mirrored_on_two_cpu_devices_equals_one_device(tmp_path, cost):
    completed = subprocess.run(
        [sys.executable, "-m", "kerasclf.cli", "train", *SETTINGS, "--cost", cost,
         "--strategy", "mirrored", "--cpu-devices", "2", "--logdir", str(tmp_path), "--json"],
        capture_output=True, text=True, env=ENV, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "engine plain" in completed.stdout  # The one-line note of the fallback.
    mirrored = json.loads(completed.stdout.splitlines()[-1])
    config = json.load(open(os.path.join(mirrored["run_dir"], "config.json")))
    assert config["strategy"] == "mirrored" and config["engine_used"] == "plain"
    single = kerasclf.train(optimizer="momentum", batch_size=8, epochs=5, cost=cost, images=False,
                            logdir=str(tmp_path), stream=io.StringIO())
    np.testing.assert_allclose(mirrored["weights"], single.weights, atol=1e-5)
    assert mirrored["bias"] == pytest.approx(single.bias, abs=1e-5)
    assert mirrored["iterations"] == single.summary["iterations"] == 125


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--cpu-devices", "0"], "`cpu_devices` must be an integer >= 1"),
        (["--strategy", "mirrorred"], "Did you mean 'mirrored'"),
        (["--strategy", "mirrored", "--batch-cost", "true"], "not available with strategy"),
    ],
)
def test_bad_distribution_flags(tmp_path, capsys, flags, message):
    assert main(["train", "--logdir", str(tmp_path / "logs"), *flags]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()
