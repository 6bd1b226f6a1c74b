"""Strict JSON text: NaN and infinities spelled out, numbers a row to a line.

JSON has no NaN or infinity; a diverged run's cost and weights hold them
(`json_safe`). `json_text` indents dicts and lists of lists, but writes each
list of numbers on one line through json's C encoder: a 512 x 512 kernel is
512 lines, not 262,144 (`json.dump` with an indent puts each number on a line
of its own, and encodes them one by one in Python).

Example:
    >>> import numpy as np
    >>> print(json_text({"kernel": np.array([[0.5, np.nan], [1.0, 2.0]]), "bias": [0.25]}), end="")
    {
      "kernel": [
        [0.5, null],
        [1.0, 2.0]
      ],
      "bias": [0.25]
    }
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

INDENT = "  "


def json_safe(value: Any) -> Any:
    """`value` with NaN as None and infinities as "inf"/"-inf", inside dicts and lists too.

    Example:
        >>> json_safe({"cost": float("nan"), "weights": [[float("inf")], [0.5]]})
        {'cost': None, 'weights': [['inf'], [0.5]]}
    """
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    return value


def json_text(value: Any) -> str:
    """`value` as strict JSON (`json_safe`), indented, each list of numbers on one line.

    Dicts, lists and numpy arrays may nest. Keys that are not strings become
    strings as `json.dumps` makes them.

    Example:
        >>> print(json_text({"history": {"cost": [2.5, float("inf")]}, 3: None}), end="")
        {
          "history": {
            "cost": [2.5, "inf"]
          },
          "3": null
        }
    """
    return _encode(value, "") + "\n"


def _encode(value: Any, margin: str) -> str:
    inner = margin + INDENT
    if isinstance(value, np.ndarray):
        if value.ndim <= 1:
            numbers = value.tolist()
            finite = value.dtype.kind != "f" or np.isfinite(value).all()
            return _one_line(numbers if finite else json_safe(numbers))
        return _bracketed("[", [_encode(row, inner) for row in value], "]", margin)
    if isinstance(value, dict):
        items = [f"{_key(key)}: {_encode(item, inner)}" for key, item in value.items()]
        return _bracketed("{", items, "}", margin)
    if isinstance(value, (list, tuple)) and any(
        isinstance(item, (dict, list, tuple, np.ndarray)) for item in value
    ):
        return _bracketed("[", [_encode(item, inner) for item in value], "]", margin)
    return _one_line(json_safe(list(value) if isinstance(value, tuple) else value))


def _bracketed(opening: str, items: list[str], closing: str, margin: str) -> str:
    if not items:
        return opening + closing
    inner = margin + INDENT
    return f"{opening}\n{inner}" + f",\n{inner}".join(items) + f"\n{margin}{closing}"


def _key(key: Any) -> str:
    return json.dumps(key if isinstance(key, str) else json.dumps(key))


def _one_line(value: Any) -> str:
    return json.dumps(value, allow_nan=False)
