import io
import json
import os
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import StopAt, numpy_cost
from sklearn.linear_model import LogisticRegression
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
from kerasclf import pipeline
from kerasclf.run.config import SWITCHABLE_CALLBACKS
from kerasclf.atomic_files import read_json
from kerasclf.run.preparation import load_training_data, prepare_run
from kerasclf.run.model import make_model

QUICK = {"images": False, "histogram_every": 0}


def _train(tmp_path, **overrides):
    return kerasclf.train(logdir=str(tmp_path), stream=io.StringIO(), **{**QUICK, **overrides})


def test_default_run_writes_a_complete_run_directory(tmp_path):
    stream = io.StringIO()
    result = kerasclf.train(logdir=str(tmp_path), epochs=5, stream=stream)
    files = set(os.listdir(result.run_dir))
    assert {"config.json", "summary.json", "model.keras", "weights.json", "train"} <= files
    summary = read_json(os.path.join(result.run_dir, "summary.json"))
    for key in (
        "cost",
        "mean_cost",
        "accuracy",
        "weights",
        "bias",
        "epochs",
        "status",
        "wall_seconds",
    ):
        assert key in summary
    assert summary["status"] == "completed" and summary["epochs"] == 5
    data = kerasclf.make_dataset("seminar_blobs", seed=0)
    assert summary["cost"] == pytest.approx(
        numpy_cost(summary["weights"], summary["bias"], data.features, data.labels), rel=1e-5
    )
    config = read_json(os.path.join(result.run_dir, "config.json"))
    assert config["seed"] == 0 and config["learning_rate"] == 0.001
    assert config["batch_size"] == "full" and config["optimizer"] == "gd"
    lines = stream.getvalue().splitlines()
    epoch_lines = [line for line in lines if line.startswith("Epoch")]
    assert len(epoch_lines) == 6 and "W [" in epoch_lines[0] and " b " in epoch_lines[0]
    assert epoch_lines[0].startswith("Epoch 0/5  cost 138.6294  accuracy 0.5000")
    assert not any(character in stream.getvalue() for character in "\b\r\x1b")


class CountBatches(keras.callbacks.Callback):
    """Counts the train function's calls: one per block on the fused engine."""

    calls = 0

    def on_train_batch_end(self, batch, logs=None):
        self.calls += 1


def test_the_api_trains_on_the_fused_engine_by_default_as_plain_does(tmp_path):
    results, calls = {}, {}
    for engine in ("default", "plain"):
        counter = CountBatches()
        engine_setting = {} if engine == "default" else {"engine": engine}
        results[engine] = _train(
            tmp_path, optimizer="momentum", batch_size=7, epochs=2, callbacks=[counter],
            **engine_setting,
        )  # fmt: skip
        calls[engine] = counter.calls
        config = read_json(os.path.join(results[engine].run_dir, "config.json"))
        assert config["engine_used"] == ("fused" if engine == "default" else "plain")
        assert results[engine].summary["iterations"] == 2 * 29
    # 200 points in minibatches of 7 are 29 updates an epoch on either engine; the
    # fused engine runs each epoch's 29 as one block, in one call ...
    assert calls == {"default": 2, "plain": 2 * 29}
    # ... to the same weights.
    fused, plain = results["default"], results["plain"]
    np.testing.assert_allclose(fused.weights, plain.weights, rtol=1e-5)
    assert fused.bias == pytest.approx(plain.bias, rel=1e-5, abs=1e-7)


# What only each switchable callback writes: a tag (in the run or its train/), or a printed line.
SIGNS = {
    "cost": "cost",
    "weights": "weights/w1",
    "boundary": "decision_boundary",
    "surface": "error_surface",
    "config": "config",
    "progress": "Epoch 2/2",
}


def _tags(run_dir):
    tags = set()
    for path in (run_dir, os.path.join(run_dir, "train")):
        events = EventAccumulator(path, size_guidance={"tensors": 0})
        events.Reload()
        tags.update(events.Tags()["tensors"])
    return tags


# What only each image classifier's callback writes (on image samples only).
IMAGE_SIGNS = {
    "panels": "confusion_matrix",
    "first_layer": "first_layer",
    "activations": "activations",
    "gradient_norms": "gradient_norm/conv_1",
}


# What only each sequence model's callback writes (on sequences only); the projector a file.
SEQUENCE_SIGNS = {
    "generated_text": "generated_text",
    "hidden_state": "hidden_state",
    "forecast": "forecast",
    "projector": "projector_config.pbtxt",
}


