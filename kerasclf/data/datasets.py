"""The seminar's named synthetic datasets: the table of their seeded generators, and its checks.

Each generator (`kerasclf.data.point_sets`, `kerasclf.data.fonts`,
`kerasclf.data.sequence_tasks`) draws `(features, labels)` as numpy arrays
from a `numpy.random.Generator`: features of shape (num_samples,
*feature_shape) and labels 0..k-1. `kerasclf.data.make_dataset` wraps them
in a checked `Data`, and `kerasclf.data.streaming.generated_stream` draws
them chunk by chunk.

    seminar_blobs  class 0 ~ N((-4,-4), 20 I), class 1 ~ N((4,4), 20 I); 100 each.
                   `noise` is the variance (default 20).
    hand_line      uniform in [-5, 5]^2, label 1 where x2 + 1.23 x1 - 0.55 > 0.
                   `noise` is the fraction of labels flipped (default 0).
    circle         disc of radius 2.5 (label 1) against a ring at 3.5-5 (label 0).
    xor            uniform in [-5, 5]^2 kept 0.3 off the axes; label 1 where x1 x2 > 0.
    gauss          N((2,2)) (label 1) against N((-2,-2)) (label 0).
    spiral         two interleaved arms of radius up to 5.
    blobs          3 Gaussian blobs, labels 0, 1, 2: the multi-class case.
    fonts          36x36 grey images of characters in 5 fonts, one class per font
                   (`kerasclf.data.fonts`); 2,790 images, 10% held out for testing.

Day 3's sequences (`kerasclf.data.sequence_tasks`) take a `sequence_length` T:

    long_dependency  4,000 sequences (T, 2), T = 50: the class is the sign of one
                     marked step among N(0, noise^2) steps (noise 1); 20% held out.
    series           2,000 windows (T, 1), T = 30, of a noisy sum of three sines,
                     each with the next value as its float target (regression);
                     the last 10% (in time) held out.
    grammar          a text of 20,000 characters from a tiny grammar, cut by the
                     run into windows of T = 40 characters; the last 10% held out.

The 2-D sets draw features of shape (num_samples, 2); fonts draws images
(num_samples, 36, 36). circle, xor, gauss, spiral and blobs have 500 points
and `noise` in [0, 1], 0 by default; they follow TensorFlow Playground (whose
slider goes to 0.5). Each `NamedDataset` records its class names (None:
"0", "1", ...), its held-out test fraction, and its ranges of sizes and noise.

Example:
    >>> spec, num_samples, noise, seed = check_dataset_arguments("xor", None, None, 0)
    >>> features, labels = spec.draw(num_samples, noise, np.random.default_rng(seed))
    >>> features.shape, sorted(set(labels.tolist()))
    ((500, 2), [0, 1])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from kerasclf.data.fonts import DEFAULT_NOISE, FONT_NAMES, render_fonts
from kerasclf.data.point_sets import (
    blobs,
    circle,
    gauss,
    hand_line,
    seminar_blobs,
    spiral,
    xor,
)
from kerasclf.data.sequence_tasks import MAX_NOISE_STD, grammar_text, long_dependency, series
from kerasclf.validation import MAX_INTEGER, check_choice, check_integer, check_number, shown


# The sizes of a synthetic set of points: at least 2, at most the largest int32.
ANY_SIZE = (2, MAX_INTEGER)


# What a dataset's samples are; "text" is one string, cut into windows by the run.
KINDS = ("points", "images", "sequences", "text")
# What its labels are: classes 0..k-1, or float targets.
TASKS = ("classification", "regression")
# How its test part is held out: drawn per class, or the last samples (in time).
TEST_SPLITS = ("stratified", "tail")


@dataclasses.dataclass(frozen=True)
class NamedDataset:
    """A named generator with its defaults, its limits and a one-line description.

    Args:
        generate: `(num_samples, noise, rng) -> (features, labels)`; for a
            "sequences" set `(num_samples, noise, rng, sequence_length)`; for
            a "text" set `(num_characters, noise, rng) -> str`. `draw` calls
            each the right way.
        num_samples: The default size (a "text" set: its characters).
        noise: The default noise.
        description: One line for `kerasclf datasets`.
        class_names: One readable name per class, or None for "0", "1", ...
        test_fraction: The part held out for testing by `make_dataset_splits`;
            0 for none.
        noise_range: The lowest and highest noise allowed.
        zero_noise: Whether the lowest noise itself is allowed.
        size_range: The fewest and most samples allowed.
        kind: One of `KINDS`: "points", "images", "sequences" (features of
            shape (num_samples, T, channels)) or "text" (a string).
        task: One of `TASKS`: "classification" or "regression" (float targets).
        test_split: One of `TEST_SPLITS`: "stratified" (per class) or "tail"
            (the last `test_fraction` of the samples, the latest in time).
        sequence_length: The default T of a "sequences" or "text" set (a
            text's window); None for the others. `check_dataset_arguments`
            returns the spec with the chosen T here.
        sequence_length_range: The shortest and longest T allowed.
    """

    generate: Callable
    num_samples: int
    noise: float
    description: str
    class_names: tuple[str, ...] | None = None
    test_fraction: float = 0.0
    noise_range: tuple[float, float] = (0.0, 1.0)
    zero_noise: bool = True
    size_range: tuple[int, int] = ANY_SIZE
    kind: str = "points"
    task: str = "classification"
    test_split: str = "stratified"
    sequence_length: int | None = None
    sequence_length_range: tuple[int, int] = (1, 1)

    def draw(self, num_samples: int, noise: float, rng: np.random.Generator):
        """Draws the dataset: `generate`, given `sequence_length` for a "sequences" set.

        Returns:
            `(features, labels)`, or a `str` for a "text" set.

        Example:
            >>> spec = check_dataset_arguments("series", None, None, 0, sequence_length=8)[0]
            >>> spec.draw(100, 0.1, np.random.default_rng(0))[0].shape
            (100, 8, 1)
        """
        if self.kind == "sequences":
            return self.generate(num_samples, noise, rng, self.sequence_length)
        return self.generate(num_samples, noise, rng)


# The most font images a set may hold: 100,000 images of 36x36 float32 are 518 MB.
MAX_FONT_IMAGES = 100_000
# The longest sequence a set may have, and the most values (samples x steps) a
# sequence set may hold: 50 million, 400 MB of float32 in long_dependency's 2 channels.
MAX_SEQUENCE_LENGTH = 10_000
MAX_SEQUENCE_VALUES = 50_000_000
# The longest generated text: 10 million characters.
MAX_TEXT_CHARACTERS = 10_000_000
# long_dependency's default noise: the later steps' standard deviation.
LONG_DEPENDENCY_NOISE = 1.0

DATASETS = {
    "seminar_blobs": NamedDataset(
        seminar_blobs,
        200,
        20.0,
        "N((-4,-4), 20I) vs N((4,4), 20I), 100 each (the seminar's)",
        noise_range=(0.0, MAX_NOISE_STD**2),  # The variance.
        zero_noise=False,
    ),
    "hand_line": NamedDataset(
        hand_line, 200, 0.0, "uniform in [-5,5]^2, label 1 above x2 + 1.23 x1 - 0.55 = 0"
    ),
    "circle": NamedDataset(circle, 500, 0.0, "disc r < 2.5 (1) vs ring 3.5 < r < 5 (0)"),
    "xor": NamedDataset(xor, 500, 0.0, "uniform in [-5,5]^2 off the axes, label 1 where x1 x2 > 0"),
    "gauss": NamedDataset(gauss, 500, 0.0, "N((2,2)) (1) vs N((-2,-2)) (0), wider with noise"),
    "spiral": NamedDataset(spiral, 500, 0.0, "two interleaved spiral arms, radius up to 5"),
    "blobs": NamedDataset(
        blobs,
        500,
        0.0,
        "3 Gaussian blobs, labels 0, 1, 2 (multi-class)",
        size_range=(3, MAX_INTEGER),  # A point of each class.
    ),
    "fonts": NamedDataset(
        render_fonts,
        2790,
        DEFAULT_NOISE,
        "36x36 images of characters in 5 fonts, class = font (the seminar's Day 2)",
        class_names=FONT_NAMES,
        test_fraction=0.1,
        # Each font in both the training and the test part.
        size_range=(2 * len(FONT_NAMES), MAX_FONT_IMAGES),
        kind="images",
    ),
    "long_dependency": NamedDataset(
        long_dependency,
        4000,
        LONG_DEPENDENCY_NOISE,
        "class = sign of 1 marked step in T=50 noisy steps: RNN fails, LSTM/GRU learn it",
        test_fraction=0.2,
        noise_range=(0.0, MAX_NOISE_STD),  # The noise's standard deviation.
        size_range=(2, MAX_INTEGER),
        kind="sequences",
        sequence_length=50,
        sequence_length_range=(1, MAX_SEQUENCE_LENGTH),
    ),
    "series": NamedDataset(
        series,
        2000,
        0.1,
        "windows of T=30 steps of 3 noisy sines, target = the next value (Day 3)",
        test_fraction=0.1,
        noise_range=(0.0, MAX_NOISE_STD),
        size_range=(2, MAX_INTEGER),
        kind="sequences",
        task="regression",
        test_split="tail",
        sequence_length=30,
        sequence_length_range=(1, MAX_SEQUENCE_LENGTH),
    ),
    "grammar": NamedDataset(
        grammar_text,
        20_000,
        0.0,
        "text of a tiny grammar (the big cat sees two dogs.), windows of 40 characters",
        test_fraction=0.1,
        size_range=(2, MAX_TEXT_CHARACTERS),
        kind="text",
        test_split="tail",
        sequence_length=40,
        sequence_length_range=(1, MAX_SEQUENCE_LENGTH),
    ),
}


def check_dataset_arguments(
    name: str,
    num_samples: int | None,
    noise: float | None,
    seed: int,
    sequence_length: int | None = None,
):
    """Checks the arguments of a named dataset and fills in its defaults.

    Args:
        name: One of `DATASETS`.
        num_samples: The size (a "text" set: its characters); None for the default.
        noise: The noise; None for the default.
        seed: The seed, >= 0.
        sequence_length: T of a "sequences" or "text" set; None for its
            default. Refused for the other sets.

    Returns:
        `(spec, num_samples, noise, seed)`, the `NamedDataset` (for a
        "sequences" or "text" set, with `sequence_length` set to the checked
        T) and the checked values.

    Raises:
        ValueError: for an unknown name, or a size, noise or sequence length
            outside the dataset's ranges.

    Example:
        >>> check_dataset_arguments("fonts", None, None, 0)[1:]
        (2790, 0.2, 0)
        >>> check_dataset_arguments("series", None, None, 0, sequence_length=12)[0].sequence_length
        12
    """
    spec = DATASETS[check_choice("dataset", name, DATASETS)]
    num_samples = spec.num_samples if num_samples is None else num_samples
    fewest, most = spec.size_range
    try:
        num_samples = check_integer("num_samples", num_samples, minimum=fewest, maximum=most)
    except ValueError:
        if spec.size_range == ANY_SIZE:
            raise
        raise ValueError(
            f"`num_samples` of dataset {name!r} must be an integer in [{fewest}, {most}]. "
            f"Received: num_samples={num_samples}."
        ) from None
    noise = spec.noise if noise is None else noise
    low, high = spec.noise_range
    try:
        noise = check_number(
            "noise", noise, low, high, low_inclusive=spec.zero_noise, high_inclusive=True
        )
    except ValueError:
        interval = f"{'[' if spec.zero_noise else '('}{low}, {high}]"
        raise ValueError(
            f"`noise` of dataset {name!r} must be a finite number in {interval}. Received: "
            f"noise={noise!r}."
        ) from None
    if spec.sequence_length is not None:
        length = check_sequence_length(name, spec, num_samples, sequence_length)
        spec = dataclasses.replace(spec, sequence_length=length)
    elif sequence_length is not None:
        raise ValueError(
            f"`sequence_length` applies to the sequence and text datasets "
            f"({', '.join(repr(key) for key in sequence_datasets())}); dataset {name!r} has "
            f"{spec.kind}. Received: sequence_length={sequence_length!r}; expected None."
        )
    return spec, num_samples, noise, check_integer("seed", seed, minimum=0)


def sequence_datasets() -> tuple[str, ...]:
    """The names of the datasets that take a `sequence_length`.

    Example:
        >>> sequence_datasets()
        ('long_dependency', 'series', 'grammar')
    """
    return tuple(name for name, spec in DATASETS.items() if spec.sequence_length is not None)


def check_sequence_length(
    name: str, spec: NamedDataset, num_samples: int, sequence_length: int | None
) -> int:
    """The checked T of a sequence or text set: in its range, and its data not too big.

    A text set needs more characters than T (one window and its next
    character); a sequence set at most `MAX_SEQUENCE_VALUES` samples x steps.

    Example:
        >>> check_sequence_length("grammar", DATASETS["grammar"], 100, None)
        40
    """
    length = spec.sequence_length if sequence_length is None else sequence_length
    shortest, longest = spec.sequence_length_range
    try:
        length = check_integer("sequence_length", length, minimum=shortest, maximum=longest)
    except ValueError:
        raise ValueError(
            f"`sequence_length` of dataset {name!r} must be an integer in "
            f"[{shortest}, {longest}]. Received: sequence_length={shown(length)}."
        ) from None
    if spec.kind == "text" and num_samples <= length:
        raise ValueError(
            f"`num_samples` (the characters) of dataset {name!r} must exceed sequence_length="
            f"{length}. Received: num_samples={num_samples}."
        )
    if spec.kind == "sequences" and num_samples * length > MAX_SEQUENCE_VALUES:
        raise ValueError(
            f"`num_samples` x `sequence_length` of dataset {name!r} must be at most "
            f"{MAX_SEQUENCE_VALUES}. Received: num_samples={num_samples}, "
            f"sequence_length={length}."
        )
    return length


def describe_datasets() -> str:
    """One line per named dataset: name, default size and noise, description.

    Example:
        >>> describe_datasets().splitlines()[0].split()[:3]
        ['seminar_blobs', 'n=200', 'noise=20']
    """
    return "\n".join(
        f"{name:<16} n={spec.num_samples:<5} noise={spec.noise:<5g} {spec.description}"
        for name, spec in DATASETS.items()
    )
