"""Interruption and resume, concurrent runs, determinism, disk faults, property tests."""

import collections
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import train_run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
from kerasclf import pipeline
from kerasclf.cli.main import main
from kerasclf.run.config_json_keys import KEYS_ADDED_LATER
from kerasclf.data import Data
from kerasclf.engine.presets import PRESETS
from kerasclf.atomic_files import read_json
from kerasclf.run import outputs
from kerasclf.run.directory import LOCK_FILE
from kerasclf.run.training import prepare_resume, run_prepared

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
# Long enough that the signal sent after epoch 5 arrives while the run still trains.
EPOCHS = 150
RUN = [
    "--batch-size",
    "7",
    "--optimizer",
    "momentum",
    "--epochs",
    str(EPOCHS),
    "--images",
    "false",
    "--histogram-every",
    "0",
]


def _start(arguments):
    return subprocess.Popen(
        [sys.executable, "-m", "kerasclf.cli.main", "train", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def _wait_for_epoch(process, epoch):
    for line in process.stdout:
        if line.startswith(f"Epoch {epoch:>3}/"):
            return
    raise AssertionError(f"the run ended before epoch {epoch}: {process.stderr.read()}")


def _final_weights(run_dir):
    weights = read_json(os.path.join(run_dir, "weights.json"))["output"]
    return np.array(weights["kernel"]).ravel(), np.array(weights["bias"])


@pytest.fixture(scope="module")
def straight_weights(tmp_path_factory):
    """The final weights of `RUN` trained straight through, uninterrupted."""
    straight = kerasclf.train(
        batch_size=7,
        optimizer="momentum",
        epochs=EPOCHS,
        images=False,
        histogram_every=0,
        logdir=str(tmp_path_factory.mktemp("straight")),
        stream=io.StringIO(),
    )
    return _final_weights(straight.run_dir)


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_saves_everything_and_resume_ends_where_an_uninterrupted_run_does(
    tmp_path, signal_number, straight_weights
):
    process = _start([*RUN, "--logdir", str(tmp_path), "--run-name", "cut"])
    _wait_for_epoch(process, 5)
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    run_dir = tmp_path / "cut"
    summary = read_json(run_dir / "summary.json")
    assert summary["status"] == "interrupted" and 5 <= summary["epochs"] < EPOCHS
    assert (run_dir / "model.keras").is_file() and (run_dir / "checkpoint.npz").is_file()
    assert "--resume" in stdout
    events = EventAccumulator(str(run_dir / "train"), size_guidance={"tensors": 0})
    events.Reload()
    assert len(events.Tensors("cost")) >= summary["epochs"]  # Flushed up to the interrupt.

    assert main(["train", "--resume", str(run_dir)]) == 0
    resumed = read_json(run_dir / "summary.json")
    assert resumed["status"] == "completed" and resumed["epochs"] == EPOCHS
    assert not (run_dir / "checkpoint.npz").exists()

    for resumed_value, straight_value in zip(_final_weights(run_dir), straight_weights):
        np.testing.assert_array_equal(resumed_value, straight_value)


def test_resume_rejects_runs_without_checkpoint_and_extra_settings(tmp_path, capsys):
    assert main(["train", "--resume", str(tmp_path)]) == 2
    assert "config.json" in capsys.readouterr().err
    assert train_run(str(tmp_path), "done", "--epochs", "1") == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path / "done")]) == 2
    assert "only interrupted or killed runs" in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path / "done"), "--epochs", "5"]) == 2
    assert "takes no other settings" in capsys.readouterr().err