@pytest.mark.parametrize("name", sorted(SIGNS))
def test_each_default_callback_can_be_switched_off(tmp_path, name):
    assert set(SIGNS) | set(IMAGE_SIGNS) | set(SEQUENCE_SIGNS) == set(SWITCHABLE_CALLBACKS)
    stream = io.StringIO()
    result = kerasclf.train(epochs=2, callbacks_off=[name], logdir=str(tmp_path), stream=stream)
    written = _tags(result.run_dir) | {
        SIGNS["progress"] for line in stream.getvalue().splitlines() if line.startswith("Epoch 2/2")
    }
    for other, sign in SIGNS.items():
        assert (sign in written) == (other != name), (other, sorted(written))
    # The summary holds the cost at the final weights either way.
    data = kerasclf.make_dataset("seminar_blobs", seed=0)
    assert result.summary["cost"] == pytest.approx(
        numpy_cost(result.weights, result.bias, data.features, data.labels), rel=1e-5
    )


@pytest.mark.parametrize(
    "dataset, off",
    [("grammar", ("generated_text",)), ("grammar", ("hidden_state", "projector")), ("series", ())],
)
def test_each_sequence_panel_can_be_switched_off(tmp_path, dataset, off):
    result = kerasclf.train(
        dataset=dataset,
        num_samples=300,
        sequence_length=10,
        model="gru",
        units=8,
        epochs=1,
        callbacks_off=list(off),
        logdir=str(tmp_path),
        stream=io.StringIO(),
    )
    written = _tags(result.run_dir) | set(os.listdir(os.path.join(result.run_dir, "train")))
    # A text has no forecast; a series (a regression of numbers) no text nor embedding.
    fits = {"grammar": {"generated_text", "hidden_state", "projector"}}
    fits["series"] = {"hidden_state", "forecast"}
    for name, sign in SEQUENCE_SIGNS.items():
        on = name in fits[dataset] and name not in off
        assert (sign in written) == on, (name, sorted(written))


@pytest.mark.parametrize("off", [("panels", "activations"), ("first_layer", "gradient_norms")])
def test_each_image_panel_can_be_switched_off(tmp_path, off):
    result = kerasclf.train(
        dataset="fonts",
        num_samples=50,
        model="cnn",
        epochs=1,
        callbacks_off=list(off),
        logdir=str(tmp_path),
        stream=io.StringIO(),
    )
    written = _tags(result.run_dir)
    for name, sign in IMAGE_SIGNS.items():
        assert (sign in written) == (name not in off), (name, sorted(written))


class ZeroWeightsAtEnd(keras.callbacks.Callback):
    """Sets the weights to zeros when training ends, as a best-weights restore would."""

    def on_train_end(self, logs=None):
        self.model.set_weights([np.zeros_like(w) for w in self.model.get_weights()])


@pytest.mark.parametrize("cost", ["sum", "mean"])
@pytest.mark.parametrize("changed_at_end", [False, True])
def test_summary_is_of_the_final_weights_and_reuses_the_last_epochs_pass(
    tmp_path, monkeypatch, changed_at_end, cost
):
    evaluations = []
    original = kerasclf.engine.evaluation.evaluate_model

    def counted(model, data, **keywords):
        evaluations.append(data)
        return original(model, data, **keywords)

    monkeypatch.setattr(kerasclf.engine.evaluation, "evaluate_model", counted)
    callbacks = [ZeroWeightsAtEnd()] if changed_at_end else []
    result = _train(
        tmp_path,
        epochs=4,
        optimizer="momentum",
        validation_split=0.25,
        cost=cost,
        learning_rate=0.001 if cost == "sum" else 0.1,
        callbacks=callbacks,
    )
    data = kerasclf.make_dataset("seminar_blobs", seed=0)
    training, validation = kerasclf.split_validation(data, 0.25, 0)
    kernel, bias = result.model.get_weights()
    for prefix, split in (("", training), ("val_", validation)):
        expected = numpy_cost(kernel[:, 0], bias[0], split.features, split.labels)
        assert result.summary[prefix + "cost"] == pytest.approx(expected, rel=1e-5)
        # The gradient norm is of the cost the run trains on, however the summary got it.
        logits = split.features.astype(np.float64) @ kernel[:, 0] + bias[0]
        error = 1 / (1 + np.exp(-logits)) - split.labels
        if cost == "mean":
            error /= split.num_samples
        gradient = np.concatenate([split.features.T @ error, [error.sum()]])
        norm = np.linalg.norm(gradient)
        if prefix:  # A held-out set's gradient is never followed, and not reported.
            assert prefix + "gradient_norm" not in result.summary
        else:
            assert result.summary["gradient_norm"] == pytest.approx(norm, rel=1e-4, abs=1e-6)
    # Unchanged weights: the last epoch's CostLogger pass is the summary's.
    assert len(evaluations) == (2 if changed_at_end else 0)
    if not changed_at_end:
        assert result.summary["cost"] == result.history["cost"][-1]


