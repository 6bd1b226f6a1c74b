"""Which data sources stream: shard globs and large files (no TensorFlow needed).

The config decides from these, before anything is read, whether `data` is
loaded into memory (`kerasclf.data`) or streamed (`kerasclf.data.streaming`).
"""

from __future__ import annotations

import glob
import os

# Generated sets larger than this stream instead of being held in memory.
STREAM_ABOVE_SAMPLES = 2**24
# CSV files larger than this stream instead of being loaded: loading parses
# the file with numpy, about 2 bytes of memory and 0.02 us per byte of file
# (10 bytes and 0.16 us when it parsed every cell in Python), so a file of
# 2^28 bytes (about 10^7 rows of 2 features) takes about 0.5 GB and 6 s to load.
STREAM_ABOVE_BYTES = 2**28
_GLOB_CHARACTERS = frozenset("*?[")


def is_shard_glob(path) -> bool:
    """Whether a `data` path is a glob of CSV shards rather than one file."""
    return isinstance(path, str) and any(character in path for character in _GLOB_CHARACTERS)


def match_shards(pattern: str) -> list[str]:
    """The files a shard glob matches, sorted; raises if it matches none."""
    files = sorted(path for path in glob.glob(pattern) if os.path.isfile(path))
    if not files:
        raise ValueError(
            f"`data` glob matches no files. Received: data={pattern!r}. Check the directory and "
            "quote the pattern so the shell does not expand it, e.g. --data 'shards/*.csv'."
        )
    not_csv = [path for path in files if os.path.splitext(path)[1].lower() != ".csv"]
    if not_csv:
        raise ValueError(
            f"`data` glob must match .csv shards only. Received {not_csv[0]!r} from "
            f"data={pattern!r}. Narrow the pattern, e.g. 'shards/*.csv'."
        )
    return files


def is_large_csv(path) -> bool:
    """Whether `data` names one CSV file too large to load: it streams instead."""
    return (
        isinstance(path, str)
        and not is_shard_glob(path)
        and path.lower().endswith(".csv")
        and os.path.isfile(path)
        and os.path.getsize(path) > STREAM_ABOVE_BYTES
    )
