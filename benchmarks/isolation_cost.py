"""What isolating kerasclf's callbacks costs an epoch of a model with dropout.

`kerasclf.run.callback_isolation.Isolated` wraps each of kerasclf's own
callbacks: an exception switches that callback off instead of ending the
run, and the model's seed states (dropout's) are put back after a hook that
moved them, so that logging never changes training. Until stop 56 it
forwarded all thirteen of Keras's hooks, the empty ones too, and for each
read the seed states before and assigned them back after: on a dropout
model, tens of reads and assigns every epoch. Now it forwards only the
hooks a callback defines and assigns only states that moved.

This measures, side by side in one process and taking turns, `fit` of a
dropout MLP (500 points of `circle`, full batch) with six callbacks that
each define `on_epoch_end` only, as most of kerasclf's loggers do:

- wrapped as now (`isolate`);
- wrapped as until stop 56 (`EveryHookIsolated` below, kept as the reference);
- not wrapped at all (the floor).

It prints each variant's median milliseconds per epoch (the first epoch,
which traces, left out) and the ratios to the unwrapped fit.

Run it (about a minute on 2 cores):

    python -m benchmarks.isolation_cost [--repeats 5]
"""

from __future__ import annotations

import functools
import statistics
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from benchmarks.arguments import parse_repeats
from kerasclf.data import make_dataset
from kerasclf.run.callback_isolation import HOOKS, Isolated, isolate, seed_states

EPOCHS, NUM_CALLBACKS = 101, 6


class EveryHookIsolated(Isolated):
    """`Isolated` as it was until stop 56: every hook forwarded, the seeds always assigned."""

    def __init__(self, callback, errors, stream=None):
        super().__init__(callback, errors, stream)
        for hook in HOOKS:
            setattr(self, hook, functools.partial(self._run, hook))

    def _run(self, hook: str, *args, **kwargs):
        if self._seed_states is None and self.model is not None and self.model.built:
            self._seed_states = seed_states(self.model)
        kept = [state.numpy() for state in self._seed_states or ()]
        getattr(self.callback, hook)(*args, **kwargs)
        for state, value in zip(self._seed_states or (), kept):
            state.assign(value)


class EpochEnd(keras.callbacks.Callback):
    """A callback with one hook of its own, as a logger that writes once an epoch."""

    def on_epoch_end(self, epoch, logs=None):
        self.last_epoch = epoch


class EpochClock(keras.callbacks.Callback):
    """The wall time at each epoch's end."""

    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter())


def epoch_milliseconds(wrap) -> float:
    """Median ms per epoch of the dropout MLP's fit with six wrapped callbacks (epochs 2..)."""
    data = make_dataset("circle", num_samples=500, seed=0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(16, "tanh"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", jit_compile=True)
    clock = EpochClock()
    callbacks = wrap([EpochEnd() for _ in range(NUM_CALLBACKS)]) + [clock]
    # One full batch an epoch from a stream made once: Keras's per-epoch work stays small.
    batches = tf.data.Dataset.from_tensors((data.features, data.labels)).repeat()
    model.fit(batches, steps_per_epoch=1, epochs=EPOCHS, verbose=0, callbacks=callbacks)
    return 1000 * statistics.median(np.diff(clock.times))


VARIANTS = {
    "isolated as now": lambda callbacks: isolate(callbacks, []),
    "isolated as until stop 56": lambda callbacks: [
        EveryHookIsolated(callback, []) for callback in callbacks
    ],
    "not isolated": lambda callbacks: callbacks,
}


def main(argv=None) -> dict[str, float]:
    repeats = parse_repeats("benchmarks.isolation_cost", __doc__, 5, argv)
    times = {name: [] for name in VARIANTS}
    for _ in range(repeats):  # Taking turns: drift in the load hits every variant alike.
        for name, wrap in VARIANTS.items():
            times[name].append(epoch_milliseconds(wrap))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"dropout MLP, {NUM_CALLBACKS} callbacks: ms per epoch, median of {repeats} fits")
    for name, median in medians.items():
        ratio = median / medians["not isolated"]
        print(f"  {name:<27} {median:7.3f}   {ratio:.2f}x not isolated")
    return medians


if __name__ == "__main__":
    main()
