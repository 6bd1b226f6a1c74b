"""The speed benchmark's hand-written XLA loops train as numpy does over the same order.

`benchmarks.speed.hand_written` is the yardstick of issue #22's targets; its
Feistel orders (d3, d4) are the issue's design measured alone. Each must do
the work its row claims: momentum SGD on the summed cross-entropy, visiting
every point once an epoch in kerasclf's order for (seed, epoch). No timing is
asserted: speed is reported by the benchmark, never tested.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.speed.hand_written import ORDERS, HandWrittenLoop
from benchmarks.speed.settings import LEARNING_RATE, MOMENTUM, SEED, hand_line
from kerasclf.pipeline.order import epoch_permutation

NUM_SAMPLES, BATCH_SIZE, EPOCHS = 512, 64, 2


def numpy_momentum_sgd(data, orders):
    """Logistic regression from zeros, in float64: one epoch per order, minibatches in turn."""
    weights, bias = np.zeros((2, 1)), np.zeros(1)
    weight_velocity, bias_velocity = np.zeros_like(weights), np.zeros_like(bias)
    for order in orders:
        features = data.features[order].astype(np.float64)
        labels = data.labels[order].astype(np.float64)
        for start in range(0, NUM_SAMPLES, BATCH_SIZE):
            batch = slice(start, start + BATCH_SIZE)
            probabilities = 1 / (1 + np.exp(-(features[batch] @ weights + bias)))
            errors = probabilities - labels[batch, None]  # d cost / d logit, per point.
            weight_gradient, bias_gradient = features[batch].T @ errors, errors.sum(axis=0)
            weight_velocity = MOMENTUM * weight_velocity - LEARNING_RATE * weight_gradient
            bias_velocity = MOMENTUM * bias_velocity - LEARNING_RATE * bias_gradient
            weights, bias = weights + weight_velocity, bias + bias_velocity
    return weights, bias


@pytest.mark.parametrize("order", ["fixed", "feistel", "feistel_per_minibatch"])
def test_each_order_trains_as_numpy_does_over_its_points(order):
    data = hand_line(NUM_SAMPLES)
    loop = HandWrittenLoop(data, BATCH_SIZE, order=order)
    for _ in range(EPOCHS):
        loop.run_epoch()
    if order == "fixed":
        orders = [np.arange(NUM_SAMPLES)] * EPOCHS
    else:  # kerasclf's own epoch order, the permutation keyed by (seed, epoch).
        orders = [epoch_permutation(SEED, epoch, NUM_SAMPLES).numpy() for epoch in range(EPOCHS)]
        assert not np.array_equal(orders[0], orders[1])
    weights, bias = numpy_momentum_sgd(data, orders)
    trained_weights, trained_bias = (variable.numpy() for variable in loop._parameters)
    assert np.abs(weights).max() > 0.1  # Two epochs moved the weights well off zero.
    np.testing.assert_allclose(trained_weights, weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trained_bias, bias, rtol=1e-5, atol=1e-6)


def test_an_unknown_order_is_named_with_the_closest_known_one():
    with pytest.raises(ValueError, match="Received: order='feistal'. Did you mean 'feistel'"):
        HandWrittenLoop(hand_line(NUM_SAMPLES), BATCH_SIZE, order="feistal")
    assert set(ORDERS) == {"stateless", "fixed", "feistel", "feistel_per_minibatch"}
