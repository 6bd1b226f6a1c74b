"""Shared test set-up: quiet TensorFlow, small seeded data."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from kerasclf.callbacks.text_painter import TextPainter


# The test files that take longest, longest first (seconds of test time measured with
# `--durations=0` on 2026-12-07, a slow day: the whole suite took 901 s). pytest-xdist
# hands the workers whole files in collection order (`--dist loadfile
# --no-loadscope-reorder` in pyproject.toml), so a long file never starts last and leaves
# the other cores idle at the end. A file not named keeps its place after these.
LONGEST_FIRST = (
    "test_experiments.py",  # 346 s
    "test_reliability.py",  # 135
    "test_training.py",  # 127
    "test_user_models.py",  # 106
    "test_cli.py",  # 84
    "test_hard_kill.py",  # 81
    "test_day2_runs.py",  # 81
    "test_engine_exactness.py",  # 64
    "test_streaming.py",  # 61
    "test_distribution.py",  # 57
    "test_classifier.py",  # 57
    "test_error_surface.py",  # 44
    "test_process_exit.py",  # 34
    "test_callbacks.py",  # 34
    "test_unrolling.py",  # 32
    "test_xla_cache.py",  # 30
    "test_sequence_speed_benchmark.py",  # 28
    "test_cli_startup.py",  # 27
    "test_day3_runs.py",  # 23
    "test_export.py",  # 21
)


def pytest_collection_modifyitems(items):
    """Puts the files of `LONGEST_FIRST` first, in its order; the rest keep theirs."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def blobs():
    """The seminar's blobs, drawn as the issue's reference draw does."""
    from kerasclf.data import make_dataset

    return make_dataset("seminar_blobs", seed=0)


@pytest.fixture
def painted_lines(monkeypatch):
    """`(text, left, right, baseline)` of each line of text painted, in image columns and rows."""
    lines = []
    paint = TextPainter.paint

    def recorded_paint(painter, image, text, column, baseline, colour=(0, 0, 0)):
        if text:
            half = painter.width(text) / 2
            lines.append((text, column - half, column + half, baseline))
        paint(painter, image, text, column, baseline, colour)

    monkeypatch.setattr(TextPainter, "paint", recorded_paint)
    return lines


def numpy_cost(weights, bias, features, labels):
    """Summed cross-entropy in float64 from the logit: the independent reference."""
    logits = features.astype(np.float64) @ np.asarray(weights, np.float64) + bias
    # -[l log p + (1-l) log(1-p)] = log(1 + exp(z)) - l z, computed stably.
    return float(np.sum(np.logaddexp(0.0, logits) - labels * logits))


def written_files(folder):
    """Every file under `folder`, relative paths, sorted: [] for a callback that wrote nothing."""
    return sorted(
        os.path.relpath(os.path.join(parent, name), folder)
        for parent, _, names in os.walk(folder)
        for name in names
    )


def file_times(folder):
    """Every file under `folder`: its modification time in ns, by its path inside `folder`.

    Equal before and after a refused command: nothing was written or replaced.
    """
    return {path: os.stat(os.path.join(folder, path)).st_mtime_ns for path in written_files(folder)}


def read_images(run_dir, tag):
    """(steps, decoded images) of a tag, read back with TensorBoard's own reader."""
    path = os.path.join(run_dir, "train")
    if not os.path.isdir(path):
        return [], []
    accumulator = EventAccumulator(path, size_guidance={"tensors": 0})
    accumulator.Reload()
    if tag not in accumulator.Tags()["tensors"]:
        return [], []
    steps, images = [], []
    for event in accumulator.Tensors(tag):
        width, height, png = tf.make_ndarray(event.tensor_proto)
        image = tf.io.decode_png(png).numpy()
        assert (int(height), int(width)) == image.shape[:2]
        steps.append(event.step)
        images.append(image)
    return steps, images


def train_run(logdir, run_name, *flags):
    """`kerasclf train` in-process, images off, into `logdir/run_name`; the exit status."""
    from kerasclf.cli.main import main

    arguments = ["--images", "false", "--logdir", str(logdir), "--run-name", run_name, *flags]
    return main(["train", *arguments])


def table_cells(line: str) -> list[str]:
    """The cells of one row of a Markdown table."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def table_rows(report: str, headers: list[str]) -> list[list[str]]:
    """The cells of a report's Markdown table whose header row starts with `headers`."""
    lines = report.splitlines()
    start = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("|") and table_cells(line)[: len(headers)] == headers
    )
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(table_cells(line))
    return rows


class StopAt(keras.callbacks.Callback):
    """Raises `error` after update `batch` of epoch `epoch` (0-based), as a second Ctrl-C does.

    It also records the weights at the end of every epoch.
    """

    def __init__(self, epoch, batch=0, error=KeyboardInterrupt):
        super().__init__()
        self.epoch, self.batch, self.error = epoch, batch, error
        self.weights = []
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())

    def on_train_batch_end(self, batch, logs=None):
        if (self._epoch, batch) == (self.epoch, self.batch):
            raise self.error
