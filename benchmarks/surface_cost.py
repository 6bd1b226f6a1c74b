"""What the error surface costs a run: with it on, and with `callbacks_off=["surface"]`.

Measures, side by side in one process, the wall time of `kerasclf.train`
for five models, each with the error surface on and off:

- `cnn`: a user's CNN, Conv2D(4, 5, relu) -> BatchNormalization ->
  MaxPooling2D(2) -> Flatten -> Dense(32, relu) -> Dense(5, softmax), given as
  a function, on random 36x36x1 images in 5 classes (2,000 by default) written
  to an `.npz` in a temporary directory; minibatches of 32, 10 epochs. Its
  surface is a loss-landscape slice (`callbacks.landscape_surface`), the case
  issue #18 measured at 21.5 s against 3.5 s.
- `mlp`: the Day-1 MLP (`model="mlp"`, the seminar's blobs, every other
  setting its default): a landscape slice too, small enough to draw in full.
- `logistic`: the default run, logistic regression's (w1, w2) plane.
- `gru`: Day 3's GRU of 32 units on `long_dependency`, 10 epochs (the
  `recurrent` experiment's run), and `lstm`: Day 3's character LSTM of 64
  units on 8,000 characters of `grammar`, 2 epochs (`char_lm --quick`'s):
  landscape slices whose vectors run one after the other (`ParameterCost`).

Each variant first runs once untimed, for one epoch with the surface off
(imports, first traces), then `--repeats` times, interleaved so that machine
noise hits on and off alike. For every run it prints:

- `run`: the wall seconds of the `kerasclf.train` call;
- `trained`: the wall seconds from the call until the last callback's
  `on_train_end` (the surface's frames drawn). Keras's `fit` sometimes takes
  3 to 4 s more to return after that, with or without the surface (its data
  iterator's teardown), which makes `run` bimodal on its own;
- `cpu`: the process's CPU seconds, all threads;
- `hooks`: the seconds the training thread spent in `ErrorSurfaceLogger`'s
  hooks (recording the path, making the surface, and at the end computing
  and drawing it): what the run waits for.

For each model it prints the ratios with surface / without: of the median
`trained` times (the target, at most 1.25, issue #18), of the median and the
fastest `run` times and of the median CPU times, and the median hooks as a
share of the median `trained` time without the surface.

Run it:

    python -m benchmarks.surface_cost [--repeats 3] [--models cnn,mlp,logistic,gru,lstm]
        [--samples 2000] [--epochs 10]
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import statistics
import tempfile
import time
from typing import NamedTuple

import kerasclf.quiet_tensorflow  # first: TensorFlow's start-up lines silenced
import keras
import numpy as np

import kerasclf
from benchmarks.arguments import BenchmarkParser, choice_list, integer, parse_or_exit
from kerasclf.callbacks.error_surface import ErrorSurfaceLogger

MODULE = "benchmarks.surface_cost"
# The ratio with surface / without that the surface must stay within (issue #18).
TARGET_RATIO = 1.25
# The hooks whose time is the surface's own, on the training thread.
SURFACE_HOOKS = ("on_train_begin", "on_epoch_end", "on_train_end")
IMAGE_SHAPE = (36, 36, 1)
NUM_CLASSES = 5
# Day 3's runs, by `--models` name.
RECURRENT_SETTINGS = {
    "gru": {"dataset": "long_dependency", "model": "gru", "epochs": 10},
    "lstm": {"dataset": "grammar", "model": "lstm", "units": 64, "num_samples": 8000, "epochs": 2},
}
MODELS = ("cnn", "mlp", "logistic", *RECURRENT_SETTINGS)


def build_cnn(input_shape, num_classes):
    """The issue's user CNN: one convolution, batch norm, pooling, two Dense layers.

    Example:
        >>> build_cnn((36, 36, 1), 5).count_params()
        33085
    """
    inputs = keras.Input(input_shape)
    hidden = keras.layers.Conv2D(4, 5, activation="relu")(inputs)
    hidden = keras.layers.BatchNormalization()(hidden)
    hidden = keras.layers.MaxPooling2D(2)(hidden)
    hidden = keras.layers.Flatten()(hidden)
    hidden = keras.layers.Dense(32, activation="relu")(hidden)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(hidden)
    return keras.Model(inputs, outputs)


def write_images(directory: str, num_samples: int, seed: int = 0) -> str:
    """Random 36x36x1 images with labels 0..4 as `<directory>/images.npz`; returns the path."""
    rng = np.random.default_rng(seed)
    path = os.path.join(directory, "images.npz")
    features = rng.random((num_samples, *IMAGE_SHAPE), dtype=np.float32)
    np.savez(path, X=features, y=rng.integers(0, NUM_CLASSES, num_samples))
    return path


def model_settings(name: str, data_path: str, epochs: int) -> dict:
    """The `kerasclf.train` settings of model `name`, surface on."""
    if name == "cnn":
        return {"model": build_cnn, "data": data_path, "batch_size": 32, "epochs": epochs}
    if name == "mlp":
        return {"model": "mlp"}
    if name == "logistic":
        return {}
    if name in RECURRENT_SETTINGS:
        return RECURRENT_SETTINGS[name]
    raise ValueError(
        f"`--models` must name {', '.join(MODELS)}. Received: {name!r}. Use e.g. --models cnn,mlp."
    )


@contextlib.contextmanager
def timed_surface_hooks():
    """Yields a list that collects the seconds spent in `ErrorSurfaceLogger`'s hooks."""
    seconds = [0.0]
    originals = {name: getattr(ErrorSurfaceLogger, name) for name in SURFACE_HOOKS}

    def timed(hook):
        @functools.wraps(hook)
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return hook(*args, **kwargs)
            finally:
                seconds[0] += time.perf_counter() - started

        return run

    for name, hook in originals.items():
        setattr(ErrorSurfaceLogger, name, timed(hook))
    try:
        yield seconds
    finally:
        for name, hook in originals.items():
            setattr(ErrorSurfaceLogger, name, hook)


