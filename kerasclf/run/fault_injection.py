"""Test hooks that kill the process at a chosen point, as a power cut or `kill -9` would.

A hard kill can come at any moment; the tests of `--resume` need it at the
worst ones, reproducibly. `KERASCLF_FAULT` names one point and one epoch:

    kill-after-epoch:N     at the end of epoch N (1-based), once its events are
                           on disk, before any checkpoint of that epoch
    kill-before-rename:N   while writing epoch N's checkpoint: the temporary
                           file is complete, the rename has not happened
    kill-after-images:N    when training ends after N epochs, once the
                           callbacks have drawn their images (the error
                           surface's frames) and flushed them, before the
                           run's model and summary are saved

The process sends itself SIGKILL there: nothing of Python's runs after it
(no `finally`, no `atexit`). Unset, as in every real run, nothing happens.

Example:
    >>> import os
    >>> os.environ.pop(FAULT_VARIABLE, None)  # doctest: +SKIP
    >>> kill_if_due("kill-after-epoch", 3)  # Not set: returns.
"""

from __future__ import annotations

import os
import signal

FAULT_VARIABLE = "KERASCLF_FAULT"
FAULT_POINTS = ("kill-after-epoch", "kill-before-rename", "kill-after-images")


def fault_due(point: str, epoch: int) -> bool:
    """Whether `KERASCLF_FAULT` asks for a kill at `point` after `epoch` epochs.

    Args:
        point: One of `FAULT_POINTS`.
        epoch: The epochs completed at this point.

    Example:
        >>> fault_due("kill-after-epoch", 3)  # doctest: +SKIP
        False
    """
    if point not in FAULT_POINTS:
        raise ValueError(
            f"`point` must be one of {', '.join(FAULT_POINTS)}. Received: point={point!r}."
        )
    return os.environ.get(FAULT_VARIABLE) == f"{point}:{epoch}"


def kill_if_due(point: str, epoch: int) -> None:
    """Sends this process SIGKILL if `fault_due(point, epoch)`."""
    if fault_due(point, epoch):
        os.kill(os.getpid(), signal.SIGKILL)
