"""kerasclf's callbacks watch training and never change it.

A callback that fails is switched off and reported; the run goes on and is saved.

Keras's `fit` stops at the first exception a callback raises, and the run
would lose what it was about to write: `model.keras`, `weights.json`,
`summary.json`. `Isolated` wraps a callback so that an exception in any of
its hooks is caught, printed as one line, kept in `errors`, and ends that
callback only (its `on_train_end` still runs, to close its writers). The
run's summary lists the errors and the CLI's exit status says so
(`kerasclf.run.directory.EXIT_CALLBACK_FAILED`).

A callback that calls the model (the cost over all the points, activations,
images) would also draw from its random layers: Keras's recurrent layers
advance their dropout's seed even with `training=False`. `Isolated` puts the
model's seed states back after each hook that moved them, so the run trains
the same with any callbacks on or off. Hooks the callback does not define
(Keras's empty ones) are not called at all: a dropout model's every hook
would otherwise read its seed states, several times a minibatch
(`python -m benchmarks.isolation_cost` times both ways).

Example:
    >>> callbacks = isolate([CostLogger(...)], stream=sys.stdout)  # doctest: +SKIP
    >>> model.fit(data, callbacks=callbacks)  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import sys

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

HOOKS = (
    "on_train_begin",
    "on_epoch_begin",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_epoch_end",
    "on_test_begin",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_test_end",
    "on_predict_begin",
    "on_predict_batch_begin",
    "on_predict_batch_end",
    "on_predict_end",
)


class Isolated(keras.callbacks.Callback):
    """Runs `callback`'s hooks; the first exception switches it off.

    Args:
        callback: Any Keras callback.
        errors: A list shared by a run's isolated callbacks: each failure
            appends one line to it.
        stream: Where the failure's line is printed; default stderr.

    Attributes:
        callback: The wrapped callback.
    """

    def __init__(self, callback: keras.callbacks.Callback, errors: list[str], stream=None):
        super().__init__()
        self.callback = callback
        self._errors = errors
        self._stream = stream
        self._failed = False
        self._seed_states = None  # The model's seed generators' states, found once.
        for hook in HOOKS:
            if defines_hook(callback, hook):
                setattr(self, hook, functools.partial(self._run, hook))

    def set_model(self, model):
        super().set_model(model)
        self.callback.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        self.callback.set_params(params)

    def _run(self, hook: str, *args, **kwargs):
        if self._failed:
            return
        if self._seed_states is None and self.model is not None and self.model.built:
            self._seed_states = seed_states(self.model)
        kept = [state.numpy() for state in self._seed_states or ()]
        try:
            getattr(self.callback, hook)(*args, **kwargs)
        except Exception as error:  # Any callback's bug: reported, never fatal.
            self._fail(hook, error)
        for state, value in zip(self._seed_states or (), kept):
            if not np.array_equal(state.numpy(), value):  # An assign costs more than a read.
                state.assign(value)

    def on_train_end(self, logs=None):
        try:
            self.callback.on_train_end(logs)
        except Exception as error:
            if not self._failed:
                self._fail("on_train_end", error)

    def _fail(self, hook: str, error: Exception) -> None:
        self._failed = True
        message = str(error).strip().splitlines()
        line = f"{type(self.callback).__name__}.{hook} failed with {type(error).__name__}" + (
            f": {message[0]}" if message else ""
        )
        self._errors.append(line)
        print(
            f"error: {line}; that callback is off for the rest of the run, which goes on.",
            file=self._stream or sys.stderr,
            flush=True,
        )


# Keras's own `on_train_batch_*` call these older names: a callback may define either.
LEGACY_HOOKS = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def defines_hook(callback: keras.callbacks.Callback, hook: str) -> bool:
    """Whether `callback` has `hook` of its own, rather than Keras's empty one.

    A callback that defines `on_batch_begin` or `on_batch_end` defines the
    `on_train_batch_*` hook that Keras's base class forwards to it.

    Example:
        >>> class Printer(keras.callbacks.Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(epoch)
        ...     def on_batch_end(self, batch, logs=None):
        ...         print(batch)
        >>> [defines_hook(Printer(), hook) for hook in ("on_epoch_end", "on_epoch_begin")]
        [True, False]
        >>> defines_hook(Printer(), "on_train_batch_end")  # Keras's forwards to on_batch_end.
        True
    """
    names = (hook, LEGACY_HOOKS[hook]) if hook in LEGACY_HOOKS else (hook,)
    for name in names:
        method = getattr(callback, name)
        if getattr(method, "__func__", method) is not getattr(keras.callbacks.Callback, name):
            return True
    return False


def seed_states(model: keras.Model) -> list:
    """The state variables of the model's random seed generators (dropout, noise).

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dropout(0.5)])
        >>> [state.path.split("/")[-1] for state in seed_states(model)]
        ['seed_generator_state']
    """
    return [
        variable
        for variable in model.variables
        if variable.path.split("/")[-1] == "seed_generator_state"
    ]


def isolate(callbacks: list, errors: list[str], stream=None) -> list[Isolated]:
    """Each callback wrapped in `Isolated`, sharing one list of errors."""
    return [Isolated(callback, errors, stream) for callback in callbacks]
