"""A model of your own on token ids: told the number of ids, its Embedding checked against it.

A function that takes `vocabulary_size` gets the data's number of ids (from
an .npz of ids and from a text), one that does not is called as before, and
an Embedding with fewer rows than the data has ids is refused in one line,
exit 2, with nothing written, for a functional, a Sequential and a
subclassed model.
"""

import numpy as np
import pytest

import kerasclf
from kerasclf.cli.main import main
from kerasclf.models.sources import parse_model_source
from kerasclf.models.token_embedding import input_embeddings
from kerasclf.models.user import load_model_function

NUM_IDS = 20

MODELS_FILE = """
import keras

CALLS = []


def head(num_classes):
    if num_classes == 2:
        return keras.layers.Dense(1, activation="sigmoid")
    return keras.layers.Dense(num_classes, activation="softmax")


def told(input_shape, num_classes, vocabulary_size):
    CALLS.append(vocabulary_size)
    inputs = keras.Input(input_shape)
    x = keras.layers.Embedding(vocabulary_size, 4, name="ids")(inputs)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


def any_keywords(**arguments):
    CALLS.append(sorted(arguments))
    inputs = keras.Input(arguments["input_shape"])
    x = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))


def functional(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = keras.layers.Embedding(2, 4, name="ids")(inputs)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, head(num_classes)(x))


def sequential(input_shape, num_classes):
    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Embedding(19, 4, name="ids"),
            keras.layers.GlobalAveragePooling1D(),
            head(num_classes),
        ]
    )


class Subclassed(keras.Model):
    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.ids = keras.layers.Embedding(5, 4, name="ids")
        self.pool = keras.layers.GlobalAveragePooling1D()
        self.out = head(num_classes)

    def call(self, inputs):
        return self.out(self.pool(self.ids(inputs)))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


def subclassed(input_shape, num_classes):
    return Subclassed(num_classes)
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("token_ids")
    (folder / "id_models.py").write_text(MODELS_FILE)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, NUM_IDS, size=(60, 12))
    ids[0, 0] = NUM_IDS - 1  # Every id up to the last occurs.
    np.savez(folder / "tokens.npz", X=ids, y=(ids[:, 0] > NUM_IDS // 2).astype(int))
    np.savez(folder / "floats.npz", X=rng.normal(size=(60, 12)), y=np.arange(60) % 2)
    return folder


def test_a_function_that_takes_vocabulary_size_gets_the_number_of_ids(files, tmp_path):
    build = _load(files, "told")
    result = kerasclf.train(
        model=build, data=str(files / "tokens.npz"), epochs=1, logdir=str(tmp_path)
    )
    assert result.summary["status"] == "completed"
    assert build.__globals__["CALLS"] == [NUM_IDS]
    (embedding,) = input_embeddings(result.model)
    assert embedding.input_dim == NUM_IDS


@pytest.mark.parametrize(
    "data, expected",
    [
        ("tokens.npz", ["input_shape", "num_classes", "vocabulary_size"]),
        ("floats.npz", ["input_shape", "num_classes"]),  # Numbers, not ids: no vocabulary.
    ],
)
def test_only_token_ids_add_the_keyword(files, tmp_path, data, expected):
    build = _load(files, "any_keywords")
    build.__globals__["CALLS"].clear()
    kerasclf.train(model=build, data=str(files / data), epochs=1, logdir=str(tmp_path))
    assert build.__globals__["CALLS"] == [expected]


@pytest.mark.parametrize(
    "function, rows", [("functional", 2), ("sequential", 19), ("subclassed", 5)]
)
def test_an_embedding_short_of_the_ids_is_refused_before_anything_is_written(
    files, tmp_path, capsys, function, rows
):
    logdir = tmp_path / "logs"
    model = f"{files / 'id_models.py'}:{function}"
    argv = ["train", "--model", model, "--data", str(files / "tokens.npz")]
    assert main([*argv, "--logdir", str(logdir)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert (
        f"its Embedding 'ids' has input_dim={rows}, rows for token ids 0..{rows - 1}, and the "
        f"data's token ids run to {NUM_IDS - 1}. Build it as keras.layers.Embedding({NUM_IDS}, "
        f"...): a model function that takes a vocabulary_size keyword is given "
        f"vocabulary_size={NUM_IDS}." in error
    )
    assert not logdir.exists()


def test_a_text_gives_its_characters_as_the_ids(files, tmp_path, capsys):
    text = files / "corpus.txt"
    text.write_text("the cat sat on the mat. " * 20)
    num_ids = len(set(text.read_text()))  # Each character an id.
    logdir = tmp_path / "logs"
    model = f"{files / 'id_models.py'}:functional"
    argv = ["train", "--model", model, "--data", str(text), "--sequence-length", "8"]
    assert main([*argv, "--logdir", str(logdir)]) == 2
    error = capsys.readouterr().err
    assert f"and the data's token ids run to {num_ids - 1}." in error and not logdir.exists()


def _load(files, name):
    """The model file's function, loaded as kerasclf loads it (its module's CALLS shared)."""
    return load_model_function(parse_model_source(f"{files / 'id_models.py'}:{name}"))
