"""XLA's persistent compilation cache, in the user's cache directory.

`use_xla_cache` points XLA's persistent compilation cache at
`xla_cache_directory` (`$XDG_CACHE_HOME/kerasclf/xla/tf-VERSION/MACHINE`, by
default under `~/.cache`) through TF_XLA_FLAGS, before TensorFlow reads them:
a second run of the same model loads its compiled programs instead of
compiling them again (about half a second of every default run,
`python -m benchmarks.run_overhead`). A changed model or shape has another
key and compiles anew. A cache directory the user set in TF_XLA_FLAGS is
kept; set KERASCLF_XLA_CACHE=off to use none.

XLA's key does not name the processor: a program compiled on a machine with
AVX-512 would be loaded, with only a warning, on one without it, and die
there of an illegal instruction. A home directory shared by a lab's
machines is common, so each processor (its architecture and instruction
sets, `machine_name`) has its own folder.

TensorFlow writes each cached program whole, then renames it into place, but
it fails the run that reads a damaged one (an empty or truncated file, or
other bytes: "Can't parse ... as binary proto", "Serialized cache key does
not match"). So each process first deletes the files of its TensorFlow's
folder that are not whole cache entries (`is_whole_entry`); their programs
compile again. Files written before the last such check (the folder's
`CHECKED_MARK` file's time) are not read again: about 60 us a file. A
process that finds the cache over `CACHE_LIMIT_BYTES` deletes its oldest
programs down to half that.
"""

from __future__ import annotations

import hashlib
import math
import os
import platform
import sys
import time

CACHE_FLAG = "--tf_xla_persistent_cache_directory"
# The cache is trimmed to half this size, oldest files first, when a process finds it larger.
CACHE_LIMIT_BYTES = 256 * 2**20
CACHE_FILE_PREFIX = "xla_compile_cache__"  # TensorFlow's name for a whole, renamed file.
# The fields of TensorFlow's `XlaSerializedCacheEntry` message, each length-delimited:
# the key, the HLO module and the executable.
ENTRY_FIELDS = {1, 2, 3}
LENGTH_DELIMITED = 2  # Protocol buffers' wire type of messages and bytes.
# Its modification time is when the folder's files were last checked.
CHECKED_MARK = ".checked"
# Linux lists each processor's instruction sets here: "flags" on x86, "Features" on ARM.
CPUINFO_PATH = "/proc/cpuinfo"
CPUINFO_FEATURE_KEYS = ("flags", "features")


def xla_cache_directory(tensorflow_version: str) -> str:
    """Where XLA's compiled programs are kept: one folder per TensorFlow and processor.

    Example:
        >>> folder = xla_cache_directory("2.21.0")
        >>> os.path.dirname(folder).endswith(os.path.join("kerasclf", "xla", "tf-2.21.0"))
        True
        >>> os.path.basename(folder) == machine_name()
        True
    """
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache_home, "kerasclf", "xla", f"tf-{tensorflow_version}", machine_name())


