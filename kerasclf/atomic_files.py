"""Files written whole or not at all: a temporary name, then an atomic rename.

A reader (TensorBoard, a resumed run, a student's script) never sees half a
file, and a run killed mid-write leaves the previous version in place.

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "summary.json")
    >>> write_json(path, {"cost": float("nan")})
    >>> read_json(path)
    {'cost': None}
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

import numpy as np

from kerasclf.json_text import json_text


def write_json(path: str, values: Any) -> None:
    """Writes strict JSON (`json_text`) atomically: to a temporary file, then renamed into place."""
    text = json_text(values)
    _write_atomically(path, ".json", "w", lambda file: file.write(text))


def write_npz(path: str, /, **arrays: np.ndarray) -> None:
    """Writes numpy arrays as `.npz`, atomically, like `write_json`."""
    _write_atomically(path, ".npz", "wb", lambda file: np.savez(file, **arrays))


def write_bytes(path: str, data: bytes) -> None:
    """Writes bytes (a PNG, say) atomically, like `write_json`."""
    _write_atomically(path, os.path.splitext(path)[1], "wb", lambda file: file.write(data))


def _process_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# Read once, at import: setting the umask to read it is not safe while image
# threads create files.
_UMASK = _process_umask()


def _write_atomically(path: str, suffix: str, mode: str, write) -> None:
    """`write(file)` into a temporary file beside `path`, then renames it into place."""
    directory = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=suffix)
    try:
        # mkstemp makes the file private (0600); the run's other files follow the umask.
        os.chmod(handle, 0o666 & ~_UMASK)
        with os.fdopen(handle, mode) as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def read_json(path: str) -> Any:
    """The JSON value in the file `path` (OSError and ValueError for the caller to name)."""
    with open(path) as file:
        return json.load(file)
