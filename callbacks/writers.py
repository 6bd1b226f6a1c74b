"""Lazily created TensorBoard summary writers for one run directory.

A run directory `<run>/` gets `<run>/train/` and `<run>/validation/`, the
layout of Keras's own TensorBoard callback, so TensorBoard shows the training
and validation curves of a run on one chart. Several writers may share a
directory: TensorBoard merges their event files.
"""

from __future__ import annotations

import os

import tensorflow as tf


class SummaryWriters:
    """`writers["train"]` is the writer of `<logdir>/train`, created on first use.

    Example:
        >>> writers = SummaryWriters("/tmp/run")  # doctest: +SKIP
        >>> with writers["train"].as_default():  # doctest: +SKIP
        ...     tf.summary.scalar("cost", 1.0, step=0)
        >>> writers.close()  # doctest: +SKIP
    """

    def __init__(self, logdir: str):
        self.logdir = logdir
        self._writers: dict[str, tf.summary.SummaryWriter] = {}

    def __getitem__(self, name: str) -> tf.summary.SummaryWriter:
        if name not in self._writers:
            path = os.path.join(self.logdir, name) if name else self.logdir
            self._writers[name] = tf.summary.create_file_writer(path)
        return self._writers[name]

    def flush(self) -> None:
        for writer in self._writers.values():
            writer.flush()

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