def machine_name(cpuinfo_path: str = CPUINFO_PATH) -> str:
    """The processor's architecture and a digest of its instruction sets, e.g. "x86_64-3f9a0c1e".

    The instruction sets are the first processor's feature list in
    `cpuinfo_path` (Linux); elsewhere `platform.processor()` stands in.

    Example:
        >>> machine_name().startswith(platform.machine() or "unknown")
        True
    """
    cpuinfo_path = os.fspath(cpuinfo_path)  # A path: never an open file's descriptor.
    features = platform.processor()
    try:
        with open(cpuinfo_path, encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip().lower() in CPUINFO_FEATURE_KEYS:
                    features = " ".join(sorted(value.split()))
                    break
    except OSError:  # Not Linux.
        pass
    digest = hashlib.sha1(features.encode()).hexdigest()[:8]
    return f"{platform.machine() or 'unknown'}-{digest}"


def use_xla_cache(tensorflow_version: str) -> None:
    """Adds the persistent-cache flag to TF_XLA_FLAGS, unless the user chose otherwise.

    TensorFlow reads TF_XLA_FLAGS when it first compiles with XLA, not when
    it is imported, so this works until then. Nothing happens if
    KERASCLF_XLA_CACHE is "off" or TF_XLA_FLAGS already names a cache
    directory; a directory that cannot be created means no cache. Damaged
    files in the folder are deleted first, and the cache trimmed.

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
        for path in remove_damaged_entries(directory):
            print(f"kerasclf: deleted a damaged XLA cache file: {path}", file=sys.stderr)
        trim_xla_cache(os.path.dirname(os.path.dirname(directory)), CACHE_LIMIT_BYTES)
    except OSError:  # A read-only home: compile every time, as before.
        return
    os.environ["TF_XLA_FLAGS"] = f"{flags} {CACHE_FLAG}={directory}".strip()


def cache_entries(root: str) -> list[str]:
    """The paths of the cached programs under `root` (never a file still being written)."""
    return [
        os.path.join(folder, name)
        for folder, _, names in os.walk(root)
        for name in names
        if name.startswith(CACHE_FILE_PREFIX) and name.endswith(".pb")
    ]


def remove_damaged_entries(directory: str) -> list[str]:
    """Deletes the cached programs in `directory` that are not whole entries; their paths.

    Example:
        >>> remove_damaged_entries("/tmp/no-such-kerasclf-cache")
        []
    """
    mark = os.path.join(directory, CHECKED_MARK)
    started = time.time()
    checked_until = os.path.getmtime(mark) if os.path.exists(mark) else -math.inf
    removed = []
    for path in cache_entries(directory):
        try:
            if os.path.getmtime(path) >= checked_until and not is_whole_entry(path):
                os.remove(path)
                removed.append(path)
        except FileNotFoundError:  # Another process trimmed it meanwhile.
            continue
    if os.path.isdir(directory):
        with open(mark, "a"):
            pass
        os.utime(mark, (started, started))  # Files renamed in since the start: checked next time.
    return removed


def is_whole_entry(path: str) -> bool:
    """Whether the file holds a whole `XlaSerializedCacheEntry`, by its top-level fields.

    The fields must be the entry's own (key, HLO module, executable), each
    present, and their lengths must add up to the file's size exactly: an
    empty, truncated or foreign file fails. Only their headers are read.

    Example:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile(suffix=".pb") as file:
        ...     _ = file.write(bytes([0x0A, 1, 0, 0x12, 0, 0x1A, 2, 7, 7])); file.flush()
        ...     is_whole_entry(file.name)
        True
    """
    size = os.path.getsize(path)
    position, fields = 0, set()
    with open(path, "rb") as file:
        while position < size:
            file.seek(position)
            header = file.read(20)  # Two varints of at most 10 bytes each.
            tag, offset = _varint(header, 0)
            length, offset = _varint(header, offset)
            if tag is None or length is None:
                return False
            if tag & 7 != LENGTH_DELIMITED or tag >> 3 not in ENTRY_FIELDS:
                return False
            fields.add(tag >> 3)
            position += offset + length
    return position == size and fields == ENTRY_FIELDS


def _varint(data: bytes, offset: int) -> tuple[int | None, int]:
    """The protocol-buffer varint at `offset` and the offset after it; None if cut short."""
    value, shift = 0, 0
    while offset < len(data) and shift < 70:
        byte = data[offset]
        value |= (byte & 0x7F) << shift
        offset += 1
        if byte < 0x80:
            return value, offset
        shift += 7
    return None, offset


def trim_xla_cache(root: str, limit_bytes: int) -> None:
    """Deletes the oldest cached programs under `root` until they fill half of `limit_bytes`.

    Nothing happens while they fill at most `limit_bytes`. Only whole files
    are deleted, never one TensorFlow is still writing; a program deleted
    is compiled again when it is next needed.

    Example:
        >>> trim_xla_cache("/tmp/no-such-kerasclf-cache", 2**20)
    """
    files = []
    for path in cache_entries(root):
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
