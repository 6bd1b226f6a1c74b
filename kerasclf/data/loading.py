"""The user's data files as `Data`: CSV, `.npz` (Keras's train/test layout too) and text.

- CSV: the features in every column but the last, the 0/1 (or 0..k-1) label
  in the last (a float target with task="regression"), header optional.
  Always a table.
- `.npz` with arrays `X` (num_samples, *feature_shape) and `y`: tables,
  images, float sequences (N, T, F), or integer token ids (N, T) with an
  optional scalar `vocabulary_size` (else the largest id + 1). With
  task="regression", `y` holds float targets (N,) or (N, k).
- `.npz` in Keras's dataset layout (as `mnist.npz`): `x_train`, `y_train`,
  `x_test`, `y_test`; the test part is the test set.
- `.txt`: a UTF-8 text, as windows of `sequence_length` characters labelled
  with the next character (`kerasclf.data.text_corpus`).
"""

from __future__ import annotations

import os

import numpy as np

from kerasclf.data.checks import check_finite_samples, check_label_values, data_row_name
from kerasclf.data.csv_files import read_csv_values
from kerasclf.data.files import is_shard_glob
from kerasclf.data.labelled import TASKS, Data, reads_as_token_ids
from kerasclf.data.npz_arrays import (
    VOCABULARY_SIZE_ARRAY,
    npz_features_header,
    read_npz_arrays,
)
from kerasclf.data.text_corpus import character_windows, read_text
from kerasclf.validation import (
    check_choice,
    check_file_exists,
    closest_path,
    check_integer,
    shown,
    suggests_keywords,
)
from kerasclf.npz_files import UNREADABLE_NPZ_ERRORS


EXTENSIONS = (".csv", ".npz", ".txt")


@suggests_keywords
def load_data(
    path: str,
    *,
    task: str = "classification",
    sequence_length: int = 100,
    stride: int = 1,
    num_classes: int | None = None,
) -> Data:
    """Loads a CSV, `.npz` or `.txt` file of labelled samples: its training part.

    CSV: features in every column but the last, the label in the last; an
    optional header row. NPZ: arrays `X` (num_samples, *feature_shape) and
    `y` (and an optional scalar `vocabulary_size` for token ids), or Keras's
    `x_train`, `y_train`, `x_test`, `y_test` (only the training arrays are
    read; `load_data_splits` reads the test part too). TXT: windows of
    `sequence_length` characters, `stride` apart, each labelled with the
    next character.

    Args:
        path: The file.
        task: "classification" (class labels) or "regression" (float
            targets); a text is always classification.
        sequence_length: Characters per window of a `.txt` file.
        stride: Characters between windows of a `.txt` file.
        num_classes: The number of classes, when known (a trained model's):
            the file's labels must lie in 0..num_classes-1, and may lack some
            of them. None to infer it from the labels, every class present.

    Raises:
        ValueError: with the file, line and cell at fault.

    Example:
        >>> data = load_data("points.csv")  # doctest: +SKIP
        >>> text = load_data("shakespeare.txt", sequence_length=40)  # doctest: +SKIP
    """
    return _load(path, False, task, sequence_length, stride, num_classes)[0]


@suggests_keywords
def load_data_splits(
    path: str,
    *,
    task: str = "classification",
    sequence_length: int = 100,
    stride: int = 1,
) -> tuple[Data, Data | None]:
    """Loads a CSV, `.npz` or `.txt` file as `(training, test)`.

    The test part is the `x_test`, `y_test` arrays of an `.npz` in Keras's
    layout, with the training part's number of classes, sample shape and
    vocabulary size; it is None for a CSV or text file and for an `.npz` of
    `X` and `y`. The keywords are `load_data`'s.

    Raises:
        ValueError: with the file and the array, line or cell at fault.

    Example:
        >>> training, test = load_data_splits("mnist.npz")  # doctest: +SKIP
        >>> training.feature_shape, test.num_samples  # doctest: +SKIP
        ((28, 28), 10000)
    """
    return _load(path, True, task, sequence_length, stride)


