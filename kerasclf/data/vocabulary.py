"""`Vocabulary`: the tokens of a character language model, id i <-> tokens[i].

A run that trains on text saves its vocabulary beside the model
(`VOCABULARY_FILE`), so that a prompt is encoded, and generated ids decoded,
with exactly the ids the model was trained on. `encode` reads text one
character at a time: the tokens are characters (`Vocabulary.from_text`).
`check_token_ids` checks features of token ids against a vocabulary's size.

Example:
    >>> vocabulary = Vocabulary.from_text("hello")
    >>> vocabulary.tokens, vocabulary.size
    (('e', 'h', 'l', 'o'), 4)
    >>> vocabulary.encode("hole").tolist(), vocabulary.decode([1, 0, 2, 2, 3])
    ([1, 3, 2, 0], 'hello')
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable

import numpy as np

from kerasclf.atomic_files import write_json
from kerasclf.validation import shown

# The file a run saves its vocabulary in, beside the model.
VOCABULARY_FILE = "vocabulary.json"


def token_strings(tokens) -> tuple[str, ...]:
    """The strings of token ids 0, 1, ...: from a `Vocabulary` or a sequence of strings.

    Raises:
        TypeError: for anything else, e.g. one string.

    Example:
        >>> token_strings(Vocabulary(("a", "b"))), token_strings(["x", "y"])
        (('a', 'b'), ('x', 'y'))
    """
    tokens = getattr(tokens, "tokens", tokens)
    if (
        isinstance(tokens, str)
        or not isinstance(tokens, Iterable)
        or not all(isinstance(token, str) for token in tokens)
    ):
        raise TypeError(
            "`tokens` must be a sequence of strings (or a Vocabulary), one per token id. "
            f"Received: tokens={shown(tokens)}."
        )
    return tuple(tokens)


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The tokens of a run, checked on creation: id i stands for `tokens[i]`.

    Args:
        tokens: Unique, non-empty strings (a tuple; a list is converted).

    Raises:
        TypeError: for tokens that are not a sequence of strings.
        ValueError: for no tokens, an empty token or a repeated one.

    Example:
        >>> vocabulary = Vocabulary(("a", "b", "\\n"))
        >>> vocabulary.size, vocabulary.to_json()
        (3, {'tokens': ['a', 'b', '\\n']})
        >>> Vocabulary.from_json(vocabulary.to_json()) == vocabulary
        True
    """

    tokens: tuple[str, ...]

    def __post_init__(self):
        tokens = self.tokens
        if isinstance(tokens, str) or not isinstance(tokens, (tuple, list)):
            raise TypeError(
                "`tokens` must be a tuple of strings, one per token id. "
                f"Received: tokens={shown(tokens)} of type {type(tokens).__name__}."
            )
        wrong = next((token for token in tokens if not isinstance(token, str)), None)
        if wrong is not None:
            raise TypeError(
                f"`tokens` must be strings, one per token id. Received {shown(wrong)} of type "
                f"{type(wrong).__name__} in tokens={shown(tokens)}."
            )
        if not tokens:
            raise ValueError("`tokens` must hold at least one token. Received: tokens=().")
        if "" in tokens:
            raise ValueError(
                f"`tokens` must be non-empty strings. Received an empty token at id "
                f"{tokens.index('')} in tokens={shown(tokens)}."
            )
        if len(set(tokens)) != len(tokens):
            seen = set()
            repeated = next(token for token in tokens if token in seen or seen.add(token))
            raise ValueError(
                f"`tokens` must be unique: one id per token. Received {repeated!r} twice "
                f"(ids {[i for i, token in enumerate(tokens) if token == repeated]}) in "
                f"tokens={shown(tokens)}."
            )
        object.__setattr__(self, "tokens", tuple(tokens))

    @property
    def size(self) -> int:
        """The number of tokens: ids run 0..size-1."""
        return len(self.tokens)

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The sorted unique characters of `text`.

        Example:
            >>> Vocabulary.from_text("banana").tokens
            ('a', 'b', 'n')
        """
        if not isinstance(text, str) or not text:
            raise ValueError(
                "`text` must be a non-empty string to take a vocabulary from. "
                f"Received: text={shown(text)}."
            )
        return cls(tuple(sorted(set(text))))

    def encode(self, text: str, key: str = "prompt") -> np.ndarray:
        """The ids of the characters of `text`, int32, shape (len(text),).

        Args:
            text: The text; every character must be a token.
            key: The argument's name in an error message.

        Raises:
            ValueError: naming the characters that are not tokens.

        Example:
            >>> Vocabulary(("a", "b")).encode("abba").tolist()
            [0, 1, 1, 0]
            >>> Vocabulary(("a", "b")).encode("Qz")
            Traceback (most recent call last):
            ...
            ValueError: `prompt` has characters outside the run's vocabulary: 'Q', 'z'. \
Received: prompt='Qz'. Expected characters among: 'a', 'b'.
        """
        if not isinstance(text, str):
            raise TypeError(
                f"`{key}` must be a string. Received: {key}={shown(text)} of type "
                f"{type(text).__name__}."
            )
        ids = self._ids
        unknown = sorted(set(text) - ids.keys())
        if unknown:
            listed = ", ".join(repr(character) for character in unknown[:20])
            more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
            expected = ", ".join(repr(token) for token in self.tokens)
            raise ValueError(
                f"`{key}` has characters outside the run's vocabulary: {listed}{more}. "
                f"Received: {key}={shown(text)}. Expected characters among: {expected}."
            )
        return np.fromiter((ids[character] for character in text), np.int32, len(text))

    def decode(self, ids) -> str:
        """The text of token ids: whole numbers 0..size-1, a 1-D sequence.

        Raises:
            ValueError: naming the first id outside 0..size-1.

        Example:
            >>> Vocabulary(("a", "b")).decode(np.array([1.0, 0.0]))
            'ba'
        """
        try:
            array = np.asarray(ids)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"`ids` must be a 1-D array of token ids ({error}). Give a list or array of "
                f"whole numbers 0..{self.size - 1}."
            ) from None
        if array.dtype.kind not in "iuf" or array.ndim != 1:
            raise ValueError(
                f"`ids` must be a 1-D array of whole numbers 0..{self.size - 1}. Received an "
                f"array of shape {array.shape} and dtype {array.dtype}."
            )
        with np.errstate(invalid="ignore"):
            valid = (array >= 0) & (array < self.size) & (array == np.floor(array))
        if not valid.all():
            position = int(np.argmin(valid))
            raise ValueError(
                f"token id {array[position].item()!r} at position {position} is outside the "
                f"vocabulary of {self.size} tokens: ids must be whole numbers "
                f"0..{self.size - 1}. Received: ids={shown(array.tolist())}."
            )
        return "".join(self.tokens[int(index)] for index in array)

    def to_json(self) -> dict:
        """`{"tokens": [...]}`, as `save` writes it."""
        return {"tokens": list(self.tokens)}

    @classmethod
    def from_json(cls, values: dict) -> Vocabulary:
        """The vocabulary `to_json` gave.

        Raises:
            ValueError: for anything but a dict with a list "tokens".
        """
        if not isinstance(values, dict) or not isinstance(values.get("tokens"), list):
            raise ValueError(
                'a vocabulary must be a JSON object {"tokens": [...]}, a list of strings. '
                f"Received: {shown(values)}."
            )
        return cls(tuple(values["tokens"]))

    def save(self, path: str) -> None:
        """Writes the vocabulary as JSON, atomically (`kerasclf.atomic_files`).

        Example:
            >>> import os, tempfile
            >>> path = os.path.join(tempfile.mkdtemp(), VOCABULARY_FILE)
            >>> Vocabulary(("a", "\\n")).save(path)
            >>> Vocabulary.load(path).tokens
            ('a', '\\n')
        """
        write_json(os.fspath(path), self.to_json())

    @classmethod
    def load(cls, path: str) -> Vocabulary:
        """Reads a vocabulary `save` wrote.

        Raises:
            ValueError: one line, for a missing, unreadable or corrupt file.
        """
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise ValueError(
                f"vocabulary file does not exist or is not a file. Received: path={path!r}. "
                f"A run that trained on text saves it as {VOCABULARY_FILE} beside its model."
            )
        try:
            with open(path, encoding="utf-8") as file:
                values = json.load(file)
            return cls.from_json(values)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, TypeError) as error:
            reason = str(error).replace("\n", " ")
            raise ValueError(
                f"{path}: not a readable vocabulary file ({reason}). Expected JSON "
                '{"tokens": [...]} as Vocabulary.save writes it.'
            ) from None

    @property
    def _ids(self) -> dict[str, int]:
        return {token: index for index, token in enumerate(self.tokens)}


def as_vocabulary(value, key: str = "vocabulary") -> Vocabulary:
    """`value` as a `Vocabulary`: one already, or its tokens (a list or tuple of strings).

    Raises:
        TypeError: one line, for anything else (one string, a dict, ...); the
            tokens themselves are checked by `Vocabulary`.

    Example:
        >>> as_vocabulary(["a", "b", " "]).encode("ab a", key="prompt").tolist()
        [0, 1, 2, 0]
        >>> as_vocabulary("ab")
        Traceback (most recent call last):
        ...
        TypeError: `vocabulary` must be a Vocabulary or a list of the model's tokens, one string per token id (a run's: Vocabulary.load("RUN/vocabulary.json")). Received: vocabulary='ab' of type str.
    """  # noqa: E501
    if isinstance(value, Vocabulary):
        return value
    if isinstance(value, (list, tuple)):
        return Vocabulary(tuple(value))
    raise TypeError(
        f"`{key}` must be a Vocabulary or a list of the model's tokens, one string per token "
        f'id (a run\'s: Vocabulary.load("RUN/{VOCABULARY_FILE}")). Received: '
        f"{key}={shown(value)} of type {type(value).__name__}."
    )


def check_token_ids(features: np.ndarray, vocabulary_size: int, source: str = "data") -> None:
    """Checks token-id features: (num_samples, steps), whole numbers 0..vocabulary_size-1.

    Raises:
        ValueError: naming the first id outside the vocabulary, and its sample.

    Example:
        >>> check_token_ids(np.array([[0.0, 2.0], [1.0, 1.0]]), 3)
        >>> check_token_ids(np.array([[0.0, 2.0], [1.0, 5.0]]), 3)
        Traceback (most recent call last):
        ...
        ValueError: data: token id 5 at sample 1 (step 1) is outside the vocabulary of 3 \
tokens: ids must be whole numbers 0..2.
    """
    if features.ndim != 2:
        raise ValueError(
            f"{source}: token ids must be a 2-D array (num_samples, steps). Received features "
            f"of shape {features.shape} with a vocabulary of {vocabulary_size} tokens."
        )
    with np.errstate(invalid="ignore"):
        valid = (features >= 0) & (features < vocabulary_size) & (features == np.floor(features))
    if not valid.all():
        sample, step = (int(index) for index in np.argwhere(~valid)[0])
        value = features[sample, step].item()
        value = int(value) if float(value).is_integer() else value
        raise ValueError(
            f"{source}: token id {value!r} at sample {sample} (step {step}) is outside the "
            f"vocabulary of {vocabulary_size} tokens: ids must be whole numbers "
            f"0..{vocabulary_size - 1}."
        )
