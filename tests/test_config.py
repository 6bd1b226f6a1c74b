"""Config values: each read once, where it enters, by the parser its field declares."""

import collections
import types

import numpy as np
import pytest

import kerasclf

from kerasclf.run import config_making as config_module
from kerasclf.cli.main import main
from kerasclf.data import data_file_kind
from kerasclf.run.config import FIELDS, TrainConfig, parse_value
from kerasclf.run.config_making import make_config, validate
from kerasclf.run.config_file import load_toml


class Stop(Exception):
    """Ends `kerasclf train` once its config is checked, before TensorFlow loads."""


@pytest.fixture
def parser_calls(monkeypatch):
    """Every call of a field's parser, as (key, from_text), in order."""
    calls = []
    for key, field in FIELDS.items():
        parse = field.metadata["parse"]

        def counted(key_, value, from_text, parse=parse):
            calls.append((key_, from_text))
            return parse(key_, value, from_text)

        metadata = types.MappingProxyType({**field.metadata, "parse": counted})
        monkeypatch.setattr(field, "metadata", metadata)
    return calls


def test_every_field_declares_a_parser():
    assert all(callable(field.metadata.get("parse")) for field in FIELDS.values())


def test_a_train_command_reads_each_flag_and_file_value_once(tmp_path, monkeypatch, parser_calls):
    toml = tmp_path / "run.toml"
    toml.write_text(
        'optimizer = "momentum"\nepochs = 50\nbatch_size = 8\ncallbacks_off = ["surface"]\n'
    )
    checked = []

    def stop_after(values):  # The CLI's last step before TensorFlow loads.
        checked.append(real_checked_config(values))
        raise Stop

    real_checked_config = config_module.checked_config
    monkeypatch.setattr(config_module, "checked_config", stop_after)
    flags = ["--epochs", "2", "--model", "mlp", "--hidden", "4,4", "--class-weight", "1,3"]
    with pytest.raises(Stop):
        main(["train", "--config", str(toml), *flags, "--logdir", str(tmp_path / "logs")])
    counts = collections.Counter(parser_calls)
    # Flags are parsed from text; the file's values are type-checked, `epochs`
    # too, although the flag overrides it (a wrong file is refused whole).
    assert counts == {
        ("epochs", False): 1,
        ("epochs", True): 1,
        ("model", True): 1,
        ("hidden", True): 1,
        ("class_weight", True): 1,
        ("logdir", True): 1,
        ("optimizer", False): 1,
        ("batch_size", False): 1,
        ("callbacks_off", False): 1,
    }
    (config,) = checked
    assert (config.epochs, config.batch_size, config.optimizer) == (2, 8, "momentum")
    assert config.hidden == [4, 4] and config.class_weight == [1.0, 3.0]
    assert config.callbacks_off == ["surface"] and config.logdir == str(tmp_path / "logs")


def test_a_toml_config_reads_each_value_once(tmp_path, parser_calls):
    toml = tmp_path / "run.toml"
    toml.write_text('model = "mlp"\nhidden = [3]\nlearning_rate = 1\nimages = false\n')
    config = make_config(load_toml(str(toml)), logdir=str(tmp_path))
    assert collections.Counter(parser_calls) == {
        (key, False): 1 for key in ("model", "hidden", "learning_rate", "images", "logdir")
    }
    assert config.learning_rate == 1.0 and isinstance(config.learning_rate, float)
    assert config.hidden == [3] and config.images is False


def test_validate_reads_each_value_of_a_python_config_once(tmp_path, parser_calls):
    validate(TrainConfig(epochs=3, logdir=str(tmp_path)))
    assert collections.Counter(parser_calls) == {(key, False): 1 for key in FIELDS}


@pytest.mark.parametrize(
    "values, error, message",
    [
        (
            {"epochs": "5"},
            TypeError,
            "`epochs` must be an integer. Received: epochs='5' of type str.",
        ),
        # The value as given, not as the characters of a string.
        ({"hidden": "8,8"}, TypeError, "8,8). Received: hidden='8,8' of type str."),
        (
            {"callbacks_off": "surface"},
            TypeError,
            "config). Received: callbacks_off='surface' of type str.",
        ),
        (
            {"images": "yes"},
            TypeError,
            "`images` must be true or false, not a string. Received: images='yes'",
        ),
        ({"epochs": 0}, ValueError, "`epochs` must be an integer >= 1. Received: epochs=0."),
        # Arrays where a file belongs: the way to pass them.
        (
            {"data": (np.zeros((4, 2)), np.zeros(4))},
            TypeError,
            'of type tuple. For arrays, save them first: numpy.savez("data.npz", X=features, y=',
        ),
    ],
)
def test_validate_refuses_a_config_built_in_python(tmp_path, values, error, message):
    with pytest.raises(error) as raised:
        validate(TrainConfig(logdir=str(tmp_path), **values))
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "typo, meant", [("epohcs", "epochs"), ("lr", "learning_rate"), ("batchsize", "batch_size")]
)
def test_a_config_built_in_python_names_the_key_meant(typo, meant):
    """As `make_config` and a TOML file do; Python alone names no key."""
    with pytest.raises(ValueError) as raised:
        TrainConfig(**{typo: 1})
    message = str(raised.value)
    assert message.startswith(f"Unknown config key {typo!r}. Did you mean {meant!r}?")
    assert "\n" not in message


