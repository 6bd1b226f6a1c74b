"""Imports TensorFlow without its native start-up lines, which are not for students.

TensorFlow writes a few lines as it loads (oneDNN, "Could not find cuda
drivers", CPU features) before it reads TF_CPP_MIN_LOG_LEVEL, straight to
file descriptor 2, so only redirecting that descriptor while it loads stops
them. After that, TF_CPP_MIN_LOG_LEVEL=3 (set here unless the user chose a
level) keeps its C++ log to FATAL messages, e.g. no "failed call to cuInit" on
a machine without a GPU. Set TF_CPP_MIN_LOG_LEVEL=0 to see everything.

`import kerasclf` imports this module first. An import error still raises as
usual; only the native lines written while TensorFlow loads are dropped.

It also points XLA's persistent compilation cache at the user's cache
directory (`xla_cache_directory`: `$XDG_CACHE_HOME/kerasclf/xla/tf-VERSION`,
by default under `~/.cache`) through TF_XLA_FLAGS, before TensorFlow reads
them: a second run of the same model loads its compiled programs
instead of compiling them again (about a second of every default run). A
changed model or shape has another key and compiles anew. A cache
directory the user set in TF_XLA_FLAGS is kept; set KERASCLF_XLA_CACHE=off
to use none. TensorFlow fails a run on a damaged cache file ("Read less bytes
than requested"); deleting the folder cures it. (It writes each file whole,
then renames it, so only something else can damage one.) A process that
finds the cache over 256 MiB deletes its oldest programs down to half that.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CACHE_FLAG = "--tf_xla_persistent_cache_directory"
# The cache is trimmed to half this size, oldest files first, when a process finds it larger.
CACHE_LIMIT_BYTES = 256 * 2**20
CACHE_FILE_PREFIX = "xla_compile_cache__"  # TensorFlow's name for a whole, renamed file.


def xla_cache_directory(tensorflow_version: str) -> str:
    """Where XLA's compiled programs are kept between processes, one folder per TensorFlow.

    Example:
        >>> xla_cache_directory("2.21.0").endswith(os.path.join("kerasclf", "xla", "tf-2.21.0"))
        True
    """
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache_home, "kerasclf", "xla", f"tf-{tensorflow_version}")


def use_xla_cache(tensorflow_version: str) -> None:
    """Adds the persistent-cache flag to TF_XLA_FLAGS, unless the user chose otherwise.

    TensorFlow reads TF_XLA_FLAGS when it first compiles with XLA, not when
    it is imported, so this works until then. Nothing happens if
    KERASCLF_XLA_CACHE is "off" or TF_XLA_FLAGS already names a cache
    directory; a directory that cannot be created means no cache.

    Args:
        tensorflow_version: `tensorflow.__version__`: another TensorFlow gets
            its own folder, never a program compiled by an older one.

    Example:
        >>> use_xla_cache("2.21.0")
        >>> flags = os.environ.get("TF_XLA_FLAGS", "")
        >>> os.environ.get("KERASCLF_XLA_CACHE") == "off" or CACHE_FLAG in flags
        True
    """
    flags = os.environ.get("TF_XLA_FLAGS", "")
    if os.environ.get("KERASCLF_XLA_CACHE", "").lower() == "off" or CACHE_FLAG in flags:
        return
    directory = xla_cache_directory(tensorflow_version)
    try:
        os.makedirs(directory, exist_ok=True)
        trim_xla_cache(os.path.dirname(directory), CACHE_LIMIT_BYTES)
    except OSError:  # A read-only home: compile every time, as before.
        return
    os.environ["TF_XLA_FLAGS"] = f"{flags} {CACHE_FLAG}={directory}".strip()


def trim_xla_cache(root: str, limit_bytes: int) -> None:
    """Deletes the oldest cached programs under `root` until they fill half of `limit_bytes`.

    Nothing happens while they fill at most `limit_bytes`. Only whole files
    are deleted, never one TensorFlow is still writing; a program deleted
    is compiled again when it is next needed.

    Example:
        >>> trim_xla_cache("/tmp/no-such-kerasclf-cache", 2**20)
    """
    files = []
    for folder, _, names in os.walk(root):
        for name in names:
            if name.startswith(CACHE_FILE_PREFIX) and name.endswith(".pb"):
                path = os.path.join(folder, name)
                try:
                    status = os.stat(path)
                except FileNotFoundError:  # Another process trimmed it meanwhile.
                    continue
                files.append((status.st_mtime, status.st_size, path))
    total = sum(size for _, size, _ in files)
    if total <= limit_bytes:
        return
    for _, size, path in sorted(files):
        if total <= limit_bytes // 2:
            break
        try:
            os.remove(path)
        except FileNotFoundError:  # Another process trimmed it first.
            pass
        total -= size


def import_tensorflow_quietly() -> None:
    """Imports TensorFlow with file descriptor 2 pointing at /dev/null meanwhile.

    Nothing happens if TensorFlow is already imported, or if the user set
    TF_CPP_MIN_LOG_LEVEL below 3 to see its messages.

    Example:
        >>> import_tensorflow_quietly()
        >>> "tensorflow" in sys.modules
        True
    """
    if "tensorflow" in sys.modules or os.environ["TF_CPP_MIN_LOG_LEVEL"] != "3":
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


import_tensorflow_quietly()
import tensorflow  # noqa: E402 (imported quietly just above, unless the user wants its lines)

use_xla_cache(tensorflow.__version__)
