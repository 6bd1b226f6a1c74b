"""Several minibatches per loop iteration: the same updates, and only where they pay."""

import io

import keras
import numpy as np
import pytest

import kerasclf
from kerasclf import pipeline
from kerasclf.data import make_dataset
from kerasclf.engine.classifier import Classifier
from kerasclf.engine.step_settings import StepSettings
from kerasclf.engine.losses import CrossEntropy
from kerasclf.engine.optimizers import make_optimizer
from kerasclf.engine.presets import PRESETS
from kerasclf.engine.unrolling import (
    MAX_UNROLLED_WORK,
    MIN_UNROLLED_RUN_STEPS,
    UNROLLED_MINIBATCHES,
    minibatches_per_iteration,
    minibatches_per_iteration_for_run,
)
from kerasclf.models.registry import build_model

NUM_SAMPLES, NUM_EPOCHS = 40, 2


def _train(minibatches: int, optimizer: str, batch_size: int, model_name: str) -> Classifier:
    """A fused run whose loop runs `minibatches` minibatches an iteration."""
    data = make_dataset("seminar_blobs", num_samples=NUM_SAMPLES, seed=2)
    keras.utils.set_random_seed(0)
    model = Classifier.from_model(build_model(model_name, 2, init="random", seed=0))
    model.configure_step(StepSettings(step_metrics=False, minibatches_per_iteration=minibatches))
    model.compile(
        optimizer=make_optimizer(optimizer, NUM_SAMPLES, learning_rate=0.003),
        loss=CrossEntropy("sum"),
        jit_compile=True,
    )
    # Blocks of 5 minibatches at batch 3: one group of 4 and one left, then a
    # partial last block and the epoch's partial last minibatch.
    dataset = pipeline.blocks(
        data.features, data.labels, batch_size, 0, NUM_EPOCHS, max_block_samples=16
    )
    steps = pipeline.block_layout(NUM_SAMPLES, batch_size, max_block_samples=16)[1]
    model.fit(dataset, epochs=NUM_EPOCHS, steps_per_epoch=steps, verbose=0, shuffle=False)
    return model


# Every preset; batch sizes 1 and 3 (a partial last minibatch) by turns.
@pytest.mark.parametrize(
    "optimizer, batch_size",
    [(name, [1, 3][index % 2]) for index, name in enumerate(sorted(PRESETS))],
)
def test_four_minibatches_an_iteration_train_as_one(optimizer, batch_size):
    """Bit for bit, but for RMSprop, whose weights may differ in their last bit."""
    one = _train(1, optimizer, batch_size, "logistic")
    four = _train(UNROLLED_MINIBATCHES, optimizer, batch_size, "logistic")
    assert int(four.optimizer.iterations) == int(one.optimizer.iterations)
    for unrolled, single in zip(four.get_weights(), one.get_weights()):
        np.testing.assert_array_max_ulp(unrolled, single, maxulp=1 if optimizer == "rmsprop" else 0)


def test_an_mlp_trains_bitwise_as_one_minibatch_an_iteration():
    one = _train(1, "momentum", 3, "mlp")
    four = _train(UNROLLED_MINIBATCHES, "momentum", 3, "mlp")
    for unrolled, single in zip(four.get_weights(), one.get_weights()):
        np.testing.assert_array_equal(unrolled, single)


def _compiled(model: keras.Model, jit_compile: bool = True) -> keras.Model:
    model.compile(loss="binary_crossentropy", jit_compile=jit_compile)
    return model


def _logistic(num_features: int = 2) -> keras.Model:
    return keras.Sequential([keras.Input((num_features,)), keras.layers.Dense(1, "sigmoid")])


def test_small_xla_steps_run_four_minibatches_an_iteration():
    assert minibatches_per_iteration(_compiled(_logistic()), 32, 1024) == UNROLLED_MINIBATCHES
    assert minibatches_per_iteration(_compiled(_logistic()), 1024, 1024) == UNROLLED_MINIBATCHES


@pytest.mark.parametrize(
    "case, model, batch_size, num_slots",
    [
        ("not XLA-compiled", _compiled(_logistic(), jit_compile=False), 32, 1024),
        ("fewer slots than a group", _compiled(_logistic()), 200, UNROLLED_MINIBATCHES - 1),
        (
            "a recurrent layer",
            _compiled(
                keras.Sequential(
                    [
                        keras.Input((5, 2)),
                        keras.layers.SimpleRNN(2),
                        keras.layers.Dense(1, "sigmoid"),
                    ]
                )
            ),
            1,
            1024,
        ),
        ("an unknown batch size", _compiled(_logistic()), None, 1024),
        ("an unknown number of slots", _compiled(_logistic()), 32, None),
        # 3 parameters: just over the limit at this batch size.
        ("too much work a step", _compiled(_logistic()), MAX_UNROLLED_WORK // 3 + 1, 1024),
    ],
)
def test_other_steps_run_one_minibatch_an_iteration(case, model, batch_size, num_slots):
    assert minibatches_per_iteration(model, batch_size, num_slots) == 1, case


@pytest.mark.parametrize("value", [0, -2, 2.0, True])
def test_step_settings_refuse_a_bad_number_of_minibatches(value):
    with pytest.raises((TypeError, ValueError), match="minibatches_per_iteration"):
        StepSettings(minibatches_per_iteration=value)


def test_only_a_run_of_many_steps_may_unroll():
    assert minibatches_per_iteration_for_run(MIN_UNROLLED_RUN_STEPS - 1) == 1
    assert minibatches_per_iteration_for_run(MIN_UNROLLED_RUN_STEPS) is None


@pytest.mark.parametrize("value", [0, -5, 2.5, "100", True])
def test_a_bad_number_of_run_steps_is_refused_in_one_line(value):
    one_line = r"^`num_steps` must be an integer >= 1\.[^\n]*$"
    with pytest.raises((TypeError, ValueError), match=one_line):
        minibatches_per_iteration_for_run(value)


class _StopAfterOneEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


@pytest.mark.parametrize(
    "epochs, expected",
    [
        (3, 1),  # 75 steps: the unrolled program's longer compile would not pay.
        (-(-MIN_UNROLLED_RUN_STEPS // 25), None),  # Enough epochs of 25 steps: the model decides.
    ],
)
def test_kerasclf_train_unrolls_only_a_long_run(tmp_path, epochs, expected):
    result = kerasclf.train(
        optimizer="momentum",
        batch_size=8,  # 200 points: 25 minibatches an epoch.
        epochs=epochs,
        logdir=str(tmp_path),
        images=False,
        callbacks=[_StopAfterOneEpoch()],
        stream=io.StringIO(),
    )
    assert result.model.step_settings.minibatches_per_iteration == expected
    assert len(result.history["loss"]) == 1
