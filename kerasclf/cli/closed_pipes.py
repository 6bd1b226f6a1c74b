"""Output whose reader has gone: the CLI goes on, and only the lines are lost.

Piped into `head` (`kerasclf train | head -3`), the CLI's standard output
closes once `head` has its lines, and Python raises `BrokenPipeError` at
the next write. Raised from an epoch's progress line, that stopped a run
half-way and marked it failed; raised from the failure's own message (with
`2>&1 | head`), it kept the run from saving at all.

`tolerate_closed_pipes` wraps `sys.stdout` and `sys.stderr` so that a write
to a closed pipe sends that stream to /dev/null instead: a run goes on, is
saved, and exits with its own status, as it would with its output
redirected to a file nobody reads.
"""

from __future__ import annotations

import os
import sys


class PipeTolerantStream:
    """A text stream that turns into /dev/null when its reader closes the pipe.

    Everything but `write` and `flush` is the wrapped stream's own.

    Args:
        stream: A text stream with a file descriptor (`sys.stdout`).

    Example:
        >>> import io
        >>> read_end, write_end = os.pipe()
        >>> stream = PipeTolerantStream(io.TextIOWrapper(io.FileIO(write_end, "w")))
        >>> os.close(read_end)  # The reader has gone.
        >>> stream.write("epoch 1\\n"); stream.flush()
        8
        >>> stream.closed_by_reader
        True
    """

    def __init__(self, stream):
        self._stream = stream
        self.closed_by_reader = False

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._discard()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._discard()
            self._stream.flush()  # What the reader missed goes to /dev/null.

    def _discard(self) -> None:
        """Points the stream's file descriptor at /dev/null."""
        self.closed_by_reader = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def tolerate_closed_pipes() -> None:
    """Wraps `sys.stdout` and `sys.stderr` in `PipeTolerantStream` (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, PipeTolerantStream):
            setattr(sys, name, PipeTolerantStream(stream))
