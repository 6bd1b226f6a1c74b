"""Stock Keras `model.fit` on numpy arrays: with its defaults, and with `steps_per_execution`.

The default compile runs one `tf.function` call per minibatch and no XLA on
CPU (Keras's `jit_compile="auto"` is False there): about 1 ms of overhead a
step, whatever the batch size. What an expert would try first against that
is Keras's own `compile(steps_per_execution=K, jit_compile=True)`: K steps per
call, each step XLA-compiled. Here K is the number of minibatches per epoch,
so that each epoch is one call (no cap: at the benchmark's sizes K is at most
1024).
"""

from __future__ import annotations

import keras

from benchmarks.speed.settings import LEARNING_RATE, MAX_EPOCHS, MOMENTUM, Settings, hand_line
from benchmarks.speed.timing import EpochTimer, Runner


def stock_model(
    hidden: tuple[int, ...], steps_per_execution: int = 1, jit_compile: bool | str = "auto"
) -> keras.Model:
    """A plain `keras.Sequential` for logistic regression (`hidden=()`) or a tanh MLP.

    Args:
        hidden: Hidden layer sizes; () for logistic regression (zeros init).
        steps_per_execution: Keras's `compile` argument: train steps per call.
        jit_compile: Keras's `compile` argument; "auto" is no XLA on CPU.

    Returns:
        The compiled model: SGD with momentum on the summed cross-entropy.

    Example:
        >>> stock_model((), steps_per_execution=32, jit_compile=True).steps_per_execution
        32
    """
    layers = [keras.Input((2,))]
    layers += [keras.layers.Dense(units, activation="tanh") for units in hidden]
    initializer = "glorot_uniform" if hidden else "zeros"
    layers.append(keras.layers.Dense(1, activation="sigmoid", kernel_initializer=initializer))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE, momentum=MOMENTUM),
        # Summed, for the same update as the other paths; the speed is the same.
        loss=keras.losses.BinaryCrossentropy(reduction="sum"),
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )
    return model


def stock_fit_runner(
    num_samples: int,
    batch_size: int,
    settings: Settings,
    logdir: str,
    hidden: tuple[int, ...] = (),
    epoch_per_execution: bool = False,
) -> Runner:
    """Stock `model.fit` on numpy arrays, `shuffle=True` (the default), built once.

    Args:
        num_samples: Points per epoch.
        batch_size: Samples per minibatch.
        settings: Sizes and repeats (`min_seconds` is used).
        logdir: Unused; every runner maker takes it.
        hidden: Hidden layer sizes; () for logistic regression.
        epoch_per_execution: Compile with `jit_compile=True` and
            `steps_per_execution` = minibatches per epoch (one call runs a
            whole epoch), rather than with Keras's defaults.

    Returns:
        A runner: each call is one `fit` that times its epochs after the first.

    Example:
        >>> from benchmarks.speed.settings import QUICK_SETTINGS
        >>> run = stock_fit_runner(256, 32, QUICK_SETTINGS, "", epoch_per_execution=True)
        >>> run().samples_per_second > 0
        True
    """
    data = hand_line(num_samples)
    if epoch_per_execution:
        steps_per_epoch = num_samples // batch_size  # Settings make it a whole number.
        model = stock_model(hidden, steps_per_execution=steps_per_epoch, jit_compile=True)
    else:
        model = stock_model(hidden)

    def run():
        timer = EpochTimer(settings.min_seconds)
        model.fit(
            data.features,
            data.labels,
            batch_size=batch_size,
            epochs=MAX_EPOCHS,
            verbose=0,
            callbacks=[timer],
        )
        return timer.measurement(num_samples)

    return run
