"""PNG bytes of an RGB image, written directly: rows unfiltered, zlib at level 1.

This is a hand-written encoder, kept because a benchmark shows it is
needed. `tf.io.encode_png` searches row filters at zlib's default level and
takes about 5x as long on the images kerasclf writes, and its files are
3-13% larger (their flat colours compress well unfiltered); with
compression=1 it still takes 2.3-3.2x as long, for files 11-26% larger.
`python -m benchmarks.image_cost --encoders --repeats 9` (2 shared cores,
medians of 100 interleaved encodings):

    image                          hand-written   tf.io.encode_png   compression=1
    decision boundary 330x302      1.47 ms        7.78 ms  x5.29     4.03 ms  x2.74
    error surface 330x294          0.97 ms        4.72 ms  x4.86     2.97 ms  x3.06
    MLP decision boundary          2.05 ms        9.76 ms  x4.77     4.71 ms  x2.30

In a default 100-epoch run with a decision-boundary image every epoch
(`kerasclf.train` in one process, median of 9), TensorFlow's encoder added
0.84 s of CPU time (3.01 s to 3.85 s; the 101 images cost 1.05 s in all
with this encoder) and 0.31 s of wall time (x1.13 to x1.31 of the run
without images, against a target of 1.25). Earlier runs of the benchmark:
+0.6 s of CPU time, +0.1 to +0.7 s of wall time.

The encoder is the whole PNG format kerasclf needs: a signature,
a header, one compressed data chunk and an end chunk, each with its CRC.
PNG is lossless: `tf.io.decode_png` of these bytes gives back the very
pixels (tests/test_images.py).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a `(rows, columns, 3)` uint8 image.

    zlib releases Python's lock while it compresses, so an image encoded on
    a background thread lets training go on.

    Example:
        >>> import tensorflow as tf
        >>> image = np.arange(18, dtype=np.uint8).reshape(2, 3, 3)
        >>> png = encode_png(image)
        >>> png[:8], bool((tf.io.decode_png(png).numpy() == image).all())
        (b'\\x89PNG\\r\\n\\x1a\\n', True)
    """
    rows, columns, _ = image.shape
    scanlines = np.zeros((rows, 1 + 3 * columns), np.uint8)  # Byte 0: filter type 0, none.
    scanlines[:, 1:] = image.reshape(rows, 3 * columns)
    header = struct.pack(">IIBBBBB", columns, rows, 8, 2, 0, 0, 0)  # 8-bit RGB.
    return b"".join(
        [
            PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(scanlines.tobytes(), 1)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: the data's length, its kind, the data, and the CRC of kind and data."""
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)
