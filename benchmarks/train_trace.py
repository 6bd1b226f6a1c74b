"""What a run's first `fit` costs with its variables made before tracing, and without.

Without a distribution strategy, Keras creates the optimizer's and the
metrics' variables while it traces the train function; `tf.function` then
traces that function a second time, since its first trace made variables.
`Classifier.fit` now creates them first (`_build_before_tracing`), so the
fused step, with every minibatch update of its block, is traced once. This
measures, side by side in one process, one epoch of `fit` on a freshly built
model, with that build and with it switched off, for:

- the seminar's default: logistic regression, full batch, gradient descent;
- the `spiral` MLP (three hidden layers of 16) with Adam at batch 32.

Each measurement includes the tracing and the XLA program (loaded from the
persistent cache after the first). It prints each one's median seconds over
`--repeats` and their ratio.

Run it:

    python -m benchmarks.train_trace [--repeats 5]
"""

from __future__ import annotations

import contextlib
import statistics
import time
from unittest import mock

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

from benchmarks.arguments import parse_repeats
from kerasclf import pipeline
from kerasclf.engine.classifier import Classifier
from kerasclf.run.model import make_model
from kerasclf.run.preparation import prepare_run

SETTINGS = {
    "logistic, full batch": ({"optimizer": "gd"}, "full"),
    "spiral MLP, batch 32": (
        {
            "dataset": "spiral",
            "model": "mlp",
            "hidden": [16, 16, 16],
            "optimizer": "adam",
            "learning_rate": 0.01,
            "cost": "mean",
            "init": "random",
            "activation": "tanh",
        },
        32,
    ),
}


def first_fit_seconds(settings: dict, batch_size) -> float:
    """Seconds of one epoch of `fit` on a new model: tracing, compiling, training."""
    prepared = prepare_run(**settings)
    keras.utils.set_random_seed(prepared.config.seed)
    model = make_model(prepared.config, prepared.training)
    data = prepared.training
    size = pipeline.resolve_batch_size(batch_size, data.num_samples)
    dataset = pipeline.blocks(data.features, data.labels, size, 0, 1)
    steps = pipeline.block_layout(data.num_samples, size)[1]
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return time.perf_counter() - start


def compare_first_fits(settings_table: dict, variants: dict, repeats: int) -> dict[str, float]:
    """Times `first_fit_seconds` under each variant, interleaved, and prints the medians.

    Args:
        settings_table: {name: (settings, batch_size)} of the runs to time.
        variants: {label: a function returning the context to fit in}; the
            first is the baseline, the others' medians are given as ratios to it.
        repeats: Fits of each variant per run.

    Returns:
        The median seconds, keyed "name: label".

    Example:
        >>> variants = {"built first": contextlib.nullcontext}
        >>> compare_first_fits(SETTINGS, variants, repeats=3)  # doctest: +SKIP
        {'logistic, full batch: built first': 0.32, ...}
    """
    tf.get_logger().setLevel("ERROR")  # Each new model's train function is a new trace.
    medians = {}
    baseline = next(iter(variants))
    for name, (settings, batch_size) in settings_table.items():
        first_fit_seconds(settings, batch_size)  # Warms imports, tf.data and the pipeline.
        seconds = {label: [] for label in variants}
        for _ in range(repeats):  # Interleaved: noise hits every variant alike.
            for label, context in variants.items():
                with context():
                    seconds[label].append(first_fit_seconds(settings, batch_size))
        for label, values in seconds.items():
            median = medians[f"{name}: {label}"] = statistics.median(values)
            shown = ", ".join(f"{value:.2f}" for value in values)
            print(f"{name}: {label:<20} median {median:.2f} s   all s: {shown}")
        for label in list(variants)[1:]:
            ratio = medians[f"{name}: {label}"] / medians[f"{name}: {baseline}"]
            print(f"{name}: the first fit takes {ratio:.2f}x as long {label}")
    return medians


def main(argv=None) -> dict[str, float]:
    repeats = parse_repeats("benchmarks.train_trace", __doc__, 5, argv)
    variants = {
        "built first": contextlib.nullcontext,
        # Keras's way: the variables made while tracing.
        "built while tracing": lambda: mock.patch.object(Classifier, "_build_before_tracing"),
    }
    return compare_first_fits(SETTINGS, variants, repeats)


if __name__ == "__main__":
    main()
