"""The seminar's 2-D point sets, as seeded generators.

Each draws `(features, labels)` from a `numpy.random.Generator`: features of
shape (num_samples, 2) and labels 0..k-1. Their table, with sizes and noise
ranges, is `kerasclf.data.datasets.DATASETS`. circle, xor, gauss and spiral
follow TensorFlow Playground (`noise` in [0, 1]; its slider goes to 0.5).

Example:
    >>> features, labels = xor(4, 0.0, np.random.default_rng(0))
    >>> features.shape, bool(((features[:, 0] * features[:, 1] > 0) == labels).all())
    ((4, 2), True)
"""

from __future__ import annotations

import math

import numpy as np


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
