"""Day-2 speed: the seminar's CNN on `fonts`, stock `fit` against kerasclf's fused engine.

Issue #19: the fused engine runs the Day-2 models; the target is at least 3x
stock `fit` per epoch after compiling. This trains the built-in `cnn`
(`build_model("cnn", (36, 36), 5)`: one 5x5 convolution of 4 filters, a 2x2
max-pool, Dense 32, dropout 0.25, softmax) on the `fonts` training set
(2511 images of 36x36) with Adam (kerasclf's preset, learning rate 0.01) on
the mean cross-entropy, at batch 32 and 128, three ways and a diagnostic fourth:

- `stock`: a plain `keras.Model`, `compile` with Keras's defaults
  (`steps_per_execution=1`, `jit_compile="auto"`, which is no XLA on CPU)
  and Keras's `SparseCategoricalCrossentropy`, under stock `fit`.
- `stock_spe`: the same, compiled with `jit_compile=True` and
  `steps_per_execution` = the minibatches per epoch (one call per epoch).
- `fused`: kerasclf's engine alone, compiled as `kerasclf.run.model.make_model`
  compiles it (`Classifier.from_model`, `CrossEntropy("mean")`, weighted
  accuracy, XLA only where `kerasclf.models.xla.xla_is_faster`: not for
  convolutions on a CPU) and fed the blocks of `kerasclf.pipeline.blocks`,
  as `kerasclf.run.fitting` feeds it; no kerasclf callbacks (no TensorBoard,
  no cost logger), so the step keeps Keras's running means of the loss and
  accuracy, the same work as the stock step.
- `fused_xla`: a diagnostic, what kerasclf ran before it kept convolutions
  on a CPU away from XLA: the fused engine compiled with `jit_compile=True`.
  On CPU, XLA's convolution steps are slower than TensorFlow's own (oneDNN)
  kernels; this row shows by how much.

Every engine starts from the same weights (one model built with the seed;
each engine gets a fresh copy) and trains on the same minibatches in the same
order: the stock engines read `kerasclf.pipeline.minibatches` (the epoch order
`kerasclf.pipeline.blocks` packs), so that their losses and weights agree
with the fused engine's up to rounding; every engine compiles an accuracy
metric. Each `fit` runs `--epochs` epochs; the first includes compiling, the
figure is the median of the epochs after it. Each repeat builds and compiles
every engine again, engines and batch sizes interleaved; the table gives the
median over all timed epochs of all repeats, and each ratio is the median of
per-repeat ratios of the repeat medians. Run it from the repository root:

    .venv/bin/python -m benchmarks.day2_speed
    .venv/bin/python -m benchmarks.day2_speed --output BENCHMARKS.md  # also write the section

Progress lines go to stderr. No figure here is asserted on.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from benchmarks.arguments import (
    BenchmarkParser,
    check_markdown_output,
    integer,
    integer_list,
    number,
    parse_or_exit,
)
from benchmarks.report import format_table, machine_description, write_section
from benchmarks.speed.timing import progress
from kerasclf import pipeline
from kerasclf.data import Data, make_dataset_splits
from kerasclf.engine.classifier import Classifier
from kerasclf.engine.losses import CrossEntropy
from kerasclf.engine.optimizers import make_optimizer
from kerasclf.models.architecture import default_architecture
from kerasclf.models.registry import build_model
from kerasclf.models.xla import xla_is_faster

MODULE = "benchmarks.day2_speed"
ENGINES = ("stock", "stock_spe", "fused", "fused_xla")
ENGINE_LABELS = {
    "stock": "stock model.fit (defaults)",
    "stock_spe": "stock model.fit, jit_compile=True, steps_per_execution=steps per epoch",
    "fused": "kerasclf fused engine (Classifier + pipeline.blocks)",
    "fused_xla": "kerasclf fused engine forced to jit_compile=True (diagnostic)",
}
BATCH_SIZES = (32, 128)
SEED = 0
TARGET = 3.0
SECTION_TITLE = "# Day-2 speed: the CNN on fonts"
AGREEMENT_NOTE = (
    "Agreement (first repeat; same start, same minibatches): the XLA engines (stock_spe, "
    "fused_xla) draw one set of dropout masks, the others (stock, fused on a CPU) another; with "
    "`--dropout 0` all four agree to 1e-5 over the test's 2 short epochs. Over hundreds of "
    "Adam steps even rounding differences grow."
)


@dataclasses.dataclass
class Run:
    """One timed `fit` of one engine.

    Attributes:
        epoch_seconds: Wall seconds of every epoch; the first includes compiling.
        losses: The epoch's mean loss, as `fit` logs it.
        weights: The weights after training.

    Example:
        >>> Run([2.0, 0.5, 0.4], [1.6, 1.2, 1.0], []).median_seconds
        0.45
    """

    epoch_seconds: list[float]
    losses: list[float]
    weights: list[np.ndarray]

    @property
    def median_seconds(self) -> float:
        """The median epoch after the first (compiling) one."""
        return statistics.median(self.epoch_seconds[1:])


class EpochClock(keras.callbacks.Callback):
    """Records each epoch's wall time and logged loss.

    Example:
        >>> clock = EpochClock()
        >>> # model.fit(..., callbacks=[clock]); clock.seconds, clock.losses
    """

    def __init__(self):
        super().__init__()
        self.seconds, self.losses = [], []
        self._started = None

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._started)
        self.losses.append(float(logs["loss"]))


def fonts_training(num_samples: int | None) -> Data:
    """The `fonts` training images (2511 of 36x36 by default); `num_samples` counts both parts."""
    return make_dataset_splits("fonts", num_samples=num_samples, seed=SEED)[0]


def cnn(data: Data, dropout: float | None = None) -> keras.Model:
    """The built-in CNN for `data`, seeded; `dropout` None keeps its default (0.25).

    Example:
        >>> cnn(fonts_training(200)).count_params()  # doctest: +SKIP
        41773
    """
    architecture = None
    if dropout is not None:
        architecture = dataclasses.replace(default_architecture("cnn"), dropout=dropout)
    return build_model(
        "cnn", data.feature_shape, data.num_classes, seed=SEED, architecture=architecture
    )


def compiled_model(
    engine: str, data: Data, batch_size: int, initial_weights, dropout: float | None = None
) -> keras.Model:
    """A fresh CNN with `initial_weights`, compiled as `engine` compiles it.

    Example:
        >>> model = compiled_model("fused", fonts_training(200), 32, None)  # doctest: +SKIP
    """
    model = cnn(data, dropout)
    if initial_weights is not None:
        model.set_weights(initial_weights)
    optimizer = make_optimizer("adam", data.num_samples)
    accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    if engine.startswith("fused"):  # As kerasclf.run.model.make_model compiles it.
        model = Classifier.from_model(model, data.feature_shape)
        model.compile(
            optimizer=optimizer,
            loss=CrossEntropy("mean"),
            weighted_metrics=[accuracy],
            jit_compile=xla_is_faster(model) if engine == "fused" else True,
        )
        return model
    steps = pipeline.num_minibatches(data.num_samples, batch_size)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[accuracy],
        **({"steps_per_execution": steps, "jit_compile": True} if engine == "stock_spe" else {}),
    )
    return model


def training_data(engine: str, data: Data, batch_size: int, epochs: int):
    """The dataset `fit` reads and its steps per epoch: the same minibatches for every engine."""
    if engine.startswith(
        "fused"
    ):  # As kerasclf.run.fitting.training_stream feeds the fused engine.
        dataset = pipeline.blocks(data.features, data.labels, batch_size, SEED, epochs)
        return dataset, pipeline.block_layout(data.num_samples, batch_size)[1]
    dataset = pipeline.minibatches(data.features, data.labels, batch_size, SEED, epochs)
    return dataset, pipeline.num_minibatches(data.num_samples, batch_size)


def train_once(
    engine: str, data: Data, batch_size: int, epochs: int, initial_weights, dropout=None
) -> Run:
    """Builds, compiles and fits one engine; times every epoch."""
    model = compiled_model(engine, data, batch_size, initial_weights, dropout)
    dataset, steps = training_data(engine, data, batch_size, epochs)
    clock = EpochClock()
    model.fit(
        dataset, epochs=epochs, steps_per_epoch=steps, callbacks=[clock], verbose=0, shuffle=False
    )
    return Run(clock.seconds, clock.losses, [np.array(w) for w in model.get_weights()])


def measure(data: Data, batch_sizes, epochs: int, repeats: int, dropout=None) -> dict:
    """`{(engine, batch size): [Run per repeat]}`, engines and batch sizes interleaved."""
    initial_weights = cnn(data, dropout).get_weights()
    runs: dict = {}
    for repeat in range(repeats):
        for batch_size in batch_sizes:
            for engine in ENGINES:
                run = train_once(engine, data, batch_size, epochs, initial_weights, dropout)
                runs.setdefault((engine, batch_size), []).append(run)
                progress(
                    f"repeat {repeat + 1}/{repeats} batch {batch_size} {engine}: "
                    f"compile+epoch 1 {run.epoch_seconds[0]:.2f} s, "
                    f"median epoch {run.median_seconds:.3f} s"
                )
    return runs


def median_ratio(runs: dict, engine: str, batch_size: int) -> float:
    """Median over repeats of stock `fit`'s median epoch over `engine`'s (a speed-up)."""
    pairs = zip(runs[("stock", batch_size)], runs[(engine, batch_size)])
    return statistics.median(stock.median_seconds / run.median_seconds for stock, run in pairs)


def speed_table(runs: dict, batch_sizes) -> str:
    """Batch, engine, median epoch seconds, speed-up over stock fit, compile + first epoch."""
    headers = [
        "batch",
        "engine",
        "median epoch s (epochs 2..E)",
        "speed-up vs stock fit",
        "first epoch s (compile)",
    ]
    rows = []
    for batch_size in batch_sizes:
        for engine in ENGINES:
            engine_runs = runs[(engine, batch_size)]
            timed = [seconds for run in engine_runs for seconds in run.epoch_seconds[1:]]
            first = statistics.median(run.epoch_seconds[0] for run in engine_runs)
            ratio = median_ratio(runs, engine, batch_size)
            rows.append(
                [str(batch_size), ENGINE_LABELS[engine], f"{statistics.median(timed):.3f}"]
                + [f"{ratio:.2f}x", f"{first:.2f}"]
            )
    return format_table(headers, rows)


def largest_gap(run: Run, other: Run) -> tuple[float, float]:
    """The largest difference of two runs' epoch losses and of their weights."""
    loss_gap = max(abs(a - b) for a, b in zip(run.losses, other.losses))
    weight_gap = max(float(np.max(np.abs(a - b))) for a, b in zip(run.weights, other.weights))
    return loss_gap, weight_gap