@pytest.mark.parametrize(
    "key, text, value",
    [
        ("num_samples", "1e8", 100_000_000),
        ("epochs", "2E1", 20),
        ("learning_rate", "-5e-1", -0.5),
        ("batch_size", "full", "full"),
        ("batch_size", "16", 16),
        ("hidden", "8, 4", (8, 4)),
        ("callbacks_off", "boundary,,config", ("boundary", "config")),
        ("class_weight", "1,3", (1, 3)),
        ("class_weight", "balanced", "balanced"),
        ("images", "No", False),
        ("images", "off", False),
        ("batch_cost", "On", True),
        ("streaming", "TRUE", True),
        ("data", "points.csv", "points.csv"),
        ("features", "x1^2,x2^2", ["x1^2", "x2^2"]),  # A list in TOML and Python too.
        ("features", "poly3", ("poly3",)),
    ],
)
def test_a_flags_text_reads_as_the_same_value_written_in_toml(key, text, value):
    from_text = parse_value(key, text, from_text=True)
    assert from_text == parse_value(key, value)
    assert type(from_text) is type(parse_value(key, value))


@pytest.mark.parametrize(
    "key, text",
    [
        ("epochs", "1_0"),  # Python's int() reads 10.
        ("epochs", "\uff11\uff10"),  # Full-width digits, which int() also reads.
        ("epochs", "2.5"),
        ("epochs", "0x10"),
        ("learning_rate", "1_0.5"),
        ("learning_rate", "\u0661.5"),  # An Arabic-Indic one.
        ("hidden", "8,4_0"),
        ("batch_size", "3_2"),
    ],
)
def test_a_flags_number_is_plain_ascii_decimal(key, text):
    with pytest.raises(TypeError) as raised:
        parse_value(key, text, from_text=True)
    assert f"Received: {key}={text!r}." in str(raised.value)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"class_weight": [1, 10**400]}, "`class_weight` must hold positive, finite numbers."),
        ({"learning_rate": 10**400}, "`learning_rate` must be a finite number."),
    ],
)
def test_an_integer_too_large_for_a_float_is_one_line(values, message):
    with pytest.raises(ValueError) as raised:
        make_config(values)
    assert str(raised.value).startswith(message) and "characters)." in str(raised.value)


def test_a_toml_file_saved_with_a_byte_order_mark_reads_as_without(tmp_path):
    text = 'epochs = 7\noptimizer = "momentum"\n'
    (tmp_path / "plain.toml").write_text(text, encoding="utf-8")
    (tmp_path / "marked.toml").write_text(text, encoding="utf-8-sig")  # As Notepad saves.
    assert (tmp_path / "marked.toml").read_bytes().startswith(b"\xef\xbb\xbf")
    plain, marked = (load_toml(str(tmp_path / name)) for name in ("plain.toml", "marked.toml"))
    assert marked == plain == {"epochs": 7, "optimizer": "momentum"}


# What each data file holds, by its header: the points of a table, or arrays the notebooks train on.
DATA_FILES = {
    "points.csv": ("points", None),
    "points.npz": ("points", {"X": np.zeros((4, 2), np.float32), "y": np.array([0, 1, 0, 1])}),
    "images.npz": ("images", {"X": np.zeros((4, 8, 8), np.uint8), "y": np.array([0, 1, 0, 1])}),
    "colour.npz": (
        "images",
        {
            "x_train": np.zeros((4, 8, 8, 3)),
            "y_train": np.array([0, 1, 0, 1]),
            "x_test": np.zeros((2, 8, 8, 3)),
            "y_test": np.array([0, 1]),
        },
    ),
    "series.npz": ("sequences", {"X": np.zeros((4, 5, 2), np.float32), "y": np.zeros(4)}),
    "tokens.npz": ("sequences", {"X": np.zeros((4, 5), np.int64), "y": np.array([0, 1, 0, 1])}),
    # Integers with a negative one are no token ids: a table, as the loader reads it.
    "grid.npz": ("points", {"X": np.array([[-1, 2], [3, 4]] * 2), "y": np.array([0, 1, 0, 1])}),
    "corpus.txt": ("text", None),
}


@pytest.mark.parametrize("name", list(DATA_FILES))
@pytest.mark.parametrize("model", ["logistic", "mlp", "docs/my_models.py:build"])
def test_a_data_file_of_arrays_trains_as_the_notebooks_do(tmp_path, name, model):
    kind, arrays = DATA_FILES[name]
    path = tmp_path / name
    if arrays is not None:
        np.savez(path, **arrays)
    else:
        path.write_text("0,0,0\n1,1,1\n" if name.endswith(".csv") else "the cat sees a dog. " * 20)
    assert data_file_kind(str(path)) == kind
    if kind == "text" and model in ("logistic", "mlp"):
        model = "lstm"  # A text's token ids are refused by the table models.
    config = make_config(data=str(path), model=model)
    training = (config.optimizer, config.batch_size, config.cost, config.epochs)
    expected = ("gd", "full", "sum", 100) if kind == "points" else ("adam", 32, "mean", 20)
    assert training == expected


@pytest.mark.parametrize(
    "values, received",
    [
        ({"model": "mlp", "hidden": "8,8"}, "Received: hidden='8,8' of type str."),
        ({"callbacks_off": "surface"}, "Received: callbacks_off='surface' of type str."),
    ],
)
def test_train_names_a_configs_string_for_a_list_as_it_was_given(tmp_path, values, received):
    """Not as the list of its characters (['8', ',', '8']), which hid the mistake."""
    with pytest.raises(TypeError) as raised:
        kerasclf.train(TrainConfig(logdir=str(tmp_path), **values))
    assert received in str(raised.value) and "\n" not in str(raised.value)
    assert list(tmp_path.iterdir()) == []
