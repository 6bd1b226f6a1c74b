"""How a config key's value is read: one parser per kind of value.

Each `TrainConfig` field names its parser in its metadata, and every value
passes through it once, where it enters: a command-line flag's text is parsed
(`from_text=True`); a TOML or Python value must already have the kind's type
(an int is accepted for a number). Ranges, names and the keys' combinations
are checked afterwards, on typed values, by `kerasclf.run.config_making.validate`.

A parser is called as `parse(key, value, from_text)` and returns the typed
value, or raises one line naming the key, the value and what is expected:

    `epochs` must be an integer. Received: epochs='1.5'.

Example:
    >>> parse_integer("epochs", "2E1", from_text=True)
    20
    >>> parse_layer_sizes("hidden", "8, 4", from_text=True)
    [8, 4]
    >>> parse_optional_number("noise", None, from_text=False) is None
    True
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from kerasclf.validation import did_you_mean, shown

# A parser: (key, value, from_text) -> the typed value.
Parser = Callable[[str, Any, bool], Any]
# The words for a command-line boolean.
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")
# What a command-line boolean takes, as its error says.
BOOLEAN_TEXT = "true or false (or yes/no, on/off, 1/0)"
# A number as the command line writes it: ASCII decimal, optionally scientific
# (1e8, -2.5E-3), or inf and nan, which the ranges then refuse. Python's own
# float() and int() would also take '1_0' and full-width digits.
NUMBER_TEXT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)",
    re.IGNORECASE,
)


def type_error(
    key: str, value: Any, expected: str, from_text: bool, words: tuple[str, ...] = ()
) -> TypeError:
    """The one-line error for a value that is not of its key's kind.

    Args:
        words: The words the key takes, if any, to name the closest of (a typo).

    Example:
        >>> type_error("epochs", "100", "an integer", from_text=False)
        TypeError("`epochs` must be an integer. Received: epochs='100' of type str.")
        >>> type_error("images", "tru", "true or false", True, words=TRUE_WORDS + FALSE_WORDS)
        TypeError("`images` must be true or false. Received: images='tru'. Did you mean 'true'?")
    """
    received = "." if from_text else f" of type {type(value).__name__}."
    hint = did_you_mean(value, words) if words and isinstance(value, str) else ""
    return TypeError(f"`{key}` must be {expected}. Received: {key}={shown(value)}{received}{hint}")


def _whole_number(value: Any, from_text: bool) -> int | None:
    """The integer `value` holds, or None; text may be a whole number such as 1e8."""
    if not from_text:  # numpy's integers too, as Python ints (config.json holds them).
        whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        return int(value) if whole else None
    text = value.strip()
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    if not NUMBER_TEXT.fullmatch(text):
        return None
    number = float(text)  # Scientific notation for a whole number: --num-samples 1e8.
    return int(number) if math.isfinite(number) and number.is_integer() else None


def _is_number(value: Any) -> bool:
    """A real number, Python's or numpy's, but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def parse_integer(key: str, value: Any, from_text: bool) -> int:
    """An integer (bools are refused); on the command line also 1e8 or 2E1."""
    number = _whole_number(value, from_text)
    if number is None:
        raise type_error(key, value, "an integer", from_text)
    return number


def parse_number(key: str, value: Any, from_text: bool) -> float:
    """A number, as a float; an int is accepted (bools are refused)."""
    if from_text:
        if not NUMBER_TEXT.fullmatch(value.strip()):
            raise type_error(key, value, "a number", from_text)
        return float(value)
    if not _is_number(value):
        raise type_error(key, value, "a number", from_text)
    try:
        return float(value)
    except OverflowError:  # An integer beyond float's range, e.g. 10**400.
        raise ValueError(
            f"`{key}` must be a finite number. Received: {key}={shown(value)}."
        ) from None


def parse_boolean(key: str, value: Any, from_text: bool) -> bool:
    """True or false; on the command line also yes/no, on/off and 1/0, in any case.

    Example:
        >>> parse_boolean("images", "Off", from_text=True)
        False
    """
    if isinstance(value, str) and value.lower() in TRUE_WORDS + FALSE_WORDS:
        if from_text:
            return value.lower() in TRUE_WORDS
        meant = value.lower() in TRUE_WORDS
        raise TypeError(
            f"`{key}` must be true or false, not a string. Received: {key}={value!r}. Write it "
            f"without quotes: {key} = {str(meant).lower()} in TOML, {key}={meant} in Python."
        )
    if isinstance(value, np.bool_):  # numpy's, as Python's: `images=mask.any()`.
        value = bool(value)
    if not isinstance(value, bool):
        expected = BOOLEAN_TEXT if from_text else "true or false"
        raise type_error(key, value, expected, from_text, TRUE_WORDS + FALSE_WORDS)
    return value


def parse_string(key: str, value: Any, from_text: bool) -> str:
    """A string; whether it names a valid choice is `validate`'s check."""
    if not isinstance(value, str):
        raise type_error(key, value, "a string", from_text)
    return value


