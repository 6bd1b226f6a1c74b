"""Fit teardown: how long `fit` takes to return after its last `on_train_end`.

Keras destroys fit's tf.data iterator as `fit` returns; with tf.data's
autotuning on, the iterator's destructor joins the autotuning thread, which
can keep the caller waiting. This script measures, side by side in one run,
the fused engine's `fit` on the same dataset with autotune on and off:

- **teardown**: seconds from the last callback's `on_train_end` to `fit`
  returning;
- **epoch**: seconds per epoch (`on_epoch_begin` to `on_epoch_end`), the
  first epoch of each fit left out (it waits for the first block).

The model is the seminar's small CNN (5x5 convolution with 4 filters, 2x2
max-pool, Dense 32, dropout, 5) on the font images, prepared by kerasclf
exactly as `kerasclf.train(model=...)` prepares it, and fed the dataset
that `kerasclf.run.fitting.training_stream` builds. The two settings take
turns, run after run, so that drift in the machine's load hits both alike.
One untimed fit first compiles the step. Also times the plain engine's
minibatches of the same CNN, and a linear model on 2^16 streamed
`seminar_blobs` points (`--pipelines`).

Run it (about 2 minutes on 2 cores):

    python -m benchmarks.fit_teardown [--runs 15] [--epochs 3] [--pipelines fused plain stream]
"""

from __future__ import annotations

import statistics
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

from benchmarks.arguments import BenchmarkParser, choice, integer, parse_or_exit
from kerasclf.data.streaming import generated_stream
from kerasclf.pipeline import stream_blocks, stream_layout
from kerasclf.run.fitting import training_stream
from kerasclf.run.preparation import prepare_run

MODULE = "benchmarks.fit_teardown"
PIPELINES = ("fused", "plain", "stream")


class FitClock(keras.callbacks.Callback):
    """Records when training ends and how long each epoch takes."""

    def __init__(self):
        super().__init__()
        self.train_end = None
        self.epoch_seconds = []
        self._epoch_start = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._epoch_start)

    def on_train_end(self, logs=None):
        self.train_end = time.perf_counter()


def small_cnn(input_shape=None, num_classes=None):
    """The seminar's Day-2 CNN: conv 5x5x4, max-pool, Dense 32, dropout, softmax."""
    inputs = keras.Input(input_shape)
    hidden = keras.layers.Reshape((*input_shape[:2], -1))(inputs)  # Grey images: (36, 36).
    hidden = keras.layers.Conv2D(4, 5, padding="same", activation="relu")(hidden)
    hidden = keras.layers.MaxPooling2D(2)(hidden)
    hidden = keras.layers.Dense(32, activation="relu")(keras.layers.Flatten()(hidden))
    hidden = keras.layers.Dropout(0.25)(hidden)
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(hidden))


def with_autotune(dataset: tf.data.Dataset, enabled: bool) -> tf.data.Dataset:
    """The dataset with tf.data's autotuning set on or off (overriding the pipeline's)."""
    options = tf.data.Options()
    options.autotune.enabled = enabled
    return dataset.with_options(options)


def make_fitter(pipeline_name: str, epochs: int, batch_size: int):
    """A function `fit(autotune) -> (teardown seconds, epoch seconds)` for one pipeline."""
    engine = "plain" if pipeline_name == "plain" else "fused"
    prepared = prepare_run(
        model_object=small_cnn,
        dataset="fonts",
        epochs=epochs,
        batch_size=batch_size,
        engine=engine,
        optimizer="momentum",
    )
    model = prepared.model
    if pipeline_name == "stream":
        stream = generated_stream("seminar_blobs", 2**16)
        inputs = keras.Input((2,))
        model = prepare_run(
            model_object=keras.Model(inputs, keras.layers.Dense(2, "softmax")(inputs)),
            epochs=epochs,
            batch_size=batch_size,
            optimizer="momentum",
        ).model

        def make_dataset():
            dataset = stream_blocks(stream, batch_size, 0, epochs)
            return dataset, stream_layout(stream.num_samples, batch_size)[1]

    else:

        def make_dataset():
            return training_stream(prepared, engine, batch_size, 0)

    def fit(autotune: bool):
        dataset, steps = make_dataset()
        clock = FitClock()
        model.fit(
            with_autotune(dataset, autotune),
            epochs=epochs,
            steps_per_epoch=steps,
            callbacks=[clock],
            verbose=0,
            shuffle=False,
        )
        returned = time.perf_counter()
        return returned - clock.train_end, clock.epoch_seconds[1:]

    return fit


def measure(pipeline_name: str, runs: int, epochs: int, batch_size: int) -> dict:
    """Teardown and epoch seconds of `runs` fits with autotune on and off, alternating."""
    fit = make_fitter(pipeline_name, epochs, batch_size)
    fit(True)  # Compiles the step; not timed.
    results = {setting: {"teardown": [], "epoch": []} for setting in ("on", "off")}
    for run in range(runs):
        order = ("on", "off") if run % 2 == 0 else ("off", "on")
        for setting in order:
            teardown, epoch_seconds = fit(setting == "on")
            results[setting]["teardown"].append(teardown)
            results[setting]["epoch"].extend(epoch_seconds)
    return results


def report(pipeline_name: str, results: dict, runs: int) -> None:
    """Prints medians and maxima of one pipeline's measurements."""
    print(f"\n{pipeline_name} ({runs} fits per setting)")
    print(
        f"{'autotune':>9} {'teardown median':>16} {'teardown max':>13} "
        f"{'epoch median':>13} {'epoch max':>10}"
    )
    for setting, values in results.items():
        teardown, epoch = values["teardown"], values["epoch"]
        print(
            f"{setting:>9} {statistics.median(teardown) * 1e3:13.1f} ms "
            f"{max(teardown) * 1e3:10.1f} ms {statistics.median(epoch) * 1e3:10.1f} ms "
            f"{max(epoch) * 1e3:7.1f} ms"
        )


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument("--runs", type=integer(), default=15, help="fits per setting")
    parser.add_argument(
        "--epochs", type=integer(minimum=2), default=3, help="epochs per fit (at least 2)"
    )
    parser.add_argument("--batch-size", type=integer(), default=128)
    parser.add_argument(
        "--pipelines",
        nargs="+",
        type=choice(PIPELINES),
        default=list(PIPELINES),
        help=f"out of {' '.join(PIPELINES)}",
    )
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Parses the flags, measures each pipeline and prints the tables."""
    args = parse_or_exit(MODULE, parse_arguments, argv)
    print(
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, devices: "
        f"{[device.name for device in tf.config.list_logical_devices()]}"
    )
    for pipeline_name in args.pipelines:
        results = measure(pipeline_name, args.runs, args.epochs, args.batch_size)
        report(pipeline_name, results, args.runs)


if __name__ == "__main__":
    main()
