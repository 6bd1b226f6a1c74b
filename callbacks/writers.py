"""Lazily created TensorBoard summary writers for one run directory.

Every event of a run goes to `<run>/train`, so that TensorBoard lists the run
once: TensorBoard makes a run of each directory that holds event files, so
events beside `train/` (at `<run>/` or in `<run>/validation/`) would list the
run two or three times. Validation scalars are tagged `validation/<tag>`
instead (`CostLogger`), and a Custom Scalars layout draws them on one chart
with the training ones (`RunConfigLogger`). Several writers may share a
directory: TensorBoard merges their event files.
"""

from __future__ import annotations

import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
from kerasclf.validation import check_directory_path
import tensorflow as tf

# The one directory of a run's events, below the run directory.
EVENTS = "train"


class SummaryWriters:
    """`writers["train"]` is the writer of `<logdir>/train`, created on first use.

    Args:
        logdir: The run directory.
        filename_suffix: Appended to the names of the event files, so that
            a file can be found again (`RunConfigLogger`'s `.config`).

    Example:
        >>> writers = SummaryWriters("/tmp/run")  # doctest: +SKIP
        >>> with writers["train"].as_default():  # doctest: +SKIP
        ...     tf.summary.scalar("cost", 1.0, step=0)
        >>> writers.close()  # doctest: +SKIP
    """

    def __init__(self, logdir: str, filename_suffix: str | None = None):
        self.logdir = check_directory_path("logdir", logdir)
        self.filename_suffix = filename_suffix
        self._writers: dict[str, tf.summary.SummaryWriter] = {}

    def __getitem__(self, name: str) -> tf.summary.SummaryWriter:
        if name not in self._writers:
            path = os.path.join(self.logdir, name) if name else self.logdir
            self._writers[name] = tf.summary.create_file_writer(
                path, filename_suffix=self.filename_suffix
            )
        return self._writers[name]

    def flush(self) -> None:
        for writer in self._writers.values():
            writer.flush()

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
