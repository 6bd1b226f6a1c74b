"""`ClassificationPanels`: what a classifier gets right and wrong, per class, in TensorBoard.

At each logged epoch it predicts the probabilities of the data it was given
(the validation or test set when there is one, else the training set) once,
and writes, under `<logdir>/train` on the step `CostLogger` uses (epochs
completed; step 0 is the initial weights):

    confusion_matrix          image: counts, rows true, columns predicted,
                              coloured by the fraction of the row
                              (`callbacks.confusion_picture`)
    class_accuracy/<class>    scalars: each class's recall, the fraction of
                              its samples classified right
    misclassified             image: the most confident mistakes with their
                              true and predicted class and probability
                              (`callbacks.misclassified_grid`); pictures only
    pr_curves/<class>         precision-recall curves, one against the rest,
                              in TensorBoard's PR Curves tab (`callbacks.pr_curves`)

The images are drawn and encoded on background threads (`ImageLog`) while
the next epoch trains, and the last ones are saved beside the run as
`confusion_matrix.png` and `misclassified.png`. Tags keep the class names,
spaces included (TensorBoard shows them as they are); a "/" becomes "-",
since TensorBoard groups tags by it.
"""

from __future__ import annotations

import sys

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.callbacks.epoch_schedule import ScheduledLogger
from kerasclf.callbacks.confusion_picture import ConfusionPicture
from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.misclassified_grid import (
    DEFAULT_MAX_TILES,
    MisclassifiedGrid,
    is_picture_shape,
)
from kerasclf.callbacks.pr_curves import pr_curve_data, write_pr_curve
from kerasclf.callbacks.requirements import (
    first_reason,
    noted_skip_reason,
    one_input,
    probability_output,
)
from kerasclf.callbacks.writers import EVENTS, SummaryWriters
from kerasclf.data import Data
from kerasclf.models.inspection import check_sample_shape
from kerasclf.validation import (
    check_data_name,
    check_integer,
    check_text_stream,
    shown,
    suggests_keywords,
)

CONFUSION_TAG = "confusion_matrix"
MISCLASSIFIED_TAG = "misclassified"
ACCURACY_PREFIX = "class_accuracy/"
PR_CURVE_PREFIX = "pr_curves/"
PREDICTION_BATCH = 1024
CONFUSION_DESCRIPTION = (
    "Rows: true class, columns: predicted class; each cell gives the count and is coloured "
    "by the fraction of its row (of the samples of that true class), on a fixed 0-1 scale. "
    "A bright diagonal is a good classifier; a bright cell off it, two classes mixed up."
)
MISCLASSIFIED_DESCRIPTION = (
    "The model's most confident mistakes: each sample with its true class (black), the "
    "predicted class (red) and the probability the model gave it."
)
ACCURACY_DESCRIPTION = "The fraction of this class's samples classified correctly (its recall)."
PR_CURVE_DESCRIPTION = (
    "Precision against recall of one class against the rest, as the probability threshold "
    "moves from 0 to 1."
)


def class_tags(class_names) -> tuple[str, ...]:
    """The names as used in tags: "/" (TensorBoard's group separator) becomes "-".

    Example:
        >>> class_tags(["cat", "DejaVu Serif Bold", "yes/no"])
        ('cat', 'DejaVu Serif Bold', 'yes-no')
    """
    tags = tuple(
        name.strip().replace("/", "-") or f"class {index}" for index, name in enumerate(class_names)
    )
    if len(set(tags)) != len(tags):
        raise ValueError(
            "`class_names` must be different from each other (after '/' becomes '-'), one per "
            f"class. Received: class_names={shown(tuple(class_names))}."
        )
    return tags


def class_probabilities(outputs: np.ndarray, num_classes: int) -> np.ndarray:
    """`(num_samples, k)` probabilities from a softmax's `(N, k)` or a sigmoid's `(N, 1)`.

    Example:
        >>> class_probabilities(np.array([[0.25], [0.5]]), 2).tolist()
        [[0.75, 0.25], [0.5, 0.5]]
    """
    outputs = np.asarray(outputs, np.float64).reshape(len(outputs), -1)
    if outputs.shape[1] == 1 and num_classes == 2:
        return np.concatenate([1.0 - outputs, outputs], axis=1)
    if outputs.shape[1] != num_classes:
        raise ValueError(
            f"ClassificationPanels was given {num_classes} class names, but the model outputs "
            f"{outputs.shape[1]} probabilities per sample. Pass one name per output unit (2 "
            "names for a single sigmoid unit)."
        )
    return outputs


