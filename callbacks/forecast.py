"""`ForecastLogger`: a forecasting model's predictions against the true series, in TensorBoard.

A model that reads a window of a time series and predicts the next value is
judged here on a held-out stretch: its windows in time order, each window's
prediction against the value that really followed. One line plot per frame:
the true series (blue) and the prediction (orange), with a legend, and the
mean squared error in the title. The value axis is fixed by the true series
(its range padded by a quarter on each side), so that every frame has the
same axes and the step slider shows the prediction moving; predictions
beyond it are clipped at the frame's edge.

One image, tag `forecast` under `<logdir>/train`, at step 0 (untrained),
every `every` epochs and at the last epoch; the last one is also saved as
`<logdir>/forecast.png`.
"""

from __future__ import annotations


import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.callbacks.epoch_schedule import ScheduledLogger
from kerasclf.callbacks.figure_rendering import (
    MATPLOTLIB_LOCK,
    garbage_collection_paused,
    new_figure,
    render_figure,
)
from kerasclf.callbacks.image_layout import (
    LABEL_PIXELS,
    LEGEND_PIXELS,
    TICK_PIXELS,
    TITLE_PIXELS,
    font_points,
)
from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.requirements import noted_skip_reason, sample_shape
from kerasclf.validation import check_directory_path, shown, suggests_keywords
from kerasclf.data import Data

TAG = "forecast"
FILE_NAME = "forecast.png"
TRUE_COLOUR = "#1f77b4"
PREDICTED_COLOUR = "#ff7f0e"
LIMIT_PADDING = 0.25
PREDICTION_BATCH = 1024
# The picture in pixels: the axes box, from the left and bottom edges.
WIDTH, HEIGHT = 480, 320
AXES_LEFT, AXES_BOTTOM, AXES_WIDTH, AXES_HEIGHT = 72, 46, 392, 200
DESCRIPTION = (
    "The held-out stretch, its windows in time order: the value that followed each window "
    "(blue) and the model's prediction of it (orange); the title gives their mean squared "
    "error. The value axis is the true series' range, padded; predictions beyond it are clipped."
)


def one_output_per_sample(model: keras.Model) -> str | None:
    """None if the model predicts one value per sample, else why not."""
    needs = "it plots one predicted value per window"
    outputs = getattr(model, "outputs", None)
    if not outputs:
        return None  # A subclassed model: its output is checked when it predicts.
    shape = tuple(outputs[0].shape[1:])
    if shape in ((), (1,)):
        return None
    return f"{needs}, and this model outputs {shown(shape)} per sample"


def value_limits(targets: np.ndarray) -> tuple[float, float]:
    """The value axis: the targets' range padded by `LIMIT_PADDING` of it on each side.

    Example:
        >>> value_limits(np.array([0.0, 2.0]))
        (-0.5, 2.5)
    """
    low, high = float(np.min(targets)), float(np.max(targets))
    padding = LIMIT_PADDING * (high - low) if high > low else 1.0
    return low - padding, high + padding


def value_row(value: float, limits: tuple[float, float]) -> float:
    """The pixel row (from the top) where `value` is drawn, within the axes box.

    Example:
        >>> value_row(2.5, (-0.5, 2.5)) == HEIGHT - AXES_BOTTOM - AXES_HEIGHT
        True
    """
    top = HEIGHT - AXES_BOTTOM - AXES_HEIGHT
    return top + (limits[1] - value) / (limits[1] - limits[0]) * AXES_HEIGHT


