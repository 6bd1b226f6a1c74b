"""The seminar's named synthetic datasets: seeded generators of labelled points.

Each generator draws `(features, labels)` as numpy arrays from a
`numpy.random.Generator`: features of shape (num_samples, *feature_shape) and
labels 0..k-1. `kerasclf.data.make_dataset` wraps them in a checked `Data`, and
`kerasclf.data.streaming.generated_stream` draws them chunk by chunk.

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

The 2-D sets draw features of shape (num_samples, 2); fonts draws images
(num_samples, 36, 36). circle, xor, gauss, spiral and blobs have 500 points
and `noise` in [0, 1], 0 by default; they follow TensorFlow Playground (whose
slider goes to 0.5). Each `NamedDataset` records its class names (None:
"0", "1", ...), its held-out test fraction, and its ranges of sizes and noise.

Example:
    >>> spec, num_samples, noise, seed = check_dataset_arguments("xor", None, None, 0)
    >>> features, labels = spec.generate(num_samples, noise, np.random.default_rng(seed))
    >>> features.shape, sorted(set(labels.tolist()))
    ((500, 2), [0, 1])
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np

from kerasclf.data.fonts import DEFAULT_NOISE, FONT_NAMES, render_fonts
from kerasclf.validation import MAX_INTEGER, check_choice, check_integer, check_number


# Generators: (num_samples, noise, random generator) -> (features, labels).


def seminar_blobs(num_samples: int, noise: float, rng: np.random.Generator):
    """Class 0 ~ N((-4,-4), noise I) and class 1 ~ N((4,4), noise I)."""
    num_zeros = num_samples // 2
    covariance = noise * np.eye(2)
    zeros = rng.multivariate_normal([-4.0, -4.0], covariance, num_zeros)
    ones = rng.multivariate_normal([4.0, 4.0], covariance, num_samples - num_zeros)
    labels = np.repeat([0, 1], [num_zeros, num_samples - num_zeros])
    return np.concatenate([zeros, ones]), labels


# The slide's line x2 + 1.23 x1 - 0.55 = 0, as (w1, w2, b) of w1 x1 + w2 x2 + b = 0.
SLIDE_LINE = (1.23, 1.0, -0.55)


def hand_line(num_samples: int, noise: float, rng: np.random.Generator):
    """Uniform in [-5, 5]^2, labelled by the slide's line x2 + 1.23 x1 - 0.55 > 0."""
    features = rng.uniform(-5.0, 5.0, size=(num_samples, 2))
    w1, w2, b = SLIDE_LINE
    labels = (w2 * features[:, 1] + w1 * features[:, 0] + b > 0).astype(int)
    flipped = rng.random(num_samples) < noise
    return features, np.where(flipped, 1 - labels, labels)


def circle(num_samples: int, noise: float, rng: np.random.Generator):
    """Disc of radius 2.5 (label 1) against a ring at radius 3.5-5 (label 0)."""
    num_inner = num_samples // 2
    radius = np.concatenate(
        [
            rng.uniform(0.0, 2.5, num_inner),
            rng.uniform(3.5, 5.0, num_samples - num_inner),
        ]
    )
    angle = rng.uniform(0.0, 2 * math.pi, num_samples)
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    points += rng.uniform(-5.0, 5.0, points.shape) * noise
    # As in Playground, the label follows the (noisy) point's distance.
    labels = (np.hypot(points[:, 0], points[:, 1]) < 3.0).astype(int)
    return points, labels


def xor(num_samples: int, noise: float, rng: np.random.Generator):
    """Uniform in [-5, 5]^2, 0.3 off the axes; label 1 where x1 * x2 > 0."""
    points = rng.uniform(-5.0, 5.0, size=(num_samples, 2))
    points += np.where(points > 0, 0.3, -0.3)
    points += rng.uniform(-5.0, 5.0, points.shape) * noise
    return points, (points[:, 0] * points[:, 1] > 0).astype(int)


def gauss(num_samples: int, noise: float, rng: np.random.Generator):
    """N((2,2), s^2 I) (label 1) against N((-2,-2), s^2 I) (label 0).

    The variance s^2 grows from 0.5 at noise 0 to 4 at noise 0.5, as in Playground.
    """
    variance = 0.5 + 7.0 * noise
    num_ones = num_samples // 2
    ones = rng.normal(2.0, math.sqrt(variance), size=(num_ones, 2))
    zeros = rng.normal(-2.0, math.sqrt(variance), size=(num_samples - num_ones, 2))
    labels = np.repeat([1, 0], [num_ones, num_samples - num_ones])
    return np.concatenate([ones, zeros]), labels


