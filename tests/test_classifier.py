"""The fused engine runs exactly the per-step updates of stock Keras fit."""

import keras
import numpy as np
import pytest

from kerasclf import pipeline
from kerasclf.data import make_dataset
from kerasclf.engine.classifier import Classifier
from kerasclf.engine.step_settings import StepSettings
from kerasclf.engine.losses import CrossEntropy
from kerasclf.models.registry import build_model
from kerasclf.engine.optimizers import make_optimizer
from kerasclf.engine.presets import PRESETS

NUM_SAMPLES, NUM_EPOCHS = 40, 3


def _train(
    engine,
    optimizer,
    batch_size,
    cost="sum",
    model_name="logistic",
    step_metrics=True,
    unrolled=None,
):
    data = make_dataset("seminar_blobs", num_samples=NUM_SAMPLES, seed=2)
    keras.utils.set_random_seed(0)
    model = Classifier.from_model(build_model(model_name, 2, init="random", seed=0))
    model.configure_step(
        StepSettings(step_metrics=step_metrics, minibatches_per_iteration=unrolled)
    )
    model.compile(
        optimizer=make_optimizer(optimizer, NUM_SAMPLES, learning_rate=0.003),
        loss=CrossEntropy(cost),
        weighted_metrics=["binary_accuracy"],
        jit_compile=engine == "fused",
    )
    size = pipeline.resolve_batch_size(batch_size, NUM_SAMPLES)
    if engine == "fused":
        dataset = pipeline.blocks(
            data.features, data.labels, size, 0, NUM_EPOCHS, max_block_samples=16
        )
        steps = pipeline.block_layout(NUM_SAMPLES, size, max_block_samples=16)[1]
    else:
        dataset = pipeline.minibatches(data.features, data.labels, size, 0, NUM_EPOCHS)
        steps = pipeline.num_minibatches(NUM_SAMPLES, size)
    history = model.fit(dataset, epochs=NUM_EPOCHS, steps_per_epoch=steps, verbose=0, shuffle=False)
    return model, history.history


@pytest.mark.parametrize("batch_size", [1, 7, "full"])
@pytest.mark.parametrize("optimizer", sorted(PRESETS))
def test_fused_equals_plain(optimizer, batch_size):
    plain, plain_history = _train("plain", optimizer, batch_size)
    fused, fused_history = _train("fused", optimizer, batch_size)
    assert int(fused.optimizer.iterations.numpy()) == int(plain.optimizer.iterations.numpy())
    for fused_weight, plain_weight in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(fused_weight, plain_weight, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fused_history["loss"], plain_history["loss"], rtol=1e-5)
    np.testing.assert_allclose(
        fused_history["binary_accuracy"], plain_history["binary_accuracy"], rtol=1e-6
    )


def test_fused_equals_plain_for_an_mlp_with_mean_cost():
    plain, _ = _train("plain", "momentum", 7, cost="mean", model_name="mlp")
    fused, _ = _train("fused", "momentum", 7, cost="mean", model_name="mlp")
    for fused_weight, plain_weight in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(fused_weight, plain_weight, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("batch_size", [1, 7, "full"])
def test_fused_without_step_metrics_makes_the_same_updates(batch_size):
    """Skipping Keras's running means changes the logs, never the weights."""
    plain, _ = _train("plain", "decay", batch_size)
    fused, history = _train("fused", "decay", batch_size, step_metrics=False)
    for fused_weight, plain_weight in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(fused_weight, plain_weight, rtol=1e-5, atol=1e-6)
    steps = pipeline.num_minibatches(NUM_SAMPLES, pipeline.resolve_batch_size(batch_size, 40))
    assert history == {"iterations": [steps * epoch for epoch in range(1, NUM_EPOCHS + 1)]}


@pytest.mark.parametrize("unrolled", [1, 4])
def test_the_fused_step_traces_kerass_minibatch_update_once(monkeypatch, unrolled):
    """The loop's minibatches (`unrolled` an iteration) and the last, partial one share it."""
    traces = []
    update = Classifier._minibatch_update

    def counted_update(model, x, y, sample_weight=None):
        traces.append(x.shape[0])
        return update(model, x, y, sample_weight)

    monkeypatch.setattr(Classifier, "_minibatch_update", counted_update)
    # 40 points at batch 7: 5 whole minibatches and a last one of 5.
    model, _ = _train("fused", "adam", 7, unrolled=unrolled)
    assert traces == [None]  # One trace, of any minibatch size.
    assert int(model.optimizer.iterations.numpy()) == 6 * NUM_EPOCHS


@pytest.mark.parametrize("engine, batch_size", [("fused", 7), ("plain", 8)])
def test_fit_traces_the_train_step_once(monkeypatch, engine, batch_size):
    """The optimizer's and metrics' variables exist before `fit` traces: one trace, not two."""
    traces = []
    train_step = Classifier.train_step

    def counted_train_step(model, data):
        traces.append(engine)
        return train_step(model, data)

    monkeypatch.setattr(Classifier, "train_step", counted_train_step)
    model, _ = _train(engine, "adam", batch_size)
    assert traces == [engine]
    assert model.optimizer.built and int(model.optimizer.iterations.numpy()) > 0
