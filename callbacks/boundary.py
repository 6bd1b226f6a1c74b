"""`DecisionBoundaryLogger`: the model's decision boundary as an image, every few epochs.

The image (tag `decision_boundary` under `<logdir>/train`) shows, over the
plane of the two input features:

- p(class 1) of the model at every pixel, on a colour scale fixed at 0 to 1,
  with a colourbar. With k > 2 classes each pixel takes the colour of its
  predicted class, paler where the model is less sure.
- The training points, filled and coloured by class, and the validation
  points as hollow squares.
- The decision boundary p = 0.5 (between predicted classes for k > 2), black.
- An optional reference line a x1 + b x2 + c = 0, dashed (the slide's line).
- For a linear model, the weight vector w = [w1, w2] as a green arrow. It
  starts at the point of the boundary closest to the origin, -b w / |w|^2,
  so it stands on the boundary and points towards class 1. It is drawn on top
  of the points at its true length in data units, but never shorter than 28
  pixels, so that its direction stays visible while |w| is small, and never
  past the axes, so that its head stays in the picture.

Above the axes, a title gives the epoch and the cost J of the points at that
step (in the model's reduction, "sum" or "mean"), and a legend lists only the
marks that the frame draws: at step 0, with zero weights, there is neither a
boundary nor an arrow, so neither is listed. The point colours are explained
by the colourbar. The image is 330 pixels wide with text of 14-17 pixels, so
that it stays readable at TensorBoard's default size (about 250 pixels wide).

Axes, limits (the data's, padded, one data unit as long on both axes) and
colours are the same at every step, so TensorBoard's step slider animates the
boundary. Images are logged at step 0 (the initial weights), every `every`
epochs, and at the final epoch; the final image is also saved as
`<logdir>/decision_boundary.png`.

The fixed parts are drawn once with matplotlib (`callbacks.raster`); each
image is then p at every pixel of the axes box, a colour lookup and a few
numpy operations. For logistic regression p comes from numpy directly (the
logits over the pixel grid are an outer sum); any other model gets one
XLA-compiled forward pass over the pixel grid. An image costs about 3 ms, and
its PNG encoding (about 2.5 ms) runs on a background thread (`ImageLog`), so an
image every epoch is affordable.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import sys

import keras
import matplotlib.cm
import matplotlib.colors
import numpy as np
import tensorflow as tf
from matplotlib.lines import Line2D

from callbacks.colours import colour_table, rgb255
from callbacks.figure_rendering import MATPLOTLIB_LOCK
from callbacks.frame_title import frame_title
from callbacks.image_layout import (
    LABEL_PIXELS,
    LEGEND_ROW_PIXELS,
    TICK_PIXELS,
    Layout,
    equal_aspect_limits,
    font_points,
    padded_limits,
)
from callbacks.image_log import ImageLog
from callbacks.legend_strip import legend_columns
from callbacks.raster import RasterPlot
from callbacks.shape_painting import edge_mask, paint_arrow
from kerasclf.data import Data
from kerasclf.losses import model_reduction, per_sample_cross_entropy
from kerasclf.models import plain_linear_parameters
from kerasclf.validation import check_integer
from kerasclf.models.inspection import check_probability_output
from callbacks.requirements import (
    first_reason,
    probability_output,
    skip_note,
    two_feature_points,
)

TAG = "decision_boundary"
FILE_NAME = "decision_boundary.png"
DESCRIPTION = (
    "p(class 1) of the model over the input plane (colours fixed at 0-1; one colour per "
    "predicted class for k > 2, paler where less sure), the decision boundary (black), "
    "training points (filled, coloured by class as in the colourbar), "
    "validation points (hollow squares), the reference line (dashed) and, for a linear "
    "model, the weight vector w (green arrow, from the boundary point closest to the origin)."
)
# At most this many points of each set are drawn, so that the one-off
# matplotlib drawing stays fast and the plot readable.
MAX_POINTS_DRAWN = 2000
BOUNDARY_COLOUR = "black"
ARROW_COLOUR = "#1a9850"
MIN_ARROW_PIXELS = 28.0
# The image: 330 pixels wide, a title row, a legend strip (as many rows as its
# entries need, `legend_height`), a square axes box of 200 pixels and a colourbar.
LAYOUT = Layout(
    width=330,
    height=276,
    axes_left=56,
    axes_bottom=44,
    axes_width=200,
    axes_height=200,
    colourbar_gap=10,
    title_height=26,
)
# Rows between the legend strip and the axes.
LEGEND_GAP = 6
TRAINING_STYLE = {"s": 12, "edgecolors": "black", "linewidths": 0.4, "zorder": 4}
VALIDATION_STYLE = {"s": 18, "marker": "s", "facecolors": "none", "linewidths": 1.1, "zorder": 3}
REFERENCE_STYLE = {"ls": "--", "color": "0.2", "lw": 1.2}
# Legend entries, drawn like the marks they stand for.
VALIDATION_HANDLE = {"ls": "none", "marker": "s", "ms": 6, "mfc": "none", "mec": "0.3", "mew": 1.2}
BOUNDARY_HANDLE = {"color": BOUNDARY_COLOUR, "lw": 2}
ARROW_HANDLE = {"color": ARROW_COLOUR, "lw": 2, "marker": ">", "ms": 6}


def boundary_layout(num_legend_rows: int) -> Layout:
    """`LAYOUT` with room for a legend of `num_legend_rows` rows (none for 0)."""
    legend_height = num_legend_rows * LEGEND_ROW_PIXELS + (LEGEND_GAP if num_legend_rows else 0)
    return dataclasses.replace(
        LAYOUT, height=LAYOUT.height + legend_height, legend_height=legend_height
    )


def check_reference_line(reference_line) -> tuple[float, float, float] | None:
    """Returns `(a, b, c)` as floats, or None; raises one clear line if invalid.

    Example:
        >>> check_reference_line([1.23, 1, -0.55])
        (1.23, 1.0, -0.55)
    """
    if reference_line is None:
        return None
    valid = (
        isinstance(reference_line, (tuple, list))
        and len(reference_line) == 3
        and all(
            isinstance(value, numbers.Real) and not isinstance(value, bool)
            for value in reference_line
        )
        and all(math.isfinite(value) for value in reference_line)
        and (reference_line[0] != 0 or reference_line[1] != 0)
    )
    if not valid:
        raise ValueError(
            "`reference_line` must be three finite numbers (a, b, c), the line "
            "a*x1 + b*x2 + c = 0 with a or b nonzero, or None. "
            f"Received: reference_line={reference_line!r}."
        )
    return tuple(float(value) for value in reference_line)


class DecisionBoundaryLogger(keras.callbacks.Callback):
    """Logs an image of the decision boundary every `every` epochs.

    Works for any model with exactly two inputs and a sigmoid (1 unit) or
    softmax (k units) output. With any other number of inputs it prints one
    note and logs nothing. A step whose weights are not finite (training
    diverged) is skipped.

    Args:
        logdir: The run directory; images go to `<logdir>/train`.
        x: Training features, shape (num_samples, num_features).
        y: Training labels 0..k-1.
        validation_data: Optional `(x, y)` of the validation set.
        every: Log an image every this many epochs (an integer >= 1).
        reference_line: Optional `(a, b, c)`, the line a*x1 + b*x2 + c = 0 to
            draw for comparison, e.g. the slide's `(1.23, 1.0, -0.55)`.
        stream: Where the one-line skip note goes; default `sys.stdout`.

    Example:
        >>> callback = DecisionBoundaryLogger("logs/run", x, y, every=1)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=100, verbose=0, callbacks=[callback])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot draw for `model` (`callbacks.requirements`), or None: 2-D points."""
        return first_reason(model, two_feature_points, probability_output)

    def __init__(
        self,
        logdir: str,
        x,
        y,
        validation_data=None,
        every: int = 5,
        reference_line=None,
        stream=None,
    ):
        super().__init__()
        self.logdir = logdir
        self.training = Data(x, y, source="DecisionBoundaryLogger training data")
        self.validation = None
        if validation_data is not None:
            self.validation = Data(
                *validation_data,
                source="DecisionBoundaryLogger validation data",
                num_classes=self.training.num_classes,
            )
        self.every = check_integer("every", every)
        self.reference_line = check_reference_line(reference_line)
        self.stream = stream
        self._images = ImageLog(logdir, TAG, FILE_NAME, DESCRIPTION)
        self._picture = None
        self._skip_reason = None
        self._last_step = None
        self._last_logged_step = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._picture is None and self._skip_reason is None:
            check_probability_output(self.model)  # Painted on a 0-1 colour scale.
            self._skip_reason = self.skip_reason(self.model)
            if self._skip_reason is not None:
                print(skip_note(type(self), self._skip_reason), file=self.stream or sys.stdout)
                return
            self._picture = BoundaryPicture(
                self.model, self.training, self.validation, self.reference_line
            )
        if self._skip_reason is None and int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._last_step = epoch + 1
        if self._skip_reason is None and (epoch + 1) % self.every == 0:
            self._log(step=epoch + 1)

    def on_train_end(self, logs=None):
        logs = logs or {}
        # The final epoch always gets an image, whether or not `every` divides it.
        final = self._last_step
        if self._skip_reason is None and final not in (None, self._last_logged_step):
            self._log(step=final)
        self._images.close()

    def _log(self, step: int) -> None:
        # The model's probabilities now; the painting on the image thread,
        # while the next epoch trains.
        drawing = self._picture.drawing(step)
        if drawing is not None:
            self._images.add(drawing, step)
            self._last_logged_step = step


class BoundaryPicture:
    """Draws decision-boundary images of one model over a fixed input plane.

    Args:
        model: A model with 2 inputs and a sigmoid or softmax output.
        training: The training points.
        validation: The validation points, or None.
        reference_line: `(a, b, c)` or None.

    Attributes:
        reduction: The cost in the title, "sum" or "mean" (the model's).

    Example:
        >>> data = make_dataset("seminar_blobs")  # doctest: +SKIP
        >>> picture = BoundaryPicture(model, data, None, None)  # doctest: +SKIP
        >>> picture.render(step=0).shape  # doctest: +SKIP
        (302, 330, 3)
    """

    def __init__(self, model: keras.Model, training: Data, validation, reference_line):
        self.model = model
        self.num_units = _num_output_units(model)
        self.num_classes = max(self.num_units, 2, training.num_classes)
        self.binary = self.num_units <= 2
        self._plain_linear = plain_linear_parameters(model) is not None
        self.reduction = model_reduction(model)
        self._features = training.features
        self._labels = training.labels
        everything = training.features
        if validation is not None:
            everything = np.concatenate([everything, validation.features])
        x_limits, y_limits = equal_aspect_limits(*padded_limits(everything), LAYOUT)
        self.class_colours = _class_colours(self.num_classes)
        self.table = self._field_colours()
        self._static_handles, self._boundary_handle, self._arrow_handle = self._legend_handles(
            validation, reference_line
        )
        every_handle = [*self._static_handles, self._boundary_handle, self._arrow_handle]
        every_handle = [handle for handle in every_handle if handle is not None]
        self._legend_columns = legend_columns(every_handle, LAYOUT.width)
        num_rows = -(-len(every_handle) // self._legend_columns)
        with MATPLOTLIB_LOCK:
            self.plot = RasterPlot(x_limits, y_limits, boundary_layout(num_rows))
            # Rendered at the first image, on the image thread.
            self._draw_fixed_parts(training, validation, reference_line)
        self._pixel_x, self._pixel_y = (
            centres.astype(np.float32) for centres in self.plot.pixel_centres()
        )
        self._grid = None  # The pixel centres as a tensor, for the compiled pass.
        self._compiled_field_indices = None
        self._compiled_cost = None
        self._boundary_colour = rgb255(BOUNDARY_COLOUR)
        self._arrow_colour = rgb255(ARROW_COLOUR)

    def _field_colours(self) -> np.ndarray:
        """The lookup table: 256 shades of p(class 1), or 256 per class for k > 2."""
        if self.binary:
            return colour_table("RdBu_r", 256, lighten=0.35)
        white = np.ones(3)
        shades = []
        for colour in self.class_colours:
            pale = colour + 0.45 * (1.0 - colour)
            # Level 0 is the least sure prediction, p = 1/k: nearly white.
            strength = 0.12 + 0.88 * np.linspace(0.0, 1.0, 256)[:, None]
            shades.append(white + strength * (pale - white))
        return np.round(np.concatenate(shades) * 255).astype(np.uint8)

    def field_indices(self, weights: list | None = None) -> np.ndarray:
        """Row of the lookup table for every pixel: floor(256 p), plus 256 c for k > 2.

        Args:
            weights: The model's `get_weights()`, if already at hand.
        """
        if self._plain_linear:
            # For p = sigmoid(w1 x1 + w2 x2 + b) the logits over the pixel grid
            # are an outer sum of a row and a column: numpy does it in well under
            # a millisecond, with nothing to compile.
            kernel, bias = self.model.get_weights() if weights is None else weights
            logits = kernel[0, 0] * self._pixel_x[None, :] + (
                kernel[1, 0] * self._pixel_y[:, None] + bias[0]
            )
            positive = 0.5 * (1.0 + np.tanh(0.5 * logits))  # sigmoid, without overflow
            return np.minimum(positive * 256.0, 255.0).astype(np.int32)
        if self._compiled_field_indices is None:
            grid_x, grid_y = np.meshgrid(self._pixel_x, self._pixel_y)
            self._grid = tf.constant(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1), tf.float32)
            self._compiled_field_indices = tf.function(
                self._compute_field_indices, jit_compile=True
            )
        indices = self._compiled_field_indices(self._grid).numpy()
        return indices.reshape(self.plot.box_shape)

    def _compute_field_indices(self, grid):
        probabilities = self.model(grid, training=False)
        if self.binary:
            positive = probabilities[:, -1]
            return tf.cast(tf.clip_by_value(tf.floor(positive * 256.0), 0.0, 255.0), tf.int32)
        predicted = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        chance = 1.0 / self.num_units
        confidence = (tf.reduce_max(probabilities, axis=-1) - chance) / (1.0 - chance)
        level = tf.cast(tf.clip_by_value(tf.floor(confidence * 256.0), 0.0, 255.0), tf.int32)
        return predicted * 256 + level

    def _legend_handles(self, validation, reference_line) -> tuple:
        """`(handles of the fixed marks, the boundary's, the arrow's or None)`.

        The classes have no entries: the colourbar gives their colours.
        """
        handles = []
        if validation is not None:
            handles.append(Line2D([], [], label="validation", **VALIDATION_HANDLE))
        if reference_line is not None:
            handles.append(Line2D([], [], label=line_equation(reference_line), **REFERENCE_STYLE))
        boundary_label = "p = 0.5" if self.binary else "boundary"
        boundary = Line2D([], [], label=boundary_label, **BOUNDARY_HANDLE)
        arrow = Line2D([], [], label="w", **ARROW_HANDLE) if self._plain_linear else None
        return handles, boundary, arrow

    def _draw_fixed_parts(self, training: Data, validation, reference_line) -> None:
        axes, overlay = self.plot.axes, self.plot.overlay_axes
        axes.set_xlabel("x1", fontsize=font_points(LABEL_PIXELS), labelpad=1)
        axes.set_ylabel("x2", fontsize=font_points(LABEL_PIXELS), labelpad=1)
        self._draw_colourbar()
        self._draw_points(training, TRAINING_STYLE)
        if validation is not None:
            self._draw_points(validation, VALIDATION_STYLE)
        if reference_line is not None:
            overlay.axline(*_two_points_on(reference_line), **REFERENCE_STYLE)

    def _draw_points(self, data: Data, style: dict) -> None:
        rows = np.arange(data.num_samples)
        if len(rows) > MAX_POINTS_DRAWN:
            rows = np.sort(np.random.default_rng(0).choice(rows, MAX_POINTS_DRAWN, replace=False))
        points, colours = data.features[rows], self.class_colours[data.labels[rows]]
        if style.get("facecolors") == "none":
            style = {**style, "edgecolors": colours}  # Hollow: the class shows in the edge.
        else:
            style = {**style, "c": colours}
        self.plot.overlay_axes.scatter(points[:, 0], points[:, 1], **style)

    def _draw_colourbar(self) -> None:
        if self.binary:
            colormap = matplotlib.colors.ListedColormap(self.table / 255.0)
            norm = matplotlib.colors.Normalize(0.0, 1.0)
            label, ticks = "p(class 1)", [0.0, 0.5, 1.0]
        else:
            surest = self.table[255::256] / 255.0
            colormap = matplotlib.colors.ListedColormap(surest)
            norm = matplotlib.colors.BoundaryNorm(
                np.arange(self.num_classes + 1) - 0.5, self.num_classes
            )
            label, ticks = "predicted class", range(self.num_classes)
        mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=colormap)
        colorbar = self.plot.figure.colorbar(mappable, cax=self.plot.colourbar_axes, ticks=ticks)
        colorbar.ax.tick_params(labelsize=font_points(TICK_PIXELS), pad=2)
        colorbar.set_label(label, fontsize=font_points(LABEL_PIXELS), labelpad=3)

    def render(self, step: int | None = None) -> np.ndarray | None:
        """The image `(rows, columns, 3)` uint8 at the current weights; None if not finite.

        Args:
            step: The epoch for the title; None for no epoch in it.
        """
        drawing = self.drawing(step)
        return None if drawing is None else drawing()

    def drawing(self, step: int | None = None):
        """A function of no arguments that draws the image at the current weights.

        The model is evaluated now; the function only paints, so it may run on
        another thread while training goes on. None if a weight is not finite.

        Args:
            step: The epoch for the title; None for no epoch in it.
        """
        weights = self.model.get_weights()
        if not all(np.isfinite(weight).all() for weight in weights):
            return None
        title = frame_title(step, self.cost(weights))
        return functools.partial(self.draw, self.field_indices(weights), weights, title)

    def cost(self, weights: list | None = None) -> float:
        """The cost J of the training points, in the model's reduction ("sum" or "mean").

        Args:
            weights: The model's `get_weights()`, if already at hand.
        """
        if self._plain_linear:
            kernel, bias = self.model.get_weights() if weights is None else weights
            logits = self._features.astype(np.float64) @ kernel[:, 0].astype(np.float64)
            logits += float(bias[0])
            total = float(np.sum(np.logaddexp(0.0, logits) - self._labels * logits))
        else:
            if self._compiled_cost is None:
                features, labels = tf.constant(self._features), tf.constant(self._labels)
                self._compiled_cost = tf.function(
                    lambda: tf.reduce_sum(
                        per_sample_cross_entropy(labels, self.model(features, training=False))
                    ),
                    jit_compile=True,
                )
            total = float(self._compiled_cost())
        return total / len(self._labels) if self.reduction == "mean" else total

    def draw(self, indices: np.ndarray, weights: list, title: str = "") -> np.ndarray:
        """The image of `field_indices(weights)`; touches neither the model nor TensorFlow.

        Args:
            indices: `field_indices(weights)`.
            weights: The model's `get_weights()` (for the weight vector's arrow).
            title: The title, e.g. `frame_title(step, cost)`.
        """
        box = np.take(self.table, indices, axis=0)
        regions = indices >= 128 if self.binary else indices // 256
        edges = edge_mask(regions)
        box[edges] = self._boundary_colour
        image = self.plot.compose(box)
        handles = list(self._static_handles)
        if edges.any():
            handles.append(self._boundary_handle)
        if self._plain_linear:  # On top of the points, which `compose` laid over the box.
            kernel, bias = weights
            box = self.plot.box_of(image)
            if self._paint_weight_vector(box, kernel[:, 0], float(bias[0])):
                handles.append(self._arrow_handle)
        self.plot.paint_title(image, title)
        self.plot.paint_legend(image, handles, self._legend_columns)
        return image

    def _paint_weight_vector(self, box: np.ndarray, weights: np.ndarray, bias: float) -> bool:
        """Paints the arrow of w; returns whether any of it shows."""
        weights = weights.astype(np.float64)
        squared_norm = float(weights @ weights)
        if squared_norm == 0.0:
            return False
        foot = -bias * weights / squared_norm
        start, end = self.plot.to_pixels(np.stack([foot, foot + weights]))
        length = np.hypot(*(end - start))
        if length < MIN_ARROW_PIXELS:
            end = start + (end - start) / length * MIN_ARROW_PIXELS
        rows, columns = box.shape[:2]
        inside = (0 <= start[0] < columns) and (0 <= start[1] < rows)
        if inside:  # Shortened to end a few pixels inside the axes, head and all.
            end = start + (end - start) * _fraction_inside(start, end, columns, rows, margin=4.0)
        return paint_arrow(box, start, end, self._arrow_colour)


def _fraction_inside(start, end, columns: int, rows: int, margin: float) -> float:
    """The largest t in [0, 1] with start + t (end - start) at least `margin` pixels inside."""
    fraction = 1.0
    for axis, size in ((0, columns), (1, rows)):
        step = end[axis] - start[axis]
        if step > 0:
            fraction = min(fraction, (size - margin - start[axis]) / step)
        elif step < 0:
            fraction = min(fraction, (margin - start[axis]) / step)
    return max(fraction, 0.0)


def _num_output_units(model: keras.Model) -> int:
    outputs = getattr(model, "outputs", None)
    if outputs and outputs[0].shape[-1] is not None:
        return int(outputs[0].shape[-1])
    return int(model(np.zeros((1, 2), np.float32), training=False).shape[-1])


def _class_colours(num_classes: int) -> np.ndarray:
    """Full-strength colours `(num_classes, 3)` in 0..1, one per class."""
    if num_classes == 2:
        return matplotlib.colormaps["RdBu_r"]([0.08, 0.92])[:, :3]
    if num_classes <= 10:
        return np.array(matplotlib.colormaps["tab10"].colors[:num_classes])
    return matplotlib.colormaps["hsv"](np.linspace(0.0, 1.0, num_classes, endpoint=False))[:, :3]


def line_equation(line) -> str:
    """The line (a, b, c) as readable text.

    Example:
        >>> line_equation((1.23, 1.0, -0.55))
        '1.23 x1 + x2 - 0.55 = 0'
    """
    terms = []
    for coefficient, name in zip(line, ("x1", "x2", "")):
        if coefficient == 0:
            continue
        size = abs(coefficient)
        text = f"{size:g} {name}".strip() if size != 1 or not name else name
        sign = "-" if coefficient < 0 else "+"
        terms.append(f"{sign} {text}" if terms else f"{'-' if coefficient < 0 else ''}{text}")
    return " ".join(terms) + " = 0"


def _two_points_on(line) -> tuple[tuple, tuple]:
    """Two points of the line a x1 + b x2 + c = 0, for `Axes.axline`."""
    a, b, c = line
    if abs(b) >= abs(a):
        return (0.0, -c / b), (1.0, -(a + c) / b)
    return (-c / a, 0.0), (-(b + c) / a, 1.0)
