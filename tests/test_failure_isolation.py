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

import keras
import numpy as np
import pytest

import kerasclf
from kerasclf.callbacks.weights import WeightLogger
from kerasclf.cli.main import main
from kerasclf.run.directory import EXIT_CALLBACK_FAILED


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


def test_a_stopped_run_of_a_python_model_object_does_not_offer_a_resume_it_refuses(
    tmp_path, capsys
):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs), name="line")
    with pytest.raises(ValueError, match="the user's callback fails"):
        kerasclf.train(model=model, epochs=6, logdir=str(tmp_path), callbacks=[Failing()])
    (run_dir,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    said = capsys.readouterr().err
    assert f"saved {run_dir / 'checkpoint.npz'}; a model given as a Python object cannot" in said
    assert "--resume" not in said
    assert main(["train", "--resume", str(run_dir)]) == 2
    refused = capsys.readouterr().err
    assert "model was a Python object (python:line)" in refused and "cannot be resumed" in refused
    assert "Continue it from Python" not in refused  # No Python call resumes it either.


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
    assert (run_dir / "model.keras").is_file() and (run_dir / "checkpoint.npz").is_file()
