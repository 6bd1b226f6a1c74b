"""The weight vector w of a linear model, as an arrow standing on its decision boundary.

For p = sigmoid(w . x + b) the boundary is the line w . x + b = 0 and w is its
normal, pointing towards class 1. The arrow starts at the point of the
boundary closest to the origin, the foot -b w / |w|^2, and ends at the foot
plus w, at its true length in data units. Two exceptions keep it readable:
it is never shorter than `MIN_ARROW_PIXELS`, so that its direction shows while
|w| is small, and when it starts inside the axes it is shortened to end
`MARGIN_PIXELS` inside them, so that its head stays in the picture.

Example:
    >>> plot = RasterPlot((-1.0, 1.0), (-1.0, 1.0), overlay=False)
    >>> box = np.full(plot.box_shape + (3,), 255, np.uint8)
    >>> paint_weight_arrow(box, plot, np.array([0.5, 0.0]), 0.0, np.array([26, 152, 80]))
    True
"""

from __future__ import annotations

import numpy as np

from kerasclf.callbacks.raster import RasterPlot
from kerasclf.callbacks.shape_painting import paint_arrow

ARROW_COLOUR = "#1a9850"
MIN_ARROW_PIXELS = 28.0
# How far inside the axes a shortened arrow ends, head and all.
MARGIN_PIXELS = 4.0


def paint_weight_arrow(
    box: np.ndarray, plot: RasterPlot, weights: np.ndarray, bias: float, colour
) -> bool:
    """Paints the arrow of w into the axes box; returns whether any of it shows.

    Args:
        box: The axes box `(rows, columns, 3)` uint8 to paint into.
        plot: The plot of the box, for data-to-pixel coordinates.
        weights: The weight vector w, shape (2,).
        bias: The bias b.
        colour: The arrow's colour as three 0-255 values.

    Returns:
        False when w = 0 (no direction) or the arrow falls outside the box.
    """
    weights = weights.astype(np.float64)
    squared_norm = float(weights @ weights)
    if squared_norm == 0.0:
        return False
    foot = -bias * weights / squared_norm
    start, end = plot.to_pixels(np.stack([foot, foot + weights]))
    length = np.hypot(*(end - start))
    if length < MIN_ARROW_PIXELS:
        end = start + (end - start) / length * MIN_ARROW_PIXELS
    rows, columns = box.shape[:2]
    inside = (0 <= start[0] < columns) and (0 <= start[1] < rows)
    if inside:  # Shortened to end a few pixels inside the axes, head and all.
        end = start + (end - start) * fraction_inside(
            start, end, columns, rows, margin=MARGIN_PIXELS
        )
    return paint_arrow(box, start, end, colour)


def fraction_inside(start, end, columns: int, rows: int, margin: float) -> float:
    """The largest t in [0, 1] with start + t (end - start) at least `margin` pixels inside.

    Args:
        start: `(column, row)` where the segment starts, inside the box.
        end: `(column, row)` where it ends.
        columns: The box's width in pixels.
        rows: The box's height in pixels.
        margin: How many pixels inside the box the shortened end must stay.

    Example:
        >>> fraction_inside((10.0, 10.0), (110.0, 10.0), columns=50, rows=50, margin=4.0)
        0.36
    """
    fraction = 1.0
    for axis, size in ((0, columns), (1, rows)):
        step = end[axis] - start[axis]
        if step > 0:
            fraction = min(fraction, (size - margin - start[axis]) / step)
        elif step < 0:
            fraction = min(fraction, (margin - start[axis]) / step)
    return max(fraction, 0.0)
