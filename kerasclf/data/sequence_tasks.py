"""Generated sequence tasks for recurrent networks (the seminar's Day 3).

Three seeded numpy generators, fast enough to draw on every run:

    long_dependency  classification of sequences of shape (T, 2) whose class is
                     the sign of one marked step among T - 1 steps of Gaussian
                     noise: a plain RNN loses it as T grows, an LSTM or a GRU
                     keeps it.
    series           windows of T steps of a noisy sum of three sines, each with
                     the next value as its float target (forecasting).
    grammar_text     text from a tiny English grammar with agreement
                     ("the big cat sees a dog."), for character models.

Each draws from a `numpy.random.Generator`, so one seed gives one dataset.

Example:
    >>> rng = np.random.default_rng(0)
    >>> features, labels = long_dependency(100, 1.0, rng, sequence_length=20)
    >>> features.shape, features.dtype, labels.shape
    ((100, 20, 2), dtype('float32'), (100,))
"""

from __future__ import annotations

import math

import numpy as np

from kerasclf.validation import check_integer, check_number

# The largest noise standard deviation a generated set takes: 1000 times the
# signal drowns it already, and far larger noise overflows float32 (3.4e38).
MAX_NOISE_STD = 1e3


def long_dependency(
    num_samples: int, noise: float, rng: np.random.Generator, sequence_length: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose class is one marked step's sign: keep it to the end.

    Each step holds two channels, a value and a marker. One step per sequence,
    drawn uniformly among the T steps, is marked (marker 1): its value is +1
    for class 1 and -1 for class 0. Every other step has marker 0 and a value
    drawn from N(0, noise^2). The class is read after the last step, so the
    model must store the marked value when it comes (a gate opened by the
    marker) and hold it through up to T - 1 steps of noise. An LSTM or a GRU
    learns that in a few epochs; a plain RNN, which can only add its input to
    its state, gets lost in the noise as T grows (near chance at T = 50)
    while it solves short sequences (T = 5).

    Args:
        num_samples: The number of sequences (at least 1).
        noise: The standard deviation of the unmarked values (>= 0).
        rng: The random generator.
        sequence_length: T, the steps per sequence (at least 1).

    Returns:
        `(features, labels)`: float32 (num_samples, T, 2) (channel 0 the
        value, channel 1 the marker) and int32 (num_samples,), the classes 0
        and 1 in random order, half each (one more 0 for an odd count).

    Example:
        >>> features, labels = long_dependency(4, 0.5, np.random.default_rng(0), 3)
        >>> marked = features[:, :, 1] == 1
        >>> bool(np.all(features[:, :, 0][marked] == 2 * labels - 1))
        True
    """
    num_samples = check_integer("num_samples", num_samples, minimum=1)
    noise = check_number(
        "noise", noise, 0.0, MAX_NOISE_STD, low_inclusive=True, high_inclusive=True
    )
    sequence_length = check_integer("sequence_length", sequence_length, minimum=1)
    labels = rng.permutation(np.arange(num_samples) % 2)
    values = rng.normal(0.0, 1.0, size=(num_samples, sequence_length)) * noise
    marked = rng.integers(0, sequence_length, num_samples)
    rows = np.arange(num_samples)
    values[rows, marked] = 2.0 * labels - 1.0
    marker = np.zeros((num_samples, sequence_length))
    marker[rows, marked] = 1.0
    features = np.stack([values, marker], axis=-1).astype(np.float32)
    return features, labels.astype(np.int32)


# The series' periods in steps and their amplitudes: a slow, a middle and a fast wave.
SERIES_PERIODS = (40.0, 13.0, 5.0)
SERIES_AMPLITUDES = (1.0, 0.5, 0.25)


def series_values(length: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """A noisy sum of sines: sum_k a_k sin(2 pi t / p_k + phase_k) + noise N(0, 1).

    The periods p_k are `SERIES_PERIODS` (40, 13 and 5 steps), the amplitudes
    a_k `SERIES_AMPLITUDES` (1, 0.5, 0.25); the phases are uniform in
    [0, 2 pi), drawn from `rng`.

    Args:
        length: The number of steps t = 0 .. length - 1 (at least 1).
        noise: The standard deviation of the added Gaussian noise (>= 0).
        rng: The random generator.

    Returns:
        float64 (length,).

    Example:
        >>> series_values(3, 0.0, np.random.default_rng(0)).shape
        (3,)
    """
    length = check_integer("length", length, minimum=1)
    noise = check_number(
        "noise", noise, 0.0, MAX_NOISE_STD, low_inclusive=True, high_inclusive=True
    )
    phases = rng.uniform(0.0, 2 * math.pi, len(SERIES_PERIODS))
    steps = np.arange(length, dtype=np.float64)
    values = np.zeros(length)
    for period, amplitude, phase in zip(SERIES_PERIODS, SERIES_AMPLITUDES, phases, strict=True):
        values += amplitude * np.sin(2 * math.pi * steps / period + phase)
    return values + noise * rng.normal(0.0, 1.0, length)


def series(
    num_samples: int, noise: float, rng: np.random.Generator, sequence_length: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Windows of a noisy series, each with the value that follows it (forecasting).

    One series of num_samples + T values (`series_values`) is cut into
    windows of T consecutive steps with stride 1: window i holds steps
    i .. i + T - 1 and its target is step i + T. The windows stay in time
    order, so the last ones (a "tail" split) are the future of the others.

    Args:
        num_samples: The number of windows (at least 1).
        noise: The standard deviation of the noise added to the series (>= 0).
        rng: The random generator.
        sequence_length: T, the steps per window (at least 1).

    Returns:
        `(features, targets)`: float32 (num_samples, T, 1) and float32
        (num_samples,).

    Example:
        >>> features, targets = series(5, 0.1, np.random.default_rng(0), 4)
        >>> features.shape, targets.shape, bool(features[1, -1, 0] == targets[0])
        ((5, 4, 1), (5,), True)
    """
    num_samples = check_integer("num_samples", num_samples, minimum=1)
    sequence_length = check_integer("sequence_length", sequence_length, minimum=1)
    values = series_values(num_samples + sequence_length, noise, rng).astype(np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(values[:-1], sequence_length)
    return np.ascontiguousarray(windows[:, :, None]), values[sequence_length:].copy()


# The tiny grammar's words: a singular and a plural form of each noun and verb.
DETERMINERS = {"singular": ("the", "a", "every", "one"), "plural": ("the", "some", "two", "many")}
ADJECTIVES = ("small", "big", "old", "young", "red", "lazy", "happy", "quick")
NOUNS = {
    "singular": ("cat", "dog", "bird", "fox", "horse", "mouse", "child", "farmer"),
    "plural": ("cats", "dogs", "birds", "foxes", "horses", "mice", "children", "farmers"),
}
VERBS = {
    "singular": ("sees", "chases", "likes", "follows", "watches", "finds"),
    "plural": ("see", "chase", "like", "follow", "watch", "find"),
}
# How often a noun phrase takes an adjective.
ADJECTIVE_PROBABILITY = 0.5


def grammar_words() -> tuple[str, ...]:
    """Every word of the grammar, sorted: the noise's replacements.

    Example:
        >>> len(grammar_words()), grammar_words()[:3]
        (43, ('a', 'big', 'bird'))
    """
    words = set(ADJECTIVES)
    for table in (DETERMINERS, NOUNS, VERBS):
        for forms in table.values():
            words.update(forms)
    return tuple(sorted(words))


def pick(words: tuple[str, ...], rng: np.random.Generator) -> str:
    """One of `words`, drawn uniformly."""
    return words[rng.integers(len(words))]


def noun_phrase(rng: np.random.Generator) -> list[str]:
    """Determiner, maybe an adjective, noun; then its number (half plural)."""
    number = "plural" if rng.random() < 0.5 else "singular"
    words = [pick(DETERMINERS[number], rng)]
    if rng.random() < ADJECTIVE_PROBABILITY:
        words.append(pick(ADJECTIVES, rng))
    return [*words, pick(NOUNS[number], rng), number]


def grammar_sentence(rng: np.random.Generator) -> list[str]:
    """One sentence's words: subject, verb agreeing with it, object; then "."."""
    *subject, number = noun_phrase(rng)
    *thing, _ = noun_phrase(rng)
    return [*subject, pick(VERBS[number], rng), *thing]


def grammar_text(num_characters: int, noise: float, rng: np.random.Generator) -> str:
    """Lower-case text from a tiny English grammar, for character-level models.

    Each sentence is `determiner [adjective] noun verb determiner [adjective]
    noun.`, e.g. "the big cat sees some mice.": the verb agrees with the
    subject ("cat sees", "cats see"), "a", "every" and "one" take a singular
    noun, "some", "two" and "many" a plural one. Sentences are joined by one
    space and the text is cut to `num_characters`. With noise, each word is
    replaced with probability `noise` by a word drawn uniformly from the 43
    words of the grammar (`grammar_words`).

    Args:
        num_characters: The length of the text (at least 1).
        noise: The probability that a word is replaced, in [0, 1].
        rng: The random generator.

    Returns:
        A `str` of exactly `num_characters` characters, drawn from the 26
        lower-case letters, " " and ".".

    Example:
        >>> grammar_text(40, 0.0, np.random.default_rng(0))
        'every old cat follows the horse. every h'
    """
    num_characters = check_integer("num_characters", num_characters, minimum=1)
    noise = check_number("noise", noise, 0.0, 1.0, low_inclusive=True, high_inclusive=True)
    words = grammar_words()
    sentences, length = [], 0
    while length < num_characters:
        sentence = [
            pick(words, rng) if noise > 0 and rng.random() < noise else word
            for word in grammar_sentence(rng)
        ]
        sentences.append(" ".join(sentence) + ".")
        length += len(sentences[-1]) + 1
    return " ".join(sentences)[:num_characters]
