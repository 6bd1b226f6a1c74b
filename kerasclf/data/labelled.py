"""Datasets: the seminar's named synthetic sets, and the user's own files.

Every set is a `Data`: features of shape (num_samples, *feature_shape) and
integer labels 0..k-1 of shape (num_samples,). The features are a table
(num_samples, num_features), images (num_samples, height, width[, channels]),
sequences (num_samples, steps, features) or integer token ids (num_samples,
steps). `Data` checks its arrays when it is made (`kerasclf.data.checks`), so
bad data fails at load time with one clear line, before anything trains.

Named sets (`kerasclf datasets` lists them, `kerasclf.data.datasets` draws them):
seeded 2-D points, e.g. `make_dataset("seminar_blobs")`.

Files (`load_data`, `load_data_splits`):

- CSV: the features in every column but the last, the 0/1 (or 0..k-1) label
  in the last, header optional. Always a table.
- `.npz` with arrays `X` (num_samples, *feature_shape) and `y`.
- `.npz` in Keras's dataset layout (as `mnist.npz`): `x_train`, `y_train`,
  `x_test`, `y_test`; the test part is the test set.
"""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np

from kerasclf.data.csv_files import read_csv_values
from kerasclf.data.checks import check_labelled_arrays
from kerasclf.data.datasets import check_dataset_arguments
from kerasclf.validation import check_integer, check_number


# The arrays of the two .npz layouts: features and labels, then test features and labels.
XY_ARRAYS = ("X", "y")
KERAS_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


@dataclasses.dataclass(frozen=True)
class Data:
    """Labelled samples of any shape, checked on creation.

    Args:
        features: Numbers, shape (num_samples, *feature_shape) with at least
            one feature dimension. Stored as float32, every value finite;
            uint8 images (two or more axes per sample) scaled by 1/255 to
            [0, 1]; integer token ids exactly.
        labels: Integers 0..k-1 with k >= 2 classes all present, shape
            (num_samples,).
        source: Where the data came from, for error messages.
        num_classes: The number of classes k, when known (a validation split
            may lack a class); None to infer it and require every class.
        feature_scale: The factor the given features were already multiplied
            by (1 by default), for the record; uint8 features are multiplied
            by 1/255 on top, and record it.

    Example:
        >>> data = Data(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1]))
        >>> data.num_samples, data.num_features, data.num_classes
        (2, 2, 2)
        >>> images = Data(np.full((2, 3, 3), 255, np.uint8), np.array([0, 1]))
        >>> images.feature_shape, float(images.features.max()), images.feature_scale == 1 / 255
        ((3, 3), 1.0, True)
    """

    features: np.ndarray
    labels: np.ndarray
    source: str = "data"
    num_classes: int | None = None
    feature_scale: float = 1.0

    def __post_init__(self):
        scale = check_number("feature_scale", self.feature_scale, 0.0, math.inf)
        features, labels, uint8_scale = check_labelled_arrays(
            self.features, self.labels, self.source, self.num_classes
        )
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "feature_scale", scale * uint8_scale)
        if self.num_classes is None:
            object.__setattr__(self, "num_classes", int(labels.max()) + 1)

    @property
    def num_samples(self) -> int:
        return int(self.features.shape[0])

    @property
    def feature_shape(self) -> tuple[int, ...]:
        """The shape of one sample: (num_features,) for a table, (28, 28) for MNIST."""
        return tuple(int(size) for size in self.features.shape[1:])

    @property
    def num_features(self) -> int:
        """Numbers per sample: the columns of a table, the product of `feature_shape`."""
        return math.prod(self.feature_shape)

    def subset(self, rows: np.ndarray, source: str) -> Data:
        return Data(
            self.features[rows], self.labels[rows], source, self.num_classes, self.feature_scale
        )


