"""Sizes of the plot images: pixels, fonts, the axes box, and data limits that fit it.

Every image kerasclf writes is laid out in pixels (`Layout`), with text sizes
chosen for TensorBoard, which shows an image about 250 pixels wide. Matplotlib
takes font sizes in points: `font_points` converts. `padded_limits` and
`equal_aspect_limits` choose the data limits of the axes box.
"""

from __future__ import annotations

import dataclasses

import numpy as np

DOTS_PER_INCH = 100
# Text sizes in pixels of the image. TensorBoard shows an image about 250 pixels
# wide; a 330-pixel image shrinks by 0.76 there, so a title of 17 pixels stays
# near 13 on screen and tick labels of 14 near 11.
TITLE_PIXELS = 17
LABEL_PIXELS = 16
TICK_PIXELS = 14
LEGEND_PIXELS = 14
# The height of one row of a legend strip.
LEGEND_ROW_PIXELS = 20


def font_points(pixels: float) -> float:
    """A font size in points that is `pixels` tall in these images (matplotlib takes points).

    Example:
        >>> font_points(17)
        12.24
    """
    return pixels * 72.0 / DOTS_PER_INCH


@dataclasses.dataclass(frozen=True)
class Layout:
    """Pixel sizes of a plot image: the figure, the axes box and the colourbar.

    Lengths are in pixels; `axes_left` and `axes_bottom` are measured from the
    figure's left and bottom edges, as matplotlib does.

    Example:
        >>> layout = Layout()
        >>> layout.height - layout.axes_bottom - layout.axes_height  # The axes box's top row.
        46
    """

    width: int = 400
    height: int = 360
    axes_left: int = 52
    axes_bottom: int = 42
    axes_width: int = 272
    axes_height: int = 272
    colourbar_gap: int = 12
    colourbar_width: int = 12
    # Rows at the top for the title, then for a legend strip, above the axes.
    title_height: int = 0
    legend_height: int = 0


def padded_limits(points: np.ndarray, padding: float = 0.08) -> tuple[tuple, tuple]:
    """x and y limits around `points` (shape (num_points, 2)), padded on each side.

    Example:
        >>> padded_limits(np.array([[0.0, 0.0], [10.0, 5.0]]), padding=0.1)
        ((-1.0, 11.0), (-0.5, 5.5))
    """
    low = points.min(axis=0).astype(float)
    high = points.max(axis=0).astype(float)
    # A degenerate (zero-width) range still needs a visible extent.
    span = np.maximum(high - low, 1e-3 * (1.0 + np.abs(high)))
    low, high = low - padding * span, high + padding * span
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


def equal_aspect_limits(x_limits, y_limits, layout: Layout) -> tuple[tuple, tuple]:
    """Widens one of the limits so a data unit is as long on both axes.

    Then right angles look right: the weight vector stands perpendicular to the
    decision boundary, and a gradient perpendicular to the contour lines.

    Example:
        >>> equal_aspect_limits((0.0, 1.0), (0.0, 2.0), Layout(axes_width=100, axes_height=100))
        ((-0.5, 1.5), (0.0, 2.0))
    """
    x_scale = (x_limits[1] - x_limits[0]) / layout.axes_width
    y_scale = (y_limits[1] - y_limits[0]) / layout.axes_height
    scale = max(x_scale, y_scale)
    x_middle, y_middle = sum(x_limits) / 2, sum(y_limits) / 2
    x_half, y_half = scale * layout.axes_width / 2, scale * layout.axes_height / 2
    return (x_middle - x_half, x_middle + x_half), (y_middle - y_half, y_middle + y_half)
