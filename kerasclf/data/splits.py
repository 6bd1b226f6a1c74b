"""Held-out parts of a `Data`: a random validation split, a stratified test split, a tail.

`split_stratified` keeps each class's share for classification and draws a
plain seeded random part for regression (targets have no classes);
`split_tail` holds out the last stretch in order, as a time series' forecast
is tested on the stretch after its training.
"""

from __future__ import annotations

import math

import numpy as np

from kerasclf.data.labelled import Data, check_data
from kerasclf.validation import check_integer, check_number, suggests_keywords


def _fractions_that_split(data: Data) -> tuple[float, float]:
    """The least and the greatest 3-digit fraction leaving 1 validation and 2 training points.

    A fraction f holds out round(f * n) points: 1 to n - 2 of them where
    0.5 < f * n < n - 1.5. Each bound is rounded inwards to 3 significant digits.

    Example:
        >>> _fractions_that_split(Data(np.zeros((3, 2)), [0, 1, 0]))
        (0.167, 0.499)
    """
    low, high = 0.5 / data.num_samples, (data.num_samples - 1.5) / data.num_samples
    scale_low, scale_high = (10.0 ** (2 - math.floor(math.log10(value))) for value in (low, high))
    return (
        (math.floor(low * scale_low) + 1) / scale_low,
        (math.ceil(high * scale_high) - 1) / scale_high,
    )


@suggests_keywords
def split_validation(data: Data, fraction: float, seed: int) -> tuple[Data, Data | None]:
    """Holds out a random `fraction` of the points for validation.

    Args:
        data: The labelled points.
        fraction: In [0, 1); 0 means no validation set (the seminar's default).
        seed: Seed of the split.

    Returns:
        `(training, validation)`; validation is None when fraction is 0.

    Example:
        >>> data = Data(np.arange(400.0).reshape(200, 2), np.arange(200) % 2)
        >>> train, valid = split_validation(data, 0.25, 0)
        >>> train.num_samples, valid.num_samples
        (150, 50)
    """
    check_data(data)
    fraction = check_number("validation_split", fraction, 0.0, 1.0, low_inclusive=True)
    if fraction == 0.0:
        return data, None
    num_validation = int(round(fraction * data.num_samples))
    if num_validation < 1 or num_validation > data.num_samples - 2:
        fix = (
            "Choose a fraction between {:.3g} and {:.3g}".format(*_fractions_that_split(data))
            if data.num_samples >= 3
            else "Use at least 3 points, or validation_split=0"
        )
        raise ValueError(
            f"`validation_split` leaves {num_validation} validation and "
            f"{data.num_samples - num_validation} training points of {data.num_samples}; a "
            f"split needs at least 1 validation and 2 training points. Received: "
            f"validation_split={fraction!r}. {fix}."
        )
    order = np.random.default_rng(check_integer("seed", seed, minimum=0)).permutation(
        data.num_samples
    )
    training = data.subset(np.sort(order[num_validation:]), f"{data.source} (training split)")
    # Each class of the data keeps a training point. A text's classes are its characters,
    # every one an output of the model whether or not it ends a window (a stride skips
    # some, the final newline ends one window at most): a text's split may take any.
    classes = np.unique(data.labels) if data.task == "classification" else ()
    classes = () if data.vocabulary is not None else classes
    lacking = sorted(set(np.asarray(classes).tolist()) - set(np.unique(training.labels).tolist()))
    if lacking:
        raise ValueError(
            f"`validation_split` leaves no point of class {lacking[0]} in the training split of "
            f"{data.source} ({training.num_samples} points). Received: validation_split="
            f"{fraction!r}, seed {seed}. Choose a smaller fraction or another seed."
        )
    validation = data.subset(np.sort(order[:num_validation]), f"{data.source} (validation split)")
    return training, validation


def _test_counts(counts: np.ndarray, fraction: float) -> np.ndarray:
    """Test samples per class: `fraction` of the whole, shared in proportion, 1+ each side.

    The total is round(fraction * N), kept in [k, N - k]; each class gets its
    share rounded by the largest remainders, at least 1 and at most its count - 1.
    """
    total_samples, num_classes = int(counts.sum()), len(counts)
    total = min(max(round(fraction * total_samples), num_classes), total_samples - num_classes)
    quota = total * counts / total_samples
    per_class = np.clip(np.floor(quota), 1, counts - 1).astype(int)
    while per_class.sum() < total:
        room = np.where(per_class < counts - 1, quota - per_class, -np.inf)
        per_class[np.argmax(room)] += 1
    while per_class.sum() > total:
        excess = np.where(per_class > 1, per_class - quota, -np.inf)
        per_class[np.argmax(excess)] -= 1
    return per_class


