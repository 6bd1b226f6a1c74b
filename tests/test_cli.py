"""The command line: outputs, exit statuses, and one-line errors before any write."""

import errno
import io
import json
import os
import shutil
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import StopAt, file_times, numpy_cost, train_run

import kerasclf
from kerasclf.cli.main import build_parser, main
from kerasclf.data import make_dataset
from kerasclf.atomic_files import read_json
from kerasclf.run.config import FIELDS, parse_value
from kerasclf.run.config_json_keys import RECORDED_KEYS
from kerasclf.key_synonyms import KEY_SYNONYMS
from kerasclf.run.run_status import list_runs

# As a user's shell has it: kerasclf itself quiets TensorFlow.
ENV = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}


def run_cli(*arguments, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "kerasclf.cli.main", *arguments],
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
    assert [line.split()[1] for line in lines[:4]] == ["0/3", "1/3", "2/3", "3/3"]
    assert not any(character in completed.stdout for character in "\b\r\x1b")
    assert completed.stderr == ""  # Not even TensorFlow's start-up lines.
    assert f"tensorboard --logdir {tmp_path}" in completed.stdout
    summary = json.loads(lines[-1])
    assert summary["status"] == "completed" and os.path.isdir(summary["run_dir"])
    config = json.load(open(os.path.join(summary["run_dir"], "config.json")))
    assert config["engine"] == config["engine_used"] == "fused"  # The default path.


