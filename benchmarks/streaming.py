"""Streaming: peak memory and training speed of streamed data, against in-memory data.

Measures, side by side in one run:

1. **Peak memory.** The peak resident set size (RSS) of a whole `kerasclf train`
   process, one epoch of momentum SGD at batch 1024 with the default callbacks
   (images included), on `seminar_blobs` data generated chunk by chunk
   (`--streaming true`) at 10^6 and at 10^8 points; and, for reference, the
   same 10^6 points held in memory. The target: 10^8 streamed at most 1.2x
   10^6 streamed.
2. **Training speed.** Samples/s of the fused engine's `fit` alone (no
   callbacks) on the same 2^22 points four ways: held in memory, generated
   chunk by chunk, and read from 8 CSV shards, both as `open_csv_shards`
   streams them (parsed once by its checking pass, read back from its chunk
   cache) and parsed every epoch (`cache=False`, the path measured before
   the cache). Epochs after the first (which compiles) are timed; figures are
   medians over epochs and repeats, and each ratio is taken within a repeat.
   The target: CSV shards at batch 1024 at least 0.5x in memory.
3. **Where an epoch's time goes**, at batch 1024: the seconds to open (and
   check) each source, to read one epoch's chunks alone, to cut them into
   the engine's blocks (reading included, no training), and one epoch of
   `fit` (medians over repeats).

It prints the tables and writes them as the "Streaming" section of
BENCHMARKS.md, leaving the other sections as they are.

Run it (about 6 minutes on 2 cores):

    python -m benchmarks.streaming [--repeats 3] [--rss-samples 1000000 100000000]
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from benchmarks.arguments import BenchmarkParser, check_markdown_output, integer, parse_or_exit
from benchmarks.report import format_rate, format_table, machine_description, write_section
from kerasclf import pipeline
from kerasclf.run.config_making import make_config
from kerasclf.data import make_dataset
from kerasclf.data.chunk_cache import ChunkCache
from kerasclf.data.csv_streams import open_csv_shards
from kerasclf.data.streaming import generated_stream
from kerasclf.run.model import make_model

MODULE = "benchmarks.streaming"
DEFAULT_OUTPUT = "BENCHMARKS.md"
SPEED_SAMPLES = 2**22
NUM_SHARDS = 8
BATCH_SIZES = (32, 1024)
SPEED_EPOCHS = 4
TARGET_RATIO = 0.5
PARSE_NOTE = (
    "Why a cache rather than a faster parser: on one shard of 2^19 rows (one core), "
    "TensorFlow's parse as streamed (split lines, strip, `tf.io.decode_csv`) took 0.44 s, and "
    "the fastest variant tried (split cells, `tf.strings.to_number`) 0.25 s, while an "
    "in-memory epoch of all 8 shards' points takes 0.03-0.2 s: even parsed in parallel on both "
    "cores, text cannot keep up."
)
CSV_ROW = f"CSV, {NUM_SHARDS} shards, streamed"
PARSED_ROW = f"CSV, {NUM_SHARDS} shards, parsed every epoch"
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


def timed(make):
    """`(make(), seconds)`."""
    started = time.perf_counter()
    result = make()
    return result, time.perf_counter() - started


def drained_seconds(dataset) -> float:
    """Seconds to iterate a dataset to its end."""
    started = time.perf_counter()
    for _ in dataset:
        pass
    return time.perf_counter() - started


def epoch_breakdown(source, batch_size: int) -> tuple[float, float]:
    """Seconds of one epoch: `(reading its chunks, reading and cutting its blocks)`.

    Each dataset is iterated once untimed first: that traces and compiles.
    """
    if hasattr(source, "chunks"):
        chunks = source.chunks()
        blocks = pipeline.stream_blocks(source, batch_size, 0, 1)
    else:
        chunks = None
        blocks = pipeline.blocks(source.features, source.labels, batch_size, 0, 1)
    for dataset in (chunks, blocks):
        if dataset is not None:
            drained_seconds(dataset)
    return (drained_seconds(chunks) if chunks else 0.0), drained_seconds(blocks)


def make_sources(workdir: str) -> tuple[dict, dict]:
    """The four sources of the speed figures, and the seconds each took to open."""
    in_memory = make_dataset("seminar_blobs", SPEED_SAMPLES, seed=0)
    pattern = write_csv_shards(workdir, in_memory.features, in_memory.labels)
    opened = {
        "in memory": (in_memory, 0.0),
        "generated, streamed": timed(
            lambda: generated_stream("seminar_blobs", SPEED_SAMPLES, seed=0)
        ),
        CSV_ROW: timed(lambda: open_csv_shards(pattern)),
        PARSED_ROW: timed(lambda: open_csv_shards(pattern, cache=False)),
    }
    if not isinstance(opened[CSV_ROW][0].read_chunk, ChunkCache):
        print("  warning: no chunk cache could be made; the CSV rows both parse", flush=True)
    return (
        {name: source for name, (source, _) in opened.items()},
        {name: seconds for name, (_, seconds) in opened.items()},
    )


def measure_speed(repeats: int, sources: dict) -> tuple[list[list[str]], dict]:
    """The speed table's rows, and each source's epoch seconds at batch 1024 by repeat."""
    rates = {(name, size): [] for name in sources for size in BATCH_SIZES}
    ratios = {(name, size): [] for name in sources for size in BATCH_SIZES}
    for _ in range(repeats):
        for size in BATCH_SIZES:
            measured = {name: fit_speed(source, size) for name, source in sources.items()}
            for name, rate in measured.items():
                rates[name, size].append(rate)
                ratios[name, size].append(rate / measured["in memory"])
                print(f"  {name:<40} batch {size:<5} {format_rate(rate)}/s", flush=True)
    rows = []
    for name in sources:
        ratio = statistics.median(ratios[name, BATCH_SIZES[-1]])
        met = "" if not name.startswith("CSV") else ("yes" if ratio >= TARGET_RATIO else "no")
        rows.append(
            [name]
            + [
                f"{format_rate(statistics.median(rates[name, size]))} "
                f"(x{statistics.median(ratios[name, size]):.2f})"
                for size in BATCH_SIZES
            ]
            + [met]
        )
    epoch_seconds = {
        name: [SPEED_SAMPLES / rate for rate in rates[name, BATCH_SIZES[-1]]] for name in sources
    }
    return rows, epoch_seconds


def measure_breakdown(repeats: int, sources: dict, open_seconds: dict, epoch_seconds: dict):
    """Rows of the breakdown table: open, read chunks, read and cut blocks, fit, per source."""
    parts = {name: [] for name in sources}
    for _ in range(repeats):
        for name, source in sources.items():
            parts[name].append(epoch_breakdown(source, BATCH_SIZES[-1]))
    rows = []
    for name in sources:
        chunks, blocks = (statistics.median(values) for values in zip(*parts[name]))
        fit = statistics.median(epoch_seconds[name])
        rows.append(
            [name, f"{open_seconds[name]:.2f}", f"{chunks:.3f}", f"{blocks:.3f}", f"{fit:.3f}"]
        )
        print(f"  {name:<40} chunks {chunks:.3f} s, blocks {blocks:.3f} s, fit {fit:.3f} s")
    return rows


def parse_arguments(argv: list[str] | None = None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument("--repeats", type=integer(), default=3, help="repeats of the speed figures")
    parser.add_argument(
        "--rss-samples",
        type=integer(),
        nargs=2,
        default=[10**6, 10**8],
        metavar=("SMALL", "LARGE"),
        help="points of the two peak-memory runs",
    )
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="Markdown file to update")
    arguments = parser.parse_args(argv)
    check_markdown_output("--output", arguments.output)
    return arguments


def main(argv: list[str] | None = None) -> str:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    command = " ".join(["python -m benchmarks.streaming", *(argv or sys.argv[1:])]).strip()
    load_before, started = os.getloadavg(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kerasclf-stream-") as workdir:
        print("Peak memory of a whole one-epoch process:", flush=True)
        memory = measure_memory(arguments.rss_samples, os.path.join(workdir, "logs"))
        print(f"Fit speed on {SPEED_SAMPLES} points:", flush=True)
        sources, open_seconds = make_sources(workdir)
        speed, epoch_seconds = measure_speed(arguments.repeats, sources)
        print("Where an epoch's time goes, batch 1024:", flush=True)
        breakdown = measure_breakdown(arguments.repeats, sources, open_seconds, epoch_seconds)
        del sources  # Removes the chunk cache.
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
            "of up to 2^20 points; in-memory data by a full permutation. "
            f"`{CSV_ROW}` is `open_csv_shards` as it is used: its checking pass parses each "
            "shard once and keeps the numbers in a chunk cache on local disk, which every "
            f"epoch reads back; `{PARSED_ROW}` (`cache=False`) parses the text every epoch, "
            "as all CSV streams did before the cache (the earlier `CSV, 8 shards, streamed` "
            f"row). The target: CSV shards at batch 1024 at least {TARGET_RATIO}x in memory. "
            f"{PARSE_NOTE}\n\n"
            + format_table(
                ["data", *[f"batch {size}" for size in BATCH_SIZES], f">= {TARGET_RATIO}x"],
                speed,
            ),
            "## Where an epoch's time goes, batch 1024 (seconds, median of "
            f"{arguments.repeats})\n\n"
            "`open`: making the source (for CSV, reading and checking every shard once, in "
            "parallel, and filling the cache); `chunks`: reading one epoch's chunks alone "
            "(for CSV without the cache, that is parsing); `blocks`: reading them and cutting "
            "the fused engine's shuffled blocks, without training (both after an untimed "
            "epoch that compiles; drained from Python, element by element, so this can exceed "
            "the fit epoch); `fit`: one epoch of `fit`, from the speed table, in which reading "
            "overlaps training.\n\n"
            + format_table(["data", "open", "chunks", "blocks", "fit epoch"], breakdown),
            "## Machine\n\n" + format_table(["", ""], machine),
        ]
    )
    print(text)
    write_section(arguments.output, text + "\n")
    return text


if __name__ == "__main__":
    main()
