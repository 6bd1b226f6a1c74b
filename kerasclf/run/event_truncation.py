"""Cutting a killed run's TensorBoard events back to its checkpoint, before it resumes.

A run killed after its last checkpoint has written events past it: epochs
that the resumed run trains again, with the same values (a bitwise resume)
but as second copies, and possibly a last record cut short. Before the
resumed run writes anything, each event file is rewritten keeping only the
events up to the checkpoint (`event_files.kept_on_resume`: epoch steps up to
its epoch, minibatch steps up to its iteration), so that every series has
exactly one value per step. The kept records are copied byte for byte into
a temporary file that is then renamed over the original: a kill during the
rewrite leaves either file whole, and rewriting again gives the same result.

Example:
    >>> truncate_events("logs/run", epochs=2000, iterations=400_000)  # doctest: +SKIP
    15
"""

from __future__ import annotations

import os
import tempfile

from kerasclf.run.directory import TEMPORARY_PREFIX
from kerasclf.run.event_files import event_file_paths, kept_on_resume, read_records
from kerasclf.validation import check_integer
from tensorboard.compat.proto import event_pb2


def truncate_events(run_dir: str, epochs: int, iterations: int, redrawn: dict | None = None) -> int:
    """Drops the events of `run_dir` past a checkpoint; returns how many were dropped.

    Args:
        run_dir: The run directory (event files at any depth below it).
        epochs: The checkpoint's epochs completed.
        iterations: The checkpoint's optimizer iterations.
        redrawn: Tag -> steps of images that the resumed run draws again,
            dropped wherever they are (`event_files.kept_on_resume`).

    Example:
        >>> truncate_events("logs/run", epochs=5, iterations=50)  # doctest: +SKIP
        0
    """
    check_integer("epochs", epochs, minimum=0)
    check_integer("iterations", iterations, minimum=0)
    dropped = 0
    for path in event_file_paths(run_dir):
        kept, size, dropped_here, whole = [], 0, 0, True
        for framed, data in read_records(path):
            try:
                event = event_pb2.Event.FromString(data)
            except Exception:  # protobuf's DecodeError: garbage after a kill.
                whole = False
                break
            size += len(framed)
            if kept_on_resume(event, epochs, iterations, redrawn):
                kept.append(framed)
            else:
                dropped_here += 1
        if whole and not dropped_here and size == os.path.getsize(path):
            continue  # Nothing past the checkpoint, no record cut short.
        _replace(path, kept)
        dropped += dropped_here
    return dropped


def _replace(path: str, records: list[bytes]) -> None:
    """Writes `records` to a temporary file beside `path`, then renames it over `path`."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=TEMPORARY_PREFIX)
    try:
        with os.fdopen(handle, "wb") as file:
            file.writelines(records)
        os.chmod(temporary, os.stat(path).st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
