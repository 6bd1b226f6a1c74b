"""A path that should name a run's folder, described for what it is when it does not.

`kerasclf predict`, `evaluate --run` and `generate` read a run's model from
its folder, `--resume` and `kerasclf.resume` its `config.json`. A path that
is not such a folder is named for what it is, with the fix: a missing folder
(with the closest one beside it), a file, the run's own file instead of its
folder, or a folder of runs (a logdir).

Example:
    >>> print(not_a_run_message("/nonexistent/run", "run", "model.keras", os.path.isdir))
    `run` folder does not exist. Received: run='/nonexistent/run'. Pass a run directory written by `kerasclf train`.
"""  # noqa: E501

from __future__ import annotations

import os
import shlex
from collections.abc import Callable

from kerasclf.validation import closest_path


def not_a_run_message(
    run_dir: str,
    key: str,
    run_file: str,
    is_run: Callable[[str], bool],
    file_label: str | None = None,
) -> str:
    """Why `run_dir` is not a run's folder holding `run_file`, and the fix, in one line.

    Args:
        run_dir: The path given.
        key: Its name in the message (the flag's or the argument's).
        run_file: The file a run's folder holds and the caller reads
            (`model.keras`, `config.json`).
        is_run: Whether a folder is such a run: the folders of runs inside a
            logdir are counted with it.
        file_label: What the message calls `run_file` ("trained model");
            None for its name.
    """
    file_label = file_label or run_file
    received = f"Received: {key}={run_dir!r}."
    written = "Pass a run directory written by `kerasclf train`."
    path = os.path.join(run_dir, run_file)
    run_dir = os.path.normpath(run_dir) if run_dir else run_dir  # `model.keras/` is the file.
    if not os.path.lexists(run_dir):
        meant = closest_path(run_dir, wanted=os.path.isdir)
        return f"`{key}` folder does not exist. {received}{meant or ' ' + written}"
    if not os.path.isdir(run_dir):
        if os.path.basename(run_dir) == run_file:
            folder = os.path.dirname(run_dir) or "."
            return (
                f"`{key}` names a run's {run_file}, not its folder. {received} "
                f"Pass {key}={folder!r}."
            )
        return f"`{key}` must be a run's folder, but {run_dir!r} is a file. {received} {written}"
    try:
        runs = sorted(
            entry for entry in os.listdir(run_dir) if is_run(os.path.join(run_dir, entry))
        )
    except OSError:
        runs = []
    if runs:
        example = os.path.join(run_dir, runs[-1])
        return (
            f"`{key}` is a folder of {len(runs)} run(s), not a run. {received} Pass one of them, "
            f"e.g. {key}={example!r} (`kerasclf runs {shlex.quote(run_dir)}` lists them)."
        )
    state = "is not a file" if os.path.lexists(path) else "does not exist"
    return f"`{key}` has no {file_label}: {path!r} {state}. {received} {written}"
