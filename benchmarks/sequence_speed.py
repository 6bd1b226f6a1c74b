"""Sequence speed: the LSTM on `grammar` and `long_dependency`, stock `fit` and the fused engine.

Issue #20: the fused engine runs the recurrent models; the target is at least
3x stock `fit` per epoch after compiling. This trains the built-in `lstm`
(one LSTM layer of 32 units, Keras's defaults for the rest) on two Day-3
training sets, with Adam (kerasclf's preset) on the mean cross-entropy, at
batch 32 and 128:

- `grammar`: `build_model("lstm", (40,), 27, vocabulary_size=27)` (an
  Embedding, the LSTM, a softmax over 27 characters) on the 17964 windows of
  40 character ids of the training part;
- `long_dependency`: `build_model("lstm", (50, 2), 2)` (the LSTM, a sigmoid)
  on the 3200 sequences of 50 steps of 2 numbers of the training part.

Each is trained four ways and a fifth for reference:

- `stock`: a plain `keras.Model`, `compile` with Keras's defaults
  (`steps_per_execution=1`, `jit_compile="auto"`, which is no XLA on CPU)
  and Keras's own cross-entropy, under stock `fit`.
- `stock_spe`: the same with `steps_per_execution=32`, fed one epoch per
  `fit` call (see `train_once`).
- `stock_xla`: the same as `stock` with `jit_compile=True` (one minibatch per call).
- `stock_spe_xla`: `jit_compile=True` and `steps_per_execution=32`: the
  fastest stock configuration (reference).
- `fused`: kerasclf's engine, compiled as `kerasclf.run.model.make_model`
  compiles it (`Classifier.from_model`, `CrossEntropy("mean")`, weighted
  accuracy, XLA where `kerasclf.models.xla.xla_is_faster`: every recurrent
  model) and fed the blocks of `kerasclf.pipeline.blocks`; no kerasclf
  callbacks, so the step keeps Keras's running means of the loss and
  accuracy, the same work as the stock step.

Every engine starts from the same weights and trains on the same minibatches
in the same order (`kerasclf.pipeline.minibatches` for stock `fit`, the order
`kerasclf.pipeline.blocks` packs), so their losses and weights agree up to
rounding (no dropout: the LSTM's default is none). Each `fit` runs `--epochs`
epochs; the first includes compiling, the figure is the median of the epochs
after it. Each repeat builds and compiles every engine again, engines and
batch sizes interleaved; the table gives the median over all timed epochs of
all repeats, and each ratio is the median of per-repeat ratios of the repeat
medians. Run it from the repository root:

    .venv/bin/python -m benchmarks.sequence_speed
    .venv/bin/python -m benchmarks.sequence_speed --output BENCHMARKS.md  # also write the section

Progress lines go to stderr. No figure here is asserted on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from benchmarks.arguments import (
    BenchmarkParser,
    check_markdown_output,
    choice_list,
    integer,
    integer_list,
    parse_or_exit,
)
from benchmarks.day2_speed import EpochClock, Run, largest_gap
from benchmarks.report import format_table, machine_description, write_section
from benchmarks.speed.timing import progress
from kerasclf import pipeline
from kerasclf.data import Data, make_dataset_splits
from kerasclf.engine.classifier import Classifier
from kerasclf.engine.losses import CrossEntropy
from kerasclf.engine.optimizers import make_optimizer
from kerasclf.models.xla import xla_is_faster
from kerasclf.models.registry import build_model
from kerasclf.validation import check_choice

MODULE = "benchmarks.sequence_speed"
DATASETS = ("grammar", "long_dependency")
ENGINES = ("stock", "stock_spe", "stock_xla", "stock_spe_xla", "fused")
STEPS_PER_EXECUTION = 32
ENGINE_LABELS = {
    "stock": "stock model.fit (defaults)",
    "stock_spe": f"stock model.fit, steps_per_execution={STEPS_PER_EXECUTION}",
    "stock_xla": "stock model.fit, jit_compile=True",
    "stock_spe_xla": (
        f"stock model.fit, jit_compile=True, steps_per_execution={STEPS_PER_EXECUTION}"
    ),
    "fused": "kerasclf fused engine (Classifier + pipeline.blocks, XLA)",
}
# The stock engines' `compile` arguments beyond the defaults.
STOCK_OPTIONS = {
    "stock": {},
    "stock_spe": {"steps_per_execution": STEPS_PER_EXECUTION},
    "stock_xla": {"jit_compile": True},
    "stock_spe_xla": {"steps_per_execution": STEPS_PER_EXECUTION, "jit_compile": True},
}
BATCH_SIZES = (32, 128)
SEED = 0
TARGET = 3.0
SECTION_TITLE = "# Sequence speed: the LSTM on grammar and long_dependency"


def training_set(dataset: str, num_samples: int | None) -> Data:
    """A dataset's training part; `num_samples` as `make_dataset_splits` takes it.

    For `grammar` it counts the text's characters (windows = characters - 40),
    for `long_dependency` the sequences of both parts.

    Example:
        >>> training_set("long_dependency", 100).features.shape  # doctest: +SKIP
        (80, 50, 2)
    """
    dataset = check_choice("dataset", dataset, DATASETS)
    return make_dataset_splits(dataset, num_samples=num_samples, seed=SEED)[0]


def lstm(data: Data) -> keras.Model:
    """The built-in LSTM for `data` (token ids with an Embedding, or numbers), seeded.

    Example:
        >>> lstm(training_set("grammar", 200)).count_params()  # doctest: +SKIP
        9403
    """
    return build_model(
        "lstm",
        data.feature_shape,
        data.num_classes,
        seed=SEED,
        vocabulary_size=getattr(data, "vocabulary_size", None),
    )


def stock_loss_and_accuracy(model: keras.Model) -> tuple:
    """Keras's own cross-entropy and accuracy for a sigmoid or a softmax output."""
    if model.output_shape[-1] == 1:
        return keras.losses.BinaryCrossentropy(), keras.metrics.BinaryAccuracy(name="accuracy")
    return (
        keras.losses.SparseCategoricalCrossentropy(),
        keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
    )