def split_stratified(data: Data, fraction: float, seed: int) -> tuple[Data, Data]:
    """Holds out a seeded, stratified `fraction` of the samples for testing.

    Every class keeps its share in both parts (at least one sample each
    side); the test part holds round(fraction * N) samples. Regression data
    has no classes: its test part is a plain seeded random draw of
    round(fraction * N) samples (at least one each side).

    Args:
        data: The labelled samples; each class needs at least 2.
        fraction: In (0, 1).
        seed: Seed of the split.

    Returns:
        `(training, test)`, both with the data's classes and class names.

    Example:
        >>> data = Data(np.arange(20.0).reshape(10, 2), np.arange(10) % 2)
        >>> training, test = split_stratified(data, 0.2, seed=0)
        >>> training.num_samples, np.bincount(test.labels).tolist()
        (8, [1, 1])
    """
    fraction = check_number("test_fraction", fraction, 0.0, 1.0)
    rng = np.random.default_rng(check_integer("seed", seed, minimum=0))
    if data.task == "regression":
        num_test = _held_out_count(data, fraction, "test_fraction")
        is_test = np.zeros(data.num_samples, bool)
        is_test[rng.choice(data.num_samples, num_test, replace=False)] = True
        training = data.subset(np.flatnonzero(~is_test), f"{data.source} (training split)")
        return training, data.subset(np.flatnonzero(is_test), f"{data.source} (test split)")
    counts = np.bincount(data.labels, minlength=data.num_classes)
    if counts.min() < 2:
        label = int(np.argmin(counts))
        raise ValueError(
            f"{data.source}: a stratified test split needs at least 2 samples of every class. "
            f"Received {int(counts[label])} of class {label}. Generate more samples."
        )
    test_rows = [
        rng.choice(np.flatnonzero(data.labels == label), count, replace=False)
        for label, count in enumerate(_test_counts(counts, fraction))
    ]
    is_test = np.zeros(data.num_samples, bool)
    is_test[np.concatenate(test_rows)] = True
    training = data.subset(np.flatnonzero(~is_test), f"{data.source} (training split)")
    return training, data.subset(np.flatnonzero(is_test), f"{data.source} (test split)")


def split_tail(data: Data, fraction: float) -> tuple[Data, Data]:
    """Holds out the last `fraction` of the samples, in order: a time series' later stretch.

    Nothing is shuffled: the training part is the first N - round(fraction * N)
    samples and the held-out part the rest, each in its order (at least one
    sample each side). For classification, both parts keep the data's classes
    even where one part lacks some.

    Args:
        data: The samples, in time order.
        fraction: In (0, 1).

    Returns:
        `(training, held_out)`.

    Example:
        >>> data = Data(np.arange(10.0).reshape(5, 2), np.arange(5.0) / 2, task="regression")
        >>> training, held_out = split_tail(data, 0.4)
        >>> training.labels.tolist(), held_out.labels.tolist()
        ([0.0, 0.5, 1.0], [1.5, 2.0])
    """
    check_data(data)
    fraction = check_number("fraction", fraction, 0.0, 1.0)
    num_training = data.num_samples - _held_out_count(data, fraction, "fraction")
    rows = np.arange(data.num_samples)
    training = data.subset(rows[:num_training], f"{data.source} (first part)")
    return training, data.subset(rows[num_training:], f"{data.source} (last part, held out)")


def _held_out_count(data: Data, fraction: float, key: str) -> int:
    """round(fraction * N) samples held out, raising unless both sides keep one or more."""
    count = int(round(fraction * data.num_samples))
    if count < 1 or count > data.num_samples - 1:
        raise ValueError(
            f"`{key}` leaves {count} held-out and {data.num_samples - count} training samples "
            f"of {data.num_samples} in {data.source}. Received: {key}={fraction!r}. Choose a "
            "fraction that keeps at least one sample on each side."
        )
    return count
