"""`check_prediction_paths`: the run and the output file of `kerasclf predict`, checked.

No TensorFlow here: the command line checks the paths before the model loads.
"""

from __future__ import annotations

import os

from kerasclf.run.directory import is_run_directory, read_only_filesystem
from kerasclf.run.model_file import check_model_file


def check_prediction_paths(
    run_dir: str, out_path: str | None, data_path: str | None = None, overwrite: bool = False
) -> None:
    """`kerasclf predict`'s paths: a trained run, and a new CSV file it can write (or None).

    An existing `out_path` is replaced only with `overwrite`, and never when it
    is the data read (`data_path`). Nothing is written inside a run directory,
    at any depth, also through a symbolic link (`predict_run` replaces the file
    whole, so a hard link to another file is not written through either).

    Args:
        run_dir: The run whose `model.keras` predicts.
        out_path: The CSV file to write, or None for standard output.
        data_path: The points read, which `out_path` must not replace.
        overwrite: Whether an existing `out_path` may be replaced.

    Example:
        >>> check_prediction_paths("/nonexistent/run", None)
        Traceback (most recent call last):
        ...
        ValueError: `run` folder does not exist. Received: run='/nonexistent/run'. Pass a run directory written by `kerasclf train`.
    """  # noqa: E501
    check_model_file(run_dir)
    if out_path is None:
        return
    if not out_path:
        raise ValueError("`out` must be the path of a CSV file to write. Received: out=''.")
    _check_outside_runs(out_path)
    _check_not_overwritten(out_path, data_path, overwrite)
    folder = os.path.dirname(os.path.abspath(out_path))
    if not os.path.isdir(folder):
        above = folder
        while not os.path.exists(above) and os.path.dirname(above) != above:
            above = os.path.dirname(above)
        what, fix = (
            (f"its folder {folder!r} does not exist", "Create the folder first, or choose")
            if os.path.isdir(above)
            else (f"{above!r} is a file, not a folder", "Choose")
        )
        raise ValueError(
            f"`out` must be a CSV file in an existing folder, but {what}. Received: "
            f"out={out_path!r}. {fix} another out."
        )
    if not os.access(folder, os.W_OK) or read_only_filesystem(folder):
        raise ValueError(
            f"`out` is not writable: no permission to write in {folder!r}. "
            f"Received: out={out_path!r}. Choose a writable path."
        )
    if os.path.isdir(out_path):
        raise ValueError(
            f"`out` is a directory; it must be the path of a CSV file to write. "
            f"Received: out={out_path!r}."
        )


def _check_outside_runs(out_path: str) -> None:
    """Refuses an `out_path` in a run directory or below one, or linked to a file there."""
    for path in {os.path.abspath(out_path), os.path.realpath(out_path)}:
        folder = os.path.dirname(path)
        while True:
            if is_run_directory(folder):
                raise ValueError(
                    f"`out` is in the run directory {folder!r}; writing there could replace "
                    f"the run's own files. Received: out={out_path!r}. Choose a path outside "
                    "the run."
                )
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent


def _check_not_overwritten(out_path: str, data_path: str | None, overwrite: bool) -> None:
    """Refuses an `out_path` that would replace the data, or (without `overwrite`) any
    existing file. (A run's files are `_check_outside_runs`'s.)"""
    if not os.path.isfile(out_path):
        return
    if data_path is not None and os.path.isfile(data_path):
        if os.path.samefile(out_path, data_path):
            raise ValueError(
                f"`out` is the data file being read; writing the predictions there would "
                f"replace the points. Received: out={out_path!r}, data={data_path!r}. "
                "Choose another path for --out."
            )
    if not overwrite:
        raise ValueError(
            f"`out` already exists, and predict does not write over a file unasked. "
            f"Received: out={out_path!r}. Choose a new path, or pass --overwrite to replace it."
        )
