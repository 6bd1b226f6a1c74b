"""Datasets: the seminar's named synthetic sets, and the user's own files.

Every set is a `Data`: float32 features of shape (num_samples, num_features)
and integer labels 0..k-1 of shape (num_samples,). `Data` checks its arrays
when it is made, so bad data fails at load time with one clear line, before
anything trains.

Named sets (`kerasclf datasets` lists them), each seeded:

    seminar_blobs  class 0 ~ N((-4,-4), 20 I), class 1 ~ N((4,4), 20 I); 100 each.
                   `noise` is the variance (default 20).
    hand_line      uniform in [-5, 5]^2, label 1 where x2 + 1.23 x1 - 0.55 > 0.
                   `noise` is the fraction of labels flipped (default 0).
    circle         disc of radius 2.5 (label 1) against a ring at 3.5-5 (label 0).
    xor            uniform in [-5, 5]^2 kept 0.3 off the axes; label 1 where x1 x2 > 0.
    gauss          N((2,2)) (label 1) against N((-2,-2)) (label 0).
    spiral         two interleaved arms of radius up to 5.
    blobs          3 Gaussian blobs, labels 0, 1, 2: the multi-class case.

The last five have 500 points and `noise` in [0, 1], 0 by default; circle,
xor, gauss and spiral follow TensorFlow Playground (whose slider goes to 0.5).

Files: a CSV with the features in every column but the last and the 0/1 (or
0..k-1) label in the last, header optional; or an `.npz` with arrays `X`, `y`.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
from collections.abc import Callable

import numpy as np

from kerasclf.validation import MAX_INTEGER, check_choice, check_integer, check_number


@dataclasses.dataclass(frozen=True)
class Data:
    """Labelled points, checked on creation.

    Args:
        features: Finite numbers, shape (num_samples, num_features).
        labels: Integers 0..k-1 with k >= 2 classes all present, shape
            (num_samples,).
        source: Where the data came from, for error messages.
        num_classes: The number of classes k, when known (a validation split
            may lack a class); None to infer it and require every class.

    Example:
        >>> data = Data(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1]))
        >>> data.num_samples, data.num_features, data.num_classes
        (2, 2, 2)
    """

    features: np.ndarray
    labels: np.ndarray
    source: str = "data"
    num_classes: int | None = None

    def __post_init__(self):
        features, labels = check_arrays(self.features, self.labels, self.source, self.num_classes)
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "labels", labels)
        if self.num_classes is None:
            object.__setattr__(self, "num_classes", int(labels.max()) + 1)

    @property
    def num_samples(self) -> int:
        return int(self.features.shape[0])

    @property
    def num_features(self) -> int:
        return int(self.features.shape[1])

    def subset(self, rows: np.ndarray, source: str) -> Data:
        return Data(self.features[rows], self.labels[rows], source, self.num_classes)


def check_arrays(
    features, labels, source: str = "data", num_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Checks and converts features and labels, raising one clear line.

    With `num_classes` None, the labels must be 0..k-1 with every class
    present; otherwise they must lie in 0..num_classes-1.

    Returns:
        `(features, labels)` as float32 (num_samples, num_features) and int32
        (num_samples,) arrays.
    """
    try:
        features = np.asarray(features)
        labels = np.asarray(labels)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{source}: features and labels must be numeric arrays ({error}).")
    if (
        features.dtype == object
        or np.iscomplexobj(features)
        or not (np.issubdtype(features.dtype, np.number) or features.dtype == bool)
    ):
        raise TypeError(
            f"{source}: features must be numbers. Received an array of dtype "
            f"{features.dtype}. Convert the data to floats first."
        )
    if features.ndim != 2 or features.shape[0] == 0 or features.shape[1] == 0:
        raise ValueError(
            f"{source}: features must be a non-empty 2-D array (num_samples, "
            f"num_features). Received shape {features.shape}."
        )
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"{source}: labels must be a 1-D array (num_samples,). Received shape {labels.shape}."
        )
    if len(labels) != len(features):
        raise ValueError(
            f"{source}: features and labels have different numbers of samples: "
            f"[{len(features)}, {len(labels)}]. Give one label per row."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        features = features.astype(np.float32)
    bad_rows = np.flatnonzero(~np.isfinite(features).all(axis=1))
    if len(bad_rows):
        raise ValueError(
            f"{source}: features must be finite float32 numbers. Received NaN, inf "
            f"or a value too large for float32 in row {bad_rows[0]} "
            f"({len(bad_rows)} row(s) in all). Remove or fix those rows."
        )
    if (
        labels.dtype == object
        or np.iscomplexobj(labels)
        or not (np.issubdtype(labels.dtype, np.number) or labels.dtype == bool)
    ):
        raise TypeError(f"{source}: labels must be integers 0..k-1. Received dtype {labels.dtype}.")
    with np.errstate(invalid="ignore"):
        integral = np.isfinite(labels) & (labels == np.round(labels)) & (labels >= 0)
    if not integral.all():
        row = int(np.flatnonzero(~integral)[0])
        raise ValueError(
            f"{source}: labels must be integers 0..k-1. Received {labels[row].item()!r} in row "
            f"{row}."
        )
    if num_classes is not None:
        num_classes = check_integer("num_classes", num_classes, minimum=2)
        expected, largest = f"0..{num_classes - 1}", num_classes - 1
    else:  # Class numbers are int32.
        expected, largest = "0..k-1", MAX_INTEGER
    if labels.max() > largest:
        row = int(np.argmax(labels))
        raise ValueError(
            f"{source}: labels must be integers {expected}, so at most {largest} here. "
            f"Received {labels[row].item()!r} in row {row}. Renumber the classes 0, 1, ..., k-1."
        )
    labels = labels.astype(np.int64)
    if num_classes is not None:
        return features, labels.astype(np.int32)
    present = np.unique(labels)
    if len(present) < 2:
        raise ValueError(
            f"{source}: labels must hold at least 2 classes. Received only "
            f"class {present.tolist()}. A classifier needs examples of each class."
        )
    if present[-1] != len(present) - 1:
        missing = missing_classes(present)
        raise ValueError(
            f"{source}: labels must be integers 0..k-1 with every class present. "
            f"Received classes {present.tolist()[:10]}, missing {missing[:10]}. "
            "Renumber the classes 0, 1, ..., k-1."
        )
    return features, labels.astype(np.int32)


def missing_classes(present, limit: int = 10) -> list[int]:
    """The first `limit` classes in 0..max(present) that `present` lacks.

    Example:
        >>> missing_classes([0, 2, 5])
        [1, 3, 4]
    """
    present = set(int(label) for label in present)
    largest = max(present)
    missing, label = [], 0
    while len(missing) < limit and label < largest:
        if label not in present:
            missing.append(label)
        label += 1
    return missing


# Generators: (num_samples, noise, random generator) -> (features, labels).


def seminar_blobs(num_samples: int, noise: float, rng: np.random.Generator):
    """Class 0 ~ N((-4,-4), noise I) and class 1 ~ N((4,4), noise I)."""
    num_zeros = num_samples // 2
    covariance = noise * np.eye(2)
    zeros = rng.multivariate_normal([-4.0, -4.0], covariance, num_zeros)
    ones = rng.multivariate_normal([4.0, 4.0], covariance, num_samples - num_zeros)
    labels = np.repeat([0, 1], [num_zeros, num_samples - num_zeros])
    return np.concatenate([zeros, ones]), labels


# The slide's line x2 + 1.23 x1 - 0.55 = 0, as (w1, w2, b) of w1 x1 + w2 x2 + b = 0.
SLIDE_LINE = (1.23, 1.0, -0.55)


def hand_line(num_samples: int, noise: float, rng: np.random.Generator):
    """Uniform in [-5, 5]^2, labelled by the slide's line x2 + 1.23 x1 - 0.55 > 0."""
    features = rng.uniform(-5.0, 5.0, size=(num_samples, 2))
    w1, w2, b = SLIDE_LINE
    labels = (w2 * features[:, 1] + w1 * features[:, 0] + b > 0).astype(int)
    flipped = rng.random(num_samples) < noise
    return features, np.where(flipped, 1 - labels, labels)


def circle(num_samples: int, noise: float, rng: np.random.Generator):
    """Disc of radius 2.5 (label 1) against a ring at radius 3.5-5 (label 0)."""
    num_inner = num_samples // 2
    radius = np.concatenate(
        [
            rng.uniform(0.0, 2.5, num_inner),
            rng.uniform(3.5, 5.0, num_samples - num_inner),
        ]
    )
    angle = rng.uniform(0.0, 2 * math.pi, num_samples)
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    points += rng.uniform(-5.0, 5.0, points.shape) * noise
    # As in Playground, the label follows the (noisy) point's distance.
    labels = (np.hypot(points[:, 0], points[:, 1]) < 3.0).astype(int)
    return points, labels


def xor(num_samples: int, noise: float, rng: np.random.Generator):
    """Uniform in [-5, 5]^2, 0.3 off the axes; label 1 where x1 * x2 > 0."""
    points = rng.uniform(-5.0, 5.0, size=(num_samples, 2))
    points += np.where(points > 0, 0.3, -0.3)
    points += rng.uniform(-5.0, 5.0, points.shape) * noise
    return points, (points[:, 0] * points[:, 1] > 0).astype(int)


def gauss(num_samples: int, noise: float, rng: np.random.Generator):
    """N((2,2), s^2 I) (label 1) against N((-2,-2), s^2 I) (label 0).

    The variance s^2 grows from 0.5 at noise 0 to 4 at noise 0.5, as in Playground.
    """
    variance = 0.5 + 7.0 * noise
    num_ones = num_samples // 2
    ones = rng.normal(2.0, math.sqrt(variance), size=(num_ones, 2))
    zeros = rng.normal(-2.0, math.sqrt(variance), size=(num_samples - num_ones, 2))
    labels = np.repeat([1, 0], [num_ones, num_samples - num_ones])
    return np.concatenate([ones, zeros]), labels


def spiral(num_samples: int, noise: float, rng: np.random.Generator):
    """Two interleaved arms r = 5 t, angle = 3.5 pi t (+ pi for label 0)."""
    num_ones = num_samples // 2
    arms = []
    for count, offset in ((num_ones, 0.0), (num_samples - num_ones, math.pi)):
        t = np.arange(count) / count
        angle = 1.75 * 2 * math.pi * t + offset
        arm = np.stack([5 * t * np.sin(angle), 5 * t * np.cos(angle)], axis=1)
        arms.append(arm + rng.uniform(-1.0, 1.0, arm.shape) * noise)
    labels = np.repeat([1, 0], [num_ones, num_samples - num_ones])
    return np.concatenate(arms), labels


def blobs(num_samples: int, noise: float, rng: np.random.Generator, num_classes: int = 3):
    """`num_classes` Gaussian blobs on a circle of radius 4, std 1 + 2 noise."""
    labels = np.arange(num_samples) % num_classes
    angles = 2 * math.pi * labels / num_classes
    centers = 4.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centers + rng.normal(0.0, 1.0 + 2.0 * noise, size=(num_samples, 2)), labels


@dataclasses.dataclass(frozen=True)
class NamedDataset:
    """A named generator with its defaults and a one-line description."""

    generate: Callable
    num_samples: int
    noise: float
    description: str


DATASETS = {
    "seminar_blobs": NamedDataset(
        seminar_blobs, 200, 20.0, "N((-4,-4), 20I) vs N((4,4), 20I), 100 each (the seminar's)"
    ),
    "hand_line": NamedDataset(
        hand_line, 200, 0.0, "uniform in [-5,5]^2, label 1 above x2 + 1.23 x1 - 0.55 = 0"
    ),
    "circle": NamedDataset(circle, 500, 0.0, "disc r < 2.5 (1) vs ring 3.5 < r < 5 (0)"),
    "xor": NamedDataset(xor, 500, 0.0, "uniform in [-5,5]^2 off the axes, label 1 where x1 x2 > 0"),
    "gauss": NamedDataset(gauss, 500, 0.0, "N((2,2)) (1) vs N((-2,-2)) (0), wider with noise"),
    "spiral": NamedDataset(spiral, 500, 0.0, "two interleaved spiral arms, radius up to 5"),
    "blobs": NamedDataset(blobs, 500, 0.0, "3 Gaussian blobs, labels 0, 1, 2 (multi-class)"),
}


def make_dataset(
    name: str, num_samples: int | None = None, noise: float | None = None, seed: int = 0
) -> Data:
    """Generates a named synthetic dataset.

    Args:
        name: One of `DATASETS`.
        num_samples: Number of points; None for the dataset's default.
        noise: The dataset's noise parameter; None for its default.
        seed: Seed of the random generator.

    Returns:
        A `Data`.

    Example:
        >>> data = make_dataset("seminar_blobs", seed=0)
        >>> data.features.shape, int(data.labels.sum())
        ((200, 2), 100)
    """
    spec, num_samples, noise, seed = check_dataset_arguments(name, num_samples, noise, seed)
    rng = np.random.default_rng(seed)
    features, labels = spec.generate(num_samples, noise, rng)
    return Data(features, labels, source=f"dataset {name!r}")


def check_dataset_arguments(name: str, num_samples: int | None, noise: float | None, seed: int):
    """Checks the arguments of a named dataset and fills in its defaults.

    Returns:
        `(spec, num_samples, noise, seed)`, the `NamedDataset` and the
        checked values.
    """
    spec = DATASETS[check_choice("dataset", name, DATASETS)]
    num_samples = spec.num_samples if num_samples is None else num_samples
    num_samples = check_integer("num_samples", num_samples, minimum=2)
    noise = spec.noise if noise is None else noise
    noise_limit = math.inf if name == "seminar_blobs" else 1.0
    noise = check_number(
        "noise", noise, 0.0, noise_limit, low_inclusive=name != "seminar_blobs", high_inclusive=True
    )
    return spec, num_samples, noise, check_integer("seed", seed, minimum=0)


def describe_datasets() -> str:
    """One line per named dataset: name, default size and noise, description."""
    return "\n".join(
        f"{name:<14} n={spec.num_samples:<4} noise={spec.noise:<5g} {spec.description}"
        for name, spec in DATASETS.items()
    )


def load_data(path: str) -> Data:
    """Loads a CSV or `.npz` file of labelled points.

    CSV: features in every column but the last, the label in the last; an
    optional header row. NPZ: arrays `X` (num_samples, num_features) and `y`.

    Raises:
        ValueError: with the file, line and cell at fault.

    Example:
        >>> data = load_data("points.csv")  # doctest: +SKIP
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`data` must be a file path. Received: data={path!r}.")
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".csv", ".npz"):
        raise ValueError(
            f"`data` must be a .csv or .npz file. Received: data={path!r}. "
            "Save the points as CSV (label in the last column) or as .npz with X and y."
        )
    if not os.path.isfile(path):
        raise ValueError(f"`data` file does not exist or is not a file. Received: data={path!r}.")
    try:
        if extension == ".npz":
            return _load_npz(path)
        return _load_csv(path)
    except MemoryError:
        raise ValueError(
            f"{path}: the points do not fit in memory ({os.path.getsize(path)} bytes on disk). "
            "Stream a CSV file instead (--streaming true, or a glob of CSV shards); an .npz "
            "file is always loaded whole."
        ) from None


def _load_npz(path: str) -> Data:
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError(
                f"{path}: an .npz data file must be a zip of arrays 'X' and 'y' "
                "(np.savez(path, X=..., y=...)). Received a single .npy array."
            )
        with archive:
            missing = [key for key in ("X", "y") if key not in archive.files]
            if missing:
                raise ValueError(
                    f"{path}: an .npz data file must hold arrays 'X' and 'y'. "
                    f"Received arrays {archive.files}, missing {missing}."
                )
            _check_fits_in_memory(path, archive)
            features, labels = archive["X"], archive["y"]
    except ValueError as error:
        if str(error).startswith(path):
            raise
        raise ValueError(f"{path}: not a readable .npz file ({error}).")
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: not a readable .npz file ({error}).")
    return Data(features, labels, source=path)


def _check_fits_in_memory(path: str, archive) -> None:
    """Refuses an .npz whose arrays need more than the memory now available."""
    needed = sum(archive.zip.getinfo(f"{key}.npy").file_size for key in ("X", "y"))
    available = available_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"{path}: arrays X and y need {needed} bytes of memory and {available} are "
            "available. Save the points as CSV and stream them (--streaming true, or a glob of "
            "CSV shards)."
        )


def available_memory() -> int | None:
    """The bytes of memory available to new allocations (Linux), or None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _load_csv(path: str) -> Data:
    values = read_csv_values(path)
    if values.shape[1] < 2:
        raise ValueError(
            f"{path}: each CSV row needs at least one feature column and a label column. "
            f"Received {values.shape[1]} column(s)."
        )
    return Data(values[:, :-1], values[:, -1], source=path)


def read_csv_values(path: str) -> np.ndarray:
    """The numbers of a CSV file as a float64 array, skipping an optional header.

    Raises:
        ValueError: for a missing or empty file, ragged rows or a non-numeric
            cell, naming the line and column.
    """
    if not os.path.isfile(path):
        raise ValueError(f"CSV file does not exist. Received: {path!r}.")
    try:
        # utf-8-sig: a byte-order mark (as some spreadsheets write) is not data.
        with open(path, newline="", encoding="utf-8-sig") as file:
            rows = [row for row in csv.reader(file) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read the CSV file ({error}).")
    if rows and not _is_numeric_row(rows[0]):
        rows = rows[1:]  # A header.
        first_line = 2
    else:
        first_line = 1
    if not rows:
        raise ValueError(f"{path}: the CSV file holds no data rows. Add rows of features, label.")
    return csv_rows_values(rows, path, first_line)


def csv_rows_values(rows: list[list[str]], path: str, first_line: int, width=None) -> np.ndarray:
    """CSV rows (cells as text) as a float64 array; every row must be `width` numbers.

    Args:
        rows: The non-empty data rows.
        path: The file, for messages.
        first_line: The line number of `rows[0]` in the file, for messages.
        width: The columns each row must have; default, as many as the first.

    Raises:
        ValueError: for a ragged row or a non-numeric cell, naming the line and column.
    """
    width = len(rows[0]) if width is None else width
    values = np.empty((len(rows), width), dtype=np.float64)
    for offset, row in enumerate(rows):
        line = first_line + offset
        if len(row) != width:
            raise ValueError(
                f"{path}: line {line} has {len(row)} columns, expected {width} like the first row."
            )
        for column, cell in enumerate(row):
            try:
                values[offset, column] = float(cell)
            except ValueError:
                raise ValueError(
                    f"{path}: line {line}, column {column + 1}: expected a number. "
                    f"Received {cell!r}."
                ) from None
    return values


def _is_numeric_row(row: list[str]) -> bool:
    try:
        [float(cell) for cell in row]
    except ValueError:
        return False
    return True


def split_validation(data: Data, fraction: float, seed: int) -> tuple[Data, Data | None]:
    """Holds out a random `fraction` of the points for validation.

    Args:
        data: The labelled points.
        fraction: In [0, 1); 0 means no validation set (the seminar's default).
        seed: Seed of the split.

    Returns:
        `(training, validation)`; validation is None when fraction is 0.

    Example:
        >>> train, valid = split_validation(make_dataset("seminar_blobs"), 0.25, 0)
        >>> train.num_samples, valid.num_samples
        (150, 50)
    """
    fraction = check_number("validation_split", fraction, 0.0, 1.0, low_inclusive=True)
    if fraction == 0.0:
        return data, None
    num_validation = int(round(fraction * data.num_samples))
    if num_validation < 1 or num_validation > data.num_samples - 2:
        raise ValueError(
            f"`validation_split` leaves {num_validation} validation and "
            f"{data.num_samples - num_validation} training points of {data.num_samples}. "
            f"Received: validation_split={fraction!r}. Choose a fraction that keeps both sides."
        )
    order = np.random.default_rng(check_integer("seed", seed, minimum=0)).permutation(
        data.num_samples
    )
    training = data.subset(np.sort(order[num_validation:]), f"{data.source} (training split)")
    lacking = sorted(set(range(data.num_classes)) - set(np.unique(training.labels).tolist()))
    if lacking:
        raise ValueError(
            f"`validation_split` leaves no point of class {lacking[0]} in the training split of "
            f"{data.source} ({training.num_samples} points). Received: validation_split="
            f"{fraction!r}, seed {seed}. Choose a smaller fraction or another seed."
        )
    validation = data.subset(np.sort(order[:num_validation]), f"{data.source} (validation split)")
    return training, validation
