"""What unrolling costs in compile time and saves a step: the rules of `kerasclf.engine.unrolling`.

Four minibatches per loop iteration make a small step faster (issue #22,
`python -m benchmarks.loop_unroll`), but the unrolled program is four copies
of the step and compiles longer. This measures both, side by side in one
process, on kerasclf's own model and block pipeline under `fit` (momentum
SGD on `hand_line`, cached blocks): for each case, the compile time (the
first epoch less a later one, with XLA's persistent cache off, so that every
compile is a real one) and the median ms per epoch over `--repeats`
interleaved measurements, at 1 and at 4 minibatches an iteration. It prints
each one's ratio, the saving per step, and the run length, in steps, at
which the saving pays for the longer compile.

Run it:

    python -m benchmarks.unroll_cost [--repeats 5]
"""

from __future__ import annotations

import os

# Every compile timed here must be a real one, not a load from the persistent cache.
os.environ["KERASCLF_XLA_CACHE"] = "off"

import dataclasses
import statistics
import tempfile

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
from benchmarks.arguments import parse_repeats
from benchmarks.streaming import EpochTimer
from kerasclf import pipeline
from kerasclf.run.model import make_model
from kerasclf.run.preparation import prepare_run

UNROLLS = (1, 4)
EPOCHS_PER_MEASUREMENT = 5


def _mlp(width: int) -> dict:
    return {"model": "mlp", "hidden": [width, width], "activation": "tanh", "init": "random"}


# (name, config overrides, batch size, points per epoch)
CASES = (
    ("logistic", {}, 32, 2**20),
    ("logistic", {}, 1024, 2**20),
    ("MLP 16-16", _mlp(16), 32, 2**16),
    ("MLP 64-64", _mlp(64), 32, 2**16),
)


def _fitter(overrides: dict, batch_size: int, num_samples: int, unroll: int):
    """kerasclf's compiled model and cached blocks; returns `fit(epochs)`, seconds per epoch."""
    prepared = prepare_run(
        dataset="hand_line",
        num_samples=num_samples,
        batch_size=batch_size,
        optimizer="momentum",
        learning_rate=1e-4,
        cost="sum",
        seed=0,
        logdir=tempfile.mkdtemp(),
        **overrides,
    )
    model = make_model(prepared.config, prepared.training)
    model.configure_step(
        dataclasses.replace(
            model.step_settings, step_metrics=False, minibatches_per_iteration=unroll
        )
    )
    features, labels = prepared.training.features, prepared.training.labels
    dataset = pipeline.blocks(features, labels, batch_size, 0, 1).cache().repeat()
    steps = pipeline.block_layout(num_samples, batch_size)[1]

    def fit(epochs: int) -> list[float]:
        timer = EpochTimer()
        model.fit(
            dataset,
            epochs=epochs,
            steps_per_epoch=steps,
            verbose=0,
            shuffle=False,
            callbacks=[timer],
        )
        return timer.seconds

    return fit


def measure_case(overrides: dict, batch_size: int, num_samples: int, repeats: int) -> dict:
    """{unroll: (compile seconds, median ms per epoch)} for one case."""
    fitters, compile_seconds = {}, {}
    for unroll in UNROLLS:
        fitters[unroll] = _fitter(overrides, batch_size, num_samples, unroll)
        first, second = fitters[unroll](2)
        compile_seconds[unroll] = first - second
    epochs = {unroll: [] for unroll in UNROLLS}
    for _ in range(repeats):  # Interleaved: noise hits both alike.
        for unroll, fit in fitters.items():
            epochs[unroll].append(statistics.median(fit(EPOCHS_PER_MEASUREMENT)))
    return {
        unroll: (compile_seconds[unroll], 1e3 * statistics.median(epochs[unroll]))
        for unroll in UNROLLS
    }


def main(argv=None) -> None:
    repeats = parse_repeats("benchmarks.unroll_cost", __doc__, 5, argv)
    print(
        "case                  compile 1, s  compile 4, s  ms/epoch 1  ms/epoch 4  ratio"
        "  saved us/step  pays after steps"
    )
    for name, overrides, batch_size, num_samples in CASES:
        result = measure_case(overrides, batch_size, num_samples, repeats)
        (compile_one, epoch_one), (compile_four, epoch_four) = result[1], result[4]
        steps = pipeline.num_minibatches(num_samples, batch_size)
        saved = 1e3 * (epoch_one - epoch_four) / steps  # us per step
        pays = f"{(compile_four - compile_one) / saved * 1e6:,.0f}" if saved > 0 else "never"
        print(
            f"{name + ' b' + str(batch_size):<21} {compile_one:12.2f}  {compile_four:12.2f}"
            f"  {epoch_one:10.2f}  {epoch_four:10.2f}  {epoch_four / epoch_one:5.2f}"
            f"  {saved:13.2f}  {pays:>16}",
            flush=True,
        )


if __name__ == "__main__":
    main()
