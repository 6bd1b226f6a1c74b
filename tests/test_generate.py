"""`generate_from_run` and `kerasclf generate`: text from a finished character-model run.

The run directory is made by hand, as a run saves it: `model.keras` and
`vocabulary.json`. The generated text is checked against `sample_text` on the
model that was saved; bad input in-process, and twice as a real process
(exit status 2, one line, no traceback, TensorFlow not loaded).
"""

import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest

from kerasclf.cli.main import main
from kerasclf.data.vocabulary import VOCABULARY_FILE, Vocabulary
from kerasclf.models.text_sampling import sample_text, tempered_probabilities
from kerasclf.run.generation import generate_from_run

VOCABULARY = Vocabulary.from_text("to be or not\n")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A finished run's directory: the model and its vocabulary."""
    directory = tmp_path_factory.mktemp("char_run")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(VOCABULARY.size, 6),
            keras.layers.GRU(8),
            keras.layers.Dense(VOCABULARY.size, activation="softmax"),
        ]
    )
    generator = np.random.default_rng(0)  # Weights far from uniform probabilities.
    model.set_weights([generator.normal(0.0, 2.0, weight.shape) for weight in model.get_weights()])
    model.save(directory / "model.keras")
    VOCABULARY.save(directory / VOCABULARY_FILE)
    return str(directory), model


def test_generated_text_is_the_saved_models_sample(run_dir):
    directory, model = run_dir
    text = generate_from_run(directory, "to be", length=30, temperature=0.7, seed=4)
    assert text == sample_text(model, VOCABULARY, "to be", 30, 0.7, seed=4)
    assert len(text) == 30 and set(text) <= set(VOCABULARY.tokens)
    assert generate_from_run(directory, "to be", length=30, temperature=0.7, seed=5) != text


def test_sample_text_takes_the_tokens_as_a_list_and_refuses_a_string(run_dir):
    _, model = run_dir
    expected = sample_text(model, VOCABULARY, "to be", 20, 0.7, seed=1)
    assert sample_text(model, list(VOCABULARY.tokens), "to be", 20, 0.7, seed=1) == expected
    with pytest.raises(TypeError) as raised:
        sample_text(model, "".join(VOCABULARY.tokens), "to be", 20, 0.7)
    message = str(raised.value)
    assert message.startswith("`vocabulary` must be a Vocabulary or a list of the model's tokens")
    assert "of type str" in message and "\n" not in message


def test_the_command_prints_prompt_and_continuation(run_dir, capsys):
    directory, model = run_dir
    arguments = ["--run", directory, "--prompt", "not", "--length", "25", "--temperature", "0.5"]
    assert main(["generate", *arguments, "--seed", "2"]) == 0
    expected = "not" + sample_text(model, VOCABULARY, "not", 25, 0.5, seed=2) + "\n"
    assert capsys.readouterr().out == expected


def copy_without(run_dir: str, tmp_path, missing: str) -> str:
    """A copy of the run directory without one of its files."""
    for name in ("model.keras", VOCABULARY_FILE):
        if name != missing:
            with open(os.path.join(run_dir, name), "rb") as source:
                (tmp_path / name).write_bytes(source.read())
    return str(tmp_path)


@pytest.mark.parametrize(
    "change, match",
    [
        ({"run_dir": "/nonexistent/run"}, "`run` folder does not exist"),
        ({"missing": "model.keras"}, "has no trained model"),
        ({"missing": VOCABULARY_FILE}, "not a character model's run: it has no vocabulary.json"),
        ({"prompt": "to BE"}, "outside the run's vocabulary: 'B', 'E'"),
        ({"prompt": ""}, "`prompt` must be a non-empty string"),
        ({"temperature": -0.5}, "`temperature` must be a finite number in \\[0.0, inf\\)"),
        ({"temperature": -2.0}, "`temperature`"),
        ({"length": 0}, "`length` must be an integer >= 1"),
        ({"length": 2147483647}, "`length` must be an integer <= 100000 \\(characters are"),
    ],
)
def test_bad_input_is_one_line(run_dir, tmp_path, change, match):
    directory = run_dir[0]
    if "missing" in change:
        directory = copy_without(directory, tmp_path, change["missing"])
    values = {"prompt": "to", "length": 5, "temperature": 1.0}
    values.update({key: value for key, value in change.items() if key in values})
    with pytest.raises(ValueError, match=match) as error:
        generate_from_run(change.get("run_dir", directory), **values)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "flags, match",
    [
        (["--length", "ten"], "`length` must be an integer. Received: length='ten'"),
        # Read as train reads its flags: 1e12 is a whole number, over the limit.
        (["--length", "1e12"], "`length` must be an integer <= 100000"),
        (["--temperature", "nan"], "`temperature` must be a finite number in [0.0, inf)"),
        (["--seed", "-1"], "`seed` must be an integer >= 0"),
        (["--lenght", "5"], "unknown option '--lenght'"),
    ],
)
def test_the_command_refuses_bad_flags_with_status_2(run_dir, capsys, flags, match):
    assert main(["generate", "--run", run_dir[0], "--prompt", "to", *flags]) == 2
    captured = capsys.readouterr()
    assert match in captured.err and captured.err.count("\n") == 1 and captured.out == ""


def test_a_process_with_bad_input_exits_2_without_a_traceback(tmp_path):
    missing = str(tmp_path / "no_run")
    process = subprocess.run(
        [sys.executable, "-m", "kerasclf.cli.main", "generate", "--run", missing, "--prompt", "a"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2
    assert process.stderr.startswith("kerasclf: error: `run` folder does not exist")
    assert process.stderr.count("\n") == 1 and "Traceback" not in process.stderr


def test_a_prompt_outside_the_vocabulary_is_refused_before_tensorflow_loads(run_dir):
    script = (
        "import sys; from kerasclf.cli.main import main; "
        f"status = main(['generate', '--run', {run_dir[0]!r}, '--prompt', 'xyz']); "
        "print(status, 'tensorflow' in sys.modules)"
    )
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert process.stdout.split() == ["2", "False"]
    assert "outside the run's vocabulary: 'x', 'y', 'z'" in process.stderr
    assert process.stderr.count("\n") == 1


@pytest.mark.parametrize("temperature", [1e-320, 1e-9, 1.0, 1e300])
def test_tempering_is_quiet_and_finite_at_any_temperature(temperature):
    probabilities = np.array([0.0, 0.1, 0.3, 0.6])
    with warnings.catch_warnings():  # No overflow or invalid-value warning printed.
        warnings.simplefilter("error")
        tempered = tempered_probabilities(probabilities, temperature)
    # p^(1/T) normalised, as numpy computes it where it can: argmax at tiny T, uniform on the
    # support at huge T.
    expected = {
        1e-320: [0.0, 0.0, 0.0, 1.0],
        1e-9: [0.0, 0.0, 0.0, 1.0],
        1.0: probabilities,
        1e300: [0.0, 1 / 3, 1 / 3, 1 / 3],
    }[temperature]
    np.testing.assert_allclose(tempered, expected, atol=1e-12)
