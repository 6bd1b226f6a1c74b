"""Hard kills (SIGKILL): periodic checkpoints, bitwise resume, TensorBoard kept true, `runs`.

Three real subprocesses are killed: logistic regression at batch 1 after an
epoch whose events are on disk but not checkpointed (KERASCLF_FAULT), an MLP
with dropout between writing its checkpoint's temporary file and the rename,
and a user CNN from outside at an arbitrary moment. Each resumed run must end
bitwise where an uninterrupted run of the same config ends, and its events
must hold exactly one value per step, those of the uninterrupted run.
"""

import collections
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf
from tensorboard import context
from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
from kerasclf.atomic_files import read_json
from kerasclf.callbacks.minibatch_cost import TAG as MINIBATCH_TAG
from kerasclf.cli.main import main
from kerasclf.run.directory import LOCK_FILE, no_checkpoint_message
from kerasclf.run.event_files import (
    ITERATION_TAGS,
    event_file_paths,
    last_event_step,
    read_records,
)
from kerasclf.run.event_truncation import truncate_events
from kerasclf.run.fault_injection import FAULT_VARIABLE
from kerasclf.run.run_status import list_runs

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
# A checkpoint at every epoch's end: the kill points below are then exact.
EVERY_EPOCH = ["--checkpoint-every", "1e-9", "--histogram-every", "0"]


