"""What reading a damaged .npz file raises (no TensorFlow needed).

`np.load` and `NpzFile.__getitem__` raise `OSError`, `EOFError` or
`ValueError` for a file that is not an .npz archive, `zipfile.BadZipFile` for
one cut short, and `zlib.error` or `BadZipFile` ("Bad CRC-32") for one whose
compressed bytes were changed. Data files, checkpoints and a run's listing
catch all of them, so a damaged file is refused in one line.

Example:
    >>> import io
    >>> import numpy as np
    >>> try:
    ...     np.load(io.BytesIO(b"PK\\x03\\x04 cut short"), allow_pickle=False)
    ... except UNREADABLE_NPZ_ERRORS as error:
    ...     print(f"not a readable .npz file ({error}).")
    not a readable .npz file (File is not a zip file).
"""

from __future__ import annotations

import zipfile
import zlib

UNREADABLE_NPZ_ERRORS = (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error)
