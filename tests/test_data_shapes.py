"""Data of any shape: images, sequences, token ids, and Keras's .npz layout."""

import csv
import io
import re

import keras
import numpy as np
import pytest

from kerasclf.data.csv_files import read_csv_values
from kerasclf.data import Data, load_data, load_data_splits, split_validation
from kerasclf.data.streaming import generated_stream

RNG = np.random.default_rng(0)
LABELS = np.arange(12) % 3


def saved(tmp_path, name="data.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return str(path)


def one_line(error) -> str:
    message = str(error.value)
    assert "\n" not in message and message
    return message


@pytest.mark.parametrize(
    "features",
    [
        RNG.normal(size=(12, 5, 4, 3)),  # Images (N, H, W, C).
        RNG.normal(size=(12, 6, 2)).astype(np.float32),  # Sequences (N, T, F).
        RNG.normal(size=(12, 4, 2, 1)),  # Was refused as not 2-D before.
        RNG.random((12, 3)) > 0.5,  # Booleans are numbers.
    ],
)
def test_float_features_of_any_shape_load_as_float32(tmp_path, features):
    data = load_data(saved(tmp_path, X=features, y=LABELS))
    assert data.features.dtype == np.float32 and data.feature_scale == 1.0
    np.testing.assert_array_equal(data.features, features.astype(np.float32))
    assert data.feature_shape == features.shape[1:]
    assert data.num_features == int(np.prod(features.shape[1:]))
    np.testing.assert_array_equal(data.labels, LABELS)
    assert data.num_classes == 3


def test_uint8_images_are_scaled_to_one_and_record_the_scale(tmp_path):
    pixels = RNG.integers(0, 256, size=(12, 7, 5), dtype=np.uint8)
    pixels[0, 0, 0], pixels[1, 0, 0] = 0, 255
    data = load_data(saved(tmp_path, X=pixels, y=LABELS))
    assert data.features.dtype == np.float32 and data.feature_shape == (7, 5)
    np.testing.assert_array_equal(data.features, (pixels / 255).astype(np.float32))
    assert data.features.min() == 0.0 and data.features.max() == 1.0
    assert data.feature_scale == 1 / 255
    # A subset (a validation split) keeps the record and is not scaled twice.
    part = data.subset(np.arange(4), "part")
    assert part.feature_scale == 1 / 255
    np.testing.assert_array_equal(part.features, (pixels[:4] / 255).astype(np.float32))


def test_integer_features_are_token_ids_held_exactly(tmp_path):
    """Token ids (N, T) load as exact float32 values; an Embedding casts them back."""
    ids = RNG.integers(0, 1000, size=(12, 9))
    data = load_data(saved(tmp_path, X=ids, y=LABELS))
    assert data.features.dtype == np.float32 and data.feature_shape == (9,)
    assert data.feature_scale == 1.0
    np.testing.assert_array_equal(data.features.astype(np.int64), ids)
    embedding = keras.layers.Embedding(1000, 2)
    from_floats, from_ids = embedding(data.features), embedding(ids)
    assert tuple(from_floats.shape) == (12, 9, 2)
    np.testing.assert_array_equal(from_floats, from_ids)


def test_uint8_tables_are_not_scaled():
    """Only uint8 images (two or more axes per sample) are scaled by 1/255."""
    table = np.array([[0, 255], [7, 9], [1, 2]], np.uint8)
    data = Data(table, [0, 1, 0])
    np.testing.assert_array_equal(data.features, table.astype(np.float32))
    assert data.feature_scale == 1.0


def test_split_validation_keeps_the_sample_shape():
    images = RNG.normal(size=(40, 3, 4, 2))
    labels = np.arange(40) % 2
    data = Data(images, labels, "images")
    training, validation = split_validation(data, 0.25, seed=1)
    assert (training.num_samples, validation.num_samples) == (30, 10)
    assert training.feature_shape == validation.feature_shape == (3, 4, 2)
    # Every sample lands on exactly one side, with its own label.
    together = np.concatenate([training.features, validation.features]).reshape(40, -1)
    rows = {tuple(row): index for index, row in enumerate(data.features.reshape(40, -1))}
    indices = sorted(rows[tuple(row)] for row in together)
    assert indices == list(range(40))
    order = [rows[tuple(row)] for row in together]
    np.testing.assert_array_equal(
        np.concatenate([training.labels, validation.labels]), labels[order]
    )


def keras_layout(train_size=12, test_size=6, shape=(28, 28)):
    """Arrays as Keras's mnist.npz holds them: uint8 images, uint8 labels."""
    return {
        "x_train": RNG.integers(0, 256, (train_size, *shape), dtype=np.uint8),
        "y_train": (np.arange(train_size) % 10).astype(np.uint8),
        "x_test": RNG.integers(0, 256, (test_size, *shape), dtype=np.uint8),
        "y_test": (np.arange(test_size) % 3).astype(np.uint8),
    }


def test_keras_layout_gives_training_and_test_parts(tmp_path):
    arrays = keras_layout()
    path = saved(tmp_path, "mnist.npz", **arrays)
    training, test = load_data_splits(path)
    assert training.features.shape == (12, 28, 28) and test.features.shape == (6, 28, 28)
    np.testing.assert_array_equal(training.features, (arrays["x_train"] / 255).astype(np.float32))
    np.testing.assert_array_equal(test.features, (arrays["x_test"] / 255).astype(np.float32))
    np.testing.assert_array_equal(test.labels, arrays["y_test"])
    # The test part lacks classes 3..9 but keeps the training part's 10.
    assert training.num_classes == test.num_classes == 10
    assert test.feature_scale == training.feature_scale == 1 / 255
    only_training = load_data(path)
    np.testing.assert_array_equal(only_training.features, training.features)


def test_csv_and_xy_files_have_no_test_part(tmp_path):
    (tmp_path / "points.csv").write_text("1,2,0\n3,4,1\n")
    training, test = load_data_splits(str(tmp_path / "points.csv"))
    assert test is None and training.features.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    training, test = load_data_splits(saved(tmp_path, X=np.zeros((12, 2, 2)), y=LABELS))
    assert test is None and training.feature_shape == (2, 2)


def test_memory_check_counts_the_arrays_read(tmp_path, monkeypatch):
    arrays = keras_layout()
    path = saved(tmp_path, "mnist.npz", **arrays)
    monkeypatch.setattr("kerasclf.data.npz_arrays.available_memory", lambda: 100)
    headers = 128  # Bytes of each .npy header.
    training = sum(arrays[name].nbytes + headers for name in ("x_train", "y_train"))
    with pytest.raises(ValueError, match=f"arrays x_train and y_train need {training} bytes"):
        load_data(path)
    everything = sum(array.nbytes + headers for array in arrays.values())
    with pytest.raises(
        ValueError, match=f"arrays x_train, y_train, x_test and y_test need {everything} bytes"
    ):
        load_data_splits(path)


def bad_layouts():
    keras = keras_layout(shape=(4, 4))
    ids = {
        "x_train": np.arange(84).reshape(12, 7) % 5,
        "y_train": LABELS,
        "x_test": np.arange(42).reshape(6, 7) % 5,
        "y_test": LABELS[:6],
    }
    return [
        (
            {"X": np.zeros((12, 2)), "y": LABELS, **keras},
            ValueError,
            "holds arrays 'X' and 'y', or Keras's 'x_train', 'y_train', 'x_test' and 'y_test', "
            "not both layouts",
        ),
        (
            {"x_train": keras["x_train"], "y_train": keras["y_train"]},
            ValueError,
            "must hold arrays 'X' and 'y', or Keras's 'x_train', 'y_train', 'x_test' and "
            "'y_test'. Received arrays ['x_train', 'y_train'], missing ['x_test', 'y_test']",
        ),
        ({**keras, "x_test": keras["x_test"][:, :3]}, ValueError, "x_test must hold samples"),
        (
            {**keras, "x_test": keras["x_test"].astype(np.float32)},
            ValueError,
            "dtype float32 in x_test, (4, 4) and uint8 in x_train",
        ),
        (  # Numbers to train on, token ids to test on: read two ways.
            {**ids, "x_train": RNG.normal(size=(12, 7))},
            ValueError,
            "dtype int64 in x_test, (7,) and float64 in x_train",
        ),
        (
            {**ids, "x_test": np.full((6, 7), 9)},
            ValueError,
            "x_test holds token ids up to 9, past x_train's 0..4, which set the vocabulary. "
            "Save the file with the number of ids: np.savez(path, ..., vocabulary_size=10)",
        ),
        (
            {**keras, "y_test": np.array([0, 1, 2, 3, 4, 10])},
            ValueError,
            "(x_test, y_test): labels must be integers 0..9, so at most 9 here. Received 10 in "
            "row 5",
        ),
        ({"X": np.array([["a", "b"]] * 12), "y": LABELS}, TypeError, "dtype <U1"),
        (
            {"X": np.zeros(12, dtype=[("a", "f4"), ("b", "i4")]), "y": LABELS},
            TypeError,
            "must be numbers",
        ),
        ({"X": np.ones((12, 2), complex), "y": LABELS}, TypeError, "dtype complex128"),
        ({"X": np.arange(12.0), "y": LABELS}, ValueError, "reshape them to (N, 1)"),
        ({"X": np.zeros((12, 0, 3)), "y": LABELS}, ValueError, "non-empty"),
        ({"X": np.zeros((12, 2, 2)), "y": LABELS + 1}, ValueError, "missing [0]"),
        ({"X": np.zeros((12, 2, 2)), "y": LABELS[:-1]}, ValueError, "samples: [12, 11]"),
    ]


@pytest.mark.parametrize("arrays, error, message", bad_layouts())
def test_bad_npz_files_raise_one_line(tmp_path, arrays, error, message):
    path = saved(tmp_path, **arrays)
    with pytest.raises(error, match=re.escape(message)) as raised:
        load_data_splits(path)
    assert one_line(raised).startswith(path)


def test_a_nan_in_an_image_names_the_sample(tmp_path):
    images = RNG.normal(size=(12, 3, 3, 1))
    images[7, 2, 1, 0] = np.nan
    images[9, 0, 0, 0] = np.inf
    with pytest.raises(
        ValueError, match="NaN or infinity in sample 7, the first of 2 such"
    ) as error:
        load_data(saved(tmp_path, X=images, y=LABELS))
    assert "Remove or fix" in one_line(error)


def test_streams_report_a_table_shape():
    stream = generated_stream("blobs", 1000)
    assert (stream.feature_shape, stream.feature_scale) == ((2,), 1.0)


def python_csv_values(text: str) -> list[list[float]]:
    """The reference: Python's csv module and float(), blank rows and a header skipped."""
    rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    try:
        [float(cell) for cell in rows[0]]
    except ValueError:
        rows = rows[1:]
    return [[float(cell) for cell in row] for row in rows]


@pytest.mark.parametrize(
    "text",
    [
        "1.5,2,0\n-1,0.5,1\n",
        "\n\nx1,x2,label\n\n1.5,2,0\r\n-1e3,.5,1\r\n",  # Blank lines, then a header.
        '"1",2,0\n3," 4 ",1\n',  # Quoted numbers and spaces.
        "1,2,0\n , ,\n3,4,1\n",  # A row of blanks is no row (numpy alone refuses it).
        "1_000,2,0\n3,4,1\n",  # Python reads 1_000; numpy does not.
        "inf,-Infinity,0\nnan,1e500,1\n",
        "\ufeffx,label\n7,1\n",  # A byte-order mark.
    ],
)
def test_csv_values_equal_pythons_reading(tmp_path, text):
    path = tmp_path / "points.csv"
    path.write_bytes(text.encode())
    values = read_csv_values(str(path))
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, python_csv_values(text.lstrip("\ufeff")))
