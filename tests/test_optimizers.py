import keras
import numpy as np
import pytest

from kerasclf.losses import CrossEntropy
from kerasclf.models import build_model
from kerasclf.optimizers import (
    PRESETS,
    InverseSqrtDecay,
    current_learning_rate,
    make_optimizer,
)


def test_decay_rates_at_iterations_one_to_five_are_alpha_over_n_sqrt_i():
    schedule = InverseSqrtDecay(alpha=0.5, num_samples=200)
    rates = [float(schedule(step)) for step in range(5)]  # Keras passes i - 1.
    expected = [0.5 / (200 * np.sqrt(i)) for i in range(1, 6)]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)


def test_decay_rate_applied_by_the_optimizer(blobs):
    model = build_model("logistic", 2)
    optimizer = make_optimizer("decay", num_samples=200, learning_rate=0.5)
    model.compile(optimizer=optimizer, loss=CrossEntropy("sum"))
    applied = []
    for iteration in range(1, 6):
        model.fit(blobs.features, blobs.labels, batch_size=200, epochs=1, verbose=0)
        applied.append(current_learning_rate(optimizer))
        assert int(optimizer.iterations.numpy()) == iteration
    np.testing.assert_allclose(applied, [0.5 / (200 * np.sqrt(i)) for i in range(1, 6)], rtol=1e-6)


def test_one_full_batch_gd_step_equals_numpy(blobs):
    rng = np.random.default_rng(1)
    weights, bias = rng.normal(size=2), 0.3
    model = build_model("logistic", 2)
    model.set_weights([weights[:, None], np.array([bias])])
    model.compile(
        optimizer=make_optimizer("gd", 200, learning_rate=0.001), loss=CrossEntropy("sum")
    )
    model.fit(blobs.features, blobs.labels, batch_size=200, epochs=1, shuffle=False, verbose=0)
    features = blobs.features.astype(np.float64)
    probabilities = 1 / (1 + np.exp(-(features @ weights + bias)))
    error = probabilities - blobs.labels
    expected_weights = weights - 0.001 * features.T @ error
    expected_bias = bias - 0.001 * error.sum()
    kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(kernel[:, 0], expected_weights, rtol=1e-5)
    assert new_bias[0] == pytest.approx(expected_bias, rel=1e-5)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_with_its_defaults(name):
    optimizer = make_optimizer(name, num_samples=200)
    assert isinstance(optimizer, keras.optimizers.Optimizer)
    if name in ("momentum", "nesterov"):
        assert float(optimizer.momentum) == 0.9
        assert optimizer.nesterov == (name == "nesterov")


def test_decay_schedule_round_trips_through_model_save(tmp_path):
    model = build_model("logistic", 2)
    model.compile(optimizer=make_optimizer("decay", 200, learning_rate=0.7), loss=CrossEntropy())
    model.optimizer.build(model.trainable_variables)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    schedule = loaded.optimizer._learning_rate
    assert isinstance(schedule, InverseSqrtDecay)
    assert schedule.get_config() == {"alpha": 0.7, "num_samples": 200}


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"name": "momentm"}, ValueError, "Did you mean 'momentum'"),
        ({"name": "gd", "learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"name": "gd", "learning_rate": -1.0}, ValueError, "learning_rate"),
        ({"name": "gd", "learning_rate": float("nan")}, ValueError, "learning_rate"),
        ({"name": "gd", "learning_rate": float("inf")}, ValueError, "learning_rate"),
        ({"name": "gd", "learning_rate": "fast"}, TypeError, "learning_rate"),
        ({"name": "momentum", "momentum": 1.0}, ValueError, "momentum"),
        ({"name": "momentum", "momentum": -0.1}, ValueError, "momentum"),
        ({"name": "adam", "momentum": 0.9}, ValueError, "does not apply"),
    ],
)
def test_bad_optimizer_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_optimizer(num_samples=200, **kwargs)
