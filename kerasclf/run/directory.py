"""Run directories: `<logdir>/<run-name>/`, never overwritten, never escaping.

A run directory holds the TensorBoard event files, `config.json`,
`summary.json`, `model.keras`, `weights.json` and the final PNG images.
Directories are claimed with `os.mkdir`, which is atomic, so concurrent runs
with the same name each get their own (`name`, `name-2`, `name-3`, ...).
Files are written to a temporary name and renamed into place, so a reader
never sees half a file. A run holds `<run>/.lock` while it trains, so that
a run that is alive is never resumed twice and one that was killed (its
process gone, the lock left behind) can be told from one that ended.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import socket


from kerasclf.run.event_files import last_event_step
from kerasclf.run.run_paths import not_a_run_message
from kerasclf.validation import shown

# Exit statuses of a run that did not complete (the README lists them all; bad input's,
# 2, is `kerasclf.cli.main`'s).
EXIT_DIVERGED = 3
# Trained and saved, but a callback failed (its error is in the summary's callback_errors).
EXIT_CALLBACK_FAILED = 4
EXIT_INTERRUPTED = 130
# What an interrupted run leaves for `--resume` (kerasclf.run.checkpoint writes it).
CHECKPOINT_FILE = "checkpoint.npz"
# Every run directory holds its settings here; a folder that does is a run directory.
CONFIG_FILE = "config.json"
# A run's outcome: its status, costs and accuracy (kerasclf.run.outputs writes it).
SUMMARY_FILE = "summary.json"
# How the names of files being written begin (kerasclf.atomic_files, checkpoints,
# event truncation); one left behind was cut short by a kill.
TEMPORARY_PREFIX = ".tmp-"

# Leaves room for the "-N" that makes a taken name unique.
MAX_RUN_NAME_LENGTH = 200
# The longest name, in bytes, that common file systems (ext4, XFS, APFS, NTFS) accept.
MAX_FILE_NAME_BYTES = 255
RUN_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=+-]*$")


def is_run_directory(path: str) -> bool:
    """Whether `path` is a run directory: it holds `CONFIG_FILE`.

    Example:
        >>> is_run_directory("/nonexistent/run")
        False
    """
    return os.path.isfile(os.path.join(os.fspath(path), CONFIG_FILE))


def check_run_name(name: str) -> str:
    """Returns `name` if it is a plain directory name inside the logdir.

    Raises:
        ValueError: for path separators, `..`, absolute paths and odd characters.

    Example:
        >>> check_run_name("momentum-lr0.01")
        'momentum-lr0.01'
    """
    if not isinstance(name, str) or not RUN_NAME_PATTERN.match(name) or ".." in name:
        raise ValueError(
            "`run_name` must be a plain directory name of letters, digits and . _ = + - "
            f"(no '/', '..' or absolute path). Received: run_name={shown(name)}."
        )
    if len(name) > MAX_RUN_NAME_LENGTH:
        raise ValueError(
            f"`run_name` must be at most {MAX_RUN_NAME_LENGTH} characters (file systems cap a "
            f"name at 255). Received a name of {len(name)} characters: {name[:20]}..."
        )
    return name


def check_logdir(logdir: str) -> str:
    """Checks that `logdir` is, or can become, a writable directory.

    Nothing is created: the nearest existing ancestor must be a writable
    directory.
    """
    if not isinstance(logdir, str) or not logdir:
        raise ValueError(f"`logdir` must be a directory path. Received: logdir={logdir!r}.")
    path = os.path.abspath(logdir)
    too_long = [part for part in path.split(os.sep) if len(part.encode()) > MAX_FILE_NAME_BYTES]
    if too_long:
        raise ValueError(
            f"`logdir` has a folder name of {len(too_long[0].encode())} bytes; file systems "
            f"take at most {MAX_FILE_NAME_BYTES}. Received: logdir={shown(logdir)}. Choose a "
            "shorter --logdir."
        )
    probe = path
    while not os.path.exists(probe):
        if os.path.islink(probe):  # A symbolic link to nothing.
            raise ValueError(
                f"`logdir` leads through {probe!r}, a symbolic link to "
                f"{os.readlink(probe)!r}, which does not exist. Received: logdir={logdir!r}. "
                "Create its target or choose another --logdir."
            )
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise ValueError(
            f"`logdir` must be a directory, but {probe!r} is a file. "
            f"Received: logdir={logdir!r}. Choose another --logdir."
        )
    if is_run_directory(path):
        raise ValueError(
            f"`logdir` is a run directory (it holds config.json), and a new run would be written "
            f"inside it. Received: logdir={logdir!r}. Pass the folder that holds the runs, e.g. "
            f"--logdir {os.path.dirname(path)!r}."
        )
    if not os.access(probe, os.W_OK | os.X_OK) or read_only_filesystem(probe):
        raise ValueError(
            f"`logdir` is not writable: no permission to write in {probe!r}. "
            f"Received: logdir={logdir!r}. Choose a writable --logdir."
        )
    return logdir


def read_only_filesystem(path: str) -> bool:
    """Whether `path` lies on a file system mounted read-only (False if it cannot be told)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def default_run_name(parts: list[str]) -> str:
    """A readable name from the run's main settings and the time.

    Example:
        >>> default_run_name(["gd", "lr0.001"])  # doctest: +SKIP
        'gd-lr0.001-20261126-130501'
    """
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = "-".join([*parts, stamp])
    return re.sub(r"[^A-Za-z0-9._=+-]", "_", name)


