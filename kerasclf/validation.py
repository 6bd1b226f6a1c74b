"""Checks for user input that raise one clear line.

Every message says what was wrong, the value received and what is expected,
and, for a name, the closest valid one:

    `optimizer` must be one of 'adam', 'decay', 'gd', 'momentum', 'nesterov'.
    Received: optimizer='momentm'. Did you mean 'momentum'?
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import numbers
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from kerasclf.key_synonyms import KEY_SYNONYMS

# A setting the model holds as float32 (a weight, a step size, a penalty) must
# stay below this, or it becomes infinity.
FLOAT32_LIMIT = 3e38


def shown(value: Any, limit: int = 60) -> str:
    """`repr(value)` on one line, shortened in the middle when it is longer than `limit`.

    A repr that spans lines (a numpy array's) is joined with single spaces, so
    that the error stays one line; a string's repr never spans lines.

    Example:
        >>> shown(10**100)
        '1000000000000000000000000...0000000000 (101 characters)'
        >>> import numpy as np
        >>> shown(np.zeros((2, 2)))
        'array([[0., 0.], [0., 0.]])'
    """
    text = re.sub(r"\s*\n\s*", " ", repr(value))
    if len(text) <= limit:
        return text
    return f"{text[:25]}...{text[-10:]} ({len(text)} characters)"


def closest_name(
    name: str, valid_names: Iterable[str], synonyms: Mapping[str, str] | None = None
) -> str | None:
    """The valid name closest to `name`, or None if nothing is close.

    A name that `synonyms` knows (another library's word for a setting, such
    as "lr" for "learning_rate") gives its valid name; dashes and underscores,
    leading dashes and case do not matter there. Otherwise the closest by
    spelling.

    Example:
        >>> closest_name("momentm", ["gd", "momentum"])
        'momentum'
        >>> closest_name("--lr", ["--l2", "--learning-rate"], {"lr": "learning_rate"})
        '--learning-rate'
        >>> closest_name("CNN", ["mlp", "cnn"])
        'cnn'
    """
    valid_names = list(valid_names)
    meant = (synonyms or {}).get(_plain(name))
    if meant is not None:
        for valid in valid_names:
            if _plain(valid) == _plain(meant):
                return valid
    # Spelling, in any case: "CNN" means "cnn".
    by_lower_case = {str(valid).lower(): valid for valid in reversed(valid_names)}
    matches = difflib.get_close_matches(str(name).lower(), by_lower_case, n=1, cutoff=0.6)
    return by_lower_case[matches[0]] if matches else None


def _plain(name: str) -> str:
    """A name without leading dashes, in lower case, with underscores for dashes."""
    return str(name).lstrip("-").replace("-", "_").lower()


def did_you_mean(
    name: str, valid_names: Iterable[str], synonyms: Mapping[str, str] | None = None
) -> str:
    """ " Did you mean 'x'?" for the closest valid name (see `closest_name`), or an empty string."""
    match = closest_name(name, valid_names, synonyms)
    return f" Did you mean {match!r}?" if match else ""


def check_choice(key: str, value: Any, valid_names: Iterable[str]) -> str:
    """Returns `value` if it is one of `valid_names`, else raises ValueError.

    Example:
        >>> check_choice("init", "zeros", ["zeros", "random"])
        'zeros'
    """
    valid_names = sorted(valid_names)
    if not isinstance(value, str) or value not in valid_names:
        names = ", ".join(repr(name) for name in valid_names)
        raise ValueError(
            f"`{key}` must be one of {names}. Received: {key}={shown(value)}."
            + (did_you_mean(value, valid_names) if isinstance(value, str) else "")
        )
    return value


# The largest count, size or seed a setting may take: TensorFlow holds them
# as 32-bit integers in places (indices, seeds).
MAX_INTEGER = 2**31 - 1


def check_integer(key: str, value: Any, minimum: int = 1, maximum: int = MAX_INTEGER) -> int:
    """Returns `value` if it is an integer in [`minimum`, `maximum`] (bools are refused).

    Example:
        >>> check_integer("epochs", 100)
        100
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{key}` must be an integer >= {minimum}. "
            f"Received: {key}={shown(value)} of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"`{key}` must be an integer >= {minimum}. Received: {key}={value!r}.")
    if value > maximum:
        raise ValueError(
            f"`{key}` must be an integer <= {maximum}. Received: {key}={shown(value)}."
        )
    return int(value)


def check_number(
    key: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    low_inclusive: bool = False,
    high_inclusive: bool = False,
) -> float:
    """Returns `value` as a float if it is a finite number in the given range.

    Example:
        >>> check_number("learning_rate", 0.001, low=0.0)
        0.001
    """
    left = "[" if low_inclusive else "("
    right = "]" if high_inclusive else ")"
    expected = f"a finite number in {left}{low}, {high}{right}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{key}` must be {expected}. "
            f"Received: {key}={shown(value)} of type {type(value).__name__}."
        )
    try:
        value = float(value)
    except OverflowError:  # An integer beyond float's range, e.g. 10**400.
        raise ValueError(f"`{key}` must be {expected}. Received: {key}={shown(value)}.") from None
    too_low = value < low or (value == low and not low_inclusive)
    too_high = value > high or (value == high and not high_inclusive)
    if not math.isfinite(value) or too_low or too_high:
        raise ValueError(f"`{key}` must be {expected}. Received: {key}={shown(value)}.")
    return value


