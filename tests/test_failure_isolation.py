"""A callback that fails never costs the run its outputs.

kerasclf's own callbacks are isolated: the failing one is switched off with
its error printed, the run goes on and is saved, summary.json lists the
error and the CLI exits 4. A callback the user passes keeps Keras's rule (its
exception ends training), and the run is still saved, as "failed", before
the exception reaches the caller.
"""

import io
import json
import os
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import file_times, numpy_cost
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
from kerasclf.callbacks.weights import WeightLogger
from kerasclf.cli.main import main
from kerasclf.run.directory import EXIT_CALLBACK_FAILED
from kerasclf.run import summary as summary_module
from kerasclf.run.run_status import format_runs, list_runs


def _broken_on_epoch_end(self, epoch, logs=None):
    if epoch == 1:
        raise RuntimeError("a bug in the weight logger")


def test_a_failing_kerasclf_callback_is_switched_off_and_the_run_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(WeightLogger, "on_epoch_end", _broken_on_epoch_end)
    stream = io.StringIO()
    result = kerasclf.train(epochs=4, logdir=str(tmp_path), stream=stream, images=False)
    printed = stream.getvalue()
    assert (
        "error: WeightLogger.on_epoch_end failed with RuntimeError: a bug in the weight logger"
        in (printed)
    )
    # Training went on to the end, and every output is there.
    assert result.summary["status"] == "completed" and result.summary["epochs"] == 4
    assert result.summary["callback_errors"] == [
        "WeightLogger.on_epoch_end failed with RuntimeError: a bug in the weight logger"
    ]
    for name in ("model.keras", "weights.json", "summary.json", "config.json"):
        assert os.path.isfile(os.path.join(result.run_dir, name)), name
    saved = keras.saving.load_model(os.path.join(result.run_dir, "model.keras"))
    np.testing.assert_array_equal(saved.get_weights()[0], result.model.get_weights()[0])
    assert printed.count("Epoch 4/4") == 1  # The other callbacks kept working.


def test_the_cli_exits_4_after_a_callback_failed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(WeightLogger, "on_epoch_end", _broken_on_epoch_end)
    assert main(["train", "--epochs", "3", "--logdir", str(tmp_path), "--json"]) == (
        EXIT_CALLBACK_FAILED
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == "completed" and len(summary["callback_errors"]) == 1


class Failing(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 2:
            raise ValueError("the user's callback fails")


def _dropout_network(input_shape, num_classes):
    """The user's model function: its own Dropout, so a resume must restore its random state."""
    inputs = keras.Input(input_shape)
    hidden = keras.layers.Dense(4, activation="tanh")(inputs)
    hidden = keras.layers.Dropout(0.2, seed=3)(hidden)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden), name="line")


def _cost_series(run_dir):
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return [(e.step, tf.make_ndarray(e.tensor_proto).tolist()) for e in events.Tensors("cost")]


def test_a_stopped_run_of_a_python_model_resumes_in_python_with_the_model_given_again(
    tmp_path, capsys
):
    settings = {"epochs": 4, "images": False, "logdir": str(tmp_path), "stream": io.StringIO()}
    straight = kerasclf.train(model=_dropout_network, run_name="straight", **settings)
    with pytest.raises(ValueError, match="the user's callback fails"):
        kerasclf.train(
            model=_dropout_network, run_name="function", callbacks=[Failing()], **settings
        )
    said = capsys.readouterr().err
    run_dir = str(tmp_path / "function")
    shutil.copytree(run_dir, tmp_path / "object")  # The same stopped run, resumed another way.
    assert f"saved {run_dir}/checkpoint.npz; continue in Python, giving the model again: " in said
    assert f"kerasclf.resume({run_dir!r}, model=YOUR_MODEL)" in said and "--resume" not in said
    listed = {run.name: run for run in list_runs(str(tmp_path))}
    assert listed["function"].resumable and listed["function"].in_python
    assert "yes, from epoch 3 in Python" in format_runs([listed["function"]])
    # The command line cannot rebuild the model; it says what does.
    assert main(["train", "--resume", run_dir]) == 2
    refused = capsys.readouterr().err
    assert "model was a Python object (python:_dropout_network)" in refused
    assert f"kerasclf.resume({run_dir!r}, model=YOUR_MODEL)" in refused
    # Refused before anything is written: no model, another model, a model for a built-in run.
    before = file_times(run_dir)
    with pytest.raises(ValueError, match=r"kerasclf\.resume\(.*, model=YOUR_MODEL\)"):
        kerasclf.resume(run_dir)
    other = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="holds 5 model variables, the model has 2. Give the "):
        kerasclf.resume(run_dir, model=other)
    with pytest.raises(TypeError, match="`model` must be a keras.Model, a function"):
        kerasclf.resume(run_dir, model="line")
    with pytest.raises((TypeError, ValueError), match=r"^`model` function <lambda> must return"):
        kerasclf.resume(run_dir, model=lambda input_shape, num_classes: 5)  # Not config.json's.
    assert file_times(run_dir) == before
    # Given again, as its function or as a model of the same layers built anew, it ends
    # bitwise as the run that was never stopped: weights, Dropout's random state, events.
    resumed = {
        "function": kerasclf.resume(run_dir, model=_dropout_network, stream=io.StringIO()),
        "object": kerasclf.resume(
            str(tmp_path / "object"), model=_dropout_network((2,), 2), stream=io.StringIO()
        ),
    }
    for result in [straight, resumed["function"]]:
        assert result.config.model == "python:_dropout_network"  # As config.json says.
    assert resumed["object"].config.model == "python:line"  # The model object's name.
    for result in resumed.values():
        assert result.summary["status"] == "completed" and result.summary["epochs"] == 4
        for got, expected in zip(result.model.get_weights(), straight.model.get_weights()):
            np.testing.assert_array_equal(got, expected)
        assert _cost_series(result.run_dir) == _cost_series(straight.run_dir)