class RunDirectoryError(ValueError):
    """The run directory cannot be created or taken: bad input, found only when writing."""


# Held in a run directory while a run trains in it (a new run or a resumed one).
LOCK_FILE = ".lock"


@contextlib.contextmanager
def run_lock(run_dir: str):
    """Holds `<run_dir>/.lock` while the block runs: a `--resume` of the run is refused.

    A lock left by a process of this machine that has ended (a killed run)
    is taken over.

    Raises:
        RunDirectoryError: one line, naming the process that holds the run.
    """
    path = os.path.join(run_dir, LOCK_FILE)
    owner = f"{os.getpid()} {socket.gethostname()}"
    for attempt in range(2):
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            holder = _lock_holder(path)
            if attempt == 0 and holder is None:  # Stale: its process has ended.
                _remove_stale_lock(path)
                continue
            raise RunDirectoryError(still_running_message(run_dir, holder or "?")) from None
        except OSError as error:
            raise RunDirectoryError(
                f"`resume`: cannot write in {run_dir} ({error.strerror or error}). "
                "Resume a copy of the run directory on a writable disk."
            ) from None
        with os.fdopen(handle, "w") as file:
            file.write(owner + "\n")
        break
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def still_running_message(run_dir: str, holder: str) -> str:
    """`--resume`'s refusal of a run whose lock names a live process ("PID on HOST"), in one line.

    A process of another machine (a home folder shared by a lab's machines)
    cannot be checked from here, so its lock never goes stale: the fix is to
    delete it once that run has ended.

    Example:
        >>> still_running_message("logs/r", "12 on elsewhere").endswith("delete logs/r/.lock, then resume.")
        True
    """  # noqa: E501
    host = holder.rpartition(" on ")[2]
    fix = (
        "Wait for that run to end, or stop it, before resuming it."
        if host == socket.gethostname()
        else f"This machine cannot check a process of {host}: if that run has ended, delete "
        f"{os.path.join(run_dir, LOCK_FILE)}, then resume."
    )
    return (
        f"`resume`: {run_dir} is still running: it is being trained by process {holder} "
        f"(its {LOCK_FILE} says so). {fix}"
    )


def _remove_stale_lock(path: str) -> None:
    """Removes a lock whose process has ended; one line if something else is in its place."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as error:  # A directory, or a file it may not remove.
        raise RunDirectoryError(
            f"`resume`: {path} is where the run keeps its lock, and it cannot be replaced "
            f"({error.strerror or error}). Remove it, then resume."
        ) from None


def lock_holder(run_dir: str) -> str | None:
    """ "pid on host" of the live process training in `run_dir`, or None.

    Example:
        >>> lock_holder("/nonexistent/run") is None
        True
    """
    return _lock_holder(os.path.join(run_dir, LOCK_FILE))


def has_stale_lock(run_dir: str) -> bool:
    """Whether `run_dir` holds a lock whose process is gone: the run was killed.

    Example:
        >>> has_stale_lock("/nonexistent/run")
        False
    """
    return os.path.isfile(os.path.join(run_dir, LOCK_FILE)) and lock_holder(run_dir) is None


def remove_temporary_files(run_dir: str) -> list[str]:
    """Removes the half-written files a kill left in `run_dir` (any depth); returns their paths.

    Call it only while holding the run's lock: a live run's temporary files
    are files being written.

    Example:
        >>> remove_temporary_files("/nonexistent/run")
        []
    """
    removed = []
    for folder, _, names in os.walk(run_dir):
        for name in names:
            if name.startswith(TEMPORARY_PREFIX):
                path = os.path.join(folder, name)
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)
                    removed.append(path)
    return sorted(removed)


def _lock_holder(path: str) -> str | None:
    """ "pid on host" of a lock's process, or None if the lock is stale (or unreadable)."""
    try:
        with open(path) as file:
            pid_text, host = file.read().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    if host == socket.gethostname() and not _process_running(pid):
        return None
    return f"{pid} on {host}"


