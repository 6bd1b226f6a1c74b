"""`BoundaryPicture`: the decision-boundary image of one model over a fixed input plane.

The image shows, over the plane of the two input features, the model's
probabilities at every pixel (`callbacks.probability_field`, coloured by
`callbacks.field_colours`) with a colourbar, the training points filled and
the validation points hollow, the decision boundary in black, an optional
dashed reference line (`callbacks.reference_line`) and, for a linear model,
the weight vector as a green arrow (`callbacks.weight_arrow`). Above the axes
go a title with the epoch and the cost (`callbacks.training_cost`) and a
legend of only the marks the frame draws.

The fixed parts (axes, colourbar, points, reference line) are drawn once with
matplotlib into a `callbacks.raster.RasterPlot`; each image is then the field,
a colour lookup and a few numpy operations (`draw`), which touch neither the
model nor TensorFlow and so may run on another thread.
"""

from __future__ import annotations

import dataclasses
import functools

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import matplotlib.cm
import matplotlib.colors
import numpy as np
from matplotlib.lines import Line2D

from kerasclf.callbacks.colours import rgb255
from kerasclf.callbacks.field_colours import class_colours, field_colours
from kerasclf.callbacks.figure_rendering import MATPLOTLIB_LOCK
from kerasclf.callbacks.frame_title import frame_title
from kerasclf.callbacks.image_layout import (
    LABEL_PIXELS,
    LEGEND_ROW_PIXELS,
    TICK_PIXELS,
    Layout,
    equal_aspect_limits,
    font_points,
    padded_limits,
)
from kerasclf.callbacks.legend_strip import legend_columns
from kerasclf.callbacks.probability_field import ProbabilityField, output_units
from kerasclf.callbacks.raster import RasterPlot
from kerasclf.callbacks.reference_line import line_equation, two_points_on
from kerasclf.callbacks.shape_painting import edge_mask
from kerasclf.callbacks.training_cost import TrainingCost
from kerasclf.callbacks.weight_arrow import ARROW_COLOUR, paint_weight_arrow
from kerasclf.data import Data
from kerasclf.models.inspection import plain_linear_parameters

# At most this many points of each set are drawn, so that the one-off
# matplotlib drawing stays fast and the plot readable.
MAX_POINTS_DRAWN = 2000
BOUNDARY_COLOUR = "black"
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
    """`LAYOUT` with room for a legend of `num_legend_rows` rows (none for 0).

    Example:
        >>> boundary_layout(0).height, boundary_layout(1).height
        (276, 302)
    """
    legend_height = num_legend_rows * LEGEND_ROW_PIXELS + (LEGEND_GAP if num_legend_rows else 0)
    return dataclasses.replace(
        LAYOUT, height=LAYOUT.height + legend_height, legend_height=legend_height
    )


class BoundaryPicture:
    """Draws decision-boundary images of one model over a fixed input plane.

    Args:
        model: A model with 2 inputs and a sigmoid or softmax output.
        training: The training points.
        validation: The validation points, or None.
        reference_line: `(a, b, c)` or None.

    Attributes:
        reduction: The cost in the title, "sum" or "mean" (the model's).
        class_colours: Full-strength colours `(num_classes, 3)` in 0..1.
        table: The field's colour lookup table, uint8 `(256, 3)` or `(256 k, 3)`.
        plot: The `RasterPlot` the images are composed on.

    Example:
        >>> from kerasclf.data import make_dataset
        >>> from kerasclf.models.registry import build_model
        >>> data = make_dataset("seminar_blobs")
        >>> picture = BoundaryPicture(build_model("logistic", 2), data, None, None)
        >>> picture.render(step=0).shape  # A legend of one row.
        (302, 330, 3)
    """

    def __init__(self, model: keras.Model, training: Data, validation, reference_line):
        self.model = model
        self.num_units = output_units(model)
        self.num_classes = max(self.num_units, 2, training.num_classes)
        self.binary = self.num_units <= 2
        self._plain_linear = plain_linear_parameters(model) is not None
        self._training_cost = TrainingCost(model, training, self._plain_linear)
        self.reduction = self._training_cost.reduction
        self.class_colours = class_colours(self.num_classes)
        self.table = field_colours(self.class_colours, self.binary)
        num_legend_rows = self._make_legend(validation, reference_line)
        everything = training.features
        if validation is not None:
            everything = np.concatenate([everything, validation.features])
        x_limits, y_limits = equal_aspect_limits(*padded_limits(everything), LAYOUT)
        with MATPLOTLIB_LOCK:
            self.plot = RasterPlot(x_limits, y_limits, boundary_layout(num_legend_rows))
            # Rendered at the first image, on the image thread.
            self._draw_fixed_parts(training, validation, reference_line)
        self._field = ProbabilityField(
            model, *self.plot.pixel_centres(), self.num_units, self._plain_linear
        )
        self._boundary_colour = rgb255(BOUNDARY_COLOUR)
        self._arrow_colour = rgb255(ARROW_COLOUR)

    def _make_legend(self, validation, reference_line) -> int:
        """Makes the legend's handles and columns; returns its number of rows."""
        self._static_handles, self._boundary_handle, self._arrow_handle = self._legend_handles(
            validation, reference_line
        )
        every_handle = [*self._static_handles, self._boundary_handle, self._arrow_handle]
        every_handle = [handle for handle in every_handle if handle is not None]
        self._legend_columns = legend_columns(every_handle, LAYOUT.width)
        return -(-len(every_handle) // self._legend_columns)

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
            overlay.axline(*two_points_on(reference_line), **REFERENCE_STYLE)

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

    def field_indices(self, weights: list | None = None) -> np.ndarray:
        """Row of the lookup table for every pixel: floor(256 p), plus 256 c for k > 2.

        Args:
            weights: The model's `get_weights()`, if already at hand.
        """
        return self._field.indices(weights)

    def cost(self, weights: list | None = None) -> float:
        """The cost J of the training points, in the model's reduction ("sum" or "mean").

        Args:
            weights: The model's `get_weights()`, if already at hand.
        """
        return self._training_cost.compute(weights)

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
            if paint_weight_arrow(box, self.plot, kernel[:, 0], float(bias[0]), self._arrow_colour):
                handles.append(self._arrow_handle)
        self.plot.paint_title(image, title)
        self.plot.paint_legend(image, handles, self._legend_columns)
        return image