@pytest.mark.parametrize("engine", ["fused", "plain"])
def test_fit_reads_the_training_stream_with_one_iterator(tmp_path, monkeypatch, engine):
    # Keras's fit made a second iterator after the last step of a stream of known length,
    # for an epoch that never came; it filled its prefetch buffer for nothing.
    made = []
    original = tf.data.Dataset.__iter__

    def counted(dataset):
        made.append(dataset.element_spec)
        return original(dataset)

    monkeypatch.setattr(tf.data.Dataset, "__iter__", counted)
    result = _train(tmp_path, engine=engine, batch_size=7, epochs=3)
    assert result.summary["epochs"] == 3
    streams = [
        spec
        for spec in made
        if (isinstance(spec, dict) and "num_batches" in spec)
        or (isinstance(spec, tuple) and len(spec) == 2)
    ]
    assert len(streams) == 1, made


def test_model_keras_loads_back_with_the_decay_schedules_step(tmp_path):
    result = _train(tmp_path, optimizer="decay", epochs=3)
    loaded = keras.saving.load_model(os.path.join(result.run_dir, "model.keras"))
    # A plain Keras model: the schedule's next step size, alpha / (n sqrt(4)), as a constant.
    assert float(loaded.optimizer.learning_rate) == pytest.approx(0.1 / (200 * 2), rel=1e-6)
    data = kerasclf.make_dataset("seminar_blobs", seed=0)
    # The same layers and weights; XLA (the trained model's) and TensorFlow round apart by an ulp.
    np.testing.assert_allclose(
        loaded.predict(data.features, verbose=0),
        result.model.predict(data.features, verbose=0),
        rtol=1e-6,
    )


def test_same_seed_same_weights_and_runs_are_never_overwritten(tmp_path):
    first = _train(tmp_path, batch_size=7, optimizer="momentum", epochs=3, run_name="same")
    second = _train(tmp_path, batch_size=7, optimizer="momentum", epochs=3, run_name="same")
    assert first.run_dir != second.run_dir and second.run_dir.endswith("same-2")
    for a, b in zip(first.model.get_weights(), second.model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", ["gd", "momentum"])
def test_training_reaches_the_scikit_learn_optimum(optimizer, blobs):
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000)
    reference.fit(blobs.features.astype(np.float64), blobs.labels)
    best_weights, best_bias = reference.coef_[0], reference.intercept_[0]
    best_cost = numpy_cost(best_weights, best_bias, blobs.features, blobs.labels)

    prepared = prepare_run(optimizer=optimizer, learning_rate=0.002)
    model = make_model(prepared.config, prepared.training)
    epochs = 1000  # Within 1e-7 of the optimum by then, at either preset.
    dataset = pipeline.blocks(blobs.features, blobs.labels, 200, 0, epochs)
    # Full batch: one block an epoch. As one Keras epoch of `epochs` steps, the same
    # updates without Keras's per-epoch overhead.
    model.fit(dataset, epochs=1, steps_per_epoch=epochs, verbose=0, shuffle=False)
    kernel, bias = model.get_weights()
    cost = numpy_cost(kernel[:, 0], bias[0], blobs.features, blobs.labels)
    assert cost == pytest.approx(best_cost, rel=1e-3)
    np.testing.assert_allclose(kernel[:, 0], best_weights, atol=1e-2)
    assert bias[0] == pytest.approx(best_bias, abs=1e-2)


def test_the_slide_run_matches_the_issue_figures(tmp_path):
    result = _train(tmp_path)
    assert result.summary["cost"] == pytest.approx(56.557, abs=2e-3)
    assert result.summary["bias"] == pytest.approx(0.066, abs=2e-3)