def _process_running(pid: int) -> bool:
    """Whether process `pid` of this machine runs: it exists and is not a zombie.

    A killed process whose parent has not yet waited for it (a notebook that
    killed its `subprocess.Popen` run, say) stays in the process table as a
    zombie, state Z in Linux's `/proc/PID/stat`, though it holds nothing.

    Example:
        >>> _process_running(os.getpid())
        True
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # It exists, another user's.
        pass
    try:
        with open(f"/proc/{pid}/stat") as file:  # "PID (NAME) STATE ...": NAME may hold ')'.
            state = file.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):  # No /proc (macOS): the signal's answer stands.
        return True
    return state not in ("Z", "X")  # Zombie, or dead.


def create_run_dir(logdir: str, name: str) -> str:
    """Creates and returns a new run directory, adding `-2`, `-3`... if taken.

    Raises:
        RunDirectoryError: one line, if the file system refuses the directory even
            though `check_logdir` passed (e.g. under /proc).
    """
    missing = _missing_folders(logdir)
    try:
        os.makedirs(logdir, exist_ok=True)
        for attempt in range(1, 10_000):
            candidate = os.path.join(logdir, name if attempt == 1 else f"{name}-{attempt}")
            try:
                os.mkdir(candidate)
            except FileExistsError:
                continue
            return candidate
    except OSError as error:
        for folder in reversed(missing):  # Leave no empty folder of ours behind.
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        raise RunDirectoryError(
            f"`logdir` cannot hold a run directory: {error.strerror or error} "
            f"({error.filename!r}). Received: logdir={logdir!r}. Choose a writable --logdir."
        ) from None
    raise RuntimeError(f"No free run directory named {name!r}-N under {logdir!r}.")


def _missing_folders(path: str) -> list[str]:
    """The folders of `path` that do not exist yet, outermost first."""
    missing = []
    path = os.path.abspath(path)
    while not os.path.exists(path) and os.path.dirname(path) != path:
        missing.append(path)
        path = os.path.dirname(path)
    return missing[::-1]


def check_resumable(run_dir: str, key: str = "resume") -> str:
    """The path of a run's `config.json`, if the run can be resumed: one line if not.

    Only what the files say is checked here (no TensorFlow needed): a path
    that is no run's folder is named for what it is (`not_a_run_message`,
    as `key`), a run still alive (its lock's process) is refused, and a run
    without a checkpoint is told where its events end. The checkpoint's
    contents are checked when it is restored.
    """
    config_path = os.path.join(str(run_dir), CONFIG_FILE)
    if not os.path.isfile(config_path):
        raise ValueError(not_a_run_message(str(run_dir), key, CONFIG_FILE, is_run_directory))
    holder = lock_holder(run_dir)
    if holder is not None:
        raise ValueError(still_running_message(run_dir, holder))
    checkpoint = os.path.join(run_dir, CHECKPOINT_FILE)
    if os.path.exists(checkpoint) and not os.path.isfile(checkpoint):
        raise ValueError(
            f"`resume`: {checkpoint} is not a checkpoint file (a directory?). Received: "
            f"resume={run_dir!r}. Start the run again instead of resuming it."
        )
    if not os.path.isfile(checkpoint):
        raise ValueError(no_checkpoint_message(run_dir))
    if not os.access(run_dir, os.W_OK | os.X_OK) or read_only_filesystem(run_dir):
        raise ValueError(
            f"`resume` writes into the run directory, and {run_dir} is not writable. "
            "Resume a copy of it on a writable disk."
        )
    return config_path


def no_checkpoint_message(run_dir: str) -> str:
    """Why a run without `checkpoint.npz` cannot resume, in one line."""
    status = None
    with contextlib.suppress(OSError, ValueError, AttributeError):
        with open(os.path.join(run_dir, SUMMARY_FILE)) as file:
            status = json.load(file).get("status")
    if status in ("completed", "diverged"):  # Its checkpoint is removed last of all.
        return (
            f"`resume` needs {CHECKPOINT_FILE} in the run directory; this run {status}, and only "
            f"interrupted or killed runs that saved one resume. Received: resume={run_dir!r}."
        )
    if status in ("interrupted", "failed"):  # It ended on its own: it did not die.
        return (
            f"`resume` needs {CHECKPOINT_FILE} in the run directory, and this run ({status}, "
            "says its summary.json) has none: it was moved or deleted, or the run stopped "
            f"before its first epoch ended. Received: resume={run_dir!r}. Put "
            f"{CHECKPOINT_FILE} back, or train the run again."
        )
    step = last_event_step(run_dir)
    where = "it wrote no events" if step is None else f"its events end at step {step}"
    return (
        f"`resume`: {run_dir} died without a checkpoint ({where}); nothing to resume from. "
        "Train it again; a run saves one every --checkpoint-every seconds (not 0)."
    )
