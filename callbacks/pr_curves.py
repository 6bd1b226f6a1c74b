"""Precision-recall curves for TensorBoard's own `pr_curves` plugin, counted with numpy.

The plugin reads a `(6, num_thresholds)` float32 tensor per summary, rows
true positives, false positives, true negatives, false negatives, precision
and recall, at the thresholds `i / (num_thresholds - 1)`, and draws recall
against precision with a slider over the steps. `pr_curve_data` counts them
exactly: a sample is predicted positive at threshold t when its score is
>= t. (`tensorboard.plugins.pr_curve.summary.pb` bins the scores with
`floor(score * (num_thresholds - 1))`, which can put a score that lies on a
threshold in the bin below by rounding.) `write_pr_curve` writes the tensor
with the plugin's metadata into the default summary writer, as `pb` would,
without TensorFlow 1's graph API.
"""

from __future__ import annotations

import numpy as np
import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf
from tensorboard.plugins.pr_curve import metadata as pr_curve_metadata

from kerasclf.validation import check_integer

# The plugin's own default.
NUM_THRESHOLDS = 201
# The plugin's floor on a denominator, so that an empty count gives precision 0, not NaN.
MINIMUM_COUNT = 1e-7


def pr_curve_data(
    positives: np.ndarray, scores: np.ndarray, num_thresholds: int = NUM_THRESHOLDS
) -> np.ndarray:
    """The plugin's `(6, num_thresholds)` counts and rates for one class.

    Args:
        positives: Bool, shape (num_samples,): whether each sample is of the class.
        scores: The model's probability of the class for each sample, 0 to 1.
        num_thresholds: Thresholds `0, 1 / (n - 1), ..., 1` (an integer >= 2).

    Returns:
        float32 rows: TP, FP, TN, FN, precision = TP / (TP + FP), recall = TP / (TP + FN).

    Example:
        >>> data = pr_curve_data(np.array([True, False, True]), np.array([0.9, 0.6, 0.3]), 3)
        >>> data[:2].tolist()  # TP and FP at thresholds 0, 0.5, 1.
        [[2.0, 1.0, 0.0], [1.0, 1.0, 0.0]]
        >>> data[4:].astype(float).round(2).tolist()
        [[0.67, 0.5, 0.0], [1.0, 0.5, 0.0]]
    """
    num_thresholds = check_integer("num_thresholds", num_thresholds, minimum=2)
    positives = np.asarray(positives, bool)
    scores = np.asarray(scores, np.float64)
    if positives.shape != scores.shape or positives.ndim != 1:
        raise ValueError(
            "pr_curve_data needs positives and scores of the same shape (num_samples,). "
            f"Received: positives of shape {positives.shape}, scores of shape {scores.shape}."
        )
    thresholds = np.arange(num_thresholds) / (num_thresholds - 1)
    true_positives = _count_at_least(scores[positives], thresholds)
    false_positives = _count_at_least(scores[~positives], thresholds)
    true_negatives = (~positives).sum() - false_positives
    false_negatives = positives.sum() - true_positives
    precision = true_positives / np.maximum(MINIMUM_COUNT, true_positives + false_positives)
    recall = true_positives / np.maximum(MINIMUM_COUNT, true_positives + false_negatives)
    rows = (true_positives, false_positives, true_negatives, false_negatives, precision, recall)
    return np.stack(rows).astype(np.float32)


def _count_at_least(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """For each threshold, how many scores are >= it."""
    return scores.size - np.searchsorted(np.sort(scores), thresholds, side="left")


def write_pr_curve(tag: str, data: np.ndarray, step: int, description: str = "") -> None:
    """Writes one class's `pr_curve_data` as a `pr_curves` summary into the default writer.

    Args:
        tag: The summary's tag, e.g. `pr_curves/cat`.
        data: `(6, num_thresholds)` from `pr_curve_data`.
        step: The step.
        description: Markdown shown with the curve in TensorBoard.

    Example:
        >>> data = pr_curve_data(np.array([True, False]), np.array([0.8, 0.4]))
        >>> with tf.summary.create_file_writer("/tmp/pr").as_default():  # doctest: +SKIP
        ...     write_pr_curve("pr_curves/cat", data, step=1)
    """
    summary_metadata = pr_curve_metadata.create_summary_metadata(
        display_name=tag, description=description, num_thresholds=int(data.shape[1])
    )
    tf.summary.write(tag=tag, tensor=data, step=step, metadata=summary_metadata)