def forecast_plot(targets: np.ndarray, predictions: np.ndarray, title: str) -> np.ndarray:
    """The line plot of `targets` and `predictions` by window, uint8 RGB."""
    limits = value_limits(targets)
    steps = np.arange(len(targets))
    with MATPLOTLIB_LOCK, garbage_collection_paused():
        figure = new_figure(WIDTH, HEIGHT)
        box = [AXES_LEFT / WIDTH, AXES_BOTTOM / HEIGHT, AXES_WIDTH / WIDTH, AXES_HEIGHT / HEIGHT]
        axes = figure.add_axes(box)
        axes.plot(steps, targets, color=TRUE_COLOUR, linewidth=4.0, label="true")
        axes.plot(steps, predictions, color=PREDICTED_COLOUR, linewidth=1.5, label="predicted")
        axes.set_xlim(0, max(len(targets) - 1, 1))
        axes.set_ylim(*limits)
        axes.margins(0)
        axes.tick_params(labelsize=font_points(TICK_PIXELS))
        axes.set_xlabel("window (time order)", fontsize=font_points(LABEL_PIXELS))
        axes.set_ylabel("value", fontsize=font_points(LABEL_PIXELS))
        axes.set_title(title, fontsize=font_points(TITLE_PIXELS), pad=24)
        axes.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncols=2,
            frameon=False,
            fontsize=font_points(LEGEND_PIXELS),
            borderaxespad=0.1,
        )
        return render_figure(figure)[:, :, :3].copy()


class ForecastLogger(ScheduledLogger):
    """Plots a forecasting model's predictions against the true values of a held-out stretch.

    Args:
        logdir: The run directory.
        model: The model to judge; None for the model being trained.
        features: The held-out windows in time order, `(num_windows, time, ...)`.
        targets: The value that followed each window, `(num_windows,)` or `(num_windows, 1)`.
        every: Draw every this many epochs (and at step 0 and the last epoch).

    Example:
        >>> logger = ForecastLogger("logs/run", model, x_test, y_test)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=10, callbacks=[logger])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot draw for `model` (`callbacks.requirements`), or None."""
        return one_output_per_sample(model)

    @suggests_keywords
    def __init__(self, logdir: str, model, features, targets, every: int = 1):
        super().__init__(every)
        self.logdir = check_directory_path("logdir", logdir)
        self.logged_model = model
        Data(features, targets, source="ForecastLogger data", task="regression")  # One line each.
        self.features = np.asarray(features)
        self.targets = np.asarray(targets, np.float64).reshape(len(self.features), -1)
        if self.targets.shape[1] != 1 or len(self.features) < 2:
            raise ValueError(
                "`targets` must hold one value per window, and there must be at least 2 "
                f"windows. Received: features of shape {self.features.shape}, targets of shape "
                f"{np.shape(targets)}."
            )
        if not np.all(np.isfinite(self.targets)):
            raise ValueError("`targets` must be finite numbers. Received a NaN or inf.")
        self.targets = self.targets[:, 0]
        self._images = ImageLog(logdir, TAG, FILE_NAME, DESCRIPTION)
        self._predict = None
        self._skip_reason = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        model = self.logged_model if self.logged_model is not None else self.model
        self._skip_reason = noted_skip_reason(self, model)
        if self._skip_reason is not None:
            return
        shape = sample_shape(model)
        if shape is not None and (
            len(shape) != self.features.ndim - 1
            or any(size not in (None, got) for size, got in zip(shape, self.features.shape[1:]))
        ):
            raise ValueError(
                f"`features` must be windows of the model's input shape {shown(shape)}. "
                f"Received: features of shape {self.features.shape}."
            )
        if self._predict is None:
            self._predict = tf.function(lambda batch: model(batch, training=False))
        if int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def predictions(self) -> np.ndarray:
        """The model's prediction for each window, `(num_windows,)`, float64."""
        outputs = [
            np.asarray(self._predict(tf.constant(self.features[start : start + PREDICTION_BATCH])))
            for start in range(0, len(self.features), PREDICTION_BATCH)
        ]
        return np.concatenate(outputs).reshape(len(self.features)).astype(np.float64)

    def is_drawing(self) -> bool:
        return self._skip_reason is None

    def on_train_end(self, logs=None):
        self.log_final_step()
        self._images.close()
        self._predict = None  # The traced graph holds the model.

    def _log(self, step: int) -> None:
        predictions = self.predictions()
        targets = self.targets
        error = float(np.mean((predictions - targets) ** 2))
        title = f"epoch {step} \N{MIDDLE DOT} MSE {error:.4g}"
        self._images.add(lambda: forecast_plot(targets, predictions, title), step)
        self._schedule.logged(step)