def test_resume_takes_a_model_only_for_a_run_of_a_python_model(tmp_path, capsys):
    with pytest.raises(ValueError, match="the user's callback fails"):
        kerasclf.train(
            epochs=4, images=False, logdir=str(tmp_path), run_name="slide", callbacks=[Failing()]
        )
    run_dir = str(tmp_path / "slide")
    said = capsys.readouterr().err  # Both ways to go on, for the command line and for Python.
    assert f"continue with `kerasclf train --resume {run_dir}` (in Python: kerasclf.resume(" in said
    with pytest.raises(ValueError, match=r"rebuilds its own \(model='logistic'\).*without one"):
        kerasclf.resume(run_dir, model=_dropout_network)
    with pytest.raises(TypeError, match="`run_dir` must be a path, a non-empty string or a"):
        kerasclf.resume(None)
    with pytest.raises(ValueError, match=r"`run_dir` folder does not exist.*Did you mean .*slide"):
        kerasclf.resume(tmp_path / "sldie")
    with pytest.raises(ValueError, match="`run_dir` is a folder of 1 run"):
        kerasclf.resume(tmp_path)
    assert kerasclf.resume(tmp_path / "slide", stream=io.StringIO()).summary["epochs"] == 4


def test_a_failing_user_callback_ends_training_but_the_run_is_saved(tmp_path):
    stream = io.StringIO()
    with pytest.raises(ValueError, match="the user's callback fails"):
        kerasclf.train(
            epochs=6, logdir=str(tmp_path), callbacks=[Failing()], stream=stream, images=False
        )
    (run_dir,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "failed" and summary["epochs"] == 3  # Logged before it failed.
    assert summary["error"] == "ValueError: the user's callback fails"
    # The summary is of epoch 3's weights, as "Epoch 3/6" printed them, though Keras's
    # history (written after the user's callback) never got that epoch.
    data = kerasclf.make_dataset("seminar_blobs", seed=0)
    expected = numpy_cost(summary["weights"], summary["bias"], data.features, data.labels)
    assert summary["cost"] == pytest.approx(expected, rel=1e-6)
    assert f"Epoch 3/6  cost {summary['cost']:.4f}" in stream.getvalue()
    assert (run_dir / "model.keras").is_file() and (run_dir / "checkpoint.npz").is_file()


@pytest.mark.parametrize("fit_fails", [False, True])
def test_a_final_evaluation_that_fails_leaves_a_failed_summary(tmp_path, monkeypatch, fit_fails):
    # As a model of your own whose Embedding was short of the token ids did: training
    # ended, then the summary's evaluation raised, and the run was left without a summary
    # (listed as killed) or, after a failed fit, with none at all.
    def broken_evaluation(*args, **kwargs):
        raise tf.errors.InvalidArgumentError(None, None, "indices[0,0] = 17 is not in [0, 2)")

    monkeypatch.setattr(summary_module.evaluation, "evaluate_model", broken_evaluation)
    callbacks = [Failing()] if fit_fails else None
    expected = ValueError if fit_fails else tf.errors.InvalidArgumentError
    with pytest.raises(expected):
        kerasclf.train(
            epochs=6,
            logdir=str(tmp_path),
            callbacks=callbacks,
            callbacks_off=["cost"],  # The summary evaluates: no logged cost to reuse.
            images=False,
            stream=io.StringIO(),
        )
    (run_dir,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["status"] == "failed" and summary["cost"] is None
    assert summary["epochs"] == (3 if fit_fails else 6) and summary["iterations"] > 0
    error = "ValueError: the user's callback fails" if fit_fails else "InvalidArgumentError: "
    assert summary["error"].startswith(error)
    (status,) = list_runs(str(tmp_path))
    assert status.status == "failed"
    assert (run_dir / "model.keras").is_file() and (run_dir / "checkpoint.npz").is_file()


class HookCounter(keras.callbacks.Callback):
    """Counts its calls: `on_epoch_end`, and Keras's older name `on_batch_end`."""

    def __init__(self):
        super().__init__()
        self.calls = {"on_epoch_end": 0, "on_batch_end": 0}

    def on_epoch_end(self, epoch, logs=None):
        self.calls["on_epoch_end"] += 1

    def on_batch_end(self, batch, logs=None):  # Keras's on_train_batch_end forwards here.
        self.calls["on_batch_end"] += 1


class DropoutDraw(keras.callbacks.Callback):
    """Runs the model in training mode, as a careless callback might: its dropout draws."""

    def on_epoch_end(self, epoch, logs=None):
        self.model(np.ones((4, 3), np.float32), training=True)


def _dropout_fit(callbacks):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dropout(0.5), keras.layers.Dense(1, "sigmoid")]
    )
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False, callbacks=callbacks)
    return model.get_weights()


def test_isolated_callbacks_get_every_hook_they_define_and_leave_dropout_unmoved():
    from kerasclf.run.callback_isolation import isolate

    counter, errors = HookCounter(), []
    alone = _dropout_fit([])
    watched = _dropout_fit(isolate([counter, DropoutDraw()], errors))
    assert counter.calls == {"on_epoch_end": 3, "on_batch_end": 12} and errors == []
    for plain, isolated in zip(alone, watched):
        np.testing.assert_array_equal(plain, isolated)  # The draws were put back.
    # Not isolated, the same callback moves the dropout masks: the check above can fail.
    moved = _dropout_fit([DropoutDraw()])
    assert any(not np.array_equal(a, b) for a, b in zip(alone, moved))