class ClassificationPanels(ScheduledLogger):
    """Logs a confusion matrix, per-class accuracy, misclassified examples and PR curves.

    Args:
        run_dir: The run directory; events go to `<run_dir>/train`.
        x: The samples to judge the model on, any shape `(num_samples, ...)`:
            the validation or test set when there is one, else the training set.
        y: Their labels 0..k-1.
        class_names: One name per class, k >= 2 of them.
        every: Log every this many epochs (an integer >= 1); the final epoch
            always, and step 0 when training starts from scratch.
        max_misclassified: The most misclassified samples drawn (an integer >= 1).
        stream: Where one-line notes go (the grid's absence for samples that
            are not pictures, the callback's for a model without probabilities);
            default `sys.stdout`.
        data_name: Which set `x` is, e.g. "test" or "validation", named in the
            images' titles and the descriptions; None names none.

    Example:
        >>> names = ["cat", "dog"]
        >>> panels = ClassificationPanels("logs/run", x_val, y_val, names)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=10, callbacks=[panels])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot log for `model` (`callbacks.requirements`), or None: any classifier."""
        return first_reason(model, one_input, probability_output)

    @suggests_keywords
    def __init__(
        self,
        run_dir: str,
        x,
        y,
        class_names,
        *,
        every=1,
        max_misclassified=DEFAULT_MAX_TILES,
        stream=None,
        data_name: str | None = None,
    ):
        super().__init__(every)
        self.run_dir = run_dir
        self.data_name = check_data_name(data_name)
        if not isinstance(class_names, (list, tuple)):
            raise TypeError(
                "`class_names` must be a list or tuple of k strings, one per class. "
                f"Received: class_names={shown(class_names)} of type {type(class_names).__name__}."
            )
        names = tuple(class_names)
        if len(names) < 2:
            raise ValueError(
                "`class_names` must name k >= 2 classes, one per class. "
                f"Received: class_names={shown(names)}."
            )
        self.data = Data(
            x,
            y,
            source="ClassificationPanels data",
            num_classes=len(names),
            class_names=names,
        )
        self.class_names = self.data.class_names
        self.max_misclassified = check_integer("max_misclassified", max_misclassified)
        self.stream = check_text_stream("stream", stream)
        self._tags = class_tags(self.class_names)
        self._picture = ConfusionPicture(self.class_names, data_name)
        self._grid = None
        if is_picture_shape(self.data.feature_shape):
            self._grid = MisclassifiedGrid(
                self.class_names, self.data.feature_shape, self.max_misclassified, data_name
            )
        self._writers = SummaryWriters(run_dir)
        on_set = "" if data_name is None else f" On the {data_name} set."
        self._accuracy_description = ACCURACY_DESCRIPTION + on_set
        self._pr_curve_description = PR_CURVE_DESCRIPTION + on_set
        self._confusion_log = ImageLog(
            run_dir, CONFUSION_TAG, "confusion_matrix.png", CONFUSION_DESCRIPTION + on_set
        )
        self._misclassified_log = ImageLog(
            run_dir, MISCLASSIFIED_TAG, "misclassified.png", MISCLASSIFIED_DESCRIPTION + on_set
        )
        self._predict = None
        self._skip_reason = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        self._skip_reason = noted_skip_reason(self, self.model, self.stream)
        if self._skip_reason is not None:
            return
        check_sample_shape(self.model, self.data.features.shape[1:], self.data.source)
        if self._grid is None:
            shape = "(" + ", ".join(str(size) for size in self.data.feature_shape) + ")"
            print(
                f"note: ClassificationPanels draws no '{MISCLASSIFIED_TAG}' grid: its samples "
                f"of shape {shape} are not pictures (h, w), (h, w, 1) or (h, w, 3).",
                file=self.stream or sys.stdout,
            )
        outputs = getattr(self.model, "outputs", None)
        if outputs:  # A subclassed model's output is checked on its first prediction.
            class_probabilities(np.zeros((1, outputs[0].shape[-1])), len(self.class_names))
        if int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def is_drawing(self) -> bool:
        return self._skip_reason is None

    def on_train_end(self, logs=None):
        self.log_final_step()
        try:
            self._confusion_log.close()
            self._misclassified_log.close()
        finally:
            self._writers.close()
            self._predict = None  # The traced graph holds the model.

    def probabilities(self) -> np.ndarray:
        """The model's `(num_samples, k)` class probabilities of the data, in batches."""
        if self._predict is None:
            self._predict = tf.function(lambda batch: self.model(batch, training=False))
        features = self.data.features
        outputs = [
            np.asarray(self._predict(tf.constant(features[start : start + PREDICTION_BATCH])))
            for start in range(0, len(features), PREDICTION_BATCH)
        ]
        return class_probabilities(np.concatenate(outputs), len(self.class_names))

    def _log(self, step: int) -> None:
        probabilities = self.probabilities()
        labels = self.data.labels
        num_classes = len(self.class_names)
        predicted = probabilities.argmax(axis=1)
        counts = np.bincount(
            labels * num_classes + predicted, minlength=num_classes * num_classes
        ).reshape(num_classes, num_classes)
        totals = counts.sum(axis=1)
        with self._writers[EVENTS].as_default():
            for label, tag in enumerate(self._tags):
                if totals[label] > 0:  # A class absent from the data has no recall.
                    recall = counts[label, label] / totals[label]
                    tf.summary.scalar(
                        ACCURACY_PREFIX + tag,
                        recall,
                        step=step,
                        description=self._accuracy_description,
                    )
                curve = pr_curve_data(labels == label, probabilities[:, label])
                write_pr_curve(PR_CURVE_PREFIX + tag, curve, step, self._pr_curve_description)
        picture = self._picture
        self._confusion_log.add(lambda: picture.draw(counts, step), step)
        if self._grid is not None:
            self._misclassified_log.add(self._grid_drawing(probabilities, predicted, step), step)
        self._schedule.logged(step)

    def _grid_drawing(self, probabilities, predicted, step: int):
        """A function that draws the grid of the most confident mistakes, on the image thread."""
        labels = self.data.labels
        wrong = np.flatnonzero(predicted != labels)
        confidence = probabilities[wrong, predicted[wrong]]
        shown_indices = wrong[np.argsort(-confidence, kind="stable")][: self.max_misclassified]
        samples = self.data.features[shown_indices]  # A copy: fancy indexing.
        grid = self._grid

        def draw():
            return grid.draw(
                samples,
                labels[shown_indices],
                predicted[shown_indices],
                probabilities[shown_indices, predicted[shown_indices]],
                step,
                num_wrong=len(wrong),
                num_samples=len(labels),
            )

        return draw
