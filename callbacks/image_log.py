"""One tag's images for TensorBoard: encoded and written on a background thread.

`ImageLog` takes each frame (or a function that draws it), encodes it as
PNG (`callbacks.png_encoding`) and writes it as an image summary,
one image at a time on its own thread, so that the next epoch trains
meanwhile. When the run ends it saves the last image beside the run as a
`.png` file, the same bytes TensorBoard serves.
"""

from __future__ import annotations

import concurrent.futures
import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf
from tensorboard.plugins.image import metadata as image_metadata

from kerasclf.callbacks.png_encoding import encode_png
from kerasclf.callbacks.writers import SummaryWriters
from kerasclf.atomic_files import write_bytes
from kerasclf.validation import check_directory_path


def write_image_summary(tag: str, png: bytes, shape, step: int, description: str = "") -> None:
    """Writes an already encoded PNG as a TensorBoard image summary.

    It is what `tf.summary.image` writes (the tensor [width, height, png] with
    the image plugin's metadata), without encoding the image a second time: the
    same PNG bytes also go to the run's final `.png` file.

    Args:
        tag: The summary's tag.
        png: PNG bytes.
        shape: `(rows, columns, ...)` of the image.
        step: The step.
        description: Markdown shown with the image in TensorBoard.
    """
    tensor = tf.constant([str(shape[1]).encode(), str(shape[0]).encode(), png])
    summary_metadata = image_metadata.create_summary_metadata(
        display_name=None, description=description
    )
    tf.summary.write(tag=tag, tensor=tensor, step=step, metadata=summary_metadata)


def save_png(path: str, png: bytes) -> None:
    """Writes PNG bytes to `path` atomically (never half a file), creating its directory."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    write_bytes(path, png)


class ImageLog:
    """One tag's images: summaries in `<logdir>/train`, the last one as a PNG file.

    Encoding and writing happen on a background thread, one image at a time:
    zlib releases Python's lock while it compresses, so the next epoch trains
    meanwhile. `add` may also pass a function that draws the image, to
    draw it on that thread too. `add` waits for the previous image first, so
    at most one is pending, and an error in the thread surfaces in the next
    `add` or `close`.

    Args:
        logdir: The run directory.
        tag: The summary tag.
        file_name: Name of the PNG file in `logdir` that `close` writes.
        description: Markdown shown with the images in TensorBoard.

    Example:
        >>> log = ImageLog("/tmp/run", "picture", "picture.png", "A picture.")  # doctest: +SKIP
        >>> log.add(np.zeros((4, 4, 3), np.uint8), step=0)  # doctest: +SKIP
        >>> log.close()  # doctest: +SKIP
    """

    def __init__(self, logdir: str, tag: str, file_name: str, description: str):
        self.logdir = check_directory_path("logdir", logdir)
        self.tag = tag
        self.file_name = file_name
        self.description = description
        self._writers = SummaryWriters(logdir)
        self._executor = None
        self._pending = None
        self._last_png = None

    def add(self, image, step: int) -> None:
        """Queues an image as the summary at `step`.

        Args:
            image: `(rows, columns, 3)` uint8; or a function of no arguments
                that draws it, or returns None for no image, called on the
                background thread too. It must not read anything training
                changes: pass it copies.
            step: The summary step.
        """
        self._wait()
        writer = self._writers["train"]  # Created here: the thread only uses it.
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(1, f"{self.tag}_writer")
        self._pending = self._executor.submit(self._write, writer, image, step)

    def _write(self, writer, image, step: int) -> bytes | None:
        if callable(image):
            image = image()
            if image is None:
                return self._last_png
        png = encode_png(image)
        with writer.as_default():
            write_image_summary(self.tag, png, image.shape, step, self.description)
        return png

    def _wait(self) -> None:
        if self._pending is not None:
            self._last_png = self._pending.result()
            self._pending = None

    def flush(self) -> None:
        """Finishes the pending image and puts every image so far on disk (before a checkpoint)."""
        self._wait()
        self._writers.flush()

    def close(self) -> None:
        """Finishes the pending image, saves the last one to the file, closes the writer."""
        try:
            self._wait()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            self._writers.close()
        if self._last_png is not None:
            save_png(os.path.join(self.logdir, self.file_name), self._last_png)
