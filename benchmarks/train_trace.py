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


def main(argv=None) -> dict[str, float]:
    repeats = parse_repeats("benchmarks.train_trace", __doc__, 5, argv)
    tf.get_logger().setLevel("ERROR")  # Each new model's train function is a new trace.
    medians = {}
    for name, (settings, batch_size) in SETTINGS.items():
        first_fit_seconds(settings, batch_size)  # Warms imports, tf.data and the XLA cache.
        seconds = {"built first": [], "built while tracing": []}
        for _ in range(repeats):  # Interleaved: noise hits both alike.
            seconds["built first"].append(first_fit_seconds(settings, batch_size))
            with mock.patch.object(Classifier, "_build_before_tracing"):  # Keras's way.
                seconds["built while tracing"].append(first_fit_seconds(settings, batch_size))
        for variant, values in seconds.items():
            median = medians[f"{name}: {variant}"] = statistics.median(values)
            shown = ", ".join(f"{value:.2f}" for value in values)
            print(f"{name}: {variant:<20} median {median:.2f} s   all s: {shown}")
        ratio = medians[f"{name}: built while tracing"] / medians[f"{name}: built first"]
        print(f"{name}: the first fit takes {ratio:.2f}x as long when built while tracing")
    return medians


if __name__ == "__main__":
    main()