def test_concurrent_runs_with_one_name_get_their_own_directories(tmp_path):
    processes = [
        _start(
            [
                "--epochs",
                "20",
                "--images",
                "false",
                "--logdir",
                str(tmp_path),
                "--run-name",
                "shared",
                "--seed",
                str(seed),
                "--json",
            ]
        )
        for seed in range(2)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs[0][1]
    run_dirs = sorted(json.loads(out.splitlines()[-1])["run_dir"] for out, _ in outputs)
    assert run_dirs == sorted(str(tmp_path / name) for name in ("shared", "shared-2"))
    seeds = set()
    for run_dir in run_dirs:
        config = read_json(os.path.join(run_dir, "config.json"))
        summary = read_json(os.path.join(run_dir, "summary.json"))
        assert config["run_dir"] == run_dir and summary["status"] == "completed"
        seeds.add(config["seed"])
        events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
        events.Reload()
        assert [event.step for event in events.Tensors("cost")] == list(range(21))
        logged = float(tf.make_ndarray(events.Tensors("cost")[-1].tensor_proto))
        assert logged == pytest.approx(summary["cost"], rel=1e-6)
    assert seeds == {0, 1}


PRESET_DIGESTS = """
import io, json, hashlib, sys
import kerasclf
from kerasclf.engine.presets import PRESETS

def preset_digests(logdir):
    digests = {}
    # Every preset, and each batch size (one point, a partial last minibatch, all points) twice.
    for index, optimizer in enumerate(sorted(PRESETS)):
        batch_size = [1, 7, "full"][index % 3]
        result = kerasclf.train(optimizer=optimizer, batch_size=batch_size, epochs=3,
                                images=False, logdir=logdir, stream=io.StringIO())
        weights = b"".join(w.tobytes() for w in result.model.get_weights())
        costs = json.dumps(result.history["cost"]).encode()
        digests[f"{optimizer}/{batch_size}"] = hashlib.sha256(weights + costs).hexdigest()
    return digests
"""


def test_same_seed_is_bitwise_identical_across_processes(tmp_path):
    """A fresh process and this test's worker, which has run other tests before, agree."""
    script = PRESET_DIGESTS + "print(json.dumps(preset_digests(sys.argv[1])))"
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "fresh")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    namespace = {}
    exec(PRESET_DIGESTS, namespace)  # Meanwhile, the same runs here.
    here = namespace["preset_digests"](str(tmp_path / "here"))
    output, errors = process.communicate(timeout=600)
    assert process.returncode == 0, errors[-2000:]
    fresh = json.loads(output.splitlines()[-1])
    assert len(fresh) == len(PRESETS) and fresh == here


def test_a_failing_save_keeps_the_model_and_says_where(tmp_path, monkeypatch, capsys):
    import keras

    original_save = keras.Model.save

    def failing_save(model, path, *args, **kwargs):
        if str(tmp_path) in str(path):
            raise OSError(28, "No space left on device")
        return original_save(model, path, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "save", failing_save)
    monkeypatch.setenv("TMPDIR", str(tmp_path.parent))
    stream = io.StringIO()
    with pytest.raises(OSError, match="No space left on device"):
        kerasclf.train(epochs=2, images=False, logdir=str(tmp_path), stream=stream)
    message = stream.getvalue().splitlines()[-1]
    assert "could not write the model" in message and "saved it to" in message
    fallback = message.rsplit("saved it to ", 1)[1]
    assert os.path.isfile(fallback)
    os.remove(fallback)


def test_read_only_logdir_is_rejected(tmp_path, capsys, monkeypatch):
    """As root every directory is writable, so a refused write permission is simulated."""
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode: False if str(tmp_path) in str(path) else real_access(path, mode),
    )
    assert main(["train", "--logdir", str(tmp_path / "logs")]) == 2
    assert "`logdir` is not writable" in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


# Property tests: any array either is accepted as data or raises the documented error.

