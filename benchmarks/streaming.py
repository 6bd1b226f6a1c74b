"""Streaming: peak memory and training speed of streamed data, against in-memory data.

Measures, side by side in one run:

1. **Peak memory.** The peak resident set size (RSS) of a whole `kerasclf train`
   process, one epoch of momentum SGD at batch 1024 with the default callbacks
   (images included), on `seminar_blobs` data generated chunk by chunk
   (`--streaming true`) at 10^6 and at 10^8 points; and, for reference, the
   same 10^6 points held in memory. The target: 10^8 streamed at most 1.2x
   10^6 streamed.
2. **Training speed.** Samples/s of the fused engine's `fit` alone (no
   callbacks) on the same 2^22 points three ways: held in memory, generated
   chunk by chunk, and read from 8 CSV shards. Epochs after the first (which
   compiles) are timed; figures are medians over epochs and repeats, and each
   ratio is taken within a repeat.

It prints the tables and writes them as the "Streaming" section of
BENCHMARKS.md, leaving the other sections as they are.

Run it (about 5 minutes on 2 cores):

    python -m benchmarks.streaming [--repeats 3] [--rss-samples 1000000 100000000]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time

import keras
import numpy as np

from benchmarks.report import format_rate, format_table, machine_description, write_section
from kerasclf import pipeline
from kerasclf.run.config import make_config
from kerasclf.data import make_dataset
from kerasclf.data.streaming import generated_stream, open_csv_shards
from kerasclf.run.model import make_model

DEFAULT_OUTPUT = "BENCHMARKS.md"
SPEED_SAMPLES = 2**22
NUM_SHARDS = 8
BATCH_SIZES = (32, 1024)
SPEED_EPOCHS = 4
TRAIN_FLAGS = ["--optimizer", "momentum", "--batch-size", "1024", "--epochs", "1"]


def peak_rss(flags: list[str], logdir: str) -> tuple[float, float]:
    """(peak RSS in MiB, wall seconds) of one `kerasclf train` process."""
    command = [sys.executable, "-m", "kerasclf.cli.main", "train", "--logdir", logdir, *flags]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-500:]}")
    process.stderr.close()
    return usage.ru_maxrss / 1024, seconds  # ru_maxrss is in KiB on Linux.


def measure_memory(sizes: list[int], logdir: str) -> list[list[str]]:
    runs = [(f"{size:.0e} points, streamed", size, True) for size in sizes]
    runs.append((f"{sizes[0]:.0e} points, in memory", sizes[0], False))
    rows, baseline = [], None
    for name, size, streamed in runs:
        flags = [*TRAIN_FLAGS, "--num-samples", str(size), "--streaming", str(streamed).lower()]
        megabytes, seconds = peak_rss(flags, logdir)
        baseline = baseline or megabytes
        rows.append([name, f"{megabytes:.0f}", f"x{megabytes / baseline:.3f}", f"{seconds:.1f}"])
        print(f"  {name:<28} peak RSS {megabytes:7.0f} MiB", flush=True)
    return rows


def write_csv_shards(directory: str, features: np.ndarray, labels: np.ndarray) -> str:
    for index, rows in enumerate(np.array_split(np.arange(len(labels)), NUM_SHARDS)):
        table = np.c_[features[rows], labels[rows]]
        np.savetxt(os.path.join(directory, f"part-{index:02d}.csv"), table, "%.7g", ",")
    return os.path.join(directory, "*.csv")


class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)

    def on_train_begin(self, logs=None):
        self.seconds = []


def fit_speed(source, batch_size: int) -> float:
    """Median samples/s of the fused `fit` over epochs 2.. on `source`."""
    config = make_config(optimizer="momentum", batch_size=batch_size, seed=0)
    model = make_model(config, source)
    if hasattr(source, "chunks"):
        dataset = pipeline.stream_blocks(source, batch_size, 0, SPEED_EPOCHS)
        steps = pipeline.stream_layout(source.num_samples, batch_size)[1]
    else:
        dataset = pipeline.blocks(source.features, source.labels, batch_size, 0, SPEED_EPOCHS)
        steps = pipeline.block_layout(source.num_samples, batch_size)[1]
    timer = EpochTimer()
    model.fit(
        dataset,
        epochs=SPEED_EPOCHS,
        steps_per_epoch=steps,
        callbacks=[timer],
        verbose=0,
        shuffle=False,
    )
    return source.num_samples / statistics.median(timer.seconds[1:])


def measure_speed(repeats: int, workdir: str) -> list[list[str]]:
    in_memory = make_dataset("seminar_blobs", SPEED_SAMPLES, seed=0)
    sources = {
        "in memory": in_memory,
        "generated, streamed": generated_stream("seminar_blobs", SPEED_SAMPLES, seed=0),
        f"CSV, {NUM_SHARDS} shards, streamed": open_csv_shards(
            write_csv_shards(workdir, in_memory.features, in_memory.labels)
        ),
    }
    rates = {(name, size): [] for name in sources for size in BATCH_SIZES}
    ratios = {(name, size): [] for name in sources for size in BATCH_SIZES}
    for _ in range(repeats):
        for size in BATCH_SIZES:
            measured = {name: fit_speed(source, size) for name, source in sources.items()}
            for name, rate in measured.items():
                rates[name, size].append(rate)
                ratios[name, size].append(rate / measured["in memory"])
                print(f"  {name:<26} batch {size:<5} {format_rate(rate)}/s", flush=True)
    return [
        [name]
        + [
            f"{format_rate(statistics.median(rates[name, size]))} "
            f"(x{statistics.median(ratios[name, size]):.2f})"
            for size in BATCH_SIZES
        ]
        for name in sources
    ]


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.streaming")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the speed figures")
    parser.add_argument(
        "--rss-samples", type=int, nargs=2, default=[10**6, 10**8], metavar=("SMALL", "LARGE")
    )
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="Markdown file to update")
    arguments = parser.parse_args(argv)
    if arguments.repeats < 1:
        parser.error(f"--repeats must be a positive integer. Received: {arguments.repeats}.")
    command = " ".join(["python -m benchmarks.streaming", *(argv or sys.argv[1:])]).strip()
    load_before, started = os.getloadavg(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kerasclf-stream-") as workdir:
        print("Peak memory of a whole one-epoch process:", flush=True)
        memory = measure_memory(arguments.rss_samples, os.path.join(workdir, "logs"))
        print(f"Fit speed on {SPEED_SAMPLES} points:", flush=True)
        speed = measure_speed(arguments.repeats, workdir)
    machine = machine_description(load_before, os.getloadavg())
    flags = " ".join(TRAIN_FLAGS)
    text = "\n\n".join(
        [
            "# Streaming",
            f"Generated by `benchmarks/streaming.py` on {datetime.date.today().isoformat()} in "
            f"{(time.perf_counter() - started) / 60:.1f} min. Command:\n\n```bash\n{command}\n```",
            "## Peak memory of a whole process\n\n"
            f"`kerasclf train {flags} --num-samples N --streaming true|false` with the default "
            "callbacks: generated `seminar_blobs` points, peak RSS from `wait4`. The target is "
            "10^8 streamed at most 1.2x 10^6 streamed.\n\n"
            + format_table(["run", "peak RSS, MiB", "ratio", "wall s"], memory),
            f"## Fit speed, samples/s (median of {arguments.repeats}; ratio to in memory)\n\n"
            f"The fused engine's `fit` alone, momentum SGD, {SPEED_SAMPLES} `seminar_blobs` "
            f"points, epochs 2-{SPEED_EPOCHS} timed. Streamed data is shuffled within blocks "
            "of up to 2^20 points; in-memory data by a full permutation.\n\n"
            + format_table(["data", *[f"batch {size}" for size in BATCH_SIZES]], speed),
            "## Machine\n\n" + format_table(["", ""], machine),
        ]
    )
    print(text)
    write_section(arguments.output, text + "\n")
    return text


if __name__ == "__main__":
    main()