def check_data_path(path: str) -> str:
    """Refuses a data file of another type than `EXTENSIONS`, or one that does not exist.

    Returns:
        The file's extension, lower case.

    Example:
        >>> check_data_path("README.md")
        Traceback (most recent call last):
        ...
        ValueError: `data` must be a .csv, .npz or .txt file. Received: data='README.md'. Save the points as CSV (label in the last column) or as .npz with X and y, or a text as UTF-8 .txt.
    """  # noqa: E501
    extension = os.path.splitext(path)[1].lower()
    if extension not in EXTENSIONS and not os.path.isdir(path):  # A folder: "must be a file".
        typo = "" if os.path.exists(path) else closest_path(path, _is_data_file)
        raise ValueError(
            f"`data` must be a .csv, .npz or .txt file. Received: data={path!r}.{typo} "
            "Save the points as CSV (label in the last column) or as .npz with X and y, or a "
            "text as UTF-8 .txt."
        )
    check_file_exists("data", path)
    return extension


def _is_data_file(path: str) -> bool:
    """Whether `path` is a file kerasclf reads as data (`EXTENSIONS`), for typo hints."""
    return os.path.isfile(path) and path.lower().endswith(EXTENSIONS)


def _load(
    path: str,
    with_test: bool,
    task: str,
    sequence_length: int,
    stride: int,
    num_classes: int | None = None,
) -> tuple[Data, Data | None]:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"`data` must be a file path. Received: data={shown(path)} of type "
            f"{type(path).__name__}. For arrays, make a Data (kerasclf.Data(features, labels)), "
            'or save them first: numpy.savez("data.npz", X=features, y=labels).'
        )
    path = os.fspath(path)
    task = check_choice("task", task, TASKS)
    sequence_length = check_integer("sequence_length", sequence_length, minimum=1)
    stride = check_integer("stride", stride, minimum=1)
    if is_shard_glob(path):
        raise ValueError(
            f"`data` here is one file, and a glob of CSV shards streams. Received: data={path!r}. "
            "Train on the shards with kerasclf.train(data=...), or read them chunk by chunk with "
            "kerasclf.data.csv_streams.open_csv_data."
        )
    extension = check_data_path(path)
    try:
        if extension == ".txt":
            return _load_text(path, task, sequence_length, stride), None
        if extension == ".npz":
            return _data_from_arrays(path, read_npz_arrays(path, with_test), task, num_classes)
        return _load_csv(path, task, num_classes), None
    except MemoryError:
        raise ValueError(
            f"{path}: the points do not fit in memory ({os.path.getsize(path)} bytes on disk). "
            "Stream a CSV file instead (--streaming true, or a glob of CSV shards); an .npz "
            "file is always loaded whole."
        ) from None


def _load_text(path: str, task: str, sequence_length: int, stride: int) -> Data:
    """A text file as character windows (`kerasclf.data.text_corpus`)."""
    if task != "classification":
        raise ValueError(
            f"{path}: a text file is data for classification (the next character is a class). "
            f"Received: task={task!r}. Use task='classification'."
        )
    return character_windows(read_text(path), sequence_length, stride, source=path)


def _data_from_arrays(
    path: str, arrays: dict[str, np.ndarray], task: str, num_classes: int | None = None
) -> tuple[Data, Data | None]:
    """`(training, test)` from the arrays of an .npz file's layout."""
    vocabulary_size = _vocabulary_size(path, arrays)
    known = {"num_classes": num_classes, "vocabulary_size": vocabulary_size}
    if "X" in arrays:
        return Data(arrays["X"], arrays["y"], path, task=task, **known), None
    training = Data(
        arrays["x_train"], arrays["y_train"], f"{path} (x_train, y_train)", task=task, **known
    )
    if "x_test" not in arrays:
        return training, None
    x_train, x_test = arrays["x_train"], arrays["x_test"]
    mismatch = ValueError(
        f"{path}: x_test must hold samples like x_train's. Received samples of shape "
        f"{x_test.shape[1:]} and dtype {x_test.dtype} in x_test, {x_train.shape[1:]} and "
        f"{x_train.dtype} in x_train. Save both with the same sample shape and dtype."
    )
    if x_test.shape[1:] != x_train.shape[1:]:
        raise mismatch
    test = Data(
        x_test,
        arrays["y_test"],
        f"{path} (x_test, y_test)",
        training.num_classes,
        task=task,
        vocabulary_size=vocabulary_size,
    )
    if _read_as(test) != _read_as(training):
        raise mismatch  # Token ids against numbers, or pixels scaled against unscaled.
    if test.vocabulary_size is not None and test.vocabulary_size > training.vocabulary_size:
        raise ValueError(
            f"{path}: x_test holds token ids up to {test.vocabulary_size - 1}, past x_train's "
            f"0..{training.vocabulary_size - 1}, which set the vocabulary. Save the file with "
            f"the number of ids: np.savez(path, ..., vocabulary_size={test.vocabulary_size})."
        )
    return training, test


