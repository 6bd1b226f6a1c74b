"""A hand-set line's weights and points, checked without TensorFlow.

`kerasclf evaluate --weights` checks them before TensorFlow loads;
`kerasclf.engine.hand_set_line.evaluate_linear` checks them the same, then
scores the line.
"""

from __future__ import annotations

import math

import numpy as np

from kerasclf.data import Data
from kerasclf.validation import FLOAT32_LIMIT


def check_line_weights(weights, num_features: int) -> np.ndarray:
    """The weights of a hand-set line as float32: one finite number per feature.

    Example:
        >>> check_line_weights([1.23, 1.0], 2).tolist()
        [1.2300000190734863, 1.0]
        >>> check_line_weights([1.0], 2)
        Traceback (most recent call last):
        ...
        ValueError: `weights` must hold one number per feature (2). Received 1 value(s): weights=[1.0].
    """  # noqa: E501
    try:
        given = np.asarray(weights)
    except (TypeError, ValueError):  # Ragged lists.
        given = np.asarray([], dtype=object)
    if given.dtype.kind not in "iuf":  # Not text, True/False or a mix of kinds.
        raise TypeError(f"`weights` must be a list of numbers. Received: weights={weights!r}.")
    array = given.astype(np.float64)
    if array.ndim != 1 or len(array) != num_features:
        raise ValueError(
            f"`weights` must hold one number per feature ({num_features}). "
            f"Received {array.size} value(s): weights={np.asarray(weights).tolist()!r}."
        )
    if not all(math.isfinite(value) and abs(value) < FLOAT32_LIMIT for value in array):
        raise ValueError(f"`weights` must be finite numbers. Received: weights={array.tolist()!r}.")
    return array.astype(np.float32)


def check_line_inputs(weights, data: Data) -> np.ndarray:
    """The weights as float32, once the points and the weights are checked to fit a line.

    Example:
        >>> from kerasclf.data import make_dataset
        >>> check_line_inputs([1.23, 1.0], make_dataset("hand_line")).dtype
        dtype('float32')
    """
    check_two_class_points(data)
    return check_line_weights(weights, data.num_features)


def check_two_class_points(data: Data) -> None:
    """A hand-set line needs rows of features (points) in two classes."""
    example = "Use a set of two-class points, e.g. --dataset seminar_blobs."
    if len(data.feature_shape) != 1:
        raise ValueError(
            f"A hand-set linear classifier takes points (one row of features each). Received "
            f"samples of shape {data.feature_shape} (sequences or images) from {data.source}. "
            f"{example}"
        )
    if data.task != "classification":
        raise ValueError(
            f"A hand-set linear classifier needs two classes. Received {data.task} data "
            f"(numbers to predict, no classes) from {data.source}. {example}"
        )
    if data.num_classes != 2:
        raise ValueError(
            f"A hand-set linear classifier needs two classes. Received data with "
            f"{data.num_classes} classes from {data.source}. {example}"
        )