def agreement_table(runs: dict, batch_sizes) -> str:
    """How far each engine's losses and weights are from stock fit's and the fused engine's."""
    headers = ["batch", "engine", "last epoch loss", "max |loss - stock|", "max |w - stock w|"]
    headers += ["max |loss - fused|", "max |w - fused w|"]
    rows = []
    for batch_size in batch_sizes:
        stock, fused = runs[("stock", batch_size)][0], runs[("fused", batch_size)][0]
        for engine in ENGINES:
            run = runs[(engine, batch_size)][0]
            gaps = [*largest_gap(run, stock), *largest_gap(run, fused)]
            rows.append(
                [str(batch_size), engine, f"{run.losses[-1]:.4f}"] + [f"{gap:.2g}" for gap in gaps]
            )
    return format_table(headers, rows)


def target_lines(runs: dict, batch_sizes) -> list[str]:
    """Whether the fused engine reaches the issue's target at each batch size."""
    lines = []
    for batch_size in batch_sizes:
        ratio = median_ratio(runs, "fused", batch_size)
        verdict = "met" if ratio >= TARGET else "NOT met"
        lines.append(
            f"- batch {batch_size}: fused / stock fit = {ratio:.2f}x (target >= {TARGET:g}x: "
            f"{verdict}); fused / steps_per_execution = "
            f"{ratio / median_ratio(runs, 'stock_spe', batch_size):.2f}x; fused_xla / stock "
            f"fit = {median_ratio(runs, 'fused_xla', batch_size):.2f}x"
        )
    return lines