def _read_as(data: Data) -> tuple:
    """How samples were read: their dtype and scale, and whether as token ids."""
    return data.features.dtype, data.feature_scale, data.vocabulary_size is None


def _vocabulary_size(path: str, arrays: dict[str, np.ndarray]) -> int | None:
    """The .npz file's scalar `vocabulary_size`, or None without one."""
    if VOCABULARY_SIZE_ARRAY not in arrays:
        return None
    value = arrays[VOCABULARY_SIZE_ARRAY]
    if value.shape != () or value.dtype.kind not in "iu" or value < 1:
        raise ValueError(
            f"{path}: `vocabulary_size` must be one integer >= 1, the number of token ids. "
            f"Received an array of shape {value.shape} and dtype {value.dtype}"
            + (f": {value.item()!r}." if value.shape == () else ".")
            + " Save it as np.savez(path, X=ids, y=labels, vocabulary_size=45)."
        )
    return int(value)


def is_text_file(path) -> bool:
    """Whether `path` names a text corpus: a `.txt` file, in any case.

    Example:
        >>> is_text_file("corpus.TXT"), is_text_file("points.csv"), is_text_file(None)
        (True, False, False)
    """
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    return isinstance(path, str) and path.lower().endswith(".txt")


def data_file_kind(path: str) -> str:
    """What a data file holds, as a named dataset's `kind`, read from its name and headers.

    "text" for a .txt file; "points" for CSV (a table of numbers) and for an
    .npz of float features (N, k); "images" for an .npz of (N, H, W) or
    (N, H, W, C); "sequences" for (N, T, F) and for integers (N, T) that the
    loader reads as token ids (`labelled.reads_as_token_ids`, or with a
    `vocabulary_size`). Only the .npz array's header is read, and the
    integers' values; a file that cannot be read counts as "points" (its
    loading then says what is wrong).

    Example:
        >>> data_file_kind("corpus.txt"), data_file_kind("shards/*.csv")
        ('text', 'points')
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"`path` must be the path of a data file. Received: path={path!r} of type "
            f"{type(path).__name__}. Pass it as a string, e.g. 'points.csv'."
        )
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    if extension == ".txt":
        return "text"
    if extension != ".npz" or is_shard_glob(path):
        return "points"
    try:
        shape, dtype, names = npz_features_header(path)
        if len(shape) == 2 and dtype.kind in "iu" and VOCABULARY_SIZE_ARRAY not in names:
            with np.load(path, allow_pickle=False) as archive:  # Ids >= 0, as the loader asks.
                features = archive["X" if "X" in names else "x_train"]
            return "sequences" if reads_as_token_ids(dtype, features) else "points"
    except (*UNREADABLE_NPZ_ERRORS, StopIteration):
        return "points"
    if len(shape) == 2:
        return "sequences" if VOCABULARY_SIZE_ARRAY in names else "points"
    return (
        "images"
        if len(shape) == 4 or (len(shape) == 3 and dtype.kind == "u")
        else ("sequences" if len(shape) == 3 else "points")
    )


def _load_csv(path: str, task: str, num_classes: int | None = None) -> Data:
    values = read_csv_values(path)
    if values.shape[1] < 2:
        raise ValueError(
            f"{path}: each CSV row needs at least one feature column and a label column. "
            f"Received {values.shape[1]} column(s)."
        )
    # A bad point or label named by its data row, as a spreadsheet counts.
    with np.errstate(over="ignore"):
        finite = np.isfinite(values[:, :-1].astype(np.float32)).all(axis=1)
    check_finite_samples(finite, path, where=data_row_name)
    if task == "classification":
        check_label_values(values[:, -1], path, num_classes, where=data_row_name)
    return Data(values[:, :-1], values[:, -1], source=path, task=task, num_classes=num_classes)