def _start(logdir, name, flags, fault=None):
    env = {**ENV, FAULT_VARIABLE: fault} if fault else ENV
    arguments = ["train", "--logdir", str(logdir), "--run-name", name, *EVERY_EPOCH, *flags]
    return subprocess.Popen(
        [sys.executable, "-m", "kerasclf.cli.main", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _killed(process):
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL, stderr
    return stdout


def _series(run_dir):
    """Every tensor series of a run, raw: TensorBoard's reader without its orphan purge."""
    events = EventAccumulator(
        os.path.join(run_dir, "train"), size_guidance={"tensors": 0}, purge_orphaned_data=False
    )
    events.Reload()
    series = {}
    for tag in events.Tags()["tensors"]:
        values = [
            (event.step, tf.make_ndarray(event.tensor_proto)) for event in events.Tensors(tag)
        ]
        series[tag] = sorted(values, key=lambda value: value[0])
    return series


def _assert_true_events(run_dir, straight_dir, differing=("config",)):
    """One value per step in every series, the uninterrupted run's steps and values."""
    resumed, straight = _series(run_dir), _series(straight_dir)
    assert "cost" in resumed and set(resumed) == set(straight)
    for tag, values in resumed.items():
        steps = [step for step, _ in values]
        repeated = [step for step, count in collections.Counter(steps).items() if count > 1]
        assert not repeated, (tag, repeated)
        if tag in differing:  # The config's table names the run directory.
            continue
        assert steps == [step for step, _ in straight[tag]], tag
        for (_, value), (_, expected) in zip(values, straight[tag]):
            np.testing.assert_array_equal(value, expected, err_msg=tag)


def _assert_same_weights(run_dir, straight_dir):
    # By layer name: a user's model built again in this process names its layers as before.
    resumed, straight = (
        read_json(os.path.join(folder, "weights.json")) for folder in (run_dir, straight_dir)
    )
    assert resumed == straight
    assert read_json(os.path.join(run_dir, "summary.json"))["status"] == "completed"


def _straight(logdir, flags):
    """The same config, uninterrupted, in this process: `logdir/straight`."""
    arguments = ["--logdir", str(logdir), "--run-name", "straight", *EVERY_EPOCH, *flags]
    assert main(["train", *arguments]) == 0
    return str(logdir / "straight")


def _status(logdir, name):
    return next(run for run in list_runs(str(logdir)) if run.name == name)


def test_logistic_sgd_killed_after_an_unsaved_epoch_resumes_bitwise(tmp_path, capsys):
    flags = ["--batch-size", "1", "--epochs", "9", "--batch-cost", "true"]
    _killed(_start(tmp_path, "cut", flags, fault="kill-after-epoch:6"))
    run_dir = str(tmp_path / "cut")
    # Epoch 6's events reached the disk; its checkpoint did not.
    assert last_event_step(run_dir) == 6 and os.path.isfile(os.path.join(run_dir, LOCK_FILE))
    killed = _status(tmp_path, "cut")
    assert (killed.status, killed.epoch, killed.checkpoint_epoch, killed.resumable) == (
        "killed",
        6,
        5,
        True,
    )
    assert main(["runs", str(tmp_path)]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows[1][:3] == ["cut", "killed", "6"] and rows[1][4:] == ["yes,", "from", "epoch", "5"]
    # A folder where the lock goes: --resume would refuse it, so the listing does not offer it.
    lock = os.path.join(run_dir, LOCK_FILE)
    os.rename(lock, lock + ".file")
    os.mkdir(lock)
    assert not _status(tmp_path, "cut").resumable
    assert main(["train", "--resume", run_dir]) == 2
    assert "is where the run keeps its lock, and it cannot be replaced" in capsys.readouterr().err
    os.rmdir(lock)
    os.rename(lock + ".file", lock)

    assert main(["train", "--resume", run_dir]) == 0
    output = capsys.readouterr().out
    assert "past epoch 5 that the run wrote after its last checkpoint" in output
    straight_dir = _straight(tmp_path, flags)
    _assert_same_weights(run_dir, straight_dir)
    # Images included: the error surface draws its frames at the end, the killed part's too.
    _assert_true_events(run_dir, straight_dir)
    assert _status(tmp_path, "cut").status == "completed"
    assert not os.path.exists(os.path.join(run_dir, "checkpoint.npz"))

    # TensorBoard's server side reads the same: its data provider, over the whole logdir.
    # Every point kept: by default the server keeps a random sample of 1,000 per series
    # (reservoir sampling), which differs between two runs of 1,800 minibatch costs.
    multiplexer = plugin_event_multiplexer.EventMultiplexer(size_guidance={"tensors": 0})
    multiplexer.AddRunsFromDirectory(str(tmp_path))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(tmp_path))
    scalars = provider.read_scalars(
        context.RequestContext(), experiment_id="", plugin_name="scalars", downsample=10**6
    )
    for tag in ("cost", MINIBATCH_TAG):
        resumed, straight = scalars["cut/train"][tag], scalars["straight/train"][tag]
        assert [point.step for point in resumed] == [point.step for point in straight]
        assert [point.value for point in resumed] == [point.value for point in straight]
    assert [point.step for point in scalars["cut/train"]["cost"]] == list(range(10))


def test_a_run_killed_after_drawing_its_last_frames_draws_each_frame_once(tmp_path, capsys):
    # The error surface draws its frames when training ends; a kill then, before the run is
    # saved, left them in the events, and the resumed run drew every one a second time.
    flags = ["--epochs", "3"]
    _killed(_start(tmp_path, "cut", flags, fault="kill-after-images:3"))
    run_dir = str(tmp_path / "cut")
    assert _status(tmp_path, "cut").checkpoint_epoch == 3
    frames = [step for step, _ in _series(run_dir)["error_surface"]]
    assert frames[0] == 0 and frames[-1] == 3  # Drawn before the kill.
    assert main(["train", "--resume", run_dir]) == 0
    straight_dir = _straight(tmp_path, flags)
    _assert_same_weights(run_dir, straight_dir)
    _assert_true_events(run_dir, straight_dir)  # One frame per step, the straight run's pixels.


def test_mlp_killed_between_the_checkpoints_write_and_rename(tmp_path, capsys):
    flags = ["--model", "mlp", "--dropout", "0.3", "--batch-size", "16", "--epochs", "8"]
    flags += ["--images", "false"]
    _killed(_start(tmp_path, "cut", flags, fault="kill-before-rename:5"))
    run_dir = str(tmp_path / "cut")
    leftovers = [name for name in os.listdir(run_dir) if name.startswith(".tmp-")]
    assert len(leftovers) == 1  # Epoch 5's complete checkpoint, never renamed.
    assert _status(tmp_path, "cut").checkpoint_epoch == 4

    assert main(["train", "--resume", run_dir]) == 0
    output = capsys.readouterr().out
    assert "removed 1 half-written file" in output and "resuming" in output
    assert "after epoch 4." in output
    assert not [name for name in os.listdir(run_dir) if name.startswith(".tmp-")]
    straight_dir = _straight(tmp_path, flags)
    _assert_same_weights(run_dir, straight_dir)  # Dropout's random state was restored too.
    _assert_true_events(run_dir, straight_dir)


USER_CNN = """
import keras


def build(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(3, 3, activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dropout(0.25)(keras.layers.Flatten()(x))
    outputs = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)
"""


def test_a_user_cnn_killed_at_an_arbitrary_moment_resumes_bitwise(tmp_path, capsys):
    rng = np.random.default_rng(5)
    labels = np.arange(48) % 2
    pixels = rng.integers(0, 100, size=(48, 6, 6)).astype(np.uint8)
    pixels[labels == 1, :3] += 120  # Class 1: a bright top half.
    np.savez(tmp_path / "images.npz", X=pixels[..., None], y=labels.astype(np.uint8))
    (tmp_path / "user_cnn.py").write_text(USER_CNN)
    model = f"{tmp_path / 'user_cnn.py'}:build"
    flags = ["--data", str(tmp_path / "images.npz"), "--model", model, "--images", "false"]
    flags += ["--optimizer", "adam", "--batch-size", "8", "--epochs", "40"]
    logdir = tmp_path / "logs"
    process = _start(logdir, "cut", flags)
    for line in process.stdout:
        if line.startswith("Epoch") and int(line.split()[1].split("/")[0]) >= 4:
            break
    else:
        raise AssertionError(f"the run ended before epoch 4: {process.stderr.read()}")
    # Anywhere in an epoch: training, logging, writing a checkpoint or renaming it.
    delay = random.uniform(0.0, 0.05)  # Well before the run could end.
    time.sleep(delay)
    process.kill()
    process.communicate(timeout=60)
    run_dir = str(logdir / "cut")
    assert _status(logdir, "cut").status == "killed", f"killed {delay:.3f} s after epoch 4"

    assert main(["train", "--resume", run_dir]) == 0
    straight_dir = _straight(logdir, flags)
    capsys.readouterr()
    # BatchNorm's moving statistics and dropout's random state included.
    _assert_same_weights(run_dir, straight_dir)
    _assert_true_events(run_dir, straight_dir)


def _fake_killed(tmp_path, name, pid):
    """A short run left as a kill leaves it: no summary, no model, its lock naming `pid`."""
    result = kerasclf.train(
        logdir=str(tmp_path), run_name=name, epochs=3, images=False, checkpoint_every=0,
        stream=io.StringIO(),
    )  # fmt: skip
    for leftover in ("summary.json", "model.keras", "weights.json"):
        os.remove(os.path.join(result.run_dir, leftover))
    with open(os.path.join(result.run_dir, LOCK_FILE), "w") as file:
        file.write(f"{pid} {socket.gethostname()}\n")
    return result.run_dir


def _process_state(pid):
    """The state letter of Linux's /proc/PID/stat: R, S, Z (zombie)..."""
    with open(f"/proc/{pid}/stat") as file:
        return file.read().rpartition(")")[2].split()[0]


def test_resume_refuses_a_run_without_checkpoint_and_a_run_still_alive(tmp_path, capsys):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    dead = _fake_killed(tmp_path, "dead", ended)
    assert main(["train", "--resume", dead]) == 2
    error = capsys.readouterr().err
    assert "died without a checkpoint (its events end at step 3)" in error
    assert error.count("\n") == 1

    alive = _fake_killed(tmp_path, "alive", os.getpid())
    assert main(["train", "--resume", alive]) == 2
    error = capsys.readouterr().err
    assert f"is still running: it is being trained by process {os.getpid()}" in error
    assert error.count("\n") == 1 and os.path.isfile(os.path.join(alive, LOCK_FILE))
    # A process of another machine (a shared home folder) cannot be checked: the fix is said.
    with open(os.path.join(alive, LOCK_FILE), "w") as file:
        file.write("12345 another-machine\n")
    assert main(["train", "--resume", alive]) == 2
    error = capsys.readouterr().err
    assert "process 12345 on another-machine" in error and error.count("\n") == 1
    assert f"if that run has ended, delete {os.path.join(alive, LOCK_FILE)}, then resume." in error
    with open(os.path.join(alive, LOCK_FILE), "w") as file:
        file.write(f"{os.getpid()} {socket.gethostname()}\n")

    # A killed process that its parent has not yet waited for (a zombie) holds nothing.
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        while _process_state(zombie.pid) != "Z":
            time.sleep(0.01)
        unreaped = _fake_killed(tmp_path, "unreaped", zombie.pid)
        assert main(["train", "--resume", unreaped]) == 2
        assert "died without a checkpoint (its events end at step 3)" in capsys.readouterr().err
        assert {run.name: run.status for run in list_runs(str(tmp_path))}["unreaped"] == "killed"
    finally:
        zombie.wait()

    statuses = {run.name: run for run in list_runs(str(tmp_path))}
    assert statuses["dead"].status == "killed" and not statuses["dead"].resumable
    assert statuses["dead"].epoch == 3
    assert statuses["dead"].cost == pytest.approx(float(_series(dead)["cost"][-1][1]), rel=1e-6)
    assert statuses["alive"].status == "running"
    assert main(["train", "--checkpoint-every", "-1", "--logdir", str(tmp_path / "x")]) == 2
    assert "`checkpoint_every` must be a finite number in [0" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_event_truncation_drops_later_steps_and_a_record_cut_short(tmp_path):
    assert ITERATION_TAGS == (MINIBATCH_TAG,)
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        for step in range(6):
            tf.summary.scalar("cost", float(step), step=step)
            tf.summary.scalar(MINIBATCH_TAG, float(step), step=10 * step)
    writer.close()
    (path,) = event_file_paths(str(tmp_path))
    last_record = list(read_records(path))[-1][0]
    with open(path, "ab") as file:
        file.write(last_record[:-7])  # A record cut short, as a kill mid-write leaves it.
    assert truncate_events(str(tmp_path), epochs=3, iterations=20) == 2 + 3
    series = _series_of(tmp_path)
    assert series == {"cost": [0, 1, 2, 3], MINIBATCH_TAG: [0, 10, 20]}
    assert sum(len(framed) for framed, _ in read_records(path)) == os.path.getsize(path)
    assert truncate_events(str(tmp_path), epochs=3, iterations=20) == 0  # Idempotent.


def _series_of(folder):
    events = EventAccumulator(str(folder), size_guidance={"tensors": 0}, purge_orphaned_data=False)
    events.Reload()
    return {tag: [event.step for event in events.Tensors(tag)] for tag in events.Tags()["tensors"]}


@pytest.fixture(autouse=True)
def _no_fault_in_process(monkeypatch):
    monkeypatch.delenv(FAULT_VARIABLE, raising=False)


@pytest.mark.parametrize("status", ["interrupted", "failed"])
def test_a_run_that_ended_on_its_own_is_not_said_to_have_died(tmp_path, status):
    """Its checkpoint was deleted since: the message says so, and the fix."""
    (tmp_path / "summary.json").write_text(json.dumps({"status": status}))
    message = no_checkpoint_message(str(tmp_path))
    assert f"and this run ({status}, says its summary.json) has none: it was moved or deleted" in (
        message
    )
    assert "Put checkpoint.npz back, or train the run again." in message
    assert "died" not in message and "\n" not in message
