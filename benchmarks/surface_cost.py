"""What the error surface costs a run: with it on, and with `callbacks_off=["surface"]`.

Measures, side by side in one process, the wall time of `kerasclf.train`
for three models, each with the error surface on and off:

- `cnn`: a user's CNN, Conv2D(4, 5, relu) -> BatchNormalization ->
  MaxPooling2D(2) -> Flatten -> Dense(32, relu) -> Dense(5, softmax), given as
  a function, on random 36x36x1 images in 5 classes (2,000 by default) written
  to an `.npz` in a temporary directory; minibatches of 32, 10 epochs. Its
  surface is a loss-landscape slice (`callbacks.landscape_surface`), the case
  issue #18 measured at 21.5 s against 3.5 s.
- `mlp`: the Day-1 MLP (`model="mlp"`, the seminar's blobs, every other
  setting its default): a landscape slice too, small enough to draw in full.
- `logistic`: the default run, logistic regression's (w1, w2) plane.

Each variant first runs once untimed, for one epoch with the surface off
(imports, first traces), then `--repeats` times, interleaved so that machine
noise hits on and off alike. It prints every run's wall and CPU seconds (the
process's, all threads), and for each model the ratio with surface / without
of the median wall times, of the fastest wall times (the least disturbed on
a shared machine) and of the median CPU times. The target is at most 1.25
(issue #18).

Run it:

    python -m benchmarks.surface_cost [--repeats 3] [--models cnn,mlp,logistic]
        [--samples 2000] [--epochs 10]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time

import keras
import numpy as np

import kerasclf

# The ratio with surface / without that the surface must stay within (issue #18).
TARGET_RATIO = 1.25
IMAGE_SHAPE = (36, 36, 1)
NUM_CLASSES = 5


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
    raise ValueError(
        f"`--models` must name cnn, mlp or logistic. Received: {name!r}. Use e.g. --models cnn,mlp."
    )


def time_run(settings: dict, logdir: str) -> tuple[float, float]:
    """Wall and CPU seconds of one `kerasclf.train` call, in this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    kerasclf.train(logdir=logdir, stream=io.StringIO(), **settings)
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(models: list[str], repeats: int, num_samples: int, epochs: int) -> dict:
    """`{(model, "on" | "off"): [(wall, cpu), ...]}`, interleaved repeats after a warm-up."""
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
        seconds = {variant: [] for variant in variants}
        for repeat in range(repeats):
            for variant, settings in variants.items():
                wall, cpu = time_run(settings, logdir)
                seconds[variant].append((wall, cpu))
                print(
                    f"  repeat {repeat + 1}: {variant[0]:<8} surface {variant[1]:<3} "
                    f"wall {wall:7.2f} s  cpu {cpu:7.2f} s",
                    flush=True,
                )
        return seconds


def report(seconds: dict, models: list[str]) -> None:
    """Prints each model's medians and its ratios with surface / without."""
    print(f"\nratio = with surface / without (target <= {TARGET_RATIO}):")
    for name in models:
        on_wall, on_cpu = zip(*seconds[name, "on"])
        off_wall, off_cpu = zip(*seconds[name, "off"])
        ratio = statistics.median(on_wall) / statistics.median(off_wall)
        fastest = min(on_wall) / min(off_wall)
        cpu = statistics.median(on_cpu) / statistics.median(off_cpu)
        verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
        print(
            f"  {name:<8} median wall {statistics.median(on_wall):6.2f} s vs "
            f"{statistics.median(off_wall):6.2f} s: ratio {ratio:4.2f}; fastest "
            f"{min(on_wall):6.2f} s vs {min(off_wall):6.2f} s: {fastest:4.2f}; "
            f"median cpu ratio {cpu:4.2f}  {verdict}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", default="cnn,mlp,logistic")
    parser.add_argument("--samples", type=int, default=2000, help="the CNN's images")
    parser.add_argument("--epochs", type=int, default=10, help="the CNN's epochs")
    args = parser.parse_args(argv)
    models = [name.strip() for name in args.models.split(",") if name.strip()]
    for name in models:
        model_settings(name, "", args.epochs)  # A typo fails before anything runs.
    print(
        f"kerasclf.train in one process, {args.repeats} interleaved repeats; cnn: "
        f"{args.samples} images 36x36x1, batch 32, {args.epochs} epochs"
    )
    report(measure(models, args.repeats, args.samples, args.epochs), models)


if __name__ == "__main__":
    main()
