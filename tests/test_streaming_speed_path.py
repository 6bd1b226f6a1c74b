"""The fast path of streamed CSV: a parallel checking pass and the chunk cache it fills."""

import gc
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import pytest
import tensorflow as tf

from kerasclf.data import chunk_cache, make_dataset
from kerasclf.data.chunk_cache import ChunkCache, file_system_type
from kerasclf.data.csv_streams import open_csv_data, open_csv_file, open_csv_shards


@pytest.fixture
def temp_directory(tmp_path, monkeypatch):
    """A fresh temp directory for the caches, so that leftovers can be counted."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def shards(tmp_path):
    """300 seminar points in 5 shards (the first with a header), and the points as arrays."""
    data = make_dataset("seminar_blobs", num_samples=300, seed=3)
    for index, rows in enumerate(np.array_split(np.arange(300), 5)):
        np.savetxt(
            tmp_path / f"part-{index}.csv",
            np.c_[data.features[rows], data.labels[rows]],
            fmt="%.9g",  # float32 round-trips exactly.
            delimiter=",",
            header="x1,x2,label" if index == 0 else "",
            comments="",
        )
    return str(tmp_path / "part-*.csv"), data


def stream_rows(stream):
    """Every chunk of a stream, in stored order, as numpy arrays."""
    features, labels = zip(*((x.numpy(), y.numpy()) for x, y in stream.chunks()))
    return np.concatenate(features), np.concatenate(labels)


def test_cached_shards_read_back_the_parsed_numbers(shards, temp_directory):
    pattern, data = shards
    cached, parsed = open_csv_shards(pattern), open_csv_shards(pattern, cache=False)
    assert isinstance(cached.read_chunk, ChunkCache)
    assert not isinstance(parsed.read_chunk, ChunkCache)
    for stream in (cached, parsed):
        features, labels = stream_rows(stream)
        assert features.dtype == np.float32 and labels.dtype == np.int32
        np.testing.assert_array_equal(features, data.features)  # Against numpy's own arrays.
        np.testing.assert_array_equal(labels, data.labels)
    assert (cached.num_samples, cached.num_classes) == (parsed.num_samples, parsed.num_classes)


def test_a_streamed_file_is_cached_chunk_by_chunk(tmp_path, temp_directory):
    values = np.c_[np.arange(23, dtype=np.float32) / 4, np.arange(23) % 3]
    path = tmp_path / "points.csv"
    np.savetxt(path, values, fmt="%.9g", delimiter=",", header="x,label", comments="")
    stream = open_csv_file(str(path), chunk_lines=5)
    assert isinstance(stream.read_chunk, ChunkCache) and stream.num_chunks == 5
    sizes = [len(labels) for _, labels in stream.chunks()]
    assert sizes == [4, 5, 5, 5, 4]  # The header is line 1 of the first chunk.
    features, labels = stream_rows(stream)
    np.testing.assert_array_equal(features[:, 0], values[:, 0])
    np.testing.assert_array_equal(labels, values[:, 1])


def test_the_cache_goes_with_its_stream(shards, temp_directory):
    stream = open_csv_data(shards[0])
    directory = stream.read_chunk.path
    assert os.path.dirname(directory) == str(temp_directory)
    # Features and labels of each shard, and the owner's host and process id.
    assert len(os.listdir(directory)) == 2 * 5 + 1
    del stream
    gc.collect()
    assert not os.path.exists(directory)


def test_no_cache_in_memory_or_on_a_full_disk(shards, temp_directory, monkeypatch):
    pattern, data = shards
    monkeypatch.setattr(chunk_cache, "file_system_type", lambda path: "tmpfs")
    stream = open_csv_shards(pattern)
    assert not isinstance(stream.read_chunk, ChunkCache)
    monkeypatch.setattr(chunk_cache, "file_system_type", lambda path: "ext4")
    monkeypatch.setattr(chunk_cache, "CACHE_RESERVE_BYTES", 2**62)  # More than any disk holds.
    full = open_csv_shards(pattern)
    assert not isinstance(full.read_chunk, ChunkCache)
    assert os.listdir(temp_directory) == []  # The abandoned cache left nothing behind.
    np.testing.assert_array_equal(stream_rows(full)[0], data.features)


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("1,x,1", "line 4, column 2: expected a number. Received 'x'"),
        ("1,inf,1", "a NaN or infinity in data row 3 (line 4, not counting blank lines)"),
    ],
)
def test_a_bad_cell_in_a_middle_shard_is_named_and_leaves_no_cache(
    tmp_path, temp_directory, bad_line, message
):
    for index in range(6):  # More shards than parallel parsers: the bad one is not first.
        rows = ["x1,x2,label", f"{index},1,0", f"{index},2,1", "5,6,0", "7,8,1"]
        if index == 3:
            rows[3] = bad_line
        (tmp_path / f"part-{index}.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(ValueError) as error:
        open_csv_shards(str(tmp_path / "part-*.csv"))
    text = str(error.value)
    assert text.startswith(str(tmp_path / "part-3.csv")) and message in text and "\n" not in text
    gc.collect()
    assert os.listdir(temp_directory) == []


def test_cache_must_be_a_bool(shards):
    with pytest.raises(
        TypeError,
        match=re.escape("`cache` must be True or False. Received: cache='yes' of type str."),
    ):
        open_csv_shards(shards[0], cache="yes")


def test_file_system_type_reads_the_mount_table():
    if not os.path.exists("/proc/mounts"):
        pytest.skip("no /proc/mounts")
    assert file_system_type("/proc/self") == "proc"
    assert file_system_type("/") is not None


def test_a_chunk_cache_reads_back_what_it_stored(tmp_path):
    cache = ChunkCache(2, 3, str(tmp_path))
    rng = np.random.default_rng(0)
    chunks = [(rng.normal(size=(n, 3)).astype(np.float32), rng.integers(0, 4, n)) for n in (7, 0)]
    assert all(cache.store(index, *chunk) for index, chunk in enumerate(chunks)) and cache.complete
    for index, (features, labels) in enumerate(chunks):
        read_features, read_labels = cache(tf.constant(index, tf.int64))
        np.testing.assert_array_equal(read_features.numpy(), features.reshape(-1, 3))
        np.testing.assert_array_equal(read_labels.numpy(), labels)
    cache.close()
    assert not cache.complete and not os.path.exists(cache.path)


# Makes a cache in the temp directory given, then dies by SIGKILL: nothing of
# Python's runs at exit, so the cache stays behind.
KILLED_OWNER = """
import os, signal, sys, tempfile
tempfile.tempdir = sys.argv[1]
from kerasclf.data.chunk_cache import ChunkCache
cache = ChunkCache.create(num_chunks=1, num_features=2)
print(cache.path, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_cache_left_by_a_killed_process_is_removed_by_the_next_one(temp_directory):
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_OWNER, str(temp_directory)], capture_output=True, text=True
    )
    assert killed.returncode == -9
    orphan = killed.stdout.strip()
    assert os.path.isdir(orphan)
    live = ChunkCache.create(num_chunks=1, num_features=2)  # This process: alive.
    assert not os.path.exists(orphan)
    foreign = temp_directory / "kerasclf-chunks-without-owner"  # Not provably orphaned: kept.
    foreign.mkdir()
    assert chunk_cache.remove_orphaned_caches(str(temp_directory)) == []
    assert sorted(os.listdir(temp_directory)) == sorted([os.path.basename(live.path), foreign.name])
    live.close()
