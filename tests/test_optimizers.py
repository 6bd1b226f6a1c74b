import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasclf.engine.losses import CrossEntropy
from kerasclf.models.registry import build_model
from kerasclf.engine.optimizers import InverseSqrtDecay, current_learning_rate, make_optimizer
from kerasclf.engine.presets import MAX_MOMENTUM, PRESETS


def test_decay_rates_at_iterations_one_to_five_are_alpha_over_n_sqrt_i():
    schedule = InverseSqrtDecay(alpha=0.5, num_samples=200)
    rates = [float(schedule(step)) for step in range(5)]  # Keras passes i - 1.
    expected = [0.5 / (200 * np.sqrt(i)) for i in range(1, 6)]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)


def test_a_decay_config_with_a_misspelt_key_names_the_one_meant():
    """Keras builds a saved schedule with `from_config`, as `keras.saving` does."""
    restored = InverseSqrtDecay.from_config(InverseSqrtDecay(0.5, 200).get_config())
    assert restored.get_config() == {"alpha": 0.5, "num_samples": 200}
    with pytest.raises(TypeError) as raised:
        InverseSqrtDecay.from_config({"alpha": 0.5, "n_samples": 200})
    assert "'n_samples'. Did you mean 'num_samples'? It takes: alpha, num_samples." in str(
        raised.value
    )


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