def compiled_model(engine: str, data: Data, initial_weights) -> keras.Model:
    """A fresh LSTM with `initial_weights`, compiled as `engine` compiles it.

    Example:
        >>> model = compiled_model("fused", training_set("grammar", 200), None)  # doctest: +SKIP
    """
    model = lstm(data)
    if initial_weights is not None:
        model.set_weights(initial_weights)
    optimizer = make_optimizer("adam", data.num_samples)
    loss, accuracy = stock_loss_and_accuracy(model)
    if engine == "fused":  # As kerasclf.run.model.make_model compiles it.
        model = Classifier.from_model(model, data.feature_shape)
        model.compile(
            optimizer=optimizer,
            loss=CrossEntropy("mean"),
            weighted_metrics=[accuracy],
            jit_compile=xla_is_faster(model),
        )
        return model
    model.compile(optimizer=optimizer, loss=loss, metrics=[accuracy], **STOCK_OPTIONS[engine])
    return model


def training_data(engine: str, data: Data, batch_size: int, epochs: int):
    """The dataset `fit` reads and its steps per epoch: the same minibatches for every engine."""
    if engine == "fused":  # As kerasclf.run.fitting.training_stream feeds the fused engine.
        dataset = pipeline.blocks(data.features, data.labels, batch_size, SEED, epochs)
        return dataset, pipeline.block_layout(data.num_samples, batch_size)[1]
    dataset = pipeline.minibatches(data.features, data.labels, batch_size, SEED, epochs)
    return dataset, pipeline.num_minibatches(data.num_samples, batch_size)