def spiral(num_samples: int, noise: float, rng: np.random.Generator):
    """Two interleaved arms r = 5 t, angle = 3.5 pi t (+ pi for label 0)."""
    num_ones = num_samples // 2
    arms = []
    for count, offset in ((num_ones, 0.0), (num_samples - num_ones, math.pi)):
        t = np.arange(count) / count
        angle = 1.75 * 2 * math.pi * t + offset
        arm = np.stack([5 * t * np.sin(angle), 5 * t * np.cos(angle)], axis=1)
        arms.append(arm + rng.uniform(-1.0, 1.0, arm.shape) * noise)
    labels = np.repeat([1, 0], [num_ones, num_samples - num_ones])
    return np.concatenate(arms), labels


def blobs(num_samples: int, noise: float, rng: np.random.Generator, num_classes: int = 3):
    """`num_classes` Gaussian blobs on a circle of radius 4, std 1 + 2 noise."""
    labels = np.arange(num_samples) % num_classes
    angles = 2 * math.pi * labels / num_classes
    centers = 4.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centers + rng.normal(0.0, 1.0 + 2.0 * noise, size=(num_samples, 2)), labels


# The sizes of a synthetic set of points: at least 2, at most the largest int32.
ANY_SIZE = (2, MAX_INTEGER)


@dataclasses.dataclass(frozen=True)
class NamedDataset:
    """A named generator with its defaults, its limits and a one-line description.

    Args:
        generate: `(num_samples, noise, rng) -> (features, labels)`.
        num_samples: The default size.
        noise: The default noise.
        description: One line for `kerasclf datasets`.
        class_names: One readable name per class, or None for "0", "1", ...
        test_fraction: The part held out for testing by `make_dataset_splits`
            (stratified); 0 for none.
        noise_range: The lowest and highest noise allowed.
        zero_noise: Whether the lowest noise itself is allowed.
        size_range: The fewest and most samples allowed.
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


# The most font images a set may hold: 100,000 images of 36x36 float32 are 518 MB.
MAX_FONT_IMAGES = 100_000

DATASETS = {
    "seminar_blobs": NamedDataset(
        seminar_blobs,
        200,
        20.0,
        "N((-4,-4), 20I) vs N((4,4), 20I), 100 each (the seminar's)",
        noise_range=(0.0, math.inf),  # The variance: any positive number.
        zero_noise=False,
    ),
    "hand_line": NamedDataset(
        hand_line, 200, 0.0, "uniform in [-5,5]^2, label 1 above x2 + 1.23 x1 - 0.55 = 0"
    ),
    "circle": NamedDataset(circle, 500, 0.0, "disc r < 2.5 (1) vs ring 3.5 < r < 5 (0)"),
    "xor": NamedDataset(xor, 500, 0.0, "uniform in [-5,5]^2 off the axes, label 1 where x1 x2 > 0"),
    "gauss": NamedDataset(gauss, 500, 0.0, "N((2,2)) (1) vs N((-2,-2)) (0), wider with noise"),
    "spiral": NamedDataset(spiral, 500, 0.0, "two interleaved spiral arms, radius up to 5"),
    "blobs": NamedDataset(blobs, 500, 0.0, "3 Gaussian blobs, labels 0, 1, 2 (multi-class)"),
    "fonts": NamedDataset(
        render_fonts,
        2790,
        DEFAULT_NOISE,
        "36x36 images of characters in 5 fonts, class = font (the seminar's Day 2)",
        class_names=FONT_NAMES,
        test_fraction=0.1,
        # Each font in both the training and the test part.
        size_range=(2 * len(FONT_NAMES), MAX_FONT_IMAGES),
    ),
}


def check_dataset_arguments(name: str, num_samples: int | None, noise: float | None, seed: int):
    """Checks the arguments of a named dataset and fills in its defaults.

    Returns:
        `(spec, num_samples, noise, seed)`, the `NamedDataset` and the
        checked values.

    Raises:
        ValueError: for an unknown name, or a size or noise outside the
            dataset's ranges.

    Example:
        >>> check_dataset_arguments("fonts", None, None, 0)[1:]
        (2790, 0.2, 0)
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
    noise = check_number(
        "noise", noise, low, high, low_inclusive=spec.zero_noise, high_inclusive=True
    )
    return spec, num_samples, noise, check_integer("seed", seed, minimum=0)


def describe_datasets() -> str:
    """One line per named dataset: name, default size and noise, description."""
    return "\n".join(
        f"{name:<14} n={spec.num_samples:<4} noise={spec.noise:<5g} {spec.description}"
        for name, spec in DATASETS.items()
    )
