"""The slide's hand-set line: the cost and accuracy of y = x^T w + b, set by hand.

Day 1 starts before any training: the student picks w and b, and
`evaluate_linear` scores that line on two-class points as a trained logistic
regression would be scored (`kerasclf.engine.evaluation.evaluate_model`),
after checking the weights and the points.
"""

from __future__ import annotations

import math

import numpy as np

from kerasclf.data import Data
from kerasclf.data.labelled import check_data
from kerasclf.engine.evaluation import evaluate_model
from kerasclf.models.registry import build_model
from kerasclf.validation import FLOAT32_LIMIT, check_number, suggests_keywords


@suggests_keywords
def evaluate_linear(weights, bias: float, data: Data) -> dict[str, float]:
    """Cost and accuracy of the hand-set decision function y = x^T w + b.

    The slide's check: p = sigmoid(x^T w + b), classify 1 where p > 0.5.

    Args:
        weights: One weight per feature.
        bias: The bias b.
        data: Labelled points with two classes.

    Example:
        >>> from kerasclf.data import make_dataset
        >>> result = evaluate_linear([1.23, 1.0], -0.55, make_dataset("hand_line"))
        >>> result["accuracy"]
        1.0
    """
    check_data(data)
    _check_two_class_points(data)
    weights = _check_weights(weights, data.num_features)
    # float32 holds the model's weights: beyond its range a value becomes inf.
    bias = check_number("bias", bias, -FLOAT32_LIMIT, FLOAT32_LIMIT)
    model = build_model("logistic", data.num_features)
    model.set_weights([weights.reshape(-1, 1), np.array([bias], dtype=np.float32)])
    return evaluate_model(model, data)


def _check_two_class_points(data: Data) -> None:
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


def _check_weights(weights, num_features: int) -> np.ndarray:
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
