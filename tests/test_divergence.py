"""DivergenceStop: a cost that blows up stops the run as `diverged`; converging runs never do."""

import io
import math

import pytest

import kerasclf
from kerasclf.callbacks.divergence import DIVERGED_MEAN_COST, DivergenceStop
from kerasclf.engine.presets import PRESETS
from kerasclf.run.default_callbacks import default_callbacks
from kerasclf.run.outputs import resolved_settings
from kerasclf.run.preparation import prepare_run


def _train(tmp_path, **settings):
    return kerasclf.train(logdir=str(tmp_path), images=False, stream=io.StringIO(), **settings)


def test_a_huge_step_diverges_although_the_cost_stays_finite(tmp_path):
    # With learning rate 1e6 the cost reaches about 1e10, finite in float32.
    stream = io.StringIO()
    result = kerasclf.train(
        logdir=str(tmp_path), images=False, stream=stream, learning_rate=1e6, epochs=20
    )
    assert result.summary["status"] == "diverged"
    assert result.summary["diverged_epoch"] == 1 and result.summary["epochs"] == 1
    assert math.isfinite(result.history["cost"][0])
    assert result.history["mean_cost"][0] > DIVERGED_MEAN_COST
    assert f"above {DIVERGED_MEAN_COST:g}" in stream.getvalue()
    # The slide's summed cost over all 200 points, plain gradient descent.
    assert "a sum over each minibatch's 200 points" in stream.getvalue()


@pytest.mark.parametrize(
    "settings",
    [
        {"learning_rate": 0.05},  # The step-size experiment's "too big": overshoots, peaks at 15.
        {"optimizer": "momentum", "learning_rate": 0.002},  # Momentum's overshoot.
        {"optimizer": "decay", "learning_rate": 4.0},
        {"batch_size": 1, "learning_rate": 0.05, "epochs": 5},
    ],
    ids=["too_big", "momentum", "decay", "sgd"],
)
def test_runs_that_overshoot_but_do_not_blow_up_complete(tmp_path, settings):
    result = _train(tmp_path, **{"epochs": 60, **settings})
    assert result.summary["status"] == "completed"
    assert max(result.history["mean_cost"]) < DIVERGED_MEAN_COST / 4  # A wide margin.


@pytest.mark.parametrize(
    "logs, weights_finite, diverged",
    [
        ({"cost": 1.0, "mean_cost": 0.5}, True, False),
        ({"cost": 2e4, "mean_cost": DIVERGED_MEAN_COST}, True, False),  # At the line: not yet.
        ({"cost": 2e4, "mean_cost": DIVERGED_MEAN_COST * 1.01}, True, True),
        ({"cost": float("inf"), "mean_cost": float("inf")}, True, True),
        ({"cost": float("nan")}, True, True),
        ({"cost": 1.0, "mean_cost": 0.5}, False, True),
        ({"loss": 1e30}, True, False),  # Without CostLogger only inf and NaN count.
    ],
)
def test_the_rule(logs, weights_finite, diverged):
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    if not weights_finite:
        model.set_weights([np.full((2, 1), np.nan, np.float32), np.zeros(1, np.float32)])
    model.stop_training = False  # As fit sets it.
    stop = DivergenceStop(stream=io.StringIO())
    stop.set_model(model)
    stop.on_train_begin()
    stop.on_epoch_end(6, dict(logs))
    assert (stop.diverged_epoch == 7) is diverged
    assert bool(model.stop_training) is diverged


def test_the_rule_is_in_train_help():
    from kerasclf.cli.main import TRAIN_EXIT_STATUSES

    assert f"mean cost per sample is above {DIVERGED_MEAN_COST:g}" in TRAIN_EXIT_STATUSES
    assert "inf or NaN" in TRAIN_EXIT_STATUSES


def _diverged_message(summed_over):
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy")
    stream = io.StringIO()
    stop = DivergenceStop(stream=stream, summed_over=summed_over)
    stop.set_model(model)
    stop.on_train_begin()
    stop.on_epoch_end(0, {"cost": 1e9, "mean_cost": 1e4})
    stop.on_train_end()
    return stream.getvalue()


@pytest.mark.parametrize("summed_over", [None, 1, 100_000])
def test_the_message_says_a_summed_costs_step_grows_with_its_points(summed_over):
    message = _diverged_message(summed_over)
    assert message.count("\n") == 1
    assert message.startswith("diverged at epoch 1: the cost per sample rose to 1e+04")
    assert "Use a smaller --learning-rate (it is 0.5), e.g. a tenth of it." in message
    # One point summed is its mean: nothing to say.
    said = "a sum over each minibatch's 100,000 points, so its gradient and the step grow"
    assert (said in message) is (summed_over == 100_000)
    assert ("--cost mean divides both by 100,000." in message) is (summed_over == 100_000)


@pytest.mark.parametrize("cost", ["sum", "mean"])
@pytest.mark.parametrize("optimizer", sorted(PRESETS))
def test_a_run_tells_the_stop_its_summed_points_where_the_step_is_eta_times_them(
    tmp_path, optimizer, cost
):
    # Steps of eta * g (the presets' formulas): gd, momentum and nesterov. decay divides
    # by n; rmsprop and adam divide by the gradient's size.
    proportional = {"gd", "momentum", "nesterov"}
    prepared = prepare_run(optimizer=optimizer, cost=cost, batch_size=50, logdir=str(tmp_path))
    resolved = resolved_settings(prepared, str(tmp_path), "fused", 50)
    callbacks = default_callbacks(prepared, resolved, str(tmp_path), io.StringIO())
    (stop,) = [callback for callback in callbacks if isinstance(callback, DivergenceStop)]
    expected = 50 if cost == "sum" and optimizer in proportional else None
    assert stop.summed_over == expected


@pytest.mark.parametrize(
    "summed_over, error", [(0, ValueError), (2.5, TypeError), ("200", TypeError)]
)
def test_summed_over_is_a_positive_integer(summed_over, error):
    with pytest.raises(error, match="`summed_over` must be an integer >= 1. Received: summed"):
        DivergenceStop(summed_over=summed_over)
