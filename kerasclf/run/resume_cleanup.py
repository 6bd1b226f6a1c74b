"""Putting a killed run's directory back to its last checkpoint, before it resumes.

A run killed without warning leaves its directory as it was at that moment:
events of epochs past its last checkpoint (some cut short), perhaps a
temporary file half written (a checkpoint, an image, a summary), a stale
lock. The resumed run holds the lock when this runs; it then

- removes the temporary files (`directory.remove_temporary_files`),
- puts the error surface's path of the checkpoint back in place, cut to its
  epoch, so that the resumed run draws the whole path as the uninterrupted
  one does,
- cuts the events back to the checkpoint (`event_truncation.truncate_events`),
  and drops the error surface's frames that the resumed run draws again (a
  run killed while it closed may have drawn some).

An interrupted run's directory already ends at its checkpoint; then nothing changes.

Example:
    >>> clean_for_resume("logs/run", epochs=2000, iterations=400_000)  # doctest: +SKIP
    ['note: removed 1 half-written file and 15 events past epoch 2000 that the run wrote ...']
"""

from __future__ import annotations

import os

import numpy as np

from kerasclf.atomic_files import write_npz
from kerasclf.callbacks.error_surface import PATH_FILE as SURFACE_PATH_FILE
from kerasclf.callbacks.error_surface import TAG as SURFACE_TAG
from kerasclf.run.checkpoint import read_extras
from kerasclf.run.directory import remove_temporary_files
from kerasclf.run.event_truncation import truncate_events


def clean_for_resume(run_dir: str, epochs: int, iterations: int) -> list[str]:
    """Brings `run_dir` back to its checkpoint of `epochs` epochs; returns one-line notes.

    Args:
        run_dir: The run directory, whose lock the caller holds.
        epochs: The checkpoint's epochs completed.
        iterations: The checkpoint's optimizer iterations.

    Example:
        >>> clean_for_resume("logs/run", 5, 50)  # doctest: +SKIP
        []
    """
    removed = remove_temporary_files(run_dir)
    frames = restore_surface_path(run_dir, epochs)
    # The resumed run draws the frames due at the checkpoint, and the checkpoint's own epoch
    # when it is the last (a run killed while it closed): the killed part drew no other.
    redrawn = {SURFACE_TAG: set() if frames is None else {*frames, epochs}}
    dropped = truncate_events(run_dir, epochs, iterations, redrawn)
    if not removed and not dropped:
        return []
    parts = []
    if removed:
        parts.append(f"{len(removed)} half-written file{'s' * (len(removed) != 1)}")
    if dropped:
        parts.append(f"{dropped} event{'s' * (dropped != 1)} past epoch {epochs}")
    return [
        f"note: removed {' and '.join(parts)} that the run wrote after its last checkpoint "
        "before it was killed."
    ]


def restore_surface_path(run_dir: str, epochs: int) -> list[int] | None:
    """Writes the checkpoint's error-surface path, up to `epochs`, for the resumed run to load.

    Returns the steps of the frames that the resumed run draws: those the
    checkpoint had due but not drawn. None if it held no path (one written
    by an interrupt does not: the interrupted run left the path file itself,
    and drew its frames).
    """
    extras = read_extras(run_dir)
    if "surface_path" not in extras or "surface_path_steps" not in extras:
        return None
    path, steps = extras["surface_path"], extras["surface_path_steps"]
    if path.ndim != 2 or steps.ndim != 1 or len(path) != len(steps):
        return None
    kept = steps <= epochs
    frames = extras.get("surface_frame_steps", np.zeros(0, np.int64))
    frames = np.asarray(frames[frames <= epochs], np.int64)
    write_npz(
        os.path.join(run_dir, SURFACE_PATH_FILE),
        path=path[kept],
        steps=np.asarray(steps[kept], np.int64),
        frame_steps=frames,
    )
    return [int(step) for step in frames]