def test_evaluate_hand_set_line_matches_numpy_float64(capsys):
    assert main(["evaluate", "--weights", "1.23", "1.0", "--bias", "-0.55", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("y = x^T [1.23, 1.0] - 0.55 on dataset 'seminar_blobs'")
    result = json.loads(lines[-1])
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


@pytest.mark.parametrize(
    "file_text, flags, message",
    [
        ('optimizer = "adm"\n', ["--optimizer", "gd"], "Received: optimizer='adm'. Did you mean"),
        ("epochs = 0\n", ["--epochs", "2"], "must be an integer >= 1. Received: epochs=0."),
        ("learning_rate = -5.0\n", ["--learning-rate", "0.1"], "Received: learning_rate=-5.0."),
    ],
)
def test_a_wrong_file_value_is_refused_where_a_flag_overrides_it(
    tmp_path, capsys, file_text, flags, message
):
    config = tmp_path / "run.toml"
    config.write_text(file_text)
    logdir = tmp_path / "logs"
    code = main(["train", "--config", str(config), *flags, "--logdir", str(logdir)])
    error = capsys.readouterr().err
    assert code == 2 and error.count("\n") == 1 and message in error
    assert f"(from {config}: a value overridden is checked all the same)" in error
    assert not logdir.exists()


def test_a_wrong_python_value_is_refused_where_a_keyword_overrides_it(tmp_path):
    with pytest.raises(ValueError, match="Did you mean 'adam'.*from the config given"):
        kerasclf.train(config={"optimizer": "adm"}, optimizer="gd", logdir=str(tmp_path))
    assert not any(tmp_path.iterdir())


def test_whole_numbers_may_be_written_in_scientific_notation():
    assert parse_value("num_samples", "1e8", from_text=True) == 100_000_000
    assert parse_value("epochs", "2E1", from_text=True) == 20


def test_listings(capsys):
    for command, expected in (("datasets", "seminar_blobs"), ("presets", "alpha/(n*sqrt(i))")):
        assert main([command]) == 0
        assert expected in capsys.readouterr().out


def test_runs_takes_its_log_directory_as_logdir_or_as_train_spells_it(
    tmp_path, capsys, monkeypatch
):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second, tmp_path / "logs"):
        folder.mkdir()
    for arguments in (["runs", str(first)], ["runs", "--logdir", str(first)]):
        assert main(arguments) == 0
        assert capsys.readouterr().out == f"no runs in {first}\n"
    monkeypatch.chdir(tmp_path)
    assert main(["runs"]) == 0 and capsys.readouterr().out == "no runs in logs\n"
    assert main(["runs", str(first), "--logdir", str(second)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "lists one log directory. Received: LOGDIR" in error


def test_runs_in_a_missing_or_file_logdir_says_why_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # No logs/ here yet: a student's first `kerasclf runs`.
    assert main(["runs"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "`logdir` does not exist, so it holds no runs yet" in error
    assert "Train one with `kerasclf train --logdir logs`" in error
    (tmp_path / "notes.txt").write_text("")
    assert main(["runs", "notes.txt"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "it is a file. Received: logdir='notes.txt'" in error
    assert not (tmp_path / "logs").exists()  # Nothing made.


@pytest.mark.parametrize("logdir", [None, 3, b"logs"])
def test_list_runs_refuses_what_is_no_path(logdir):
    with pytest.raises(TypeError, match=r"must be a folder's path. Received: logdir="):
        list_runs(logdir)


def test_list_runs_takes_a_pathlib_path(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.json").write_text("{}")
    assert [run.name for run in list_runs(tmp_path)] == ["run"]


def test_runs_names_the_folders_that_hold_an_experiments_runs(tmp_path, capsys):
    for run in ("momentum/gd", "momentum/nesterov", "fonts/cnn"):
        (tmp_path / run).mkdir(parents=True)
        (tmp_path / run / "config.json").write_text("{}")
    (tmp_path / "notes").mkdir()  # No runs in it: not named.
    assert main(["runs", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"no runs in {tmp_path}",
        f"folders of runs: fonts (1), momentum (2); `kerasclf runs {tmp_path / 'fonts'}` lists one",
    ]
    assert main(["runs", str(tmp_path / "momentum")]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [row.split()[0] for row in rows] == ["run", "gd", "nesterov"]


def test_runs_in_a_folder_it_may_not_list_is_one_line(tmp_path, capsys, monkeypatch):
    def refuse(path):  # As for a folder of mode 000, another user's.
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("kerasclf.run.run_status.os.listdir", refuse)
    assert main(["runs", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "`logdir` cannot be listed: Permission denied" in error


def test_runs_json_is_one_valid_json_object_per_run(tmp_path, capsys):
    logdir = tmp_path / "logs"
    for name in ("first", "second"):
        arguments = ["--epochs", "2", "--images", "false", "--run-name", name]
        assert main(["train", "--logdir", str(logdir), *arguments]) == 0
    summary = logdir / "second" / "summary.json"
    summary.write_text(summary.read_text().replace('"cost": ', '"cost": 1e400, "was": ', 1))
    capsys.readouterr()
    assert main(["runs", str(logdir), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()

    def strict(constant):  # JSON has no NaN or Infinity.
        raise AssertionError(f"not JSON: {constant}")

    runs = {run["name"]: run for run in (json.loads(line, parse_constant=strict) for line in lines)}
    first = read_json(str(logdir / "first" / "summary.json"))
    assert runs["first"]["status"] == "completed" and runs["first"]["epoch"] == 2
    assert runs["first"]["cost"] == pytest.approx(first["cost"])
    assert runs["second"]["cost"] == "inf"


def test_the_printed_tensorboard_command_pastes_as_it_is_with_spaces_in_the_path(tmp_path, capsys):
    logdir = tmp_path / "my runs" / "día 1"
    assert main(["train", "--logdir", str(logdir), "--epochs", "1", "--images", "false"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "open it with: " in line]
    words = shlex.split(line.split("open it with: ", 1)[1])
    assert words[words.index("--logdir") + 1] == str(logdir)


BAD_TRAIN_FLAGS = [
    (["--epochs", "0"], "`epochs` must be an integer >= 1. Received: epochs=0"),
    (["--epochs", "ten"], "`epochs` must be an integer"),
    (["--epochs", "1.5"], "`epochs` must be an integer. Received: epochs='1.5'"),
    (["--num-samples", "1e400"], "`num_samples` must be an integer"),
    (["--batch-size", "0"], "`batch_size` must be an integer >= 1"),
    (["--batch-size", "-3"], "`batch_size` must be an integer >= 1. Received: batch_size=-3."),
    (["--batch-size", "ful"], "`batch_size` must be a positive integer or 'full'"),
    (["--learning-rate", "0"], "`learning_rate` must be a finite number"),
    (["--learning-rate", "-0.1"], "in (0.0, 3e+38). Received: learning_rate=-0.1."),
    (["--learning-rate", "nan"], "in (0.0, 3e+38). Received: learning_rate=nan."),
    (["--learning-rate", "inf"], "in (0.0, 3e+38). Received: learning_rate=inf."),
    (["--learning-rate", "1e300"], "in (0.0, 3e+38). Received: learning_rate=1e+300."),
    (["--model", "mlp", "--l2", "1e39"], "`l2` must be a finite number in [0.0, 3e+38). Received"),
    (["--momentum", "1.0"], "`momentum` must be a finite number in [0.0, 1.0)"),
    (["--momentum", "-0.5"], "in [0.0, 1.0). Received: momentum=-0.5."),
    (["--optimizer", "momentm"], "Did you mean 'momentum'"),
    (["--dataset", "seminar_blob"], "Did you mean 'seminar_blobs'"),
    (["--model", "logistc"], "Did you mean 'logistic'"),
    (["--init", "zero"], "Did you mean 'zeros'"),
    (["--cost", "summ"], "Did you mean 'sum'"),
    (["--engine", "fast"], "one of 'fused', 'plain'. Received: engine='fast'."),
    (["--lerning-rate", "0.1"], "Did you mean '--learning-rate'"),
    (["--validation-split", "1.5"], "in [0.0, 1.0). Received: validation_split=1.5."),
    (["--run-name", "../escape"], "(no '/', '..' or absolute path). Received: run_name='../"),
    (["--run-name", "/abs/path"], "absolute path). Received: run_name='/abs/path'."),
    (["--run-name", "a/b"], "absolute path). Received: run_name='a/b'."),
    (["--seed", "-1"], "`seed` must be an integer >= 0. Received: seed=-1."),
    (["--boundary-every", "0"], "an integer >= 1. Received: boundary_every=0."),
    (["--surface-every", "-2"], "`surface_every` must be an integer >= 1"),
    (["--histogram-every", "-1"], "an integer >= 0. Received: histogram_every=-1."),
    (["--callbacks-off", "cost,boundry"], "Received: callbacks_off='boundry'. Did you mean"),
    (["--callbacks-off", "cost,cost"], "names 'cost' twice. Received: callbacks_off='cost,cost'"),
    (
        ["--images", "maybe"],
        "`images` must be true or false (or yes/no, on/off, 1/0). Received: images='maybe'.",
    ),
    (["--data", "missing.csv"], "does not exist"),
    (["--features", "x3"], "Unknown feature 'x3'"),
    (["--hidden", "8,0"], "`hidden` must be an integer >= 1. Received: hidden=0."),
    (["--optimizer", "adam", "--momentum", "0.5"], "does not apply"),
    (["--momentum", "0.9"], "`momentum` does not apply to the 'gd' optimizer"),
    (["--optimizer", "decay", "--momentum", "0.5"], "Use --optimizer momentum or nesterov"),
    (["--epochs", "1e19"], "`epochs` must be an integer <= 2147483647. Received: epochs=1"),
    (["--batch-size", "3000000000"], "`batch_size` must be an integer <= 2147483647"),
    (["--seed", "2147483648"], "`seed` must be an integer <= 2147483647"),
    (["--cpu-devices", "100000"], "`cpu_devices` must be an integer <= 64"),
    (["--cpu-devices", "2"], "Received: cpu_devices=2 with strategy='none'. Add --strategy mirr"),
    (
        ["--dataset", "fonts", "--model", "cnn", "--pooling", "none", "--pool-size", "3"],
        "pooling='none' pools nothing, so pool_size would be ignored. Received: pool_size=3.",
    ),
    (["--run-name", "a" * 201], "`run_name` must be at most 200 characters"),
    (["--features", "x1^11"], "Feature 'x1^11' has degree 11; monomials go up to degree 10"),
    (["--model", "logistic", "--hidden", "4"], "so it would be ignored. Received: hidden=[4]"),
    (["--activation", "relu", "--dropout", "0.5"], "It applies to: mlp, cnn, rnn."),
    (["--model", "mlp", "--filters", "8"], "`filters` does not shape the 'mlp' model"),
    (["--model", "cnn", "--pooling", "maxx"], "Did you mean 'max'"),
    (["--model", "cnn", "--kernel-size", "0"], "an integer >= 1. Received: kernel_size=0."),
    (
        ["--model", "cnn"],
        "takes images, samples of shape (height, width) or",
    ),  # seminar_blobs' points are no images.
    (
        ["--dataset", "fonts", "--num-samples", "20", "--model", "cnn", "--filters", "4,4,4,4,4,4"],
        "At most 5 pools fit",
    ),
    (["--dataset", "fonts", "--num-samples", "9"], "must be an integer in [10, 100000]"),
    # Past the size at which point sets stream: still the dataset's own range, not streaming's.
    (["--dataset", "fonts", "--num-samples", "16777217"], "must be an integer in [10, 100000]"),
    (["--dataset", "fonts", "--noise", "1.5"], "in [0.0, 1.0]. Received: noise=1.5."),
    # Below 0 and at 0 alike: the dataset's own range, which excludes 0 here.
    (["--noise", "-1"], "`noise` of dataset 'seminar_blobs' must be a finite number in (0.0,"),
    (["--noise", "0"], "`noise` of dataset 'seminar_blobs' must be a finite number in (0.0,"),
    (["--dataset", "fonts", "--streaming", "true"], "generates the 2-D point datasets only"),
    (["--dataset", "grammar", "--model", "lstm", "--streaming", "true"], "a set of text that"),
    (["--dataset", "series", "--model", "gru", "--streaming", "true"], "'series', a set of seq"),
    (["--learning-rate", "-1e-3"], "Received: learning_rate=-0.001"),
    (["--bias", "1"], "unknown option '--bias' for `kerasclf train`"),
    (["extra"], "unexpected argument 'extra': `kerasclf train` takes only options."),
    # A dash a word processor made, and an end of options, named as such.
    (["\u2014epochs", "2"], "its dash is not a hyphen-minus. Did you mean '--epochs'?"),
    (["--epochs", "2", "--", "--epochs", "3"], "unexpected '--': `kerasclf train` reads no"),
    (["--batch-size", "FULL"], "Received: batch_size='FULL'. Did you mean 'full'?"),
    (["--streaming", "--validation-split", "0.2"], "(dataset='seminar_blobs' generated in chunks"),
    (["--dataset", "grammar"], "A text is read as token ids, which the 'logistic' model would"),
    (["--model", "lstm"], "The 'lstm' model reads sequences, and dataset 'seminar_blobs' holds"),
    (["--model", "rnn", "--dataset", "xor"], "Choose a dataset of sequences (long_dependency,"),
    (["--dataset", "grammar", "--model", "mlp"], "Received: model='mlp'. Use --model lstm, gru"),
    (["--dataset", "series", "--model", "lstm", "--class-weight", "1,2"], "a regression has none"),
    (["--dataset", "series", "--class-weight", "balanced"], "Received: class_weight='balanced'"),
    (
        ["--dataset", "series", "--model", "lstm", "--units", "1e9"],
        "`units` must be an integer <= 4096. Received: units=1",
    ),
    (
        ["--dataset", "series", "--model", "gru", "--layers", "1000"],
        "`layers` must be an integer <= 64. Received: layers=",
    ),
    (["--model", "cnn", "--filters", "8,5000"], "`filters` must be an integer <= 4096. Received:"),
    (["--model", "mlp", "--hidden", ",".join(["2"] * 65)], "`hidden` must list at most 64 layers"),
    (
        ["--images", "tru"],
        "`images` must be true or false (or yes/no, on/off, 1/0). Received: images='tru'. Did "
        "you mean 'true'?",
    ),
    (["--class-weight", "balnced"], "Received: class_weight='balnced'. Did you mean 'balanced'?"),
    (["--model", "CNN"], "Received: model='CNN'. Did you mean 'cnn'?"),
    (["--epochs", "3", "--epochs=4"], "`--epochs` is given 2 times: '3' and '4'; give it once."),
    (["--model", "mlp", "--hidden", "8", "--model", "cnn"], "`--model` is given 2 times"),
    (["--run-name", "a", "--run-name", ""], "`--run-name` is given 2 times: 'a' and ''; give"),
    (["--images", "--images"], "`--images` is given 2 times; give it once."),
    (
        ["--histogram-every", "3", "--callbacks-off", "weights"],
        "`histogram_every` sets how often WeightLogger logs, and callbacks_off switches it off.",
    ),
    (["--surface-every", "2", "--callbacks-off", "cost,surface"], "Received: surface_every=2, "),
    (["--data", os.path.dirname(__file__)], "`data` must be a file, but '"),
    (["--config", os.path.dirname(__file__)], "is a directory. Received: config='"),
    (["--data", "missing.csv"], "`data` file does not exist. Received: data='missing.csv'."),
    # phi(x) maps the columns of points: not images nor sequences, named or in a file.
    (
        ["--dataset", "fonts", "--model", "mlp", "--features", "poly2"],
        "`features` maps the columns of points (x1, x2, ...) to phi(x), and dataset 'fonts' "
        "holds images. Received: features='poly2'. Remove --features",
    ),
    (
        ["--dataset", "long_dependency", "--model", "lstm", "--features", "x1,x2"],
        "and dataset 'long_dependency' holds sequences. Received: features='x1,x2'.",
    ),
    (
        ["--data", os.path.join(os.path.dirname(__file__), "..", "README.md"), "--features", "x1"],
        "`data` must be a .csv, .npz or .txt file.",  # The file's own check comes first.
    ),
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


@pytest.mark.parametrize(
    "flag, given, message",
    [
        # A wrong extension: the data file beside it named, not only the extensions.
        ("--data", "corpus.tx", "data='corpus.tx'. Did you mean 'corpus.txt'? Save the points"),
        # A missing relative path: where it was looked for, and the closest file there.
        (
            "--data",
            "corpu.txt",
            "data='corpu.txt'. It is read from the current directory, '{folder}'. Did you mean "
            "'corpus.txt'?",
        ),
        (
            "--model",
            "my_model.py:build",
            "('my_model.py' not found). It is read from the current directory, '{folder}'. Did "
            "you mean 'my_models.py'?",
        ),
    ],
)
def test_a_misspelt_file_name_names_the_file_beside_it(
    tmp_path, capsys, monkeypatch, flag, given, message
):
    (tmp_path / "corpus.txt").write_text("abc " * 50)
    (tmp_path / "my_models.py").write_text("def build(input_shape, num_classes):\n    pass\n")
    (tmp_path / "notes.md").write_text("not data")  # Closer to no name, and never offered.
    monkeypatch.chdir(tmp_path)
    assert main(["train", flag, given, "--logdir", "logs"]) == 2
    error = capsys.readouterr().err
    assert message.format(folder=os.getcwd()) in error and error.count("\n") == 1
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize("word, key", sorted(KEY_SYNONYMS.items()))
def test_other_libraries_words_for_a_key_name_it_on_the_cli_in_toml_and_in_python(
    tmp_path, capsys, word, key
):
    """`--lr` is closest to `--l2` by spelling, but a Keras user means `--learning-rate`."""
    assert key in FIELDS and word not in FIELDS
    flag, expected_flag = "--" + word.replace("_", "-"), "--" + key.replace("_", "-")
    assert main(["train", "--logdir", str(tmp_path / "logs"), flag, "1"]) == 2
    assert f"unknown option {flag!r} for `kerasclf train`. Did you mean {expected_flag!r}?" in (
        capsys.readouterr().err
    )
    config = tmp_path / "config.toml"
    config.write_text(f"{word} = 1\n")
    assert main(["train", "--config", str(config), "--logdir", str(tmp_path / "logs")]) == 2
    assert f"Unknown config key {word!r}. Did you mean {key!r}?" in capsys.readouterr().err
    with pytest.raises(ValueError, match=f"Did you mean {key!r}"):
        kerasclf.train(**{word: 1}, logdir=str(tmp_path / "logs"))
    assert not (tmp_path / "logs").exists()


BAD_CONFIG_FILES = [
    ("lerning_rate = 0.1\n", "Unknown config key 'lerning_rate'. Did you mean 'learning_rate'?"),
    ('epochs = "100"\n', "`epochs` must be an integer. Received: epochs='100' of type str"),
    ("epochs = 1.5\n", "`epochs` must be an integer. Received: epochs=1.5 of type float"),
    ("batch_size = true\n", "Received: batch_size=True of type bool"),
    ("optimizer = 3\n", "`optimizer` must be a string. Received: optimizer=3 of type int"),
    ('images = "false"\n', "Write it without quotes: images = false in TOML, images=False in"),
    ("[training]\nepochs = 3\n", "config files are flat"),
    ("epochs = \n", "not valid TOML"),
    ('{"epochs": 2}\n', "(at line 1, column 1)). Config files are TOML, one `key = value` a line"),
    ("epochs = 99999999999999999999\n", "`epochs` must be an integer <= 2147483647"),
    ("learning_rate = 1" + "0" * 400 + "\n", "...0000000000 (401 characters)"),
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_named_pipe_for_a_file_is_named_as_such(tmp_path, capsys):
    pipe = tmp_path / "points.csv"
    os.mkfifo(pipe)
    assert main(["train", "--data", str(pipe), "--logdir", str(tmp_path / "logs")]) == 2
    error = capsys.readouterr().err
    assert f"`data` must be a regular file, but {str(pipe)!r} is not one" in error
    assert error.count("\n") == 1 and not (tmp_path / "logs").exists()


def test_an_unreadable_model_is_not_called_corrupt(tmp_path, capsys, monkeypatch):
    logdir = tmp_path / "logs"
    assert main(["train", "--epochs", "1", "--logdir", str(logdir), "--run-name", "run"]) == 0
    points = tmp_path / "points.csv"
    points.write_text("1,2\n")

    def refuse(path, *args, **kwargs):  # As for a model.keras of mode 000, another user's.
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("kerasclf.run.model_file.open", refuse, raising=False)
    capsys.readouterr()
    assert main(["predict", "--run", str(logdir / "run"), "--data", str(points)]) == 2
    error = capsys.readouterr().err
    assert "`run`'s model cannot be read: Permission denied" in error and "corrupt" not in error


def test_an_unreadable_config_file_is_one_line(tmp_path, capsys, monkeypatch):
    config = tmp_path / "locked.toml"
    config.write_text("epochs = 3\n")

    def refuse(path, *args, **kwargs):  # As for a file of mode 000 read by another user.
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("kerasclf.run.config_file.open", refuse, raising=False)
    assert main(["train", "--config", str(config), "--logdir", str(tmp_path / "logs")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert f"`config` cannot be read: Permission denied. Received: config={str(config)!r}" in error
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize("content, message", BAD_CONFIG_FILES)
def test_bad_config_files(tmp_path, capsys, content, message):
    config = tmp_path / "bad.toml"
    config.write_text(content)
    # A file's value of the wrong type is refused also where a flag overrides it.
    overriding = {
        'epochs = "100"\n': ["--epochs", "2"],
        "epochs = 1.5\n": ["--epochs", "2"],
        'images = "false"\n': ["--images", "true"],
    }
    for flags in ([], overriding[content]) if content in overriding else ([],):
        arguments = ["train", "--config", str(config), "--logdir", str(tmp_path / "logs")]
        assert main([*arguments, *flags]) == 2
        error = capsys.readouterr().err
        assert message in error and error.count("\n") == 1
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "no data rows"),
        ("1,2,0\n1,x,1\n", "expected a number"),
        ("1,2,0\n3,4,0\n", "2 classes"),
        ("1,2,0\n3,4,1e20\n", "at most 2147483647 here. Received 1e+20 in data row 2 (the"),
        ("1,2,0\n3,4,1\n5,6,1e9\n", "classes [0, 1, 1000000000], missing [2, 3, 4, 5, 6, 7"),
        ("x1,x2,y\n1,2,0\n3,4,-1\n", "Received -1.0 in data row 2 (the header not counted)"),
        ("1,2,0\n3,4,1.5\n", "in data row 2 (the header not counted). For numbers to predict"),
        # Spreadsheet exports: the fix, not only the cell.
        ("x1;x2;y\n1.5;2.3;0\n0.5;1.1;1\n", "Received '1.5;2.3;0'. The cells are separated by ';'"),
        ("1,5;2,3;0\n0,5;1,1;1\n", "Received '5;2'. The cells are separated by ';': save the"),
        ("x1\tx2\ty\n1.5\t2.3\t0\n", "The cells are separated by tabs: save the file with commas"),
        # A first row with numbers is data: its bad cell is named, not dropped as a header.
        ("1,NA,0\n3,4,1\n5,6,0\n", "line 1, column 2: expected a number. Received 'NA'"),
        ("1,,0\n3,4,1\n5,6,0\n", "line 1, column 2: expected a number. Received ''"),
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
        (["--weights", "1,", "--bias", "0"], "`weights` must be a number. Received: weights=''"),
        (["--weights", "1,2,3", "--bias", "0"], "one number per feature (2). Received 3"),
        (["--weights", "1", "2", "--bias", "b"], "`bias` must be a number"),
        (["--weights", "1", "2", "--bias", "0", "--dataset", "xxor"], "Did you mean 'xor'"),
        (["--weights", "1", "2", "--bias", "1e39"], "`bias` must be a finite number in (-3e+38"),
        (
            ["--weights", "1", "2", "--bias", "0", "--data", "x.csv", "--seed", "3"],
            "so --seed would be ignored",
        ),
        (
            ["--weights", "1", "2", "--bias", "0", "--data", "x.csv", "--dataset", "xor"],
            "Remove --dataset.",
        ),
        (["--weights", "1", "2", "--bais", "0"], "Did you mean '--bias'"),
        (["--weights", *"1" * 100, "--bias", "0", "--dataset", "long_dependency"], "shape (50, 2)"),
        (["--weights", "1", "--bias", "0", "--dataset", "series"], "takes points (one row"),
        (["--weights", "1", "2", "--bias", "0", "--dataset", "blobs"], "data with 3 classes"),
    ],
)
def test_bad_evaluate_input(capsys, flags, message):
    assert main(["evaluate", *flags]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


@pytest.mark.parametrize(
    "name, text, model",
    [("points.csv", "x1,x2,y\n1,2,0\n3,4,1\n", "logistic"), ("story.txt", "hello world", "lstm")],
)
def test_a_utf16_file_is_named_with_the_command_that_converts_it(
    tmp_path, capsys, name, text, model
):
    """As Excel's "Unicode Text" and Notepad save: the fix converts from UTF-16, not Latin-1."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-16"))  # With its byte-order mark.
    logdir = tmp_path / "logs"
    assert main(["train", "--data", str(path), "--model", model, "--logdir", str(logdir)]) == 2
    error = capsys.readouterr().err
    assert (
        "must be UTF-8. Received a UTF-16 file (it begins with UTF-16's byte-order mark)" in error
    )
    extension = os.path.splitext(name)[1]
    assert f"iconv -f utf-16 -t utf-8 old{extension} > new{extension}." in error
    assert error.count("\n") == 1 and not logdir.exists()


@pytest.mark.parametrize(
    "content, message",
    [  # Features alone: the last would pass for labels (x2's 2 and 4 were "classes [2, 4]").
        ("x1,x2\n1,2\n3,4\n", "a line needs each point's label in a last column, and this"),
        # Numbers to predict: a regression, which `train` makes; evaluate has no --task.
        ("1,2,0\n3,4,1.5\n", "train a regression: kerasclf train --task regression (task="),
    ],
)
def test_evaluating_a_line_on_a_file_without_class_labels_says_what_it_lacks(
    tmp_path, capsys, content, message
):
    path = tmp_path / "points.csv"
    path.write_text(content)
    assert main(["evaluate", "--weights", "1", "1", "--bias", "0", "--data", str(path)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_unwritable_logdir_is_rejected_before_training(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["train", "--logdir", str(blocker / "logs")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_a_logdir_the_file_system_refuses_is_one_line_too(tmp_path, capsys, monkeypatch):
    """As under /proc, where the permission bits allow what mkdir then refuses."""

    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted", path)

    monkeypatch.setattr("kerasclf.run.directory.os.makedirs", refuse)
    logdir = str(tmp_path / "logs")
    assert main(["train", "--epochs", "1", "--logdir", logdir]) == 2
    error = capsys.readouterr().err
    assert error == (
        "kerasclf: error: `logdir` cannot hold a run directory: Operation not permitted "
        f"({logdir!r}). Received: logdir={logdir!r}. Choose a writable --logdir.\n"
    )


def test_a_run_directory_is_no_logdir_for_another_run(tmp_path, capsys):
    logdir = tmp_path / "logs"
    assert main(["train", "--epochs", "1", "--images", "false", "--logdir", str(logdir)]) == 0
    (run_dir,) = logdir.iterdir()
    before = sorted(path.name for path in run_dir.iterdir())
    capsys.readouterr()
    assert main(["train", "--epochs", "1", "--logdir", str(run_dir)]) == 2
    error = capsys.readouterr().err
    assert "`logdir` is a run directory (it holds config.json)" in error
    assert f"--logdir {str(logdir)!r}" in error and error.count("\n") == 1
    assert sorted(path.name for path in run_dir.iterdir()) == before


def test_a_refused_run_directory_leaves_no_new_folder_behind(tmp_path, capsys, monkeypatch):
    too_long = str(tmp_path / "new" / ("a" * 300))
    assert main(["train", "--epochs", "1", "--logdir", too_long]) == 2
    assert (
        "has a folder name of 300 bytes; file systems take at most 255" in capsys.readouterr().err
    )
    mkdir = os.mkdir

    def refuse_the_run(path, *args, **kwargs):  # The logdir's folders are made, the run's not.
        if os.path.basename(path) == "run":
            raise PermissionError(errno.EPERM, "Operation not permitted", path)
        return mkdir(path, *args, **kwargs)

    monkeypatch.setattr("kerasclf.run.directory.os.mkdir", refuse_the_run)
    logdir = str(tmp_path / "new" / "deeper")
    assert main(["train", "--epochs", "1", "--logdir", logdir, "--run-name", "run"]) == 2
    assert "cannot hold a run directory: Operation not permitted" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_output_piped_into_a_reader_that_stops_is_no_error():
    """As `kerasclf datasets | head -1`: a closed pipe ends the command quietly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kerasclf.cli.main", "datasets"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    process.stdout.close()  # Closed before the command writes a line.
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0 and stderr == b""


def test_a_run_whose_reader_has_gone_trains_to_the_end_and_is_saved(tmp_path):
    """As `kerasclf train 2>&1 | head -3`: only the lines are lost.

    Both streams closed: the progress line meets a closed stdout (the run
    failed, exit 0), and the failure's message a closed stderr (no summary).
    """
    command = ["train", "--epochs", "30", "--logdir", str(tmp_path), "--run-name", "piped"]
    process = subprocess.Popen(
        [sys.executable, "-m", "kerasclf.cli.main", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    process.stdout.close()  # Both closed before the command writes a line.
    process.stderr.close()
    process.communicate(timeout=300)
    assert process.returncode == 0
    with open(tmp_path / "piped" / "summary.json") as file:
        summary = json.load(file)
    assert summary["status"] == "completed" and summary["epochs"] == 30, summary
    assert (tmp_path / "piped" / "model.keras").is_file()


def test_an_on_off_flag_given_alone_is_on():
    arguments = build_parser().parse_args(["train", "--batch-cost", "--images", "--epochs", "3"])
    assert (arguments.batch_cost, arguments.images, arguments.epochs) == ("true", "true", "3")
    assert build_parser().parse_args(["train", "--images", "off"]).images == "off"


def test_real_process_exits_2_without_traceback(tmp_path):
    completed = run_cli("train", "--optimizer", "sgd", "--logdir", str(tmp_path / "logs"))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    error_lines = [line for line in completed.stderr.splitlines() if "kerasclf: error" in line]
    assert error_lines == completed.stderr.splitlines() and "'gd'" in error_lines[0]
    assert not (tmp_path / "logs").exists()


def test_diverged_run_exits_3(tmp_path, capsys):
    # In-process: how a returned status becomes the process's exit status is
    # the same path for every status, and test_real_process_exits_2 runs it.
    flags = ["--learning-rate", "1e38", "--epochs", "30", "--images", "false"]
    assert main(["train", *flags, "--logdir", str(tmp_path)]) == 3
    output = capsys.readouterr()
    assert "diverged at epoch" in output.out and "smaller --learning-rate" in output.out
    assert "Traceback" not in output.err


def test_predict_prints_probabilities(tmp_path, capsys):
    assert train_run(str(tmp_path), "run", "--epochs", "3") == 0
    points = tmp_path / "new.csv"
    np.savetxt(points, [[4.0, 4.0], [-4.0, -4.0]], delimiter=",")
    capsys.readouterr()
    assert main(["predict", "--run", str(tmp_path / "run"), "--data", str(points)]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0] == "x1,x2,p_0,p_1,class"
    high, low = (float(row.split(",")[3]) for row in rows[1:])  # p_1
    assert high > 0.5 > low


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["trian"], "unknown command 'trian'. Did you mean 'train'?"),
        ([], "no command given; commands: train, evaluate,"),
        (["train", "--run-name", "-x"], "`--run-name` needs a value and none followed it"),
        (["train", "--epochs"], "`--epochs` needs a value and none followed it"),
        (["--epochs", "3"], "options go after a command"),
        (["evaluate", "--weights", "1", "--bias", "0", "--epochs", "3"], "for `kerasclf evaluate`"),
    ],
)
def test_unknown_commands_and_options_name_the_closest(capsys, arguments, message):
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


@pytest.mark.parametrize("weights", [["1.23", "-1e0"], ["1.23,-1e0"]])
def test_negative_numbers_in_e_notation_are_values(capsys, weights):
    """The weights are separated by spaces or by commas (as --hidden's sizes are)."""
    flags = ["evaluate", "--weights", *weights, "--bias", "-5.5e-1", "--json"]
    assert main(flags) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("y = x^T [1.23, -1.0] - 0.55 on dataset 'seminar_blobs'")
    result = json.loads(lines[-1])
    data = make_dataset("seminar_blobs", seed=0)
    assert result["weights"] == [1.23, -1.0] and result["bias"] == -0.55
    expected = numpy_cost([1.23, -1.0], -0.55, data.features, data.labels)
    assert result["cost"] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("value", ["-1,1", "-0.5,2", "-1e0,-2"])
def test_a_list_that_starts_with_a_negative_number_is_a_value(tmp_path, capsys, value):
    # argparse took "-1,1" for an option ("expected one argument"); the value's own check runs.
    argv = ["train", "--class-weight", value, "--logdir", str(tmp_path / "logs")]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert "`class_weight` must hold positive, finite numbers. Received -" in error
    assert error.count("\n") == 1 and not (tmp_path / "logs").exists()


def test_a_byte_order_mark_is_not_a_header(tmp_path, capsys):
    rows = np.array([[1.0, 2.0, 0], [-1.0, 0.5, 1], [3.0, -2.0, 1]])
    path = tmp_path / "points.csv"
    path.write_text("\ufeff" + "\n".join(",".join(f"{v:g}" for v in row) for row in rows) + "\n")
    assert (
        main(
            [
                "evaluate",
                "--weights",
                "0.5",
                "-0.25",
                "--bias",
                "0.1",
                "--data",
                str(path),
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    expected = numpy_cost([0.5, -0.25], 0.1, rows[:, :2], rows[:, 2].astype(int))
    assert result["cost"] == pytest.approx(expected, rel=1e-6)  # All 3 rows, none dropped.


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"X": np.ones((4, 2), complex), "y": np.array([0, 1, 0, 1])}, "dtype complex128"),
        (None, "Received a single .npy array"),
        (
            {"x": np.zeros((4, 2)), "Y": np.array([0, 1, 0, 1])},
            "missing ['X', 'y']. Did you mean 'x' for 'X', 'Y' for 'y'? Save the arrays under",
        ),
    ],
)
def test_bad_npz_files(tmp_path, capsys, arrays, message):
    path = tmp_path / "points.npz"
    if arrays is None:  # An .npy file under an .npz name.
        with open(path, "wb") as file:
            np.save(file, np.zeros((4, 3)))
    else:
        np.savez(path, **arrays)
    assert main(["train", "--data", str(path), "--logdir", str(tmp_path / "logs")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


def _damaged_npz(how, **arrays):
    """The bytes of `np.savez_compressed(arrays)`, cut short or with changed compressed bytes."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    data = bytearray(buffer.getvalue())
    if how == "truncated":
        return bytes(data[:100])
    # Inside the first member's deflate stream: after its 30-byte local header, name and extra.
    start = 30 + int.from_bytes(data[26:28], "little") + int.from_bytes(data[28:30], "little") + 4
    data[start : start + 8] = bytes(byte ^ 0xFF for byte in data[start : start + 8])
    return bytes(data)


@pytest.mark.parametrize("how", ["truncated", "corrupted", "random bytes"])
def test_damaged_npz_data_files_are_one_line_for_train_and_evaluate(tmp_path, capsys, how):
    points = make_dataset("blobs", seed=0)
    path = tmp_path / "points.npz"
    if how == "random bytes":  # Neither zip nor .npy: numpy's own error says to unpickle it.
        path.write_bytes(np.random.default_rng(0).bytes(300))
        message = f"{path}: not an .npz file: its bytes are neither a zip of arrays nor an .npy"
    else:
        path.write_bytes(_damaged_npz(how, X=points.features, y=points.labels))
        message = f"{path}: not a readable .npz file ("
    logdir = tmp_path / "logs"
    line = ["--weights", "1", "2", "--bias", "0"]
    for arguments in (["train", "--logdir", str(logdir)], ["evaluate", *line]):
        assert main([*arguments, "--data", str(path)]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and message in error and "pickle" not in error
    assert not logdir.exists()


def test_data_too_big_for_memory_is_one_line_not_a_crash(tmp_path, capsys, monkeypatch):
    arrays = {"X": np.zeros((6, 2), "float32"), "y": np.array([0, 1] * 3)}
    np.savez(tmp_path / "points.npz", **arrays)
    np.savetxt(tmp_path / "points.csv", np.c_[arrays["X"], arrays["y"]], delimiter=",")
    logdir = str(tmp_path / "logs")
    # An .npz is refused before its arrays are read, by their size in the archive ...
    monkeypatch.setattr("kerasclf.data.npz_arrays.available_memory", lambda: 100)
    assert main(["train", "--data", str(tmp_path / "points.npz"), "--logdir", logdir]) == 2
    needed = sum(array.nbytes + 128 for array in arrays.values())  # .npy headers: 128 bytes.
    assert f"arrays X and y need {needed} bytes of memory and 100 are available" in (
        capsys.readouterr().err
    )

    # ... and a CSV that runs out of memory while loading says how to stream it.
    def out_of_memory(path):
        raise MemoryError

    monkeypatch.setattr("kerasclf.data.loading.read_csv_values", out_of_memory)
    assert main(["train", "--data", str(tmp_path / "points.csv"), "--logdir", logdir]) == 2
    error = capsys.readouterr().err
    assert "points.csv: the points do not fit in memory" in error and "--streaming true" in error
    assert error.count("\n") == 1 and not os.path.exists(logdir)


@pytest.mark.parametrize(
    "flags, ignored",
    [
        (["--dataset", "xorr"], "so dataset would be ignored. Received: dataset='xorr'"),
        (["--num-samples", "5", "--noise", "0.3"], "num_samples, noise would be ignored"),
        (["--data-seed", "3"], "not split, so data_seed would be ignored. Received: data_seed=3"),
    ],
)
def test_named_dataset_settings_with_data_are_refused(tmp_path, capsys, flags, ignored):
    path = tmp_path / "points.csv"
    path.write_text("0,0,0\n1,1,1\n")
    logdir = tmp_path / "logs"
    assert main(["train", "--data", str(path), "--logdir", str(logdir), *flags]) == 2
    assert ignored in capsys.readouterr().err
    assert not logdir.exists()


@pytest.mark.parametrize(
    "flags, ignored",
    [
        (["--init", "random"], "init would be ignored: only the built-in models take them"),
        (
            ["--l2", "0.1", "--features", "poly2"],
            "features, l2 would be ignored: only the",
        ),
    ],
)
def test_built_in_model_settings_with_a_model_file_are_refused(tmp_path, capsys, flags, ignored):
    logdir = tmp_path / "logs"
    example = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "my_models.py")
    argv = ["train", "--model", f"{example}:build", "--logdir", str(logdir), *flags]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("kerasclf: error: " + ignored) and error.count("\n") == 1
    assert "build those choices into your model's function" in error and not logdir.exists()


def test_a_split_that_leaves_a_class_out_of_training_is_refused(tmp_path, capsys):
    path = tmp_path / "points.csv"
    path.write_text("0,0,0\n1,0,0\n2,0,0\n3,0,1\n")
    logdir = tmp_path / "logs"
    # With 4 points, each seed holds out one; find the seed that holds out the only 1.
    seed = next(seed for seed in range(20) if np.random.default_rng(seed).permutation(4)[0] == 3)
    flags = ["--data", str(path), "--validation-split", "0.25", "--seed", str(seed)]
    assert main(["train", "--logdir", str(logdir), *flags]) == 2
    assert "leaves no point of class 1 in the training split" in capsys.readouterr().err
    assert not logdir.exists()


@pytest.fixture(scope="module")
def completed_run(tmp_path_factory):
    """A completed 3-epoch run of `kerasclf train`; a test breaks a copy of it."""
    logdir = tmp_path_factory.mktemp("completed")
    assert main(["train", "--epochs", "3", "--logdir", str(logdir), "--run-name", "run"]) == 0
    return logdir / "run"


@pytest.fixture(scope="module")
def stopped_run(tmp_path_factory):
    """A 3-epoch run stopped after its first epoch: its checkpoint resumes. Copy it to edit it."""
    return _stopped_run(tmp_path_factory.mktemp("stopped")).run_dir


def _copy_of(run_dir, logdir) -> str:
    """A copy of `run_dir` in `logdir`, under the same name; its path."""
    copy = os.path.join(logdir, os.path.basename(run_dir))
    shutil.copytree(run_dir, copy)
    return copy


@pytest.mark.parametrize(
    "config_text, checkpoint, message",
    [
        ("not json", None, "not a readable config.json"),
        ("[1, 2]", None, "lacks dataset, data"),
        ("{}", None, "lacks dataset, data"),
        (None, b"not a zip", "not a readable checkpoint"),
        pytest.param(
            None,
            _damaged_npz("truncated", epochs_completed=np.array(1)),
            "not a readable checkpoint",
            id="truncated checkpoint",
        ),
        pytest.param(
            None,
            _damaged_npz("corrupted", epochs_completed=np.array(1)),
            "not a readable checkpoint",
            id="corrupted checkpoint",
        ),
        (None, {"model_0": np.zeros(3)}, "not a checkpoint of this run"),
        (
            None,
            {"model_0": np.zeros(3), "epochs_completed": np.array(2)},
            "holds 1 model variables",
        ),
        (None, {"epochs_completed": np.array([None])}, "epochs_completed is not a plain numeric"),
    ],
)
def test_resume_refuses_a_broken_run_directory(
    tmp_path, capsys, completed_run, config_text, checkpoint, message
):
    logdir = tmp_path / "logs"
    run_dir = logdir / "run"
    shutil.copytree(completed_run, run_dir)
    if config_text is not None:
        (run_dir / "config.json").write_text(config_text)
    if isinstance(checkpoint, bytes):
        (run_dir / "checkpoint.npz").write_bytes(checkpoint)
    elif checkpoint is not None:
        np.savez(run_dir / "checkpoint.npz", **checkpoint)
    else:
        np.savez(run_dir / "checkpoint.npz", epochs_completed=np.array(1))
    before = {path.name: path.stat().st_mtime_ns for path in run_dir.iterdir()}
    capsys.readouterr()
    assert main(["train", "--resume", str(run_dir)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert {path.name: path.stat().st_mtime_ns for path in run_dir.iterdir()} == before
    # The listing shows the run, not resumable from a checkpoint it cannot read.
    assert main(["runs", str(logdir)]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[0] == "run" and (row[-1] == "no" or not isinstance(checkpoint, bytes))


@pytest.mark.parametrize(
    "edit, message",
    [
        ({"epochs": "lots"}, "`epochs` must be an integer. Received: epochs='lots'"),
        ({"epochz": 3}, "unknown key 'epochz' in the run's config.json"),
        ({"optimizer": "adm"}, "Received: optimizer='adm'. Did you mean 'adam'?"),
        ({"epochs": 1}, "epochs_completed is 2, outside 0..1."),
    ],
)
def test_runs_offers_no_resume_that_resume_refuses(tmp_path, capsys, stopped_run, edit, message):
    logdir = tmp_path / "logs"
    run_dir = Path(_copy_of(stopped_run, logdir))
    np.savez(
        run_dir / "checkpoint.npz",
        **{**np.load(run_dir / "checkpoint.npz"), "epochs_completed": np.array(2)},
    )
    capsys.readouterr()
    assert main(["runs", str(logdir)]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[-3:] == ["from", "epoch", "2"]
    config = read_json(run_dir / "config.json")
    (run_dir / "config.json").write_text(json.dumps({**config, **edit}))
    assert main(["runs", str(logdir)]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[-1] == "no"
    assert main(["train", "--resume", str(run_dir)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_messages_name_what_the_file_or_argument_is(tmp_path, capsys):
    """What is wrong, in the student's terms: counts, a folder, a name that is no function."""
    logdir = tmp_path / "logs"
    labels = tmp_path / "labels.csv"
    labels.write_text("1,2,0\n1,2,1\n3,4,1000\n")
    model_file = tmp_path / "models.py"
    model_file.write_text("build = 3\n")
    one_column = tmp_path / "one.csv"
    one_column.write_text("1\n2\n")
    assert train_run(logdir, "run", "--epochs", "1") == 0
    run_dir = str(logdir / "run")
    cases = [
        (["train", "--data", str(labels)], "missing [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...] (998 in"),
        (
            ["train", "--model", f"{model_file}:build"],
            "defines 'build' as a value of type int, not a function",
        ),
        (["predict", "--run", run_dir, "--data", str(one_column)], "Received 1 column. Give 2"),
        (["runs", str(logdir), str(tmp_path)], "`kerasclf runs` takes one LOGDIR and options."),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        error = capsys.readouterr().err
        assert message in error and error.count("\n") == 1, error
    assert main(["runs", run_dir]) == 0  # One run directory: its own row.
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [row[:2] for row in rows] == [["run", "status"], ["run", "completed"]]
    os.replace(os.path.join(run_dir, "model.keras"), tmp_path / "model.keras")
    os.mkdir(os.path.join(run_dir, "model.keras"))
    assert main(["evaluate", "--run", run_dir, "--data", str(labels)]) == 2
    assert "model.keras' is not a file. Received: run=" in capsys.readouterr().err


def _stopped_run(logdir):
    """A 3-epoch run stopped after its first epoch: its checkpoint resumes."""
    return kerasclf.train(epochs=3, images=False, logdir=str(logdir), callbacks=[StopAt(epoch=1)])


def _rewrite_checkpoint(run_dir, changes):
    """Rewrites a run's checkpoint.npz with `changes(arrays)` in place of those arrays."""
    path = os.path.join(run_dir, "checkpoint.npz")
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    np.savez(path, **{**arrays, **changes(arrays)})


def test_a_copied_run_resumes_where_it_is(tmp_path, capsys):
    """Not in the logdir its config.json recorded, which may be gone or unwritable."""
    stopped = _stopped_run(tmp_path / "old")
    copy = tmp_path / "new" / "run"
    shutil.copytree(stopped.run_dir, copy)
    shutil.rmtree(tmp_path / "old")
    (tmp_path / "old").write_text("now a file")  # The recorded logdir can hold no run.
    capsys.readouterr()
    assert main(["train", "--resume", str(copy)]) == 0
    out = capsys.readouterr().out
    assert read_json(str(copy / "summary.json"))["status"] == "completed"
    assert f"--logdir {tmp_path / 'new'}" in out and "old" not in out


def test_resume_refuses_a_checkpoint_of_inf_or_nan_weights(tmp_path, capsys, stopped_run):
    run_dir = _copy_of(stopped_run, tmp_path)
    _rewrite_checkpoint(run_dir, lambda arrays: {"model_0": arrays["model_0"] * np.nan})
    before = file_times(run_dir)
    capsys.readouterr()
    assert main(["train", "--resume", run_dir]) == 2
    error = capsys.readouterr().err
    assert "model_0 holds inf or NaN, weights no run can continue from" in error
    assert error.count("\n") == 1
    after = file_times(run_dir)
    assert after == before


def test_resume_with_a_directory_where_the_lock_goes_is_one_line(tmp_path, capsys, stopped_run):
    run_dir = _copy_of(stopped_run, tmp_path)
    os.mkdir(os.path.join(run_dir, ".lock"))
    summary = os.path.join(run_dir, "summary.json")
    before = os.stat(summary).st_mtime_ns
    capsys.readouterr()
    assert main(["train", "--resume", run_dir]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "where the run keeps its lock" in error
    assert "Remove it, then resume." in error and os.stat(summary).st_mtime_ns == before


def test_resume_with_a_directory_for_a_checkpoint_is_one_line(tmp_path, capsys, stopped_run):
    run_dir = _copy_of(stopped_run, tmp_path)
    checkpoint = os.path.join(run_dir, "checkpoint.npz")
    os.remove(checkpoint)
    os.mkdir(checkpoint)
    before = file_times(run_dir)
    capsys.readouterr()
    assert main(["train", "--resume", run_dir]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "checkpoint.npz is not a checkpoint file" in error
    assert file_times(run_dir) == before


def test_resume_refuses_a_config_key_that_train_did_not_write(tmp_path, capsys, stopped_run):
    run_dir = _copy_of(stopped_run, tmp_path)
    config_path = os.path.join(run_dir, "config.json")
    config = read_json(config_path)
    # Every key a run writes is a setting or one of the recorded facts that --resume reads.
    assert set(config) <= set(FIELDS) | set(RECORDED_KEYS)
    assert set(RECORDED_KEYS) <= set(config)
    with open(config_path, "w") as file:
        json.dump({**config, "epoch": 5}, file)  # A hand edit's typo for "epochs".
    before = file_times(run_dir)
    capsys.readouterr()
    assert main(["train", "--resume", run_dir]) == 2
    error = capsys.readouterr().err
    assert "unknown key 'epoch' in the run's config.json" in error
    assert "Did you mean 'epochs'?" in error and error.count("\n") == 1
    assert file_times(run_dir) == before


def test_resume_refuses_a_checkpoint_past_the_runs_epochs(tmp_path, capsys, stopped_run):
    run_dir = _copy_of(stopped_run, tmp_path)
    _rewrite_checkpoint(run_dir, lambda arrays: {"epochs_completed": np.array(7)})
    capsys.readouterr()
    assert main(["train", "--resume", run_dir]) == 2
    assert "epochs_completed is 7, outside 0..3" in capsys.readouterr().err


def test_predict_writes_over_no_file_unasked_and_never_the_data_or_a_run(tmp_path, capsys):
    logdir = tmp_path / "logs"
    assert main(["train", "--epochs", "2", "--logdir", str(logdir), "--run-name", "run"]) == 0
    run = logdir / "run"
    points = tmp_path / "points.csv"
    points.write_text("1,2\n3,4\n")
    earlier = tmp_path / "earlier.csv"
    earlier.write_text("kept\n")
    run_files = {path: path.read_bytes() for path in run.rglob("*") if path.is_file()}
    (tmp_path / "linked.csv").symlink_to(run / "model.keras")
    predict = ["predict", "--run", str(run), "--data", str(points), "--out"]
    capsys.readouterr()
    in_run = "`out` is in the run directory"
    for out, overwrite, message in [
        (earlier, [], "`out` already exists, and predict does not write over a file unasked"),
        (points, ["--overwrite"], "`out` is the data file being read"),
        (run / "model.keras", ["--overwrite"], in_run),
        (run / "config.json", [], in_run),
        (run / "new.csv", [], in_run),  # No new file in a run either,
        (run / "train" / "new.csv", [], in_run),  # at any depth,
        (tmp_path / "linked.csv", ["--overwrite"], in_run),  # nor through a link.
    ]:
        assert main([*predict, str(out), *overwrite]) == 2, out
        error = capsys.readouterr().err
        assert message in error and f"out={str(out)!r}" in error and error.count("\n") == 1
    assert earlier.read_text() == "kept\n" and points.read_text() == "1,2\n3,4\n"
    # A hard link to a run's file is replaced, not written through.
    os.link(run / "summary.json", tmp_path / "hard.csv")
    assert main([*predict, str(tmp_path / "hard.csv"), "--overwrite"]) == 0
    assert (tmp_path / "hard.csv").read_text().startswith("x1,x2,p_0,p_1,class\n")
    assert {path: path.read_bytes() for path in run.rglob("*") if path.is_file()} == run_files
    assert main([*predict, str(earlier), "--overwrite"]) == 0
    assert earlier.read_text().startswith("x1,x2,p_0,p_1,class\n")


def test_predict_refuses_a_directory_out_and_a_corrupt_model(tmp_path, capsys):
    logdir = tmp_path / "logs"
    assert main(["train", "--epochs", "2", "--logdir", str(logdir), "--run-name", "run"]) == 0
    points = tmp_path / "points.csv"
    points.write_text("1,2\n3,4\n")
    run = str(logdir / "run")
    capsys.readouterr()
    assert main(["predict", "--run", run, "--data", str(points), "--out", str(tmp_path)]) == 2
    assert "`out` is a directory" in capsys.readouterr().err
    assert main(["predict", "--run", run, "--data", str(points), "--out", ""]) == 2
    assert "`out` must be the path of a CSV file to write. Received: out=''." in (
        capsys.readouterr().err
    )
    under_a_file = str(points / "predictions.csv")
    assert main(["predict", "--run", run, "--data", str(points), "--out", under_a_file]) == 2
    assert f"but {str(points)!r} is a file, not a folder. Received: out=" in capsys.readouterr().err
    missing = str(tmp_path / "missing" / "predictions.csv")
    assert main(["predict", "--run", run, "--data", str(points), "--out", missing]) == 2
    assert "does not exist. Received: out=" in capsys.readouterr().err
    if os.path.isdir("/proc"):  # Its permission bits allow what open() refuses.
        assert main(["predict", "--run", run, "--data", str(points), "--out", "/proc/x.csv"]) == 2
        error = capsys.readouterr().err
        assert "`out` cannot be written" in error and error.count("\n") == 1
    for wrong, message in [  # Each named for what it is, with the fix.
        (
            str(logdir / "rnu"),
            f"folder does not exist. Received: run='{logdir / 'rnu'}'. Did you mean '{run}'?",
        ),
        (
            str(logdir),
            f"is a folder of 1 run(s), not a run. Received: run='{logdir}'. Pass one of them, "
            f"e.g. run='{run}'",
        ),
        (
            str(logdir / "run" / "model.keras"),
            f"names a run's model.keras, not its folder. Received: "
            f"run='{logdir / 'run' / 'model.keras'}'. Pass run='{run}'.",
        ),
        (str(points), f"must be a run's folder, but '{points}' is a file."),
        (str(logdir / "run" / "model.keras") + "/", "names a run's model.keras, not its folder."),
    ]:
        assert main(["predict", "--run", wrong, "--data", str(points)]) == 2
        error = capsys.readouterr().err
        assert f"`run` {message}" in error and error.count("\n") == 1
    points.write_text("1,2\n3,1e39\n")
    assert main(["predict", "--run", run, "--data", str(points)]) == 2
    assert "too large for float32 in data row 2" in capsys.readouterr().err
    (logdir / "run" / "model.keras").write_bytes(b"truncated")
    assert main(["predict", "--run", run, "--data", str(points)]) == 2
    assert "not a Keras model file" in capsys.readouterr().err
