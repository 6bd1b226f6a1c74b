"""`StopOnSignal`: SIGINT or SIGTERM ends training cleanly at the epoch's end.

A signal does not raise in the middle of a training step, where a library's
bare `except:` could swallow it or a half-written file could be left behind.
It sets a flag; at the end of the current epoch training stops as if it had
finished, so Keras closes every callback, and the run is saved with status
`interrupted` and a checkpoint of that epoch (see `kerasclf.run.checkpoint`). A
second signal stops at once, with the checkpoint of the last completed epoch.
Signals after that, or once training is over and the run is being saved, only
print that the run is being saved.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def removed_if_start_fails(run_dir: str | None):
    """Removes a new run's directory if a signal or an error ends the start-up in the block.

    Before training begins there is no epoch to save, so a half-started run
    directory (only `config.json`) would only be litter that cannot resume:
    `kerasclf runs` would list it as killed. SIGTERM raises `KeyboardInterrupt`
    here, as SIGINT does; an error is, say, a callbacks function that raises.

    Args:
        run_dir: The directory just created for this run; None for a resumed
            run or a worker that writes nothing (nothing is removed then).
    """
    previous = None
    with contextlib.suppress(ValueError):  # Not the main thread: signals stay as they were.
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    except (KeyboardInterrupt, Exception):
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class StopOnSignal(keras.callbacks.Callback):
    """Stops `fit` at the end of the epoch in which SIGINT or SIGTERM arrived.

    Use it as a context manager around `fit`, which installs and restores the
    signal handlers (they can only be installed in the main thread).

    Args:
        stream: Where the one-line notice goes; default stderr.

    Example:
        >>> with StopOnSignal() as stopper:  # doctest: +SKIP
        ...     model.fit(..., callbacks=[stopper])
        >>> stopper.signal_number  # None, or the signal that stopped training.  # doctest: +SKIP
    """

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.signal_number = None
        self._stopped_at_once = False
        self._finishing = False
        self._previous = {}

    def __enter__(self):
        for number in SIGNALS:
            try:
                self._previous[number] = signal.signal(number, self._handle)
            except ValueError:  # Not the main thread: signals stay as they were.
                pass
        return self

    def __exit__(self, *exc):
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()
        return False

    def finishing(self) -> None:
        """Training is over: from now on signals wait for the run to be saved."""
        self._finishing = True

    def _handle(self, number, frame):
        if self._finishing or self._stopped_at_once:
            # Saving the run (or closing it after a stop): cutting that short would lose it.
            print("already stopping: saving the run", file=self.stream or sys.stderr, flush=True)
            return
        if self.signal_number is not None:
            self._stopped_at_once = True
            raise KeyboardInterrupt  # The second signal: stop now.
        self.signal_number = number
        print(
            f"{signal.Signals(number).name}: stopping at the end of this epoch "
            "(send it again to stop at once)",
            file=self.stream or sys.stderr,
            flush=True,
        )

    def on_epoch_end(self, epoch, logs=None):
        if self.signal_number is not None:
            self.model.stop_training = True
