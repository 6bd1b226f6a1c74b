"""A text as labelled data: windows of characters, each labelled with the next one.

A character language model learns p(next character | the characters before).
`character_windows` cuts a text into windows of `sequence_length` character
ids, the features, each labelled with the character that follows it:

    text "hello!", sequence_length 3, stride 1:
        "hel" -> "l",  "ell" -> "o",  "llo" -> "!"

The classes are the text's characters (`Vocabulary.from_text`), named
readably (a newline "⏎", a space "␣"). `read_text` reads a UTF-8 file.

Example:
    >>> data = character_windows("hello!", sequence_length=3)
    >>> data.vocabulary.tokens, data.features.tolist()
    (('!', 'e', 'h', 'l', 'o'), [[2.0, 1.0, 3.0], [1.0, 3.0, 3.0], [3.0, 3.0, 4.0]])
    >>> [data.class_names[label] for label in data.labels]
    ['l', 'o', '!']
"""

from __future__ import annotations

import os

import numpy as np

from kerasclf.data.labelled import Data
from kerasclf.data.text_encoding import is_utf16, to_utf8_command
from kerasclf.data.vocabulary import Vocabulary
from kerasclf.validation import MAX_INTEGER, check_file_exists, check_integer, shown

# Characters that do not show on a page, named by a visible sign.
READABLE_CHARACTERS = {"\n": "⏎", " ": "␣", "\t": "⇥", "\r": "␍"}


def read_text(path: str) -> str:
    """The text of a UTF-8 file (a leading byte-order mark dropped).

    Raises:
        ValueError: one line, for a missing file, a byte that is not UTF-8
            (naming its offset) or an empty file.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "corpus.txt")
        >>> _ = open(path, "w", encoding="utf-8").write("To be, or not to be\\n")
        >>> read_text(path)
        'To be, or not to be\\n'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`data` must be a file path. Received: data={shown(path)}.")
    path = os.fspath(path)
    check_file_exists("data", path)
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError as error:
        raise ValueError(
            f"{path}: not a readable text file ({error}). Give the path of a UTF-8 .txt file "
            "you may read."
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        received = (
            "a UTF-16 file (it begins with UTF-16's byte-order mark)"
            if is_utf16(raw)
            else f"byte {raw[error.start]:#04x} at byte offset {error.start}, which is not UTF-8 "
            f"({error.reason})"
        )
        raise ValueError(
            f"{path}: a text file must be UTF-8. Received {received}. Save the file as UTF-8, "
            f"e.g. {to_utf8_command(raw, '.txt')}."
        ) from None
    text = text.removeprefix("\ufeff")
    if not text:
        raise ValueError(
            f"{path}: the text file is empty. A character language model needs text to learn "
            "from: give a file of at least a few thousand characters."
        )
    return text


def readable_character(character: str) -> str:
    """A character as a class name shows it: "⏎" for a newline, "␣" for a space.

    Other characters that do not print are written as Python escapes ("\\x00").

    Example:
        >>> readable_character("\\n"), readable_character(" "), readable_character("a")
        ('⏎', '␣', 'a')
    """
    if character in READABLE_CHARACTERS:
        return READABLE_CHARACTERS[character]
    if not character.isprintable():
        return repr(character)[1:-1]
    return character


def readable_names(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """One readable name per token, all different.

    A token whose readable sign is also a token of its own (a text holding
    both " " and "␣") is named by its Python repr instead ("' '").

    Example:
        >>> readable_names((" ", "␣", "a"))
        ("' '", '␣', 'a')
    """
    names = [readable_character(token) for token in tokens]
    taken = set(tokens)
    return tuple(
        repr(token) if name != token and name in taken else name
        for token, name in zip(tokens, names)
    )


def character_windows(
    text: str,
    sequence_length: int,
    stride: int = 1,
    source: str = "text",
    vocabulary: Vocabulary | None = None,
) -> Data:
    """Windows of `sequence_length` character ids, each labelled with the next character.

    Window i starts at character i * stride: features (N, sequence_length)
    of ids, labels the id of the character after each window, with
    N = (len(text) - sequence_length - 1) // stride + 1.

    Args:
        text: The text; at least `sequence_length + 1` characters and two
            distinct ones.
        sequence_length: Characters per window, >= 1.
        stride: Characters between the starts of two windows, >= 1.
        source: Where the text came from, for error messages.
        vocabulary: The characters' ids, e.g. a trained run's; None for the
            text's own (`Vocabulary.from_text`).

    Returns:
        A `Data` of token ids: `num_classes` the vocabulary's size,
        `class_names` the characters shown readably, `vocabulary` the text's.

    Example:
        >>> data = character_windows("abcabcab", sequence_length=2, stride=3)
        >>> data.features.tolist(), data.labels.tolist(), data.num_classes
        ([[0.0, 1.0], [0.0, 1.0]], [2, 2], 3)
    """
    if not isinstance(text, str):
        raise TypeError(f"{source}: `text` must be a string. Received type {type(text).__name__}.")
    sequence_length = check_integer("sequence_length", sequence_length, minimum=1)
    stride = check_integer("stride", stride, minimum=1, maximum=MAX_INTEGER)
    if len(text) < sequence_length + 1:
        raise ValueError(
            f"{source}: the text has {len(text)} characters, and windows of sequence_length="
            f"{sequence_length} need at least {sequence_length + 1} (a window and the character "
            "after it). Give a longer text or a shorter sequence_length."
        )
    largest_stride = len(text) - sequence_length - 1  # The most that leaves two windows.
    if stride > 1 and stride > largest_stride:
        raise ValueError(
            f"{source}: stride={stride} leaves one window of sequence_length={sequence_length} "
            f"in the text's {len(text)} characters, a single sample to train on. Choose a "
            f"stride of at most {max(largest_stride, 1)}, or give a longer text."
        )
    if vocabulary is None:
        vocabulary = Vocabulary.from_text(text)
        if vocabulary.size < 2:
            raise ValueError(
                f"{source}: the text has only 1 distinct character ({text[0]!r}), so there is "
                "nothing to predict. Give a text of at least 2 different characters."
            )
    try:
        ids = vocabulary.encode(text, key="text")
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None
    windows = np.lib.stride_tricks.sliding_window_view(ids[:-1], sequence_length)[::stride]
    labels = ids[sequence_length:][::stride]
    return Data(
        np.ascontiguousarray(windows),
        labels,
        source,
        num_classes=vocabulary.size,
        class_names=readable_names(vocabulary.tokens),
        vocabulary=vocabulary,
    )
