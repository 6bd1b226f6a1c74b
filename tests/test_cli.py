"""The command line: outputs, exit statuses, and one-line errors before any write."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import numpy_cost, train_run

from kerasclf.cli import main
from kerasclf.data import make_dataset
from kerasclf.runs import read_json

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def run_cli(*arguments, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "kerasclf.cli", *arguments],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_train_prints_clean_lines_and_json_last(tmp_path):
    completed = run_cli("train", "--epochs", "3", "--logdir", str(tmp_path), "--json")
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert [line.split()[1] for line in lines[:3]] == ["1/3", "2/3", "3/3"]
    assert not any(character in completed.stdout for character in "\b\r\x1b")
    assert f"tensorboard --logdir {tmp_path}" in completed.stdout
    summary = json.loads(lines[-1])
    assert summary["status"] == "completed" and os.path.isdir(summary["run_dir"])


def test_evaluate_hand_set_line_matches_numpy_float64(capsys):
    assert main(["evaluate", "--weights", "1.23", "1.0", "--bias", "-0.55", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    data = make_dataset("seminar_blobs", seed=0)
    expected = numpy_cost([1.23, 1.0], -0.55, data.features, data.labels)
    assert result["cost"] == pytest.approx(expected, rel=1e-6)
    assert result["mean_cost"] == pytest.approx(expected / 200, rel=1e-6)


def test_config_file_with_flags_overriding(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text('optimizer = "momentum"\nepochs = 50\nimages = false\n')
    code = main(
        [
            "train",
            "--config",
            str(config),
            "--epochs",
            "2",
            "--logdir",
            str(tmp_path),
            "--run-name",
            "from-toml",
            "--json",
        ]
    )
    assert code == 0
    saved = read_json(tmp_path / "from-toml" / "config.json")
    assert saved["optimizer"] == "momentum" and saved["epochs"] == 2 and saved["images"] is False


def test_whole_numbers_may_be_written_in_scientific_notation():
    from kerasclf.config import convert_value

    assert convert_value("num_samples", "1e8", from_command_line=True) == 100_000_000
    assert convert_value("epochs", "2E1", from_command_line=True) == 20


def test_listings(capsys):
    for command, expected in (("datasets", "seminar_blobs"), ("presets", "alpha/(n*sqrt(i))")):
        assert main([command]) == 0
        assert expected in capsys.readouterr().out


BAD_TRAIN_FLAGS = [
    (["--epochs", "0"], "`epochs` must be an integer >= 1. Received: epochs=0"),
    (["--epochs", "ten"], "`epochs` must be an integer"),
    (["--epochs", "1.5"], "`epochs` must be an integer. Received: epochs='1.5'"),
    (["--num-samples", "1e400"], "`num_samples` must be an integer"),
    (["--batch-size", "0"], "`batch_size` must be an integer >= 1"),
    (["--batch-size", "-3"], "batch_size"),
    (["--batch-size", "ful"], "`batch_size` must be a positive integer or 'full'"),
    (["--learning-rate", "0"], "`learning_rate` must be a finite number"),
    (["--learning-rate", "-0.1"], "learning_rate"),
    (["--learning-rate", "nan"], "learning_rate"),
    (["--learning-rate", "inf"], "learning_rate"),
    (["--momentum", "1.0"], "`momentum` must be a finite number in [0.0, 1.0)"),
    (["--momentum", "-0.5"], "momentum"),
    (["--optimizer", "momentm"], "Did you mean 'momentum'"),
    (["--dataset", "seminar_blob"], "Did you mean 'seminar_blobs'"),
    (["--model", "logistc"], "Did you mean 'logistic'"),
    (["--init", "zero"], "Did you mean 'zeros'"),
    (["--cost", "summ"], "Did you mean 'sum'"),
    (["--engine", "fast"], "engine"),
    (["--lerning-rate", "0.1"], "Did you mean '--learning-rate'"),
    (["--validation-split", "1.5"], "validation_split"),
    (["--run-name", "../escape"], "run_name"),
    (["--run-name", "/abs/path"], "run_name"),
    (["--run-name", "a/b"], "run_name"),
    (["--seed", "-1"], "seed"),
    (["--boundary-every", "0"], "boundary_every"),
    (["--images", "maybe"], "images"),
    (["--data", "missing.csv"], "does not exist"),
    (["--features", "x3"], "Unknown feature 'x3'"),
    (["--hidden", "8,0"], "hidden"),
    (["--optimizer", "adam", "--momentum", "0.5"], "does not apply"),
]


@pytest.mark.parametrize("flags, message", BAD_TRAIN_FLAGS)
def test_bad_train_flags_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, flags, message):
    logdir = tmp_path / "logs"
    code = main(["train", "--logdir", str(logdir), *flags])
    captured = capsys.readouterr()
    assert code == 2
    assert message in captured.err
    assert captured.err.count("\n") == 1 and captured.err.startswith("kerasclf: error: ")
    assert not logdir.exists()


BAD_CONFIG_FILES = [
    ("lerning_rate = 0.1\n", "Unknown config key 'lerning_rate'. Did you mean 'learning_rate'?"),
    ('epochs = "100"\n', "`epochs` must be an integer. Received: epochs='100' of type str"),
    ("epochs = 1.5\n", "epochs"),
    ("batch_size = true\n", "batch_size"),
    ("optimizer = 3\n", "optimizer"),
    ("[training]\nepochs = 3\n", "config files are flat"),
    ("epochs = \n", "not valid TOML"),
]


@pytest.mark.parametrize("content, message", BAD_CONFIG_FILES)
def test_bad_config_files(tmp_path, capsys, content, message):
    config = tmp_path / "bad.toml"
    config.write_text(content)
    assert main(["train", "--config", str(config), "--logdir", str(tmp_path / "logs")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "no data rows"),
        ("1,2,0\n1,x,1\n", "expected a number"),
        ("1,2,0\n3,4,0\n", "2 classes"),
    ],
)
def test_bad_data_files(tmp_path, capsys, content, message):
    path = tmp_path / "points.csv"
    path.write_text(content)
    assert main(["train", "--data", str(path), "--logdir", str(tmp_path / "logs")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--weights", "1.0", "--bias", "0"], "one number per feature (2). Received 1"),
        (["--weights", "1", "x", "--bias", "0"], "`weights` must be a number"),
        (["--weights", "1", "2", "--bias", "b"], "`bias` must be a number"),
        (["--weights", "1", "2", "--bias", "0", "--dataset", "xxor"], "Did you mean 'xor'"),
    ],
)
def test_bad_evaluate_input(capsys, flags, message):
    assert main(["evaluate", *flags]) == 2
    assert message in capsys.readouterr().err


def test_unwritable_logdir_is_rejected_before_training(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["train", "--logdir", str(blocker / "logs")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_real_process_exits_2_without_traceback(tmp_path):
    completed = run_cli("train", "--optimizer", "sgd", "--logdir", str(tmp_path / "logs"))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    error_lines = [line for line in completed.stderr.splitlines() if "kerasclf: error" in line]
    assert len(error_lines) == 1 and "'gd'" in error_lines[0]
    assert not (tmp_path / "logs").exists()


def test_diverged_run_exits_3(tmp_path):
    completed = run_cli(
        "train",
        "--learning-rate",
        "1e38",
        "--epochs",
        "30",
        "--images",
        "false",
        "--logdir",
        str(tmp_path),
    )
    assert completed.returncode == 3
    assert "diverged at epoch" in completed.stdout and "smaller --learning-rate" in completed.stdout
    assert "Traceback" not in completed.stderr


def test_predict_prints_probabilities(tmp_path, capsys):
    assert train_run(str(tmp_path), "run", "--epochs", "3") == 0
    points = tmp_path / "new.csv"
    np.savetxt(points, [[4.0, 4.0], [-4.0, -4.0]], delimiter=",")
    capsys.readouterr()
    assert main(["predict", "--run", str(tmp_path / "run"), "--data", str(points)]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0] == "x1,x2,p_0,p_1"
    high, low = (float(row.split(",")[-1]) for row in rows[1:])
    assert high > 0.5 > low
