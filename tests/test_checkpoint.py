"""EpochSnapshot keeps the last epoch's state, untouched by the updates after it."""

import keras
import numpy as np
import pytest

from kerasclf.run.checkpoint import EpochSnapshot


def _trained_copy(jit_compile):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, "tanh"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="mse", jit_compile=jit_compile)
    rng = np.random.default_rng(0)
    features, targets = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    return model, features, targets


@pytest.mark.parametrize("jit_compile", [True, False], ids=["xla", "graph"])
def test_a_snapshot_is_a_copy_that_later_epochs_leave_alone(jit_compile):
    model, features, targets = _trained_copy(jit_compile)
    snapshot = EpochSnapshot()
    model.fit(features, targets, batch_size=8, epochs=2, verbose=0, callbacks=[snapshot])
    assert snapshot.epochs_completed == 2
    # numpy's own copies of the state at the end of epoch 2, read variable by variable.
    expected_model = [np.array(v) for v in model.variables]
    expected_optimizer = [np.array(v) for v in model.optimizer.variables]
    assert int(expected_optimizer[0]) == 2 * 4  # The optimizer's iteration count.
    model.fit(features, targets, batch_size=8, epochs=2, verbose=0)  # In place, no snapshot.
    assert not np.array_equal(np.array(model.variables[0]), expected_model[0])
    for kept, expected in zip(snapshot.model_values, expected_model, strict=True):
        np.testing.assert_array_equal(kept, expected)
    for kept, expected in zip(snapshot.optimizer_values, expected_optimizer, strict=True):
        np.testing.assert_array_equal(kept, expected)
    snapshot.restore()
    for variable, expected in zip(
        model.variables + model.optimizer.variables, expected_model + expected_optimizer
    ):
        np.testing.assert_array_equal(np.array(variable), expected)


def test_a_snapshot_follows_a_new_model():
    """One EpochSnapshot, two models in turn (an experiment's runs): each read is of its own."""
    snapshot = EpochSnapshot()
    for units in (2, 5):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units)])
        model.compile(optimizer="sgd", loss="mse")
        model.optimizer.build(model.trainable_variables)
        snapshot.set_model(model)
        snapshot.take()
        assert [value.shape for value in snapshot.model_values] == [(3, units), (units,)]
        np.testing.assert_array_equal(snapshot.model_values[0], np.array(model.variables[0]))