def check_data_name(data_name: Any) -> str | None:
    """A data set's name for titles and descriptions ("test", "validation"), or None.

    Example:
        >>> check_data_name("test"), check_data_name(None)
        ('test', None)
        >>> check_data_name(" ")
        Traceback (most recent call last):
        ...
        ValueError: `data_name` must be the set's name, e.g. 'test' or 'validation', or None. \
Received: data_name=' '.
    """
    if data_name is not None and (not isinstance(data_name, str) or not data_name.strip()):
        raise ValueError(
            "`data_name` must be the set's name, e.g. 'test' or 'validation', or None. "
            f"Received: data_name={shown(data_name)}."
        )
    return data_name


def check_path(key: str, value: Any) -> str:
    """Returns `value` as a string if it is a path: a non-empty string or an os.PathLike.

    Example:
        >>> check_path("logdir", 5)
        Traceback (most recent call last):
        ...
        TypeError: `logdir` must be a path, a non-empty string or a pathlib.Path. Received: logdir=5 of type int.
    """  # noqa: E501
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise TypeError(
            f"`{key}` must be a path, a non-empty string or a pathlib.Path. Received: "
            f"{key}={shown(value)} of type {type(value).__name__}."
        )
    return value


def check_directory_path(key: str, value: Any) -> str:
    """`check_path`, and no file where the directory (or a folder above it) would be.

    Nothing is created: a callback's log directory is made when it first writes.

    Example:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile() as file:
        ...     check_directory_path("logdir", os.path.join(file.name, "run"))
        Traceback (most recent call last):
        ...
        ValueError: `logdir` must be a directory, but '/tmp/...' is a file. Received: logdir='/tmp/.../run'. Choose another logdir.
    """  # noqa: E501
    path = check_path(key, value)
    probe = os.path.abspath(path)
    while not os.path.exists(probe) and os.path.dirname(probe) != probe:
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise ValueError(
            f"`{key}` must be a directory, but {probe!r} is a file. Received: {key}={path!r}. "
            f"Choose another {key}."
        )
    return path


def check_text_stream(key: str, stream: Any) -> Any:
    """Returns `stream` if it is None or a text stream open for writing.

    Tried with an empty write, which a closed stream, a binary file or one
    open for reading refuses.

    Example:
        >>> check_text_stream("stream", 5)
        Traceback (most recent call last):
        ...
        TypeError: `stream` must be a text stream such as sys.stdout or an open file, or None. Received: stream=5 of type int.
    """  # noqa: E501
    if stream is None:
        return None
    if not callable(getattr(stream, "write", None)):
        raise TypeError(
            f"`{key}` must be a text stream such as sys.stdout or an open file, or None. "
            f"Received: {key}={shown(stream)} of type {type(stream).__name__}."
        )
    try:
        stream.write("")
    except (ValueError, TypeError, OSError) as error:  # Closed, binary, read-only.
        raise ValueError(
            f"`{key}` must be a text stream open for writing, such as sys.stdout or "
            f"io.StringIO(). Received: {key}=<{type(stream).__module__}.{type(stream).__name__}"
            f" object>, which refuses text: {error}. Open it for writing text, or pass None."
        ) from None
    return stream


