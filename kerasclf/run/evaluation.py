"""`evaluate_run`: how well a trained run's saved model classifies a data file.

The run's `model.keras` (a plain Keras model, see `kerasclf.run.export`) is read
by `kerasclf.run.prediction.load_run_model`. Its output units give the number of
classes: one sigmoid unit is two classes, k softmax units are k classes.

The cost is the cross-entropy summed over the samples, as kerasclf reports it
everywhere (`kerasclf.engine.losses.per_sample_cross_entropy`, from the logit behind
the probabilities, so it stays finite where p saturates), added up in float64.
A point's predicted class is `kerasclf.run.prediction.predicted_classes` of its
probabilities: p > 0.5 for one unit, the most probable class for k units.
The confusion matrix counts the points by true class (rows) and predicted
class (columns); its diagonal over the number of points is the accuracy.
"""

from __future__ import annotations

import math
import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.data import Data
from kerasclf.engine.evaluation import CHUNK_SAMPLES, check_input_shape
from kerasclf.engine.losses import per_sample_cross_entropy
from kerasclf.models.inspection import check_probability_output
from kerasclf.run.prediction import load_run_model, model_classes, predicted_classes
from kerasclf.run.run_data import labels_past_the_run, load_run_data
from kerasclf.validation import suggests_keywords


@suggests_keywords
def evaluate_run(run_dir: str, data: Data | str) -> dict:
    """The cost, accuracy, per-class accuracy and confusion matrix of a trained run.

    Args:
        run_dir: A run directory holding `model.keras` (written by `kerasclf train`).
        data: Labelled points with the features the run was trained on: a
            `Data`, or the path of a file `kerasclf.data.load_data` reads.

    Returns:
        A dict: `cost` (summed cross-entropy), `mean_cost`, `accuracy`,
        `class_accuracy` (per true class; NaN for a class the data lacks),
        `confusion_matrix` (list of lists, rows true class, columns predicted
        class), `num_samples`, `run_dir` and `data` (the data's source).

    Raises:
        ValueError: one line, for a run without a readable model, points of
            another shape than the model takes, or labels beyond its classes.

    Example:
        >>> result = evaluate_run("logs/run", "points.csv")  # doctest: +SKIP
        >>> result["accuracy"], result["confusion_matrix"]  # doctest: +SKIP
        (0.875, [[90, 10], [15, 85]])
    """
    if not isinstance(run_dir, (str, os.PathLike)):
        raise TypeError(
            f"`run_dir` must be the path of a run directory written by `kerasclf train`. "
            f"Received: run_dir={run_dir!r} of type {type(run_dir).__name__}. Pass it as a "
            "string, e.g. 'logs/seminar_blobs-logistic-gd-bsfull-20261205-120000'."
        )
    if not isinstance(data, Data):
        data = load_run_data(run_dir, data)
    model = load_run_model(run_dir)
    check_probability_output(model)
    num_classes = model_classes(model)
    check_data_fits_model(data, model, num_classes)
    costs, predicted = _costs_and_classes(model, data)
    matrix = confusion_matrix(data.labels, predicted, num_classes)
    cost = float(np.sum(costs, dtype=np.float64))
    return {
        "cost": cost,
        "mean_cost": cost / data.num_samples,
        "accuracy": float(np.trace(matrix)) / data.num_samples,
        "class_accuracy": class_accuracies(matrix),
        "confusion_matrix": matrix.tolist(),
        "num_samples": data.num_samples,
        "run_dir": run_dir,
        "data": data.source,
    }


def check_data_fits_model(data: Data, model: keras.Model, num_classes: int) -> None:
    """Raises one line unless `data`'s points have the model's input shape and classes.

    A size the model leaves open (None) matches any size.
    """
    check_input_shape(model, data, what="run's model")
    mismatch = labels_past_the_run(data, num_classes)
    if mismatch is not None:
        raise ValueError(mismatch)


def _costs_and_classes(model: keras.Model, data: Data) -> tuple[np.ndarray, np.ndarray]:
    """Each point's cross-entropy and predicted class, CHUNK_SAMPLES points at a time."""
    costs, predicted = [], []
    for start in range(0, data.num_samples, CHUNK_SAMPLES):
        features = data.features[start : start + CHUNK_SAMPLES]
        labels = data.labels[start : start + CHUNK_SAMPLES]
        # The model's own output tensor, so the cost can recover the logit behind it.
        probabilities = model(features, training=False)
        costs.append(keras.ops.convert_to_numpy(per_sample_cross_entropy(labels, probabilities)))
        predicted.append(predicted_classes(keras.ops.convert_to_numpy(probabilities)))
    return np.concatenate(costs), np.concatenate(predicted)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts of points by true class (rows) and predicted class (columns).

    Example:
        >>> confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), 3).tolist()
        [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    """
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels), np.asarray(predicted)), 1)
    return matrix


def class_accuracies(matrix: np.ndarray) -> list[float]:
    """Per true class, the fraction of its points predicted right; NaN for a class with none.

    Example:
        >>> class_accuracies(np.array([[3, 1], [0, 0]]))
        [0.75, nan]
    """
    totals = matrix.sum(axis=1)
    return [
        float(matrix[index, index] / total) if total else math.nan
        for index, total in enumerate(totals)
    ]


def describe_run_evaluation(result: dict) -> str:
    """`evaluate_run`'s result as a readable block, the confusion matrix as a table.

    Example:
        >>> print(describe_run_evaluation({"run_dir": "logs/run", "data": "points.csv",
        ...     "num_samples": 4, "cost": 1.5, "mean_cost": 0.375, "accuracy": 0.75,
        ...     "class_accuracy": [1.0, 0.5], "confusion_matrix": [[2, 0], [1, 1]]}))
        run logs/run on points.csv (4 samples)
        cost (summed) 1.500000  mean cost 0.375000  accuracy 0.7500
        accuracy per class:
          class 0  1.0000  (2 samples)
          class 1  0.5000  (2 samples)
        confusion matrix (rows: true class, columns: predicted class):
                  pred 0  pred 1
          true 0       2       0
          true 1       1       1
    """
    matrix = result["confusion_matrix"]
    lines = [
        f"run {result['run_dir']} on {result['data']} ({result['num_samples']} samples)",
        f"cost (summed) {result['cost']:.6f}  mean cost {result['mean_cost']:.6f}  "
        f"accuracy {result['accuracy']:.4f}",
        "accuracy per class:",
    ]
    for index, accuracy in enumerate(result["class_accuracy"]):
        shown = "n/a" if math.isnan(accuracy) else f"{accuracy:.4f}"
        lines.append(f"  class {index}  {shown:>6}  ({sum(matrix[index])} samples)")
    lines.append("confusion matrix (rows: true class, columns: predicted class):")
    names = [f"pred {index}" for index in range(len(matrix))]
    width = max(len(name) for name in [*names, *(str(count) for row in matrix for count in row)])
    label_width = len(f"true {len(matrix) - 1}")
    lines.append(" " * (label_width + 4) + "  ".join(f"{name:>{width}}" for name in names))
    for index, row in enumerate(matrix):
        cells = "  ".join(f"{count:>{width}}" for count in row)
        lines.append(f"  {f'true {index}':<{label_width}}  {cells}")
    return "\n".join(lines)
