"""A `--config FILE.toml`: a flat TOML file of config keys, read with `tomllib`.

The file's values are only collected here; `kerasclf.run.config.parse_values`
reads each one by its key's parser, as it reads a flag's, and flags given on
the command line override the file's.
"""

from __future__ import annotations

import tomllib
from typing import Any

from kerasclf.run.config import check_key
from kerasclf.validation import check_file_exists


def load_toml(path: str) -> dict[str, Any]:
    r"""Reads a flat TOML file of config keys; `parse_values` then reads the values.

    Raises:
        ValueError: for a missing or unreadable file, TOML that does not parse, a
            `[table]`, or an unknown key (naming the closest one).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "run.toml")
        >>> with open(path, "w") as file:
        ...     _ = file.write('epochs = 5\noptimizer = "adam"\n')
        >>> load_toml(path)
        {'epochs': 5, 'optimizer': 'adam'}
    """
    check_file_exists("config", path)
    text = ""
    try:
        with open(path, encoding="utf-8-sig") as file:  # A byte-order mark (Notepad's) is no key.
            text = file.read()
        values = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        json_like = text.lstrip().startswith("{")
        hint = (
            " Config files are TOML, one `key = value` a line (epochs = 2), not JSON." * json_like
        )
        raise ValueError(f"{path}: not valid TOML ({error}).{hint}") from None
    except OSError as error:  # No permission, a directory, a FIFO's end...
        raise ValueError(
            f"`config` cannot be read: {error.strerror or error}. Received: config={path!r}. "
            "Check that it is a readable file."
        ) from None
    for key, value in values.items():
        if isinstance(value, dict):
            raise ValueError(
                f"{path}: config files are flat; [{key}] tables are not read. "
                "Put every key at the top level."
            )
        check_key(key)
    return values
