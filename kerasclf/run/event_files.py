"""Reading a run's TensorBoard event files without TensorFlow: steps, tags, last values.

An event file is a sequence of records (TFRecord framing: an 8-byte length,
its 4-byte checksum, the data, the data's 4-byte checksum), each an `Event`
protocol buffer. A run killed while writing may leave a last record cut
short; reading stops before it (a length whose checksum fails, or that runs
past the file's end). `kerasclf train --resume` and `kerasclf runs`
use this to say where a run's events end, before TensorFlow loads.

Example:
    >>> last_event_step("logs/run")  # doctest: +SKIP
    2015
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator

import numpy as np
from tensorboard.compat.proto import event_pb2, types_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

# Tags whose step is the optimizer's iteration, not the epoch
# (kerasclf.callbacks.minibatch_cost.TAG; a test keeps the two equal).
ITERATION_TAGS = ("minibatch_cost",)
# The epoch's cost (kerasclf.callbacks.cost), shown by `kerasclf runs`.
COST_TAG = "cost"
_HEADER = struct.Struct("<QI")
_FOOTER_BYTES = 4


def event_file_paths(run_dir: str) -> list[str]:
    """The event files under `run_dir` (any depth), sorted.

    Example:
        >>> event_file_paths("logs/run")  # doctest: +SKIP
        ['logs/run/train/events.out.tfevents.1764829201.host.1234.0.v2']
    """
    paths = []
    for folder, _, names in os.walk(run_dir):
        paths.extend(os.path.join(folder, name) for name in names if "tfevents" in name)
    return sorted(paths)


def read_records(path: str) -> Iterator[tuple[bytes, bytes]]:
    """Each whole record of an event file as (its framed bytes, its data).

    A record cut short by a kill ends the reading; an unreadable file reads
    as empty.
    """
    try:
        file = open(path, "rb")
    except OSError:
        return
    with file:
        size = os.fstat(file.fileno()).st_size
        while True:
            header = file.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return
            (length, length_checksum) = _HEADER.unpack(header)
            if length_checksum != masked_crc32c(header[:8]):
                return  # Not a record's start: garbage after a kill.
            if file.tell() + length + _FOOTER_BYTES > size:
                return  # Cut short.
            rest = file.read(length + _FOOTER_BYTES)
            if len(rest) < length + _FOOTER_BYTES:
                return
            yield header + rest, rest[:length]


def read_events(path: str) -> Iterator[event_pb2.Event]:
    """Each whole event of an event file; a record that does not parse ends it."""
    for _, data in read_records(path):
        try:
            yield event_pb2.Event.FromString(data)
        except Exception:  # protobuf's DecodeError: garbage after a kill.
            return


def kept_on_resume(
    event: event_pb2.Event, epochs: int, iterations: int, redrawn: dict | None = None
) -> bool:
    """Whether an event belongs to a run resumed after `epochs` epochs (`iterations` steps).

    Summary values are kept up to their step's unit: epochs, or the
    optimizer's iterations for `ITERATION_TAGS`; events without values (the
    file's version, say) are always kept. `redrawn` maps a tag to the steps
    that the resumed run draws again (the error surface's frames, drawn at a
    run's end): those are dropped too.
    """
    redrawn = redrawn or {}
    return all(
        event.step <= (iterations if value.tag in ITERATION_TAGS else epochs)
        and event.step not in redrawn.get(value.tag, ())
        for value in event.summary.value
    )


def last_event_step(run_dir: str) -> int | None:
    """The last epoch step any of the run's epoch series reached; None without events.

    Example:
        >>> last_event_step("logs/run")  # doctest: +SKIP
        2015
    """
    steps = [
        event.step
        for path in event_file_paths(run_dir)
        for event in read_events(path)
        if event.summary.value and all(v.tag not in ITERATION_TAGS for v in event.summary.value)
    ]
    return max(steps) if steps else None


def last_scalar(run_dir: str, tag: str = COST_TAG) -> tuple[int, float] | None:
    """(step, value) of a scalar tag's last step in the run's events, or None.

    Example:
        >>> last_scalar("logs/run", "cost")  # doctest: +SKIP
        (2015, 56.49)
    """
    last = None
    for path in event_file_paths(run_dir):
        for event in read_events(path):
            for value in event.summary.value:
                if value.tag == tag and (last is None or event.step >= last[0]):
                    number = scalar_value(value)
                    if number is not None:
                        last = (int(event.step), number)
    return last


def scalar_value(value) -> float | None:
    """The number of a scalar summary value (a float tensor or an old simple_value)."""
    if value.HasField("tensor"):
        tensor = value.tensor
        dtypes = {types_pb2.DT_FLOAT: np.float32, types_pb2.DT_DOUBLE: np.float64}
        if tensor.dtype not in dtypes:
            return None
        if tensor.tensor_content:
            numbers = np.frombuffer(tensor.tensor_content, dtypes[tensor.dtype])
        else:
            numbers = list(tensor.float_val) or list(tensor.double_val)
        return float(numbers[0]) if len(numbers) == 1 else None
    if value.WhichOneof("value") == "simple_value":
        return float(value.simple_value)
    return None