def test_validation_split_is_evaluated(tmp_path):
    result = _train(tmp_path, validation_split=0.25, epochs=2)
    assert len(result.history["val_cost"]) == 2
    # A quarter of the 200 points, held out: the other 150 train.
    data = kerasclf.make_dataset("seminar_blobs", seed=result.config.seed)
    training, validation, _ = load_training_data(result.config)
    assert (training.num_samples, validation.num_samples) == (150, 50)
    rows = {tuple(row) for row in np.concatenate([training.features, validation.features])}
    assert rows == {tuple(row) for row in data.features}
    # Its cost and accuracy at the final weights, against numpy.
    weights, bias = np.array(result.weights), result.bias
    expected = numpy_cost(weights, bias, validation.features, validation.labels)
    assert result.summary["val_cost"] == pytest.approx(expected, rel=1e-5)
    assert result.history["val_cost"][-1] == pytest.approx(expected, rel=1e-5)
    predicted = (validation.features.astype(np.float64) @ weights + bias > 0).astype(int)
    assert result.summary["val_accuracy"] == pytest.approx(np.mean(predicted == validation.labels))


def test_a_too_big_step_is_reported_as_diverged(tmp_path):
    result = _train(tmp_path, learning_rate=1e38, epochs=20)
    assert result.summary["status"] == "diverged"
    assert result.summary["epochs"] < 20
    summary = read_json(os.path.join(result.run_dir, "summary.json"))
    assert summary["status"] == "diverged" and summary["diverged_epoch"] >= 1
    with open(os.path.join(result.run_dir, "summary.json")) as file:
        text = file.read()
    strict = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert not all(np.isfinite(weight) for weight in result.model.get_weights()[0].ravel())
    assert all(weight in ("inf", "-inf", None) for weight in strict["weights"])


def _image_threads():
    return [thread.name for thread in threading.enumerate() if "_writer" in thread.name]


def test_an_error_in_training_closes_the_image_threads(tmp_path):
    stopper = StopAt(epoch=2, batch=0, error=RuntimeError("a failing callback"))
    with pytest.raises(RuntimeError, match="a failing callback"):
        kerasclf.train(logdir=str(tmp_path), epochs=5, callbacks=[stopper], stream=io.StringIO())
    assert _image_threads() == []


def test_a_hard_stop_mid_epoch_saves_the_last_completed_epoch(tmp_path):
    # As a second Ctrl-C does: the plain engine stops after update 2 of epoch 3.
    stopper = StopAt(epoch=2, batch=1, error=KeyboardInterrupt())
    result = _train(
        tmp_path, engine="plain", batch_size=50, epochs=5, batch_cost=True, callbacks=[stopper]
    )
    assert result.summary["status"] == "interrupted" and result.summary["epochs"] == 2
    assert result.summary["iterations"] == 2 * 4  # Not the 2 updates of the unfinished epoch.
    kernel, bias = stopper.weights[1]
    np.testing.assert_array_equal(result.summary["weights"], kernel[:, 0])
    saved = keras.saving.load_model(os.path.join(result.run_dir, "model.keras"))
    np.testing.assert_array_equal(saved.get_weights()[0], kernel)
    expected = numpy_cost(kernel[:, 0], bias[0], *_seminar_points())
    assert result.summary["cost"] == pytest.approx(expected, rel=1e-6)
    assert _image_threads() == []
    # The cut-short epoch's minibatches are not logged: a resume trains them again.
    events = EventAccumulator(os.path.join(result.run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    assert [event.step for event in events.Tensors("minibatch_cost")] == list(range(1, 9))


def _seminar_points():
    data = kerasclf.make_dataset("seminar_blobs")
    return data.features, data.labels


def test_batch_size_larger_than_the_data_says_full_batch(tmp_path):
    stream = io.StringIO()
    kerasclf.train(logdir=str(tmp_path), batch_size=1000, epochs=1, stream=stream, **QUICK)
    assert "larger than the 200 training points; training full batch" in stream.getvalue()


def test_an_mlp_from_zeros_is_noted_as_stuck_and_is(tmp_path):
    stream = io.StringIO()
    result = kerasclf.train(
        model="mlp",
        init="zeros",
        dataset="xor",
        epochs=3,
        images=False,
        logdir=str(tmp_path),
        stream=stream,
    )
    assert "init=zeros starts every hidden unit the same" in stream.getvalue()
    # tanh(0) = 0 and zero output weights: no gradient reaches any kernel.
    kernels = [weight for weight in result.model.get_weights() if weight.ndim == 2]
    assert all(not kernel.any() for kernel in kernels)
    assert "init=zeros" not in _train_output(tmp_path, model="mlp", dataset="xor", init="random")


def _train_output(tmp_path, **settings) -> str:
    stream = io.StringIO()
    kerasclf.train(epochs=1, images=False, logdir=str(tmp_path), stream=stream, **settings)
    return stream.getvalue()
