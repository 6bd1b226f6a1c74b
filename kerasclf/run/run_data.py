"""`load_run_data`: a file of samples, read as a trained run reads its own.

A character model's run (one that saved `vocabulary.json`) reads a `.txt`
file as windows of its own `sequence_length`, each character encoded with
its own vocabulary, and a CSV or `.npz` file's features as token ids of
that vocabulary. Any other run reads the file with `kerasclf.data.load_data`
and the run's number of classes (`num_classes` in its config.json), so that a
file may hold only some of them; a regression's run reads its targets. No
TensorFlow here: the command line checks the data before it loads.
"""

from __future__ import annotations

import os
import shlex

import numpy as np

from kerasclf.atomic_files import read_json
from kerasclf.run.directory import CONFIG_FILE
from kerasclf.data import Data, load_data
from kerasclf.data.checks import data_row_name, row_name
from kerasclf.data.csv_files import csv_column_count
from kerasclf.data.loading import is_text_file
from kerasclf.data.text_corpus import character_windows, read_text
from kerasclf.data.vocabulary import VOCABULARY_FILE, Vocabulary, check_token_ids
from kerasclf.validation import check_integer


def run_vocabulary(run_dir: str) -> Vocabulary | None:
    """The vocabulary a character model's run saved, or None for a run of another model."""
    path = os.path.join(run_dir, VOCABULARY_FILE)
    return Vocabulary.load(path) if os.path.isfile(path) else None


def load_run_data(run_dir: str, path: str) -> Data:
    """The labelled samples of the file `path`, as the run in `run_dir` reads them.

    Raises:
        ValueError: one line: a bad file, characters outside a text run's
            vocabulary, or features that are not its token ids.

    Example:
        >>> data = load_run_data("logs/grammar-lstm", "more_text.txt")  # doctest: +SKIP
        >>> data.features.shape  # Windows of the run's 40 characters.  # doctest: +SKIP
        (1960, 40)
    """
    config = run_config(run_dir)
    if config.get("task") == "regression":
        _check_label_column(run_dir, path, config, "target")
        return _load_numbers(path, config)
    vocabulary = run_vocabulary(run_dir)
    if vocabulary is None:
        _check_label_column(run_dir, path, config)
        return _load_classes(path, config)
    if is_text_file(path):
        length = _sequence_length(run_dir, config)
        return character_windows(read_text(path), length, source=path, vocabulary=vocabulary)
    data = load_data(path, num_classes=vocabulary.size)
    check_token_ids(data.features, vocabulary.size, data.source)
    return data


def _check_label_column(run_dir: str, path: str, config: dict, what: str = "label") -> None:
    """Refuses a CSV file of features alone, which would be read as features and a `what`.

    Its last feature would pass for labels or targets (or fail as labels that
    are not classes), and the error would not say what is missing.
    """
    shape = config.get("feature_shape")
    flat = isinstance(shape, list) and len(shape) == 1 and type(shape[0]) is int
    columns = csv_column_count(path) if flat else None
    if columns is not None and columns == shape[0]:
        raise ValueError(
            f"{path}: evaluating needs each point's {what} in a last column, and this file has "
            f"{columns} columns, the {columns} features of the run's model. Received: "
            f"data={os.fspath(path)!r}. Add the {what}s as a last column, or get the model's "
            f"predictions with `kerasclf predict --run {shlex.quote(run_dir)} --data "
            f"{shlex.quote(os.fspath(path))}`."
        )


def run_config(run_dir: str) -> dict:
    """A run's config.json; empty when unreadable (its model is checked when it loads)."""
    try:
        config = read_json(os.path.join(run_dir, CONFIG_FILE))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def _sequence_length(run_dir: str, config: dict) -> int:
    """The window length a text run was trained on, from its config.json."""
    try:
        return check_integer("sequence_length", config["sequence_length"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"{run_dir}: its config.json does not give the sequence_length its model was "
            "trained on, so a .txt file cannot be cut into its windows. Evaluate a run that "
            "`kerasclf train` wrote whole."
        ) from None


def _load_classes(path: str, config: dict) -> Data:
    """Samples labelled with some of the run's classes (inferred for a run that did not say).

    A file that does not read as the run's classes is named for how it does
    not fit the run (samples of another shape, labels past its classes),
    where that is what is wrong, rather than by the rules of training data.
    """
    num_classes = config.get("num_classes")
    try:
        return load_data(path, num_classes=num_classes)
    except ValueError:
        if num_classes is None:
            raise
        try:  # The file's numbers as they are, to say how they do not fit the run.
            numbers = load_data(path, task="regression")
        except ValueError:
            numbers = None
        mismatch = None if numbers is None else _mismatch_with_run(numbers, config)
        if mismatch is None:
            raise
        raise ValueError(mismatch) from None


def _load_numbers(path: str, config: dict) -> Data:
    """A regression run's samples and targets, refused in one line if not of its shape."""
    data = load_data(path, task="regression")
    mismatch = _shape_mismatch(data, config)
    if mismatch is not None:
        raise ValueError(mismatch)
    return data


def _mismatch_with_run(data: Data, config: dict) -> str | None:
    """How `data`'s samples or labels do not fit the run's model, or None if they do."""
    mismatch = _shape_mismatch(data, config)
    if mismatch is not None:
        return mismatch
    return labels_past_the_run(data, int(config["num_classes"]))


def _shape_mismatch(data: Data, config: dict) -> str | None:
    """How `data`'s samples are not of the run's sample shape, or None if they are."""
    shape = config.get("feature_shape")
    received = tuple(int(size) for size in data.features.shape[1:])
    if isinstance(shape, list) and tuple(shape) != received:
        return (
            f"{data.source}: the run's model takes samples of shape {tuple(shape)}, but the "
            f"file's samples have shape {received}. Give it data with the features it was "
            "trained on."
        )
    return None


def labels_past_the_run(data: Data, num_classes: int) -> str | None:
    """Why `data`'s labels are not all the run's classes 0..num_classes-1, or None.

    Example:
        >>> labels_past_the_run(Data([[0.0], [1.0]], [0, 2], "points.csv", num_classes=3), 2)
        "points.csv: the run's model tells 2 classes apart, 0..1. Received label 2 in data row 2 (the header not counted). Evaluate on data labelled with the run's classes."
    """  # noqa: E501
    labels = np.asarray(data.labels, dtype=np.float64)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:  # Not one label per sample: the rules of labels say so.
        return None
    fits = (labels == np.round(labels)) & (labels >= 0) & (labels < num_classes)
    if fits.all():
        return None
    row = int(np.argmin(fits))
    where = data_row_name if str(data.source).lower().endswith(".csv") else row_name
    label = labels[row].item()
    return (
        f"{data.source}: the run's model tells {num_classes} classes apart, "
        f"0..{num_classes - 1}. Received label {int(label) if label.is_integer() else label} "
        f"in {where(row)}. Evaluate on data labelled with the run's classes."
    )
