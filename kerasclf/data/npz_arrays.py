"""A data file's arrays in an .npz archive: its layout, each array, and the memory they need.

Two layouts are read: `X` and `y` (with an optional scalar `vocabulary_size`
for token ids), or Keras's dataset layout (as `mnist.npz`): `x_train`,
`y_train`, `x_test`, `y_test`. A file that is no archive, holds Python
objects, mixes the layouts or needs more memory than is available is refused
in one line, naming the file; `kerasclf.data.loading` makes `Data` of them.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "points.npz")
    >>> np.savez(path, X=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]))
    >>> sorted(read_npz_arrays(path, with_test=False))
    ['X', 'y']
    >>> np.savez(path, x=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]))
    >>> read_npz_arrays(path, with_test=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...missing ['X']. Did you mean 'x' for 'X'? Save the arrays under those names.
"""

from __future__ import annotations

import zipfile

import numpy as np

from kerasclf.npz_files import UNREADABLE_NPZ_ERRORS
from kerasclf.validation import closest_name

# The arrays of the two .npz layouts: features and labels, then test features and labels.
XY_ARRAYS = ("X", "y")
KERAS_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
# The optional scalar of an .npz of token ids: the number of ids.
VOCABULARY_SIZE_ARRAY = "vocabulary_size"


def npz_features_header(path: str) -> tuple[tuple, np.dtype, list[str]]:
    """The shape and dtype of an .npz file's features (`X` or `x_train`), from the header only."""
    with zipfile.ZipFile(path) as archive:
        names = [name.removesuffix(".npy") for name in archive.namelist()]
        features = next(name for name in ("X", "x_train") if name in names)
        with archive.open(f"{features}.npy") as member:
            version = np.lib.format.read_magic(member)
            reader = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = reader(member)
    return shape, dtype, names


def read_npz_arrays(path: str, with_test: bool) -> dict[str, np.ndarray]:
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
            if VOCABULARY_SIZE_ARRAY in archive.files:
                names = (*names, VOCABULARY_SIZE_ARRAY)
            _check_fits_in_memory(path, archive, names)
            return {name: _read_array(path, archive, name) for name in names}
    except UNREADABLE_NPZ_ERRORS as error:
        if isinstance(error, ValueError) and str(error).startswith(path):
            raise
        if "pickled" in str(error):  # Neither a zip nor an .npy: numpy tries a pickle.
            raise ValueError(
                f"{path}: not an .npz file: its bytes are neither a zip of arrays nor an .npy "
                "array. Save the arrays with np.savez(path, X=..., y=...)."
            ) from None
        raise ValueError(
            f"{path}: not a readable .npz file ({error}). Save the arrays again with "
            "np.savez(path, X=..., y=...)."
        ) from None


def _read_array(path: str, archive, name: str) -> np.ndarray:
    """One array of an .npz file; ragged sequences (saved as objects) are refused in one line."""
    try:
        return archive[name]
    except ValueError as error:
        if "allow_pickle" not in str(error):
            raise
        raise ValueError(
            f"{path}: array {name!r} holds Python objects (dtype object: ragged sequences of "
            "different lengths, or numbers kept as objects), not one array of numbers. Save "
            f"one array of numbers ({name}.astype('float32')), sequences padded to one length "
            "first, e.g. keras.utils.pad_sequences(sequences, maxlen=100)."
        ) from None


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
            f"missing {missing}.{_renames(missing, [name for name in files if name not in layout])}"
        )
    return layout


def _renames(missing: list[str], stored: list[str]) -> str:
    """ " Did you mean 'x' for 'X'?" for stored arrays that look like the missing ones."""
    renames = []
    for name in missing:
        same_but_case = [other for other in stored if other.lower() == name.lower()]
        match = same_but_case[0] if same_but_case else closest_name(name, stored)
        if match is not None:
            renames.append(f"{match!r} for {name!r}")
    return (
        f" Did you mean {', '.join(renames)}? Save the arrays under those names." if renames else ""
    )


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
    """The bytes of memory available to new allocations (Linux), or None if unknown.

    Example:
        >>> memory = available_memory()
        >>> memory is None or memory > 0
        True
    """
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
