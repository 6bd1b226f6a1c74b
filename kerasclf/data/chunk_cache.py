"""The chunk cache: a CSV stream's chunks, parsed once, kept as raw numbers on local disk.

Parsing CSV text is what made streamed shards slow: 4.2M rows of 2 features
took about 1 s per epoch on 2 cores, five times the in-memory epoch.
`kerasclf.data.csv_streams` already parses every chunk once, to check it,
before training; a `ChunkCache` keeps what that pass parsed, as one float32
file of features and one int32 file of labels per chunk, in a temporary
directory. Every epoch then reads those bytes (`tf.io.decode_raw`, no
parsing), still one chunk at a time, so memory stays bounded.

The cache costs `4 * (num_features + 1)` bytes of disk per row (about the size
of the CSV text). It lives in `tempfile.gettempdir()` (set `TMPDIR` to move it)
and is removed with the stream that owns it, or at exit; a cache whose process
was killed (SIGKILL, a power cut) is removed by the next cache made in the
same place (`remove_orphaned_caches`: its `OWNER_FILE` names a process of this
machine that no longer runs). It is not made where
it would cost memory rather than disk (a tmpfs or ramfs temp directory), nor
when the disk would keep less than `CACHE_RESERVE_BYTES` free: the stream
then parses its text every epoch, as before.

Example:
    >>> cache = ChunkCache.create(num_chunks=1, num_features=2)
    >>> cache.store(0, np.ones((3, 2), np.float32), np.array([0, 1, 0]))
    True
    >>> features, labels = cache(tf.constant(0, tf.int64))
    >>> features.shape.as_list(), labels.numpy().tolist()
    ([3, 2], [0, 1, 0])
    >>> cache.close()
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile

import numpy as np
import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

from kerasclf.validation import check_integer

# Disk the cache leaves free; a chunk that would cut into it ends the cache.
CACHE_RESERVE_BYTES = 2**30
# File systems held in memory: a cache there would defeat streaming.
_MEMORY_FILE_SYSTEMS = frozenset({"tmpfs", "ramfs"})
CACHE_PREFIX = "kerasclf-chunks-"
# In each cache: "HOST PID" of the process that made it.
OWNER_FILE = "owner"


def check_cache(cache) -> bool:
    """Returns `cache` if it is True or False (the `cache` argument of the CSV streams).

    Example:
        >>> check_cache(False)
        False
    """
    if not isinstance(cache, bool):
        raise TypeError(
            f"`cache` must be True or False. Received: cache={cache!r} of type "
            f"{type(cache).__name__}."
        )
    return cache


def file_system_type(path: str) -> str | None:
    """The type of the file system holding `path` (e.g. "ext4", "tmpfs"), None if unknown.

    Example:
        >>> file_system_type("/proc") in ("proc", None)
        True
    """
    path, best, kind = os.path.realpath(path), "", None
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) < 3:
                    continue
                mount_point = fields[1].replace("\\040", " ")
                inside = path == mount_point or path.startswith(mount_point.rstrip("/") + "/")
                if inside and len(mount_point) >= len(best):
                    best, kind = mount_point, fields[2]
    except OSError:  # Not Linux: assume a disk.
        return None
    return kind


def remove_orphaned_caches(location: str) -> list[str]:
    """Removes the caches in `location` left by processes of this machine that are gone.

    A cache is kept unless its `OWNER_FILE` names this host and a process id
    that no longer runs (a reused id keeps it: it is never removed under a
    live owner). Returns the removed caches' paths.

    Example:
        >>> remove_orphaned_caches("/tmp/no-such-kerasclf-folder")
        []
    """
    try:
        names = [name for name in os.listdir(location) if name.startswith(CACHE_PREFIX)]
    except OSError:
        return []
    removed = []
    for name in names:
        path = os.path.join(location, name)
        try:
            with open(os.path.join(path, OWNER_FILE), encoding="utf-8") as owner:
                host, pid = owner.read().split()
        except (OSError, ValueError):  # Not ours, being made, or from before owner files.
            continue
        if host == socket.gethostname() and pid.isdigit() and not _is_running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _is_running(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # Another user's process.
        return True
    return True


class ChunkCache:
    """Parsed chunks as raw files; called with a chunk index, reads that chunk back.

    Use `ChunkCache.create`, which returns None where no cache should be made.
    Its instances are a `Stream`'s `read_chunk` once `complete`.
    """

    def __init__(self, num_chunks: int, num_features: int, directory: str | None = None):
        check_integer("num_chunks", num_chunks, minimum=1)
        check_integer("num_features", num_features, minimum=1)
        self._directory = tempfile.TemporaryDirectory(prefix=CACHE_PREFIX, dir=directory)
        self.path = self._directory.name
        with open(os.path.join(self.path, OWNER_FILE), "w", encoding="utf-8") as owner:
            owner.write(f"{socket.gethostname()} {os.getpid()}")
        self.num_chunks, self.num_features = num_chunks, num_features
        self._stored: set[int] = set()
        self._closed = False
        names = [os.path.join(self.path, f"chunk-{index:06d}") for index in range(num_chunks)]
        self._files = [(f"{name}.features", f"{name}.labels") for name in names]
        self._feature_files = tf.constant([features for features, _ in self._files])
        self._label_files = tf.constant([labels for _, labels in self._files])

    @classmethod
    def create(
        cls, num_chunks: int, num_features: int, directory: str | None = None
    ) -> ChunkCache | None:
        """A new empty cache in `directory` (default: the temp directory), or None
        where that directory is held in memory or cannot be written."""
        location = directory or tempfile.gettempdir()
        if file_system_type(location) in _MEMORY_FILE_SYSTEMS:
            return None
        remove_orphaned_caches(location)
        try:
            return cls(num_chunks, num_features, directory)
        except OSError:
            return None

    @property
    def complete(self) -> bool:
        """Whether every chunk is stored (and the cache was not given up)."""
        return not self._closed and len(self._stored) == self.num_chunks

    def store(self, index: int, features: np.ndarray, labels: np.ndarray) -> bool:
        """Writes chunk `index`; False (and the cache removed) if the disk is short or fails."""
        if self._closed:
            return False
        features = np.ascontiguousarray(features, np.float32)
        labels = np.ascontiguousarray(labels, np.int32)
        try:
            free = shutil.disk_usage(self.path).free
            if free < features.nbytes + labels.nbytes + CACHE_RESERVE_BYTES:
                self.close()
                return False
            features.tofile(self._files[index][0])
            labels.tofile(self._files[index][1])
        except OSError:
            self.close()
            return False
        self._stored.add(index)
        return True

    def close(self) -> None:
        """Removes the files; the cache can no longer be read."""
        self._closed = True
        self._directory.cleanup()

    def __call__(self, index: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Chunk `index` (an int64 tensor): float32 `(n, num_features)` and int32 `(n,)`."""
        features = tf.io.decode_raw(tf.io.read_file(self._feature_files[index]), tf.float32)
        labels = tf.io.decode_raw(tf.io.read_file(self._label_files[index]), tf.int32)
        return tf.reshape(features, [-1, self.num_features]), labels
