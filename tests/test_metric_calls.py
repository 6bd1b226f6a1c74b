"""The Classifier's compiled metric reset and read give what stock Keras's eager loop gives.

Reference: the same layers in a plain `keras.Model`, compiled alike, fitted and
evaluated on the same data. A user's own metric class is left to Keras's loop
(its Python state must be reset every time, not once in a trace).
"""

import keras
import numpy as np
import pytest

from kerasclf.engine.classifier import Classifier
from kerasclf.engine.metric_calls import MetricCalls, traceable


class CountedResets(keras.metrics.BinaryAccuracy):
    """A user's metric with Python state: the number of times it was reset."""

    resets = 0

    def reset_state(self):
        CountedResets.resets += 1
        super().reset_state()


# Each case's (metrics, weighted_metrics), made anew for every model compiled.
METRICS = {
    "accuracy": lambda: (["accuracy"], None),
    "auc and weighted": lambda: ([keras.metrics.AUC(name="auc")], ["accuracy"]),
    "user metric": lambda: ([CountedResets(name="counted")], None),
}


def _model(name, fused):
    """A small classifier with seeded weights, compiled with the case's metrics."""
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, "tanh", kernel_initializer=keras.initializers.GlorotUniform(0))
    output = keras.layers.Dense(
        1, "sigmoid", kernel_initializer=keras.initializers.GlorotUniform(1)
    )
    model = keras.Model(inputs, output(hidden(inputs)))
    model = Classifier.from_model(model) if fused else model
    metrics, weighted = METRICS[name]()
    model.compile(
        optimizer="sgd", loss="binary_crossentropy", metrics=metrics, weighted_metrics=weighted
    )
    return model


@pytest.mark.parametrize("name", sorted(METRICS))
def test_evaluate_and_fit_logs_equal_stock_keras(name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    weights = rng.uniform(0.5, 2.0, size=64).astype(np.float32)
    plain, fused = _model(name, fused=False), _model(name, fused=True)
    # Evaluated twice: the second call starts from metrics reset, not from the first's sums.
    for _ in range(2):
        expected = plain.evaluate(x, y, sample_weight=weights, return_dict=True, verbose=0)
        received = fused.evaluate(x, y, sample_weight=weights, return_dict=True, verbose=0)
        assert received == pytest.approx(expected, rel=1e-6)
    # Each epoch's logs are its own: the metrics were reset as it began.
    fit = {"batch_size": 16, "epochs": 3, "shuffle": False, "verbose": 0}
    expected = plain.fit(x, y, sample_weight=weights, **fit).history
    received = fused.fit(x, y, sample_weight=weights, **fit).history
    assert received.keys() == expected.keys()
    for key, values in expected.items():
        assert received[key] == pytest.approx(values, rel=1e-5), key
    assert len(set(received["loss"])) == 3


def test_a_reset_zeroes_every_metric_variable_in_one_call():
    fused = _model("auc and weighted", fused=True)
    x, y = np.ones((8, 3), np.float32), np.ones(8, np.float32)
    fused.evaluate(x, y, verbose=0)
    assert any(float(np.max(np.abs(v))) > 0 for m in fused.metrics for v in m.variables)
    calls = MetricCalls()
    assert calls.reset(fused.metrics)
    assert all(float(np.max(np.abs(v))) == 0 for m in fused.metrics for v in m.variables)


def test_a_users_metric_is_reset_by_keras_every_time():
    fused = _model("user metric", fused=True)
    x, y = np.ones((8, 3), np.float32), np.ones(8, np.float32)
    fused.evaluate(x, y, verbose=0)
    assert not traceable(fused.metrics[1])  # The compiled metrics hold the user's class.
    before = CountedResets.resets
    fused.reset_metrics()
    fused.reset_metrics()
    assert CountedResets.resets == before + 2
    assert MetricCalls().reset(fused.metrics) is False
