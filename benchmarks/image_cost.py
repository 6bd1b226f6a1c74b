"""What the decision-boundary images cost a default run.

Measures, side by side in one run, the wall time of the default 100-epoch
seminar run (`kerasclf train`) as a whole process:

- with a decision-boundary image every epoch (`--boundary-every 1`) and the
  other defaults (error surface every 10 epochs);
- with no image callbacks at all (`--images false`);
- with the default image cadence (`--boundary-every 5`).

It runs several repeats of each, interleaved so that machine noise hits every
variant alike, and prints each variant's median and fastest run, every run's
time, and the ratio to the run without images: the median of the per-repeat
ratios and the ratio of the fastest runs (a whole process varies by a second
on a shared machine; the fastest run is the least disturbed). The target is
at most 1.25x for images every epoch.

With `--epochs N` the runs train N epochs instead of 100; past 500 a fourth
variant logs at the cadences kerasclf used before it capped a run's frames
(`kerasclf.run.frame_cadence`: boundary every 5 epochs, surface every 10,
histograms every 5), against the default's ceil(N / 100). Each variant's
run directory is measured too (its files' size, median in MB).

With `--in-process` it times `kerasclf.train` calls in this one process
instead, after an untimed warm-up run of each variant: the images' cost per
run without the second-long jitter of starting Python and TensorFlow, and
without the one-time costs (importing matplotlib, compiling) that a whole
process also pays.

With `--encoders` it compares PNG encoders instead, side by side in one
run: kerasclf's hand-written encoder (`callbacks.png_encoding.encode_png`:
rows unfiltered, zlib level 1) against `tf.io.encode_png` (its default
compression, and compression 1). First on the images kerasclf writes (the
330-pixel decision-boundary and error-surface images of a logistic-regression
run and of an MLP run), each encoder `--encode-repeats` times, interleaved,
printing the median milliseconds, the ratio to the hand-written encoder and
the file size, after checking that each PNG decodes (`tf.io.decode_png`) to
the very pixels encoded. Then in the run they matter to, `kerasclf.train` in
this process with a decision-boundary image every epoch, once with each
encoder in `ImageLog`: the wall and CPU time.

Run it:

    python -m benchmarks.image_cost [--repeats 5] [--in-process] [--epochs 100]
    python -m benchmarks.image_cost --encoders [--repeats 5] [--encode-repeats 200]
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from benchmarks.arguments import BenchmarkParser, integer, parse_or_exit

# TensorFlow, kerasclf and callbacks are imported inside the functions that use
# them: the whole-process timing must not load TensorFlow into this process.

MODULE = "benchmarks.image_cost"
# The settings each variant changes from the defaults.
VARIANTS = {
    "no images (--images false)": {"images": False},
    "boundary every epoch (--boundary-every 1)": {"boundary_every": 1},
    "default images (boundary 5, surface 10, or epochs/100)": {},
}
# Past this many epochs the default cadences log less often than their own (100 frames).
CAPPED_AFTER = 500
# The variant of a long run that logs at the cadences before they were capped.
UNCAPPED = ("uncapped (boundary 5, surface 10, histograms 5)", {
    "boundary_every": 5, "surface_every": 10, "histogram_every": 5
})  # fmt: skip


def run_variants(epochs: int) -> dict[str, dict]:
    """The variants' settings for runs of `epochs` epochs."""
    variants = {name: {**settings, "epochs": epochs} for name, settings in VARIANTS.items()}
    if epochs > CAPPED_AFTER:
        variants[UNCAPPED[0]] = {**UNCAPPED[1], "epochs": epochs}
    return variants


def folder_megabytes(folder: str) -> float:
    """The size of every file under `folder`, in MB."""
    sizes = [
        os.path.getsize(os.path.join(parent, name))
        for parent, _, names in os.walk(folder)
        for name in names
    ]
    return sum(sizes) / 1e6