def train_once(engine: str, data: Data, batch_size: int, epochs: int, initial_weights) -> Run:
    """Builds, compiles and fits one engine; times every epoch.

    With `steps_per_execution`, stock `fit` runs whole executions: given
    `steps_per_epoch` S it would take ceil(S / 32) * 32 minibatches an epoch
    from a stream of all epochs. So those engines get one epoch's minibatches
    per `fit` call (the function compiled in the first call is kept), and
    their last execution stops where the epoch's data ends.
    """
    model = compiled_model(engine, data, initial_weights)
    clock = EpochClock()
    if STOCK_OPTIONS.get(engine, {}).get("steps_per_execution", 1) > 1:
        for epoch in range(epochs):
            dataset = pipeline.minibatches(
                data.features, data.labels, batch_size, SEED, epoch + 1, initial_epoch=epoch
            )
            with warnings.catch_warnings():  # "Your input ran out of data": as meant.
                warnings.simplefilter("ignore", UserWarning)
                model.fit(dataset, epochs=1, callbacks=[clock], verbose=0, shuffle=False)
    else:
        dataset, steps = training_data(engine, data, batch_size, epochs)
        model.fit(
            dataset,
            epochs=epochs,
            steps_per_epoch=steps,
            callbacks=[clock],
            verbose=0,
            shuffle=False,
        )
    return Run(clock.seconds, clock.losses, [np.array(w) for w in model.get_weights()])


def measure(sets: dict, batch_sizes, epochs: int, repeats: int) -> dict:
    """`{(dataset, engine, batch size): [Run per repeat]}`, engines and batch sizes interleaved."""
    initial_weights = {name: lstm(data).get_weights() for name, data in sets.items()}
    runs: dict = {}
    for repeat in range(repeats):
        for name, data in sets.items():
            for batch_size in batch_sizes:
                for engine in ENGINES:
                    run = train_once(engine, data, batch_size, epochs, initial_weights[name])
                    runs.setdefault((name, engine, batch_size), []).append(run)
                    progress(
                        f"repeat {repeat + 1}/{repeats} {name} batch {batch_size} {engine}: "
                        f"compile+epoch 1 {run.epoch_seconds[0]:.2f} s, "
                        f"median epoch {run.median_seconds:.3f} s"
                    )
    return runs


def median_ratio(runs: dict, name: str, top: str, bottom: str, batch_size: int) -> float:
    """Median over repeats of `bottom`'s median epoch over `top`'s (how much faster `top` is)."""
    pairs = zip(runs[(name, bottom, batch_size)], runs[(name, top, batch_size)])
    return statistics.median(slow.median_seconds / fast.median_seconds for slow, fast in pairs)


def speed_table(runs: dict, names, batch_sizes) -> str:
    """Dataset, batch, engine, median epoch seconds, speed-up over stock fit, compile."""
    headers = ["dataset", "batch", "engine", "median epoch s (epochs 2..E)"]
    headers += ["speed-up vs stock fit", "first epoch s (compile)"]
    rows = []
    for name in names:
        for batch_size in batch_sizes:
            for engine in ENGINES:
                engine_runs = runs[(name, engine, batch_size)]
                timed = [seconds for run in engine_runs for seconds in run.epoch_seconds[1:]]
                first = statistics.median(run.epoch_seconds[0] for run in engine_runs)
                ratio = median_ratio(runs, name, engine, "stock", batch_size)
                rows.append(
                    [
                        name,
                        str(batch_size),
                        ENGINE_LABELS[engine],
                        f"{statistics.median(timed):.3f}",
                    ]
                    + [f"{ratio:.2f}x", f"{first:.2f}"]
                )
    return format_table(headers, rows)