def make_dataset(
    name: str, num_samples: int | None = None, noise: float | None = None, seed: int = 0
) -> Data:
    """Generates a named synthetic dataset (`kerasclf.data.datasets`).

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


def load_data(path: str) -> Data:
    """Loads a CSV or `.npz` file of labelled samples: its training part.

    CSV: features in every column but the last, the label in the last; an
    optional header row. NPZ: arrays `X` (num_samples, *feature_shape) and
    `y`, or Keras's `x_train`, `y_train`, `x_test`, `y_test` (only the
    training arrays are read; `load_data_splits` reads the test part too).

    Raises:
        ValueError: with the file, line and cell at fault.

    Example:
        >>> data = load_data("points.csv")  # doctest: +SKIP
    """
    return _load(path, with_test=False)[0]


def load_data_splits(path: str) -> tuple[Data, Data | None]:
    """Loads a CSV or `.npz` file as `(training, test)`.

    The test part is the `x_test`, `y_test` arrays of an `.npz` in Keras's
    layout, with the training part's number of classes and sample shape; it is
    None for a CSV file and for an `.npz` of `X` and `y`.

    Raises:
        ValueError: with the file and the array, line or cell at fault.

    Example:
        >>> training, test = load_data_splits("mnist.npz")  # doctest: +SKIP
        >>> training.feature_shape, test.num_samples  # doctest: +SKIP
        ((28, 28), 10000)
    """
    return _load(path, with_test=True)


def _load(path: str, with_test: bool) -> tuple[Data, Data | None]:
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
            return _data_from_arrays(path, _read_npz(path, with_test))
        return _load_csv(path), None
    except MemoryError:
        raise ValueError(
            f"{path}: the points do not fit in memory ({os.path.getsize(path)} bytes on disk). "
            "Stream a CSV file instead (--streaming true, or a glob of CSV shards); an .npz "
            "file is always loaded whole."
        ) from None


def _data_from_arrays(path: str, arrays: dict[str, np.ndarray]) -> tuple[Data, Data | None]:
    """`(training, test)` from the arrays of an .npz file's layout."""
    if "X" in arrays:
        return Data(arrays["X"], arrays["y"], source=path), None
    training = Data(arrays["x_train"], arrays["y_train"], source=f"{path} (x_train, y_train)")
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
    test = Data(x_test, arrays["y_test"], f"{path} (x_test, y_test)", training.num_classes)
    if (test.features.dtype, test.feature_scale) != (
        training.features.dtype,
        training.feature_scale,
    ):
        raise mismatch  # Token ids against numbers, or pixels scaled against unscaled.
    return training, test


def _read_npz(path: str, with_test: bool) -> dict[str, np.ndarray]:
    """The arrays of an .npz data file's layout: `X`, `y`, or Keras's (training) arrays."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError(
                f"{path}: an .npz data file must be a zip of arrays 'X' and 'y' "
                "(np.savez(path, X=..., y=...)). Received a single .npy array."
            )
        with archive:
            names = _npz_layout(path, archive.files)
            names = names if with_test else names[:2]
            _check_fits_in_memory(path, archive, names)
            return {name: archive[name] for name in names}
    except ValueError as error:
        if str(error).startswith(path):
            raise
        raise ValueError(f"{path}: not a readable .npz file ({error}).")
    except (OSError, EOFError) as error:
        raise ValueError(f"{path}: not a readable .npz file ({error}).")


def _npz_layout(path: str, files: list[str]) -> tuple[str, ...]:
    """The names of the layout an .npz file holds, `XY_ARRAYS` or `KERAS_ARRAYS`."""
    expected = "arrays 'X' and 'y', or Keras's 'x_train', 'y_train', 'x_test' and 'y_test'"
    keras = [name for name in KERAS_ARRAYS if name in files]
    if keras and any(name in files for name in XY_ARRAYS):
        raise ValueError(
            f"{path}: an .npz data file holds {expected}, not both layouts. Received arrays "
            f"{files}. Save one layout."
        )
    layout = KERAS_ARRAYS if keras else XY_ARRAYS
    missing = [name for name in layout if name not in files]
    if missing:
        raise ValueError(
            f"{path}: an .npz data file must hold {expected}. Received arrays {files}, "
            f"missing {missing}."
        )
    return layout


def _check_fits_in_memory(path: str, archive, names: tuple[str, ...]) -> None:
    """Refuses an .npz whose arrays `names` need more than the memory now available."""
    needed = sum(archive.zip.getinfo(f"{name}.npy").file_size for name in names)
    available = available_memory()
    if available is not None and needed > available:
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        raise ValueError(
            f"{path}: arrays {listed} need {needed} bytes of memory and {available} are "
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