def command_line_flags(settings: dict) -> list[str]:
    """`{"boundary_every": 1}` as `["--boundary-every", "1"]`."""
    flags = []
    for key, value in settings.items():
        flags += ["--" + key.replace("_", "-"), str(value).lower()]
    return flags


def time_process(settings: dict, logdir: str) -> float:
    """Wall seconds of one `kerasclf train` process."""
    command = [sys.executable, "-m", "kerasclf.cli.main", "train", "--logdir", logdir]
    started = time.perf_counter()
    subprocess.run(
        command + command_line_flags(settings),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return time.perf_counter() - started


def time_in_process(settings: dict, logdir: str) -> float:
    """Wall seconds of one `kerasclf.train` call, in this process."""
    import kerasclf

    started = time.perf_counter()
    kerasclf.train(logdir=logdir, stream=io.StringIO(), **settings)
    return time.perf_counter() - started


def tensorflow_png(image, compression: int = -1) -> bytes:
    """PNG bytes of `image` from `tf.io.encode_png` (-1: libpng's default compression)."""
    import tensorflow as tf

    return tf.io.encode_png(image, compression=compression).numpy()


def png_encoders() -> dict[str, Callable]:
    """The encoders compared, by name; the hand-written one first (the ratios' base)."""
    from kerasclf.callbacks.png_encoding import encode_png

    return {
        "hand-written": encode_png,
        "tf.io.encode_png": tensorflow_png,
        "tf.io.encode_png(compression=1)": functools.partial(tensorflow_png, compression=1),
    }


def written_images(logdir: str) -> dict[str, object]:
    """The final images of a short logistic-regression run and an MLP run, decoded, by name."""
    import kerasclf
    import tensorflow as tf

    runs = {
        "logistic": {},
        "mlp": {"model": "mlp", "dataset": "xor", "optimizer": "adam", "learning_rate": 0.05},
    }
    images = {}
    for run_name, settings in runs.items():
        result = kerasclf.train(
            logdir=logdir, run_name=run_name, epochs=10, stream=io.StringIO(), **settings
        )
        for file_name in ("decision_boundary.png", "error_surface.png"):
            with open(os.path.join(result.run_dir, file_name), "rb") as file:
                image = tf.io.decode_png(file.read()).numpy()
            images[f"{run_name} {file_name[:-4]}"] = image
    return images


def time_encoders(images: dict, encoders: dict, repeats: int) -> None:
    """Prints each encoder's median milliseconds, ratio and bytes on each image.

    Raises:
        AssertionError: if a PNG does not decode to the pixels encoded.
    """
    import numpy as np
    import tensorflow as tf

    base_name = next(iter(encoders))
    print(f"PNG encoding, median of {repeats} interleaved repeats (ratio: to {base_name}):")
    for image_name, image in images.items():
        seconds = {name: [] for name in encoders}
        for name, encode in encoders.items():
            decoded = tf.io.decode_png(encode(image)).numpy()  # Also the warm-up.
            assert np.array_equal(decoded, image), f"{name} changed pixels of {image_name}"
        for _ in range(repeats):
            for name, encode in encoders.items():
                started = time.perf_counter()
                encode(image)
                seconds[name].append(time.perf_counter() - started)
        base = statistics.median(seconds[base_name])
        print(f"  {image_name} {image.shape[1]}x{image.shape[0]}:")
        for name, encode in encoders.items():
            median = statistics.median(seconds[name])
            print(
                f"    {name:<34} {1e3 * median:6.2f} ms  x{median / base:5.2f}  "
                f"{len(encode(image)):6d} bytes"
            )


@contextlib.contextmanager
def encoder_in_use(encode: Callable):
    """Makes `ImageLog` encode its images with `encode` for the duration."""
    from kerasclf.callbacks import image_log

    original = image_log.encode_png
    image_log.encode_png = encode
    try:
        yield
    finally:
        image_log.encode_png = original


def time_runs_with_encoders(encoders: dict, repeats: int, logdir: str) -> None:
    """Prints in-process run times: no images, and a boundary every epoch with each encoder.

    Both the wall time and the process's CPU time (all its threads): an
    encoder's cost on the image thread is CPU time that becomes wall time
    only where no core is free for it.
    """
    base_encoder = next(iter(encoders.values()))
    variants = {"no images": ({"images": False}, base_encoder)}
    for name, encode in encoders.items():
        variants[f"boundary every epoch, {name}"] = ({"boundary_every": 1}, encode)
    wall = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    for settings, encode in variants.values():  # Warm-up: imports, first traces.
        with encoder_in_use(encode):
            time_in_process(settings, logdir)
    for _ in range(repeats):
        for name, (settings, encode) in variants.items():
            with encoder_in_use(encode):
                cpu_started = time.process_time()
                wall[name].append(time_in_process(settings, logdir))
                cpu[name].append(time.process_time() - cpu_started)
    print(f"Default 100-epoch run, kerasclf.train in one process, {repeats} repeats:")
    for name in variants:
        ratios = [value / base for value, base in zip(wall[name], wall["no images"])]
        print(
            f"  {name:<56} wall: median {statistics.median(wall[name]):5.2f}s"
            f" fastest {min(wall[name]):5.2f}s x{statistics.median(ratios):.3f} of no images;"
            f" CPU: median {statistics.median(cpu[name]):5.2f}s\n"
            f"    wall s: " + ", ".join(f"{value:.2f}" for value in wall[name])
        )


def compare_encoders(repeats: int, encode_repeats: int) -> None:
    """The `--encoders` benchmark: per image, then per run."""
    encoders = png_encoders()
    with tempfile.TemporaryDirectory() as logdir:
        time_encoders(written_images(logdir), encoders, encode_repeats)
        time_runs_with_encoders(encoders, repeats, logdir)


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument("--repeats", type=integer(), default=5, help="runs of each variant")
    parser.add_argument(
        "--in-process", action="store_true", help="time kerasclf.train calls in this process"
    )
    parser.add_argument(
        "--encoders", action="store_true", help="compare PNG encoders instead (in this process)"
    )
    parser.add_argument(
        "--encode-repeats", type=integer(), default=200, help="encodings of each image per encoder"
    )
    parser.add_argument("--epochs", type=integer(), default=100, help="epochs of each run")
    return parser.parse_args(argv)


def main(argv=None) -> dict[str, float] | None:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    if arguments.encoders:
        compare_encoders(arguments.repeats, arguments.encode_repeats)
        return None
    variants = run_variants(arguments.epochs)
    seconds = {name: [] for name in variants}
    megabytes = {name: [] for name in variants}
    time_run = time_in_process if arguments.in_process else time_process
    with tempfile.TemporaryDirectory() as logdir:
        if arguments.in_process:
            for settings in variants.values():
                time_run(settings, logdir)  # Warm-up: imports, first traces.
        for repeat in range(arguments.repeats):
            for index, (name, settings) in enumerate(variants.items()):
                run_logdir = os.path.join(logdir, f"{repeat}-{index}")
                seconds[name].append(time_run(settings, run_logdir))
                megabytes[name].append(folder_megabytes(run_logdir))
    baseline_name = next(iter(variants))
    where = "kerasclf.train in one process" if arguments.in_process else "whole process"
    print(f"Seminar run of {arguments.epochs} epochs, {where}, {arguments.repeats} repeats:")
    print(f"  {'':<52} {'median':>7} {'fastest':>8} {'ratio':>7} {'fastest':>8} {'MB':>6}   all s")
    medians = {}
    for name, values in seconds.items():
        medians[name] = statistics.median(values)
        ratios = [value / base for value, base in zip(values, seconds[baseline_name])]
        print(
            f"  {name:<52} {medians[name]:6.2f}s {min(values):7.2f}s "
            f"x{statistics.median(ratios):.3f} x{min(values) / min(seconds[baseline_name]):.3f} "
            f"{statistics.median(megabytes[name]):6.1f}   "
            + ", ".join(f"{value:.2f}" for value in values)
        )
    return medians


if __name__ == "__main__":
    main()