ARRAYS = hnp.arrays(
    dtype=st.sampled_from([np.float32, np.float64, np.int64, np.int8, np.bool_, np.uint8]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
    elements=None,
)


@st.composite
def labelled_points(draw):
    """Finite (num_samples, 2) features and labels in 0..k-1, some classes maybe absent."""
    num_samples = draw(st.integers(1, 12))
    num_classes = draw(st.integers(2, 4))
    feature_dtype = draw(st.sampled_from([np.float32, np.float64, np.int64, np.int8, np.uint8]))
    if np.issubdtype(feature_dtype, np.floating):
        elements = st.floats(-1e6, 1e6, width=32)
    else:
        elements = st.integers(0, 100)
    features = draw(hnp.arrays(feature_dtype, (num_samples, 2), elements=elements))
    label_dtype = draw(st.sampled_from([np.int64, np.int32, np.uint8, np.float64]))
    labels = draw(hnp.arrays(label_dtype, num_samples, elements=st.integers(0, num_classes - 1)))
    return features, labels


def every_class_present(labels) -> bool:
    """The documented rule: labels 0..k-1, k >= 2, every class present."""
    present = sorted(set(np.asarray(labels).astype(int).tolist()))
    return len(present) >= 2 and present == list(range(len(present)))


def test_arbitrary_arrays_are_accepted_or_rejected_cleanly():
    outcomes = collections.Counter()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(arrays=st.one_of(st.tuples(ARRAYS, ARRAYS), labelled_points()))
    def check(arrays):
        features, labels = arrays
        try:
            data = Data(features, labels)
        except (ValueError, TypeError) as error:
            assert "\n" not in str(error) and str(error)
            outcomes["rejected"] += 1
            return
        outcomes["accepted"] += 1
        # Any shape (num_samples, *feature_shape) is kept as it is, in float32.
        assert data.features.dtype == np.float32
        assert data.features.shape == np.shape(features) and data.features.ndim >= 2
        assert np.isfinite(data.features).all()
        np.testing.assert_array_equal(data.features, np.asarray(features).astype(np.float32))
        np.testing.assert_array_equal(data.labels, np.ravel(labels).astype(np.int64))
        assert set(np.unique(data.labels)) == set(range(data.num_classes)) and data.num_classes >= 2

    check()
    assert outcomes["accepted"] > 0 and outcomes["rejected"] > 0, outcomes


def test_valid_points_are_accepted_exactly_when_every_class_is_present():
    outcomes = collections.Counter()

    @settings(max_examples=100, deadline=None)
    @given(arrays=labelled_points())
    def check(arrays):
        features, labels = arrays
        if not every_class_present(labels):
            outcomes["rejected"] += 1
            with pytest.raises(ValueError, match="at least 2 classes|every class present"):
                Data(features, labels)
            return
        outcomes["accepted"] += 1
        data = Data(features, labels)
        assert data.features.dtype == np.float32 and data.labels.dtype == np.int32
        np.testing.assert_array_equal(data.features, features.astype(np.float32))
        np.testing.assert_array_equal(data.labels, labels.astype(np.int64))
        assert data.num_classes == int(labels.max()) + 1
        assert (data.num_samples, data.num_features) == (len(labels), 2)

    check()
    assert outcomes["accepted"] > 0 and outcomes["rejected"] > 0, outcomes


@settings(max_examples=12, deadline=None)
@given(
    num_samples=st.integers(1, 40),
    batch_size=st.integers(1, 50),
    max_block_samples=st.integers(1, 64),
    seed=st.integers(0, 2**31 - 1),
)
def test_blocks_always_carry_every_point_once_per_epoch(
    num_samples, batch_size, max_block_samples, seed
):
    features = np.arange(num_samples, dtype=np.float32)[:, None]
    labels = np.zeros(num_samples, np.int32)
    size = pipeline.resolve_batch_size(batch_size, num_samples)
    seen = []
    for block in pipeline.blocks(
        features, labels, size, seed, 1, max_block_samples=max_block_samples
    ):
        for batch_x, _ in pipeline.block_minibatches(block):
            seen += batch_x[:, 0].tolist()
    assert sorted(seen) == list(range(num_samples))


class SignalAt(keras.callbacks.Callback):
    """Sends SIGINT to this process at the end of epoch `epoch` (0-based), `times` times.

    It runs among the user's callbacks, after kerasclf's own have logged the epoch.
    """

    def __init__(self, epoch, times=1):
        super().__init__()
        self.epoch, self.times = epoch, times

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            for _ in range(self.times):
                os.kill(os.getpid(), signal.SIGINT)


class SignalWhileClosing(keras.callbacks.Callback):
    """Sends SIGINT while the run closes: as a user hammering Ctrl-C does."""

    def on_train_end(self, logs=None):
        os.kill(os.getpid(), signal.SIGINT)


class FailAt(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise RuntimeError("a callback failed")


SHORT = dict(batch_size=7, optimizer="momentum", epochs=6, images=False, histogram_every=0)


def _short_run(tmp_path, run_name, callbacks=(), **settings):
    return kerasclf.train(
        logdir=str(tmp_path),
        run_name=run_name,
        callbacks=callbacks if callable(callbacks) else list(callbacks),
        stream=io.StringIO(),
        **{**SHORT, **settings},
    )


def test_a_signal_during_an_epochs_logging_stops_at_that_epoch(tmp_path):
    result = _short_run(tmp_path, "cut", [SignalAt(epoch=1)])
    assert result.summary["status"] == "interrupted" and result.summary["epochs"] == 2
    logged = EventAccumulator(str(tmp_path / "cut" / "train"), size_guidance={"tensors": 0})
    logged.Reload()
    assert [event.step for event in logged.Tensors("cost")] == [0, 1, 2]


def test_a_signal_in_the_last_epoch_stops_nothing(tmp_path):
    result = _short_run(tmp_path, "last", [SignalAt(epoch=5)])
    assert result.summary["status"] == "completed" and result.summary["epochs"] == 6
    assert not (tmp_path / "last" / "checkpoint.npz").exists()


def test_signals_while_the_run_closes_do_not_lose_it(tmp_path):
    # Two signals stop at once; a third, while the callbacks close, must wait for the save.
    result = _short_run(tmp_path, "hammered", [SignalAt(epoch=2, times=2), SignalWhileClosing()])
    run_dir = tmp_path / "hammered"
    assert result.summary["status"] == "interrupted" and result.summary["epochs"] == 3
    assert (run_dir / "checkpoint.npz").is_file() and (run_dir / "model.keras").is_file()
    assert read_json(run_dir / "summary.json")["epochs"] == 3
    assert main(["train", "--resume", str(run_dir)]) == 0
    straight = _short_run(tmp_path, "straight")
    for resumed, uninterrupted in zip(_final_weights(run_dir), _final_weights(straight.run_dir)):
        np.testing.assert_array_equal(resumed, uninterrupted)


@pytest.mark.parametrize("stopped", [False, True])
def test_a_signal_while_the_run_is_saved_waits_for_the_save(tmp_path, monkeypatch, stopped):
    """Ctrl-C while model.keras is written, after a completed run or a first Ctrl-C."""
    save_model = outputs.save_model

    def signalled_save(*args):
        os.kill(os.getpid(), signal.SIGINT)
        save_model(*args)

    monkeypatch.setattr(outputs, "save_model", signalled_save)
    result = _short_run(tmp_path, "saving", [SignalAt(epoch=2)] if stopped else [])
    run_dir = tmp_path / "saving"
    assert result.summary["status"] == ("interrupted" if stopped else "completed")
    for name in ("model.keras", "weights.json", "summary.json"):
        assert (run_dir / name).is_file(), name
    assert (run_dir / "checkpoint.npz").is_file() == stopped
    assert read_json(run_dir / "summary.json")["epochs"] == (3 if stopped else SHORT["epochs"])


def test_a_failure_mid_run_keeps_the_completed_epochs_for_resume(tmp_path):
    with pytest.raises(RuntimeError, match="a callback failed"):
        _short_run(tmp_path, "failed", [FailAt(epoch=3)])
    run_dir = tmp_path / "failed"
    with np.load(run_dir / "checkpoint.npz") as checkpoint:
        assert int(checkpoint["epochs_completed"]) == 4  # It failed after epoch 4's snapshot.
    assert main(["train", "--resume", str(run_dir)]) == 0
    straight = _short_run(tmp_path, "straight")
    for resumed, uninterrupted in zip(_final_weights(run_dir), _final_weights(straight.run_dir)):
        np.testing.assert_array_equal(resumed, uninterrupted)


def test_a_relative_data_path_resumes_from_any_directory(tmp_path, monkeypatch):
    data = kerasclf.make_dataset("seminar_blobs", seed=0)
    np.savez(tmp_path / "points.npz", X=data.features, y=data.labels)
    monkeypatch.chdir(tmp_path)
    result = _short_run("logs", "relative", [SignalAt(epoch=1)], data="points.npz")
    assert result.summary["status"] == "interrupted"
    config = read_json(tmp_path / "logs" / "relative" / "config.json")
    assert config["data"] == str(tmp_path / "points.npz")
    assert config["logdir"] == str(tmp_path / "logs")
    monkeypatch.chdir("/")
    assert main(["train", "--resume", str(tmp_path / "logs" / "relative")]) == 0


def test_a_diverged_runs_files_are_strict_json(tmp_path):
    result = _short_run(tmp_path, "diverged", learning_rate=1e38, batch_size="full", images=True)
    assert result.summary["status"] == "diverged"

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    for name in ("summary.json", "weights.json", "config.json"):
        with open(tmp_path / "diverged" / name) as file:
            json.load(file, parse_constant=refuse)
    for name in ("summary.json", "decision_boundary.png"):  # Written atomically, via mkstemp.
        mode = os.stat(tmp_path / "diverged" / name).st_mode & 0o777
        assert oct(mode) == oct(0o666 & ~_umask()), name
    assert not [name for name in os.listdir(tmp_path / "diverged") if name.startswith(".tmp-")]


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def test_a_logdir_through_a_dangling_link_is_rejected(tmp_path, capsys):
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    assert main(["train", "--logdir", str(tmp_path / "link" / "logs")]) == 2
    error = capsys.readouterr().err
    assert "a symbolic link to" in error and "does not exist" in error
    assert not (tmp_path / "nowhere").exists()


class LockHolder(keras.callbacks.Callback):
    """Records the run's lock file as each epoch ends."""

    def __init__(self, run_dir):
        super().__init__()
        self.path, self.seen = os.path.join(run_dir, LOCK_FILE), []

    def on_epoch_end(self, epoch, logs=None):
        with open(self.path) as file:
            self.seen.append(file.read().split())


def test_a_run_resumes_once_at_a_time(tmp_path, capsys):
    _short_run(tmp_path, "cut", [SignalAt(epoch=1)])
    run_dir = str(tmp_path / "cut")
    lock = os.path.join(run_dir, LOCK_FILE)
    before = read_json(os.path.join(run_dir, "summary.json"))
    # A lock of a live process (this one): the second resume is refused, and writes nothing.
    with open(lock, "w") as file:
        file.write(f"{os.getpid()} {socket.gethostname()}\n")
    assert main(["train", "--resume", run_dir]) == 2
    error = capsys.readouterr().err
    assert f"is being trained by process {os.getpid()} on {socket.gethostname()}" in error
    assert error.count("\n") == 1 and os.path.isfile(os.path.join(run_dir, "checkpoint.npz"))
    assert read_json(os.path.join(run_dir, "summary.json")) == before
    # A lock left by a process that has ended is taken over; the lock is held while training.
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                           capture_output=True, text=True)  # fmt: skip
    with open(lock, "w") as file:
        file.write(f"{ended.stdout.strip()} {socket.gethostname()}\n")
    holder = LockHolder(run_dir)
    result = run_prepared(prepare_resume(run_dir), callbacks=[holder], stream=io.StringIO())
    assert result.summary["status"] == "completed"
    assert holder.seen == [[str(os.getpid()), socket.gethostname()]] * 4  # Epochs 3 to 6.
    assert not os.path.exists(lock)


def test_resume_refuses_a_read_only_run_directory(tmp_path, capsys, monkeypatch):
    _short_run(tmp_path, "cut", [SignalAt(epoch=1)])
    monkeypatch.setattr("kerasclf.run.directory.read_only_filesystem", lambda path: True)
    assert main(["train", "--resume", str(tmp_path / "cut")]) == 2
    error = capsys.readouterr().err
    assert "is not writable. Resume a copy of it on a writable disk." in error
    assert error.count("\n") == 1


def test_a_run_written_before_a_key_existed_resumes_with_its_default(tmp_path):
    _short_run(tmp_path, "old", [SignalAt(epoch=1)])
    config_path = tmp_path / "old" / "config.json"
    config = read_json(config_path)
    for key in KEYS_ADDED_LATER:
        del config[key]
    config_path.write_text(json.dumps(config))
    summary_path = tmp_path / "old" / "summary.json"
    interrupted = read_json(summary_path)
    before = interrupted["wall_seconds"] = 1000.0  # As if the first part had trained long.
    summary_path.write_text(json.dumps(interrupted))
    started = time.perf_counter()
    assert main(["train", "--resume", str(tmp_path / "old")]) == 0
    resumed_part = time.perf_counter() - started
    summary = read_json(tmp_path / "old" / "summary.json")
    assert summary["status"] == "completed"
    # The training time of both parts: the first's, plus part of the resuming call's.
    assert before < summary["wall_seconds"] < before + resumed_part


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_start_up_leaves_no_half_made_run(tmp_path, signal_number):
    def signal_while_starting(run_dir):  # Called as the run's callbacks are built.
        assert os.path.isfile(os.path.join(run_dir, "config.json"))
        os.kill(os.getpid(), signal_number)

    # Ctrl-C in a terminal: Python's own SIGINT handler. A suite started in the background
    # by a shell without job control (`pytest &` in a script) inherits SIGINT ignored.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    handler = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(KeyboardInterrupt):
            _short_run(tmp_path, "cut", signal_while_starting)
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert os.listdir(tmp_path) == []  # Nothing trained, nothing to resume: no litter.
    assert signal.getsignal(signal.SIGTERM) is handler


def _wait_until_caught(process, signum, timeout=60.0):
    """Waits until `process` has a handler of its own for `signum` (Linux's /proc/PID/status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with open(f"/proc/{process.pid}/status") as file:
            caught = next(line for line in file if line.startswith("SigCgt:"))
        if int(caught.split()[1], 16) >> (signum - 1) & 1:
            return
        time.sleep(0.01)
    raise AssertionError(f"no handler for signal {signum} after {timeout} s")


def test_sigterm_while_tensorflow_loads_exits_130_with_one_line(tmp_path):
    # TensorFlow takes seconds to import; SIGTERM then used to kill the CLI silently (143).
    code = "from kerasclf.cli.main import entry_point; entry_point()"
    argv = [sys.executable, "-c", code, "train", "--logdir", str(tmp_path / "logs")]
    process = subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The CLI is up in about 0.2 s (longer on a loaded machine) and then imports TensorFlow
    # for 3-6 s: signal it once its handler is in, while TensorFlow still loads.
    _wait_until_caught(process, signal.SIGTERM)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.decode().strip() == "kerasclf: interrupted; nothing was trained or saved"
    assert not (tmp_path / "logs").exists() or os.listdir(tmp_path / "logs") == []
