"""CSV data as a `Stream`: shards, or one big file read in chunks of lines, checked once.

- **CSV shards**, from a glob such as `shards/*.csv`: one chunk is one shard
  file, so memory holds a few shards at a time.
- **One CSV file**, streamed when it is larger than
  `kerasclf.data.files.STREAM_ABOVE_BYTES` (or with `streaming=True`): chunk
  i is its lines `CSV_CHUNK_LINES * i` onwards, read as a byte range.

Both are checked once, before training, exactly as `load_data` checks a CSV
file, by a pass that parses the chunks in parallel with `tf.io.decode_csv`
and keeps the numbers in a `kerasclf.data.chunk_cache.ChunkCache` on local
disk, which every epoch reads back without parsing (`cache=False`, or no
room for a cache: every epoch parses the text again).

Example:
    >>> stream = open_csv_data("shards/*.csv")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os

import numpy as np
import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

from kerasclf.data.checks import check_classes_present, check_finite_samples, check_label_values
from kerasclf.data.chunk_cache import ChunkCache, check_cache
from kerasclf.data.csv_files import csv_layout, csv_read_error, csv_rows_values
from kerasclf.data.files import is_shard_glob, match_shards
from kerasclf.data.streaming import Stream
from kerasclf.tracing import as_written
from kerasclf.validation import check_integer, suggests_keywords

# Lines per chunk of a streamed CSV file.
CSV_CHUNK_LINES = 2**16


@suggests_keywords
def open_csv_data(path: str, cache: bool = True) -> Stream:
    """A glob of CSV shards, or one CSV file in chunks, as a `Stream`.

    With `cache`, the chunks parsed by the checking pass are kept on local
    disk (`kerasclf.data.chunk_cache`) and every epoch reads them back
    without parsing; without it, or where no cache can be made, every epoch
    parses the CSV text again.

    Example:
        >>> stream = open_csv_data("shards/*.csv")  # doctest: +SKIP
        >>> stream.num_samples, stream.num_features, stream.num_classes  # doctest: +SKIP
        (1000000, 2, 2)
    """
    if is_shard_glob(path):
        return open_csv_shards(path, cache=cache)
    return open_csv_file(path, cache=cache)


def open_csv_shards(pattern: str, cache: bool = True) -> Stream:
    """Checks a glob of CSV shards and returns them as a `Stream`.

    Every shard has the features in every column but the last and the label
    in the last, with an optional header row, as for `load_data`. All shards
    must have the same columns. Each shard is read once here, to count its
    rows and check its values (shards in parallel); with `cache`, what that
    pass parsed is what every epoch reads (see `open_csv_data`).

    Raises:
        ValueError: one line naming the shard (and line) at fault.

    Example:
        >>> stream = open_csv_shards("shards/*.csv")  # doctest: +SKIP
    """
    check_cache(cache)
    files = match_shards(pattern)
    headers, widths = zip(*(csv_layout(path) for path in files))
    if len(set(widths)) > 1:
        other = next(index for index, width in enumerate(widths) if width != widths[0])
        raise ValueError(
            f"CSV shards have different column counts: {files[0]} has {widths[0]}, "
            f"{files[other]} has {widths[other]}. Every shard needs the same feature columns "
            f"and a label. Received: data={pattern!r}."
        )
    num_columns = widths[0]
    if num_columns < 2:
        raise ValueError(
            f"{files[0]}: each CSV row needs at least one feature column and a label column. "
            f"Received {num_columns} column(s)."
        )
    file_names = tf.constant(files)
    header_rows = tf.constant(headers, tf.int64)

    def read_values(index):
        text = tf.io.read_file(file_names[index])
        return _parse_csv(text, header_rows[index], num_columns)

    chunks = [_Chunk(path, 0, None, header) for path, header in zip(files, headers)]
    return _checked_stream(pattern, chunks, read_values, num_columns, cache)


def open_csv_file(path: str, chunk_lines: int = CSV_CHUNK_LINES, cache: bool = True) -> Stream:
    """Checks one CSV file and returns it as a `Stream` of `chunk_lines`-line chunks.

    The file is laid out as for `load_data`. It is read once here, block by
    block, to find where its chunks start, and once more to count and check
    its rows; each chunk is then read as a byte range when the pipeline asks,
    or, with `cache`, read back parsed (see `open_csv_data`).

    Raises:
        ValueError: one line naming the file and the line at fault.

    Example:
        >>> stream = open_csv_file("points.csv")  # doctest: +SKIP
    """
    check_integer("chunk_lines", chunk_lines)
    check_cache(cache)
    if not isinstance(path, str) or not os.path.isfile(path):
        raise ValueError(f"CSV file does not exist. Received: path={path!r}.")
    header, num_columns = csv_layout(path)
    if num_columns < 2:
        raise ValueError(
            f"{path}: each CSV row needs at least one feature column and a label column. "
            f"Received {num_columns} column(s)."
        )
    starts = _line_offsets(path, chunk_lines)
    ends = [*starts[1:], os.path.getsize(path)]
    chunks = [
        _Chunk(path, start, end, header if index == 0 else 0)
        for index, (start, end) in enumerate(zip(starts, ends))
    ]
    header_rows = tf.constant([chunk.header_rows for chunk in chunks], tf.int64)

    def read_values(index):
        data = tf.numpy_function(lambda i: chunks[int(i)].data(), [index], tf.string)
        return _parse_csv(tf.reshape(data, []), header_rows[index], num_columns)

    return _checked_stream(path, chunks, read_values, num_columns, cache)


@dataclasses.dataclass(frozen=True)
class _Chunk:
    """Bytes `start..end` (None: to the end) of a CSV file, with `header_rows` to skip."""

    path: str
    start: int
    end: int | None
    header_rows: int

    def data(self) -> bytes:
        """The chunk's bytes."""
        with open(self.path, "rb") as file:
            file.seek(self.start)
            return file.read() if self.end is None else file.read(self.end - self.start)

    def rows(self) -> list[list[str]]:
        """The chunk's non-empty CSV rows, header included, read with Python's csv module."""
        try:
            text = self.data().decode("utf-8-sig" if self.start == 0 else "utf-8")
        except UnicodeDecodeError as error:
            raise csv_read_error(self.path, error) from None
        except OSError as error:
            raise csv_read_error(self.path, error) from None
        return [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]


