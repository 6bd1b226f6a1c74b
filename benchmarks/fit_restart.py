"""What Keras's second iterator cost every fused-engine run.

Keras's `fit` reads a dataset of known length with one iterator and, after
the last step has read its last element, makes a new iterator for an epoch
that kerasclf's training streams (every epoch in one dataset) never have:
it builds the pipeline again, and the stream's parallel map and prefetch
compute blocks that nobody reads. Until stop 57 the fused engine's stream
had a known length; now `kerasclf.pipeline.of_unknown_length` hides it, and
`fit` makes one iterator.

This measures, side by side in one process and taking turns, Keras's
`fit` of a prepared run's model on its training stream (as
`kerasclf.run.fitting` builds it, no callbacks), with the stream's length
hidden (as now) and known (as until stop 57), for two settings:

- `slide_3_epochs`: the default Day-1 run cut to 3 epochs (full-batch
  gradient descent on 200 points);
- `fonts_mlp`: a feed-forward network on 2,000 font images, minibatches of
  32, 3 epochs.

The saving is a fixed cost of every run, so short fits show it; a whole
`kerasclf.train` run (1-3 s) varies by more than it on a shared machine.
It prints each variant's median milliseconds per fit, their difference and
ratio. Two untimed fits first trace and compile.

Run it (about a minute on 2 cores):

    python -m benchmarks.fit_restart [--repeats 15]
"""

from __future__ import annotations

import statistics
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)

from benchmarks.arguments import parse_repeats
from kerasclf import pipeline
from kerasclf.run.fitting import training_stream
from kerasclf.run.preparation import prepare_run

SETTINGS = {
    "slide_3_epochs": {"epochs": 3},
    "fonts_mlp": {
        "dataset": "fonts",
        "num_samples": 2000,
        "model": "mlp",
        "hidden": [64],
        "batch_size": 32,
        "epochs": 3,
    },
}
# Each variant: how the stream reaches `fit`.
VARIANTS = {
    "length hidden (now)": pipeline.of_unknown_length,
    "length known (until 57)": lambda dataset: dataset,
}


def make_fitter(settings: dict):
    """`fit(variant) -> seconds`: one timed `fit` of the prepared run's model."""
    prepared = prepare_run(**settings)
    batch_size = pipeline.resolve_batch_size(
        prepared.config.batch_size, prepared.training.num_samples
    )

    def fit(variant) -> float:
        dataset, steps = training_stream(prepared, "fused", batch_size, 0)
        dataset = VARIANTS[variant](dataset)
        started = time.perf_counter()
        prepared.model.fit(
            dataset, epochs=prepared.config.epochs, steps_per_epoch=steps, verbose=0, shuffle=False
        )
        return time.perf_counter() - started

    return fit


def main(argv=None) -> dict[str, dict[str, float]]:
    repeats = parse_repeats("benchmarks.fit_restart", __doc__, 15, argv)
    medians = {}
    for name, settings in SETTINGS.items():
        fit = make_fitter(settings)
        for variant in VARIANTS:  # Traces and compiles; not timed.
            fit(variant)
        times = {variant: [] for variant in VARIANTS}
        for repeat in range(repeats):  # Taking turns: drift in the load hits both alike.
            for variant in VARIANTS if repeat % 2 == 0 else reversed(VARIANTS):
                times[variant].append(fit(variant))
        medians[name] = {variant: statistics.median(values) for variant, values in times.items()}
    print(f"milliseconds per fit, median of {repeats}")
    for name, by_variant in medians.items():
        now, before = by_variant.values()
        cells = "   ".join(
            f"{variant} {seconds * 1e3:6.1f}" for variant, seconds in by_variant.items()
        )
        print(f"  {name:<15} {cells}   {(before - now) * 1e3:5.1f} ms less, {now / before:.2f}x")
    return medians


if __name__ == "__main__":
    main()
