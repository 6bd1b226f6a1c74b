"""`evaluate_run`: how well a trained run's saved model classifies, or predicts, a data file.

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

A regression's run (`task` "regression" in its config.json) is scored on the
squared error it trained on, J = sum_i mean_j (y_ij - yhat_ij)^2, and its mean
(the mean squared error), with the root mean squared error, the mean absolute
error and R^2 = 1 - SSE / SST (averaged over the targets, as scikit-learn's
`r2_score` does; NaN for a target that is the same for every sample).
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
from kerasclf.run.run_data import labels_past_the_run, load_run_data, run_config
from kerasclf.validation import suggests_keywords


@suggests_keywords
def evaluate_run(run_dir: str, data: Data | str) -> dict:
    """The cost, accuracy, per-class accuracy and confusion matrix of a trained run.

    A regression's run gets its squared errors instead (`regression_scores`).

    Args:
        run_dir: A run directory holding `model.keras` (written by `kerasclf train`).
        data: Labelled points with the features the run was trained on: a
            `Data`, or the path of a file `kerasclf.data.load_data` reads.

    Returns:
        A dict: `cost` (summed cross-entropy), `mean_cost`, `accuracy`,
        `class_accuracy` (per true class; NaN for a class the data lacks),
        `confusion_matrix` (list of lists, rows true class, columns predicted
        class), `num_samples`, `run_dir`, `data` (the data's source) and
        `task` ("classification"). A regression's: `cost` (summed squared
        error), `mean_cost` (mean squared error), `root_mean_squared_error`,
        `mean_absolute_error`, `r2`, `num_samples`, `run_dir`, `data` and
        `task` ("regression").

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
    if run_config(run_dir).get("task") == "regression":
        check_input_shape(model, data, what="run's model")
        scores = regression_scores(_targets_of(model, data), _predictions(model, data))
        where = {"num_samples": data.num_samples, "run_dir": run_dir, "data": data.source}
        return {**scores, **where, "task": "regression"}
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
        "task": "classification",
    }


def _targets_of(model: keras.Model, data: Data) -> np.ndarray:
    """`data`'s targets as a (samples, targets) float64 array, one column per model output.

    Raises:
        ValueError: one line, if the data has another number of targets.
    """
    num_targets = int(model.outputs[0].shape[-1])
    targets = np.asarray(data.labels, np.float64).reshape(data.num_samples, -1)
    if targets.shape[1] != num_targets:
        raise ValueError(
            f"{data.source}: the run's model predicts {num_targets} "
            f"target{'s' if num_targets != 1 else ''} a sample, and the data has "
            f"{targets.shape[1]}. Received targets of shape {np.shape(data.labels)}. Give one "
            f"target per model output, as y of shape (samples, {num_targets})."
        )
    return targets


def regression_scores(targets: np.ndarray, predictions: np.ndarray) -> dict[str, float]:
    """The squared error J (summed and mean), RMSE, MAE and R^2 of `predictions`.

    Both are (samples, targets) arrays. J sums over the samples the mean over
    the targets of the squared error, as a regression run trains on.

    Example:
        >>> scores = regression_scores(np.array([[1.0], [2.0], [3.0]]),
        ...                            np.array([[1.0], [2.0], [5.0]]))
        >>> scores["cost"], scores["mean_cost"], scores["mean_absolute_error"], scores["r2"]
        (4.0, 1.3333333333333333, 0.6666666666666666, -1.0)
    """
    errors = np.asarray(predictions, np.float64) - targets
    cost = float(np.sum(np.mean(errors**2, axis=1)))
    mean_cost = cost / len(targets)
    spread = np.sum((targets - targets.mean(axis=0)) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(spread > 0, 1 - np.sum(errors**2, axis=0) / spread, np.nan)
    return {
        "cost": cost,
        "mean_cost": mean_cost,
        "root_mean_squared_error": math.sqrt(mean_cost),
        "mean_absolute_error": float(np.mean(np.abs(errors))),
        "r2": float(np.mean(r2)),
    }


def _predictions(model: keras.Model, data: Data) -> np.ndarray:
    """The model's outputs for `data`, CHUNK_SAMPLES points at a time, as (samples, outputs)."""
    outputs = [
        keras.ops.convert_to_numpy(
            model(data.features[start : start + CHUNK_SAMPLES], training=False)
        )
        for start in range(0, data.num_samples, CHUNK_SAMPLES)
    ]
    return np.concatenate(outputs).reshape(data.num_samples, -1)


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
    if result.get("task") == "regression":
        return _describe_regression(result)
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


def _describe_regression(result: dict) -> str:
    """A regression's `evaluate_run` result in three lines.

    Example:
        >>> print(_describe_regression({"run_dir": "logs/run", "data": "series.npz",
        ...     "num_samples": 3, "cost": 4.0, "mean_cost": 4 / 3, "mean_absolute_error": 2 / 3,
        ...     "root_mean_squared_error": 1.1547, "r2": -1.0, "task": "regression"}))
        run logs/run on series.npz (3 samples)
        cost (summed squared error) 4.000000  mean squared error 1.333333
        root mean squared error 1.154700  mean absolute error 0.666667  R^2 -1.0000
    """
    r2 = "n/a" if math.isnan(result["r2"]) else f"{result['r2']:.4f}"
    return "\n".join(
        [
            f"run {result['run_dir']} on {result['data']} ({result['num_samples']} samples)",
            f"cost (summed squared error) {result['cost']:.6f}  "
            f"mean squared error {result['mean_cost']:.6f}",
            f"root mean squared error {result['root_mean_squared_error']:.6f}  "
            f"mean absolute error {result['mean_absolute_error']:.6f}  R^2 {r2}",
        ]
    )
