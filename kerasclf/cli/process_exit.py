"""How the CLI's process ends: at once, once its files are written.

An interpreter that has loaded TensorFlow takes about 0.9 s to tear itself
down (freeing every module's objects and running TensorFlow's C++
destructors), on every run of every experiment, after the run's last file is
written. `exit_process` skips that teardown when nothing can be lost by it:

- every run closes its TensorBoard writers, joins its image threads and
  writes its files atomically before `main` returns;
- it still runs the `atexit` hooks (logging's flush among them) and
  flushes Python's standard streams;
- it falls back to the ordinary exit when another non-daemon thread is
  still alive (the interpreter would wait for it) or when TensorFlow was
  never loaded (`--help`, a bad flag: the teardown is then quick).

`python -m benchmarks.run_overhead` measures what it saves.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def exit_process(status: int) -> NoReturn:
    """Ends the process with `status`, skipping the interpreter's teardown where safe.

    Args:
        status: The exit status, an int in [0, 255].

    Example:
        >>> exit_process(0)  # doctest: +SKIP
    """
    if not _may_skip_teardown():
        sys.exit(status)
    atexit._run_exitfuncs()  # What the interpreter would run first; `os._exit` runs none.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # A closed pipe: what it missed can no longer be delivered.
            pass
    os._exit(status)


def _may_skip_teardown() -> bool:
    """Whether TensorFlow is loaded and no other thread the interpreter would wait for runs."""
    others = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.daemon
    ]
    return "tensorflow" in sys.modules and not others