def agreement_table(runs: dict, names, batch_sizes) -> str:
    """How far each engine's losses and weights are from stock fit's and the fused engine's."""
    headers = ["dataset", "batch", "engine", "last epoch loss", "max |loss - stock|"]
    headers += ["max |w - stock w|", "max |loss - fused|", "max |w - fused w|"]
    rows = []
    for name in names:
        for batch_size in batch_sizes:
            stock = runs[(name, "stock", batch_size)][0]
            fused = runs[(name, "fused", batch_size)][0]
            for engine in ENGINES:
                run = runs[(name, engine, batch_size)][0]
                gaps = [*largest_gap(run, stock), *largest_gap(run, fused)]
                rows.append(
                    [name, str(batch_size), engine, f"{run.losses[-1]:.4f}"]
                    + [f"{gap:.2g}" for gap in gaps]
                )
    return format_table(headers, rows)


def target_lines(runs: dict, names, batch_sizes) -> list[str]:
    """Whether the fused engine reaches the issue's target, and its ratio to the other engines."""
    lines = []
    for name in names:
        for batch_size in batch_sizes:
            ratio = median_ratio(runs, name, "fused", "stock", batch_size)
            verdict = "met" if ratio >= TARGET else "NOT met"
            others = ", ".join(
                f"fused / {engine} = {median_ratio(runs, name, 'fused', engine, batch_size):.2f}x"
                for engine in ENGINES[1:-1]
            )
            lines.append(
                f"- {name}, batch {batch_size}: fused / stock fit = {ratio:.2f}x "
                f"(target >= {TARGET:g}x: {verdict}); {others}"
            )
    return lines


def parse_arguments(argv) -> argparse.Namespace:
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument(
        "--epochs", type=integer(minimum=2), default=4, help="epochs per fit (E, at least 2)"
    )
    parser.add_argument(
        "--repeats", type=integer(), default=3, help="fits per engine and batch (R)"
    )
    parser.add_argument(
        "--num-samples",
        type=integer(),
        default=None,
        help="each dataset's size as make_dataset_splits takes it (grammar: characters; "
        "long_dependency: sequences); default: theirs",
    )
    parser.add_argument(
        "--batch-sizes", type=integer_list(), default=BATCH_SIZES, help="comma-separated"
    )
    parser.add_argument(
        "--datasets", type=choice_list(DATASETS), default=DATASETS, help="comma-separated"
    )
    parser.add_argument("--output", default=None, help="a Markdown file to write the section to")
    arguments = parser.parse_args(argv)
    if arguments.output is not None:
        check_markdown_output("--output", arguments.output)
    return arguments


def main(argv=None) -> str:
    """Measures, prints the report and returns it (also writes it with `--output`).

    Example:
        >>> report = main(["--epochs", "2", "--repeats", "1", "--num-samples", "240"])
        ... # doctest: +SKIP
    """
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    load_before = os.getloadavg()
    started = time.perf_counter()
    sets = {name: training_set(name, arguments.num_samples) for name in arguments.datasets}
    runs = measure(sets, arguments.batch_sizes, arguments.epochs, arguments.repeats)
    machine = machine_description(load_before, os.getloadavg())
    command = "python -m benchmarks.sequence_speed " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    sizes = ", ".join(
        f"{name} {data.num_samples} x {'x'.join(map(str, data.feature_shape))}"
        for name, data in sets.items()
    )
    report = "\n\n".join(
        [
            SECTION_TITLE,
            f"`{command.strip()}`: training sets {sizes}; {arguments.epochs} epochs per fit, "
            f"repeats: {arguments.repeats}, {time.perf_counter() - started:.0f} s.",
            speed_table(runs, sets, arguments.batch_sizes),
            "\n".join(target_lines(runs, sets, arguments.batch_sizes)),
            "Agreement (first repeat; same start, same minibatches, no dropout):",
            agreement_table(runs, sets, arguments.batch_sizes),
            format_table(["machine", ""], machine),
        ]
    )
    print(report)
    if arguments.output:
        write_section(arguments.output, report + "\n")
    return report


if __name__ == "__main__":
    main()