def _checked_stream(
    source: str, chunks: list[_Chunk], read_values, num_columns: int, cache: bool
) -> Stream:
    """The stream of `chunks`, after one checking pass over them.

    With `cache`, the pass stores what it parsed, and the stream reads that
    back (a `ChunkCache` is then its `read_chunk`); else it parses again.
    """

    def read_chunk(index):
        features, labels = read_values(index)
        return features, tf.cast(labels, tf.int32)

    stored = ChunkCache.create(len(chunks), num_columns - 1) if cache else None
    try:
        num_samples, num_classes = _check_chunks(read_values, chunks, source, num_columns, stored)
    except BaseException:
        if stored is not None:
            stored.close()
        raise
    if stored is not None and stored.complete:
        read_chunk = stored
    elif stored is not None:
        stored.close()
    return Stream(source, num_samples, num_columns - 1, num_classes, len(chunks), read_chunk)


def _line_offsets(path: str, every: int, block_bytes: int = 2**24) -> list[int]:
    """Byte offsets of lines 0, `every`, `2 * every`, ... of a file (those that exist)."""
    offsets, lines_seen, position = [0], 0, 0
    try:
        with open(path, "rb") as file:
            while block := file.read(block_bytes):
                newlines = np.flatnonzero(np.frombuffer(block, np.uint8) == ord("\n"))
                # Line (lines_seen + j + 1) starts after the block's j-th newline.
                first = (-lines_seen - 1) % every
                offsets += (position + newlines[first::every] + 1).tolist()
                lines_seen += len(newlines)
                position += len(block)
    except OSError as error:
        raise csv_read_error(path, error) from None
    return [offset for offset in offsets if offset < position] or [0]


def _parse_csv(text, header_rows, num_columns: int):
    """CSV text as float32 `(features, labels)`, parsed in one vectorized op."""
    text = tf.strings.regex_replace(text, "^\ufeff", "")  # A BOM.
    lines = tf.strings.strip(tf.strings.split(text, "\n"))
    lines = tf.boolean_mask(lines, tf.strings.length(lines) > 0)[header_rows:]
    columns = tf.io.decode_csv(lines, [tf.constant([], tf.float32)] * num_columns)
    labels = columns[-1]
    return tf.stack(columns[:-1], axis=1), labels


def _parsed_chunks(read_values, num_chunks: int):
    """An iterator over every chunk's parsed `(features, labels)`, in order, parsed in parallel.

    A chunk that fails to parse raises when its turn comes, after the chunks before it.
    """
    dataset = tf.data.Dataset.range(num_chunks).map(
        as_written(read_values), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
    )
    options = tf.data.Options()
    options.autotune.enabled = False  # Its thread delays the iterator's teardown.
    return iter(dataset.with_options(options))


def _check_chunks(
    read_values, chunks: list[_Chunk], source: str, num_columns: int, stored: ChunkCache | None
) -> tuple[int, int]:
    """Reads every chunk once: counts rows and classes, checks every value.

    The features and labels follow `kerasclf.data.checks`, as in-memory data
    do. Each checked chunk goes to `stored`, when there is one.

    Returns:
        `(num_samples, num_classes)`.
    """
    parsed = _parsed_chunks(read_values, len(chunks))
    num_samples, classes = 0, set()
    rows_before = {}  # Data rows in the earlier chunks of each file.
    headers = {}  # Header rows of each file: those of its first chunk.
    for index, chunk in enumerate(chunks):
        path = chunk.path
        before = rows_before.setdefault(path, 0)
        header = headers.setdefault(path, chunk.header_rows)
        try:
            features, labels = (tensor.numpy() for tensor in next(parsed))
        # (TensorFlow's message quotes the bad bytes: not UTF-8, it fails to decode itself.)
        except (tf.errors.InvalidArgumentError, UnicodeDecodeError) as error:
            _raise_csv_error(chunk, header + before + 1, num_columns)
            reason = getattr(error, "message", error)
            raise ValueError(
                f"{path}: not a numeric CSV file ({reason}). Give numbers separated by commas, "
                "the label last, one point a line (an optional header first)."
            ) from None

        def where(row: int) -> str:
            """Data row and line of a row of this chunk, counting non-empty lines."""
            number = before + row + 1
            return f"data row {number} (line {header + number}, not counting blank lines)"

        check_finite_samples(np.isfinite(features).all(axis=1), path, where)
        labels = check_label_values(labels, path, where=where)
        if stored is not None:
            stored.store(index, features, labels)
        classes.update(np.unique(labels).tolist())
        rows_before[path] += len(labels)
        num_samples += len(labels)
    empty = next((path for path, rows in rows_before.items() if rows == 0), None)
    if empty is not None:
        raise ValueError(f"{empty}: the CSV file holds no data rows. Add rows of features, label.")
    return num_samples, check_classes_present(classes, source)


def _raise_csv_error(chunk: _Chunk, first_line: int, num_columns) -> None:
    """Raises the precise line and column of a chunk that TensorFlow could not parse."""
    rows = chunk.rows()[chunk.header_rows :]
    if rows:
        csv_rows_values(rows, chunk.path, first_line, width=num_columns)
