"""tf.distribute: MirroredStrategy over logical CPU devices equals one device."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import kerasclf
from kerasclf.cli.main import main
from kerasclf.atomic_files import read_json
from kerasclf.engine.cluster import parse_tf_config

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
SETTINGS = ["--optimizer", "momentum", "--epochs", "5", "--images", "false"]


def train_command(logdir, cost: str, batch_size: int, strategy: str, *flags: str) -> list[str]:
    """`kerasclf train` in a fresh Python process, with its summary as the last JSON line."""
    return [
        sys.executable,
        "-m",
        "kerasclf.cli.main",
        "train",
        *SETTINGS,
        *("--cost", cost, "--batch-size", str(batch_size), "--strategy", strategy),
        *flags,
        *("--logdir", str(logdir), "--json"),
    ]


@pytest.mark.parametrize("cost", ["sum", "mean"])
def test_mirrored_on_two_cpu_devices_equals_one_device(tmp_path, cost):
    completed = subprocess.run(
        train_command(tmp_path, cost, 8, "mirrored", "--cpu-devices", "2"),
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "engine plain" in completed.stdout  # The one-line note of the fallback.
    mirrored = json.loads(completed.stdout.splitlines()[-1])
    config = read_json(os.path.join(mirrored["run_dir"], "config.json"))
    assert config["strategy"] == "mirrored" and config["engine_used"] == "plain"
    single = kerasclf.train(
        optimizer="momentum",
        batch_size=8,
        epochs=5,
        cost=cost,
        images=False,
        logdir=str(tmp_path),
        stream=io.StringIO(),
    )
    np.testing.assert_allclose(mirrored["weights"], single.weights, atol=1e-5)
    assert mirrored["bias"] == pytest.approx(single.bias, abs=1e-5)
    assert mirrored["iterations"] == single.summary["iterations"] == 5 * 25


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--cpu-devices", "0"], "`cpu_devices` must be an integer >= 1"),
        (["--strategy", "mirrorred"], "Did you mean 'mirrored'"),
        (["--strategy", "mirrored", "--batch-cost", "true"], "not available with strategy"),
        (
            ["--strategy", "mirrored", "--cpu-devices", "2", "--batch-size", "7"],
            "must be multiples of 2",
        ),
        (["--strategy", "multiworker", "--cpu-devices", "2"], "TF_CONFIG"),
    ],
)
def test_bad_distribution_flags(tmp_path, capsys, flags, message):
    assert main(["train", "--logdir", str(tmp_path / "logs"), *flags]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


def _free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("cost", ["sum", "mean"])
def test_two_local_workers_equal_one_process(tmp_path, cost):
    addresses = [f"127.0.0.1:{_free_port()}" for _ in range(2)]
    workers = []
    try:
        for index in range(2):
            tf_config = {
                "cluster": {"worker": addresses},
                "task": {"type": "worker", "index": index},
            }
            workers.append(
                subprocess.Popen(
                    train_command(tmp_path, cost, 7, "multiworker"),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env={**ENV, "TF_CONFIG": json.dumps(tf_config)},
                )
            )
        outputs = [worker.communicate(timeout=240) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert [worker.returncode for worker in workers] == [0, 0], outputs[0][1][-2000:]
    chief, other = (json.loads(stdout.splitlines()[-1]) for stdout, _ in outputs)
    assert "runs kerasclf's own per-step loop" in outputs[0][0]  # The fallback's one line.
    assert read_json(os.path.join(chief["run_dir"], "config.json"))["engine_used"] == "multiworker"
    assert chief["run_dir"] is not None and other["run_dir"] is None  # Only the chief writes.
    assert os.listdir(tmp_path) == [os.path.basename(chief["run_dir"])]
    assert chief["weights"] == other["weights"] and chief["bias"] == other["bias"]
    single = kerasclf.train(
        optimizer="momentum",
        batch_size=7,
        epochs=5,
        cost=cost,
        images=False,
        logdir=str(tmp_path / "single"),
        stream=io.StringIO(),
    )
    np.testing.assert_allclose(chief["weights"], single.weights, atol=1e-5)
    assert chief["bias"] == pytest.approx(single.bias, abs=1e-5)


GOOD_CLUSTER = {
    "cluster": {"worker": ["127.0.0.1:2222", "127.0.0.1:2223"]},
    "task": {"type": "worker", "index": 0},
}


@pytest.mark.parametrize(
    "tf_config, message",
    [
        (None, "needs the TF_CONFIG environment variable"),
        ("{not json", "TF_CONFIG is not valid JSON"),
        (json.dumps({"cluster": {"worker": ["127.0.0.1:2222"]}}), "needs a 'cluster' and a 'task'"),
        (
            json.dumps({**GOOD_CLUSTER, "task": {"type": "worker", "index": 2}}),
            "task index must be an integer in 0..1",
        ),
        (json.dumps({**GOOD_CLUSTER, "task": {"type": "ps", "index": 0}}), "task type must be"),
        (
            json.dumps({"cluster": {"worker": ["no-port"]}, "task": GOOD_CLUSTER["task"]}),
            "'host:port' strings",
        ),
    ],
)
def test_bad_tf_config(tmp_path, capsys, monkeypatch, tf_config, message):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    assert main(["train", "--strategy", "multiworker", "--logdir", str(tmp_path / "logs")]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert not (tmp_path / "logs").exists()
    if "e.g. " in error:  # The example given is a valid TF_CONFIG.
        example = error.split("e.g. ", 1)[1].split("}}")[0].removeprefix("TF_CONFIG='") + "}}"
        assert parse_tf_config(example)["cluster"]["worker"]