class Timing(NamedTuple):
    """One run's seconds (see the module's docstring)."""

    run: float
    trained: float
    cpu: float
    hooks: float


class TrainingEnd(keras.callbacks.Callback):
    """Notes when its `on_train_end` runs: after kerasclf's own callbacks'."""

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter()


def time_run(settings: dict, logdir: str) -> Timing:
    """The `Timing` of one `kerasclf.train` call, in this process."""
    end = TrainingEnd()
    with timed_surface_hooks() as hooks:
        wall, cpu = time.perf_counter(), time.process_time()
        kerasclf.train(logdir=logdir, stream=io.StringIO(), callbacks=[end], **settings)
        run, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Timing(run, end.seconds - wall, cpu, hooks[0])


def measure(models: list[str], repeats: int, num_samples: int, epochs: int) -> dict:
    """`{(model, "on" | "off"): [Timing, ...]}`, interleaved repeats after a warm-up."""
    with tempfile.TemporaryDirectory() as directory:
        data_path = write_images(directory, num_samples)
        logdir = os.path.join(directory, "logs")
        variants = {}
        for name in models:
            settings = model_settings(name, data_path, epochs)
            variants[name, "on"] = settings
            variants[name, "off"] = {**settings, "callbacks_off": ["surface"]}
        for name in models:  # Warm-up: imports and first traces, not timed.
            time_run({**variants[name, "off"], "epochs": 1}, logdir)
        timings = {variant: [] for variant in variants}
        for repeat in range(repeats):
            for variant, settings in variants.items():
                timing = time_run(settings, logdir)
                timings[variant].append(timing)
                print(
                    f"  repeat {repeat + 1}: {variant[0]:<8} surface {variant[1]:<3} "
                    + "  ".join(f"{key} {value:6.2f} s" for key, value in timing._asdict().items()),
                    flush=True,
                )
        return timings


def report(timings: dict, models: list[str]) -> None:
    """Prints each model's medians and its ratios with surface / without."""
    print(f"\nmedians; ratio = with surface / without (target <= {TARGET_RATIO}, on trained):")
    for name in models:
        on, off = (Timing(*map(list, zip(*timings[name, kind]))) for kind in ("on", "off"))
        trained = statistics.median(on.trained) / statistics.median(off.trained)
        run = statistics.median(on.run) / statistics.median(off.run)
        fastest = min(on.run) / min(off.run)
        cpu = statistics.median(on.cpu) / statistics.median(off.cpu)
        hooks = statistics.median(on.hooks)
        verdict = "ok" if trained <= TARGET_RATIO else "OVER"
        print(
            f"  {name:<8} trained {statistics.median(on.trained):6.2f} s vs "
            f"{statistics.median(off.trained):6.2f} s: ratio {trained:4.2f} {verdict}\n"
            f"{'':11}run ratio {run:4.2f} (fastest runs {fastest:4.2f}); cpu ratio {cpu:4.2f}; "
            f"hooks {hooks:5.2f} s = {hooks / statistics.median(off.trained):4.0%}"
        )


def parse_arguments(argv: list[str] | None = None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument("--repeats", type=integer(), default=3, help="runs of each variant")
    parser.add_argument(
        "--models", type=choice_list(MODELS), default=list(MODELS), help="comma-separated"
    )
    parser.add_argument("--samples", type=integer(), default=2000, help="the CNN's images")
    parser.add_argument("--epochs", type=integer(), default=10, help="the CNN's epochs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_or_exit(MODULE, parse_arguments, argv)
    models = args.models
    print(
        f"kerasclf.train in one process, {args.repeats} interleaved repeats; cnn: "
        f"{args.samples} images 36x36x1, batch 32, {args.epochs} epochs"
    )
    report(measure(models, args.repeats, args.samples, args.epochs), models)


if __name__ == "__main__":
    main()