def parse_arguments(argv) -> argparse.Namespace:
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument(
        "--epochs", type=integer(minimum=2), default=5, help="epochs per fit (E, at least 2)"
    )
    parser.add_argument(
        "--repeats", type=integer(), default=3, help="fits per engine and batch (R)"
    )
    parser.add_argument(
        "--num-samples",
        type=integer(),
        default=None,
        help="fonts images, both parts (default: all)",
    )
    parser.add_argument(
        "--batch-sizes", type=integer_list(), default=BATCH_SIZES, help="comma-separated"
    )
    parser.add_argument(
        "--dropout",
        type=number(0.0, 1.0, low_inclusive=True),
        default=None,
        help="the CNN's dropout, in [0, 1) (default: its 0.25)",
    )
    parser.add_argument("--output", default=None, help="a Markdown file to write the section to")
    arguments = parser.parse_args(argv)
    if arguments.output is not None:
        check_markdown_output("--output", arguments.output)
    return arguments


def main(argv=None) -> str:
    """Measures, prints the report and returns it (also writes it with `--output`).

    Example:
        >>> report = main(["--epochs", "2", "--repeats", "1", "--num-samples", "200"])
        ... # doctest: +SKIP
    """
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    load_before = os.getloadavg()
    started = time.perf_counter()
    data = fonts_training(arguments.num_samples)
    runs = measure(
        data, arguments.batch_sizes, arguments.epochs, arguments.repeats, arguments.dropout
    )
    machine = machine_description(load_before, os.getloadavg())
    command = "python -m benchmarks.day2_speed " + " ".join(argv or sys.argv[1:])
    report = "\n\n".join(
        [
            SECTION_TITLE,
            f"`{command.strip()}`: {data.num_samples} training images, {arguments.epochs} "
            f"epochs per fit, repeats: {arguments.repeats}, {time.perf_counter() - started:.0f} s.",
            speed_table(runs, arguments.batch_sizes),
            "\n".join(target_lines(runs, arguments.batch_sizes)),
            AGREEMENT_NOTE,
            agreement_table(runs, arguments.batch_sizes),
            format_table(["machine", ""], machine),
        ]
    )
    print(report)
    if arguments.output:
        write_section(arguments.output, report + "\n")
    return report


if __name__ == "__main__":
    main()
