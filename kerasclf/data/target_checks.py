"""The rules regression targets must follow: finite numbers, one row per sample.

A regression (`task="regression"`, e.g. Day 3's forecast) predicts numbers,
not classes: its targets are float32, of shape (num_samples,) or
(num_samples, k). Whole-number targets of few distinct values are refused as
class labels given to a regression by mistake. The features follow the same
rules as a classifier's (`kerasclf.data.checks`).

Example:
    >>> check_target_values(np.array([[0.5], [2.0]])).shape
    (2, 1)
"""

from __future__ import annotations

import numpy as np

from kerasclf.data.checks import (
    as_arrays,
    check_feature_array,
    convert_features,
    is_number_array,
    row_name,
)

# Integer regression targets with at most this many distinct values look like class labels.
MAX_CLASS_LIKE_VALUES = 20


def check_target_values(targets, source: str = "data", where=row_name) -> np.ndarray:
    """Checks regression targets: finite numbers, shape (num_samples,) or (num_samples, k).

    Integer targets with at most `MAX_CLASS_LIKE_VALUES` distinct values are
    refused: they look like class labels given to a regression by mistake
    (give them as floats if they are numbers to predict).

    Returns:
        The targets as float32, in their shape.

    Example:
        >>> check_target_values([0.5, -1.25, 3.0]).tolist()
        [0.5, -1.25, 3.0]
        >>> check_target_values(np.array([0, 1, 1, 0]))
        Traceback (most recent call last):
        ...
        ValueError: data: the targets are all whole numbers with only 2 distinct values, \
which look like class labels; use task='classification', or give float targets \
(targets.astype(np.float32)) if they are numbers to predict.
    """
    targets = np.asarray(targets)
    if not is_number_array(targets) or targets.dtype == bool:
        raise TypeError(
            f"{source}: regression targets must be finite numbers. Received an array of dtype "
            f"{targets.dtype}. Give float targets, or use task='classification' for classes."
        )
    if targets.ndim not in (1, 2) or 0 in targets.shape[1:]:
        raise ValueError(
            f"{source}: regression targets must have shape (num_samples,) or (num_samples, k). "
            f"Received shape {targets.shape}."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        converted = targets.astype(np.float32)
    finite = np.isfinite(converted.reshape(len(converted), -1)).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise ValueError(
            f"{source}: regression targets must be finite float32 numbers. Received a NaN or "
            f"infinity in {where(row)}, the first of {int(np.sum(~finite))} such row(s) (a "
            "value beyond about 3.4e38 is infinity too). Remove or fix those samples."
        )
    if targets.dtype.kind in "iu" and len(targets):
        distinct = len(np.unique(targets))
        if distinct <= MAX_CLASS_LIKE_VALUES:
            raise ValueError(
                f"{source}: the targets are all whole numbers with only {distinct} distinct "
                "values, which look like class labels; use task='classification', or give "
                "float targets (targets.astype(np.float32)) if they are numbers to predict."
            )
    return converted


def check_regression_arrays(
    features, targets, source: str = "data"
) -> tuple[np.ndarray, np.ndarray, float]:
    """`check_labelled_arrays` for regression: float32 targets (N,) or (N, k).

    Returns:
        `(features, targets, feature_scale)`.

    Example:
        >>> features, targets, scale = check_regression_arrays([[1], [2]], [[0.5, 1], [2, 3]])
        >>> targets.dtype, targets.shape, scale
        (dtype('float32'), (2, 2), 1.0)
    """
    features, targets = as_arrays(features, targets, "targets", source)
    check_feature_array(features, source)
    targets = check_target_values(targets, source)
    if len(targets) != len(features):
        raise ValueError(
            f"{source}: features and targets have different numbers of samples: "
            f"[{len(features)}, {len(targets)}]. Give one target (row) per sample."
        )
    features, scale = convert_features(features, source)
    return features, targets, scale