def check_file_exists(key: str, path: str) -> str:
    """Returns `path` if it names a file; else one line: missing, or a directory.

    Example:
        >>> check_file_exists("config", "runs.toml")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: `config` file does not exist. Received: config='runs.toml'. It is read from ...
    """
    if os.path.isdir(path):
        raise ValueError(
            f"`{key}` must be a file, but {path!r} is a directory. Received: {key}={path!r}. "
            "Name a file in it."
        )
    if os.path.exists(path) and not os.path.isfile(path):  # A FIFO, a socket, a device.
        raise ValueError(
            f"`{key}` must be a regular file, but {path!r} is not one (a pipe or a device?). "
            f"Received: {key}={path!r}. Save the contents to a file and name that."
        )
    if not os.path.isfile(path):
        raise ValueError(
            f"`{key}` file does not exist. Received: {key}={path!r}."
            f"{relative_to_where(path)}{closest_path(path)}"
        )
    return path


def relative_to_where(path: str) -> str:
    """ " It is read from the current directory, 'DIR'." for a relative path, else "".

    Example:
        >>> relative_to_where("/data/points.csv")
        ''
        >>> relative_to_where("points.csv") == (
        ...     f" It is read from the current directory, {os.getcwd()!r}."
        ... )
        True
    """
    if os.path.isabs(path):
        return ""
    return f" It is read from the current directory, {os.getcwd()!r}."


def closest_path(path: str, wanted=os.path.isfile) -> str:
    """ " Did you mean 'folder/name'?" for the entry of `path`'s folder closest to it, or "".

    Only entries for which `wanted(entry_path)` holds are offered (files, by
    default); nothing is offered where the folder itself does not exist.

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> open(os.path.join(folder, "good.csv"), "w").close()
        >>> closest_path(os.path.join(folder, "god.csv")) == (
        ...     f" Did you mean {os.path.join(folder, 'good.csv')!r}?"
        ... )
        True
    """
    folder, name = os.path.split(os.path.normpath(path))
    try:
        entries = os.listdir(folder or ".")
    except OSError:
        return ""
    entries = [entry for entry in entries if wanted(os.path.join(folder, entry))]
    match = closest_name(name, entries)
    return "" if match is None else f" Did you mean {os.path.join(folder, match)!r}?"


def suggests_keywords(function):
    """`function`, refusing a misspelled keyword argument with the closest one named.

    Python says only "got an unexpected keyword argument"; this adds "Did you
    mean ...?" (other libraries' words too, `kerasclf.key_synonyms`: `lr` for
    `learning_rate`) and the keywords it takes. A function that takes `**kwargs` is
    returned as it is. For a class, decorate its `__init__`.

    Example:
        >>> @suggests_keywords
        ... def make(num_samples=200, noise=0.0):
        ...     return num_samples
        >>> make(n_samples=10)
        Traceback (most recent call last):
        ...
        TypeError: make() got an unexpected keyword argument 'n_samples'. Did you mean 'num_samples'? It takes: num_samples, noise.
    """  # noqa: E501
    parameters = inspect.signature(function).parameters.values()
    if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters):
        return function
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    names = [p.name for p in parameters if p.kind in kinds and p.name != "self"]
    label = function.__qualname__.removesuffix(".__init__")

    @functools.wraps(function)
    def checked(*args, **kwargs):
        for key in kwargs:
            if key not in names:
                raise TypeError(
                    f"{label}() got an unexpected keyword argument {key!r}."
                    f"{did_you_mean(key, names, KEY_SYNONYMS)} It takes: {', '.join(names)}."
                )
        return function(*args, **kwargs)

    return checked