# The presets' documented defaults (kerasclf.engine.optimizers), written out so that a
# changed default fails: learning rate, momentum beta, nesterov, Adam's betas.
DEFAULTS = {
    "gd": {"learning_rate": 0.001, "momentum": 0.0, "nesterov": False},
    "momentum": {"learning_rate": 0.001, "momentum": 0.9, "nesterov": False},
    "nesterov": {"learning_rate": 0.001, "momentum": 0.9, "nesterov": True},
    "decay": {"learning_rate": 0.1, "momentum": 0.0, "nesterov": False},
    "adam": {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999},
    "rmsprop": {"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7},
}


def test_the_defaults_table_covers_every_preset():
    assert sorted(DEFAULTS) == sorted(PRESETS)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_with_its_defaults(name):
    expected = DEFAULTS[name]
    optimizer = make_optimizer(name, num_samples=200)
    assert isinstance(optimizer, keras.optimizers.Optimizer)
    preset = PRESETS[name]
    assert preset.default_learning_rate == expected["learning_rate"]
    if name == "adam":
        assert isinstance(optimizer, keras.optimizers.Adam) and preset.default_momentum is None
        assert float(optimizer.learning_rate) == pytest.approx(expected["learning_rate"], rel=1e-7)
        assert optimizer.beta_1 == expected["beta_1"] and optimizer.beta_2 == expected["beta_2"]
        return
    if name == "rmsprop":  # The seminar's TensorBoard notebook: RMSprop(lr=0.001), rho 0.9.
        assert isinstance(optimizer, keras.optimizers.RMSprop) and preset.default_momentum is None
        assert float(optimizer.learning_rate) == pytest.approx(expected["learning_rate"], rel=1e-7)
        assert optimizer.rho == expected["rho"] and optimizer.epsilon == expected["epsilon"]
        assert optimizer.momentum == 0 and not optimizer.centered
        return
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert preset.default_momentum == expected["momentum"]
    assert float(optimizer.momentum) == expected["momentum"]
    assert optimizer.nesterov == expected["nesterov"]
    if name == "decay":  # alpha / (n * sqrt(i)) with n = 200, at i = 1.
        schedule = optimizer._learning_rate
        assert isinstance(schedule, InverseSqrtDecay)
        assert schedule.get_config() == {"alpha": expected["learning_rate"], "num_samples": 200}
        assert float(optimizer.learning_rate) == pytest.approx(0.1 / 200, rel=1e-6)
    else:
        assert float(optimizer.learning_rate) == pytest.approx(expected["learning_rate"], rel=1e-7)


def numpy_preset_steps(name, gradient_of, weights, num_samples, num_steps):
    """The weights after each of `num_steps` updates of a preset at its defaults, in numpy.

    Each formula is the one `kerasclf.engine.presets` documents; Adam is Keras's
    (its epsilon 1e-7 is added to sqrt(v) without bias correction), and RMSprop
    adds its epsilon inside the square root, as Keras does.

    Args:
        name: A preset name.
        gradient_of: Function of the weights returning the cost's gradient.
        weights: The starting weights, a float64 vector.
        num_samples: n, for the decay preset.
        num_steps: How many updates.
    """
    rate = DEFAULTS[name]["learning_rate"]
    beta = DEFAULTS[name].get("momentum")
    velocity = np.zeros_like(weights)
    first_moment, second_moment = np.zeros_like(weights), np.zeros_like(weights)
    history = []
    for iteration in range(1, num_steps + 1):
        gradient = gradient_of(weights)
        if name == "gd":
            weights = weights - rate * gradient
        elif name == "momentum":
            velocity = beta * velocity - rate * gradient
            weights = weights + velocity
        elif name == "nesterov":
            velocity = beta * velocity - rate * gradient
            weights = weights + beta * velocity - rate * gradient
        elif name == "decay":
            weights = weights - rate / (num_samples * np.sqrt(iteration)) * gradient
        elif name == "adam":
            beta_1, beta_2 = DEFAULTS[name]["beta_1"], DEFAULTS[name]["beta_2"]
            first_moment = beta_1 * first_moment + (1 - beta_1) * gradient
            second_moment = beta_2 * second_moment + (1 - beta_2) * gradient**2
            step = rate * np.sqrt(1 - beta_2**iteration) / (1 - beta_1**iteration)
            weights = weights - step * first_moment / (np.sqrt(second_moment) + 1e-7)
        elif name == "rmsprop":
            rho, epsilon = DEFAULTS[name]["rho"], DEFAULTS[name]["epsilon"]
            second_moment = rho * second_moment + (1 - rho) * gradient**2
            weights = weights - rate * gradient / np.sqrt(second_moment + epsilon)
        else:
            raise AssertionError(f"no numpy formula for the preset {name!r}")
        history.append(weights)
    return history


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_three_full_batch_steps_of_every_preset_equal_numpy(name, blobs):
    features, labels = blobs.features.astype(np.float64), blobs.labels
    design = np.concatenate([features, np.ones((200, 1))], axis=1)  # [w1, w2, b].

    def gradient_of(parameters):
        error = 1 / (1 + np.exp(-(design @ parameters))) - labels
        return design.T @ error  # Of the summed cross-entropy.

    start = np.array([0.3, -0.2, 0.1])
    expected = numpy_preset_steps(name, gradient_of, start, num_samples=200, num_steps=3)

    model = build_model("logistic", 2)
    model.set_weights([start[:2, None], start[2:]])
    optimizer = make_optimizer(name, num_samples=200)
    loss = CrossEntropy("sum")
    for step in range(3):
        with tf.GradientTape() as tape:
            cost = loss(blobs.labels, model(blobs.features, training=True))
        gradients = tape.gradient(cost, model.trainable_weights)
        optimizer.apply_gradients(zip(gradients, model.trainable_weights))
        kernel, bias = model.get_weights()
        np.testing.assert_allclose(
            np.concatenate([kernel[:, 0], bias]), expected[step], rtol=1e-5, atol=1e-6
        )


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
        # Values that float32, the precision training runs in, rounds to 0 or to 1.
        ({"name": "gd", "learning_rate": 1e-50}, ValueError, "rounds to 0 in float32"),
        ({"name": "momentum", "momentum": 1 - 1e-11}, ValueError, "rounds to 1 in float32"),
        ({"name": "adam", "momentum": 0.9}, ValueError, "does not apply"),
        ({"name": "rmsprop", "momentum": 0.9}, ValueError, "does not apply to the 'rmsprop'"),
        ({"name": "rmsprp"}, ValueError, "Did you mean 'rmsprop'"),
    ],
)
def test_bad_optimizer_settings(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_optimizer(num_samples=200, **kwargs)


def test_the_largest_momentum_below_1_in_float32_is_taken():
    assert np.float32(MAX_MOMENTUM) == np.nextafter(np.float32(1), np.float32(0))
    make_optimizer("momentum", num_samples=200, momentum=MAX_MOMENTUM)