def parse_feature_spec(key: str, value: Any, from_text: bool) -> str:
    """A feature map's spec: 'x1^2,x2^2' or 'poly3'; a list of names too, joined by commas.

    Example:
        >>> parse_feature_spec("features", ["x1^2", "x2^2"], from_text=False)
        'x1^2,x2^2'
    """
    names = isinstance(value, (list, tuple)) and value
    if names and all(isinstance(name, str) for name in value):
        return ",".join(value)
    if not isinstance(value, str):
        expected = "feature names such as 'x1^2,x2^2' or 'poly3', or a list ['x1^2', 'x2^2']"
        raise type_error(key, value, expected, from_text)
    return value


def parse_path(key: str, value: Any, from_text: bool) -> str:
    """A file or directory name: a string, or a `pathlib.Path` (returned as a string)."""
    return parse_string(
        key, os.fspath(value) if isinstance(value, os.PathLike) else value, from_text
    )


def parse_data_path(key: str, value: Any, from_text: bool) -> str:
    """A data file's name (or a glob of shards); arrays are refused with the way to pass them.

    Example:
        >>> parse_data_path("data", ([[0.0]], [0]), from_text=False)
        Traceback (most recent call last):
        ...
        TypeError: `data` must be a file name (CSV, .npz, .txt, or a glob of CSV shards). \
Received: data=([[0.0]], [0]) of type tuple. For arrays, save them first: \
numpy.savez("data.npz", X=features, y=labels), then data="data.npz".
    """
    if isinstance(value, (str, os.PathLike)):
        return parse_path(key, value, from_text)
    raise TypeError(
        f"`{key}` must be a file name (CSV, .npz, .txt, or a glob of CSV shards). Received: "
        f"{key}={shown(value)} of type {type(value).__name__}. For arrays, save them first: "
        f'numpy.savez("data.npz", X=features, y=labels), then {key}="data.npz".'
    )


def parse_batch_size(key: str, value: Any, from_text: bool) -> int | str:
    """A minibatch size: an integer, or 'full' for the whole training set."""
    if value == "full":
        return value
    number = _whole_number(value, from_text)
    if number is None:
        raise type_error(key, value, "a positive integer or 'full'", from_text, words=("full",))
    return number


def parse_layer_sizes(key: str, value: Any, from_text: bool) -> list[int]:
    """Layer sizes: a list of integers; on the command line comma-separated, as 8,8."""
    expected = "a list of positive integers such as [8, 8] (on the command line: 8,8)"
    if from_text:
        sizes = [_whole_number(part.strip(), True) for part in value.split(",")]
    elif isinstance(value, (list, tuple)):
        sizes = [_whole_number(size, False) for size in value]
    else:
        sizes = [None]
    if None in sizes:
        raise type_error(key, value, expected, from_text)
    return sizes


def parse_names(key: str, value: Any, from_text: bool) -> list[str]:
    """A list of names; on the command line comma-separated, as boundary,config."""
    if from_text:
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(name, str) for name in value):
        expected = 'a list of names such as ["boundary"] (on the command line: boundary,config)'
        raise type_error(key, value, expected, from_text)
    return list(value)


def parse_class_weight(key: str, value: Any, from_text: bool) -> str | list[float]:
    """'balanced', or one number per class; on the command line comma-separated, as 1,3."""
    expected = "'balanced' or a list of positive numbers, one per class (on the command line: 1,3)"
    if isinstance(value, str) and value == "balanced":
        return value
    if not from_text and callable(getattr(value, "tolist", None)):  # A numpy array.
        value = value.tolist()
    if from_text:
        try:
            return [float(part) for part in value.split(",")]
        except ValueError:
            raise type_error(key, value, expected, from_text, ("balanced",)) from None
    if not isinstance(value, (list, tuple)) or not all(_is_number(weight) for weight in value):
        raise type_error(key, value, expected, from_text, ("balanced",))
    try:
        return [float(weight) for weight in value]
    except OverflowError:  # An integer beyond float's range, e.g. 10**400.
        raise ValueError(
            f"`{key}` must hold positive, finite numbers. Received: {key}={shown(value)}."
        ) from None


def optional(parse: Parser) -> Parser:
    """The parser of a key whose value may also be None (no value: the key's own default).

    Example:
        >>> optional(parse_integer)("num_samples", None, from_text=False) is None
        True
    """

    def parse_optional(key: str, value: Any, from_text: bool) -> Any:
        return None if value is None else parse(key, value, from_text)

    parse_optional.__name__ = parse_optional.__qualname__ = parse.__name__.replace(
        "parse_", "parse_optional_"
    )
    parse_optional.__doc__ = f"None, or: {parse.__doc__}"
    return parse_optional


parse_optional_integer = optional(parse_integer)
parse_optional_number = optional(parse_number)
parse_optional_string = optional(parse_string)
parse_optional_data_path = optional(parse_data_path)
parse_optional_class_weight = optional(parse_class_weight)
parse_optional_batch_size = optional(parse_batch_size)
parse_optional_layer_sizes = optional(parse_layer_sizes)
parse_optional_feature_spec = optional(parse_feature_spec)
