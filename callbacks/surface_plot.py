"""The error surface's picture: a plane of weights, and the cost over it as an image.

`Plane` is a 2-D slice of weight space (an origin, two directions, limits),
sampled on a `GRID_POINTS` x `GRID_POINTS` grid. `SurfacePlot` draws the cost
over it as filled contours, colour bands spaced geometrically from the lowest
cost (`cost_bands`) so that they crowd around the minimum, with the path, the
current point (a ring) and the minimum (a cross, on top, so that the ring
never hides it) painted on top. Above the axes are a title (epoch, cost and,
on the (w1, w2) plane, the bias) and a legend of only the marks the frame
draws. Its axes and colourbar are drawn once with matplotlib
(`callbacks.raster`); each frame is then numpy: the grid's costs interpolated
to the pixels, a colour lookup, a few painted marks and the title.

Everything stays inside the 330-pixel image: the colourbar's ticks are short
("171k", "7.2M", `tick_labels`), tick labels and then axis labels shrink a
pixel at a time where they would still stick out (`fit_inside`), and a title
too wide for one line at full size is set smaller, or on two lines
(`callbacks.text_fitting`).
"""

from __future__ import annotations

import dataclasses

import matplotlib.cm
import matplotlib.colors
import matplotlib.ticker
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from kerasclf.callbacks.colours import colour_table, rgb255
from kerasclf.callbacks.figure_rendering import MATPLOTLIB_LOCK
from kerasclf.callbacks.frame_title import short_number
from kerasclf.callbacks.image_layout import (
    LABEL_PIXELS,
    LEGEND_ROW_PIXELS,
    TICK_PIXELS,
    Layout,
    font_points,
)
from kerasclf.callbacks.legend_strip import legend_columns
from kerasclf.callbacks.raster import RasterPlot
from kerasclf.callbacks.shape_painting import edge_mask, paint_discs, paint_polyline, paint_rings

# Cost evaluations per axis of the grid; the image interpolates between them.
GRID_POINTS = 48
NUM_BANDS = 16
# Smallest band, as a fraction of the cost range: the bands grow geometrically
# from here, so that contour lines crowd around the minimum.
SMALLEST_BAND = 1e-3
PATH_COLOUR = "#e41a1c"
# The current point: a ring, so that the minimum's cross shows through it.
NOW_RADIUS = 6.5
# Legend entries, drawn like the path and markers that `SurfacePlot.render` paints.
PATH_HANDLE = {"color": PATH_COLOUR, "lw": 2, "marker": "o", "ms": 3.5}
NOW_HANDLE = {"ls": "none", "marker": "o", "ms": 11, "mfc": "none", "mec": PATH_COLOUR, "mew": 2.5}
MINIMUM_HANDLE = {"ls": "none", "marker": "x", "ms": 9, "color": "black", "mew": 2.5}
# The surface images' layout, 330 pixels wide: a title row, a one-row legend
# strip, room for ticks such as -0.15 and an axis label at the left, and for
# the colourbar's ticks and label at the right.
SURFACE_LAYOUT = Layout(
    width=330,
    height=294,
    axes_left=58,
    axes_bottom=44,
    axes_width=188,
    axes_height=188,
    colourbar_gap=8,
    title_height=26,
    legend_height=LEGEND_ROW_PIXELS + 2,
)
# Where they would stick out of the image, tick and axis labels shrink, at
# most to these sizes (`fit_inside`).
MIN_TICK_PIXELS = 10
MIN_LABEL_PIXELS = 12
# Colourbar ticks from this cost on are written short: "171k", "7.2M".
SHORT_TICKS_FROM = 1e4


@dataclasses.dataclass
class Plane:
    """Weights theta(u, v) = origin + u d1 + v d2, over fixed limits of (u, v)."""

    origin: np.ndarray
    directions: np.ndarray
    x_limits: tuple[float, float]
    y_limits: tuple[float, float]

    def grid_coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """The (u, v) of the grid: u left to right, v top to bottom."""
        u = np.linspace(*self.x_limits, GRID_POINTS)
        v = np.linspace(self.y_limits[1], self.y_limits[0], GRID_POINTS)
        return u, v

    def grid_parameters(self) -> np.ndarray:
        """Parameter vectors of the grid, `(GRID_POINTS**2, num_parameters)`, row by row."""
        u, v = self.grid_coordinates()
        grid_u, grid_v = np.meshgrid(u, v)
        return (
            self.origin
            + grid_u.reshape(-1, 1) * self.directions[0]
            + grid_v.reshape(-1, 1) * self.directions[1]
        )

    def project(self, parameters: np.ndarray) -> np.ndarray:
        """(u, v) of parameter vectors, assuming orthonormal directions."""
        return (parameters - self.origin) @ self.directions.T


def tick_labels(ticks: np.ndarray) -> list[str]:
    """Short labels that print each tick differently, narrow enough for the colourbar.

    Below 10^4, plain numbers, each to at least 2 significant digits (at most
    4 decimals), more where two would print alike (a colourbar's bands widen
    geometrically, so its ticks span decades: 0.044, 1.2, 39); from 10^4 on, the fewest
    significant digits (at least 2) with k, M, G or T
    (`frame_title.short_number`), so that 6- to 8-digit costs take 4 to 6
    characters.

    Example:
        >>> tick_labels(np.array([56.6, 62.9, 96.9, 310.8, 1660.8]))
        ['57', '63', '97', '311', '1661']
        >>> tick_labels(np.array([345.0, 345.02, 345.15, 345.9, 350.0]))
        ['345.00', '345.02', '345.15', '345.90', '350.00']
        >>> tick_labels(np.array([0.0436, 1.183, 39.1])), tick_labels(np.array([0.0, 0.31, 12.8]))
        (['0.044', '1.2', '39'], ['0', '0.31', '13'])
        >>> tick_labels(np.array([4850.0, 185663.0, 7203153.0]))
        ['4.8k', '186k', '7.2M']
        >>> tick_labels(np.array([123456.0, 123789.0, 987654.0]))
        ['123k', '124k', '988k']
        >>> tick_labels(np.array([171185.0, 171405.0, 180000.0]))
        ['171.2k', '171.4k', '180.0k']
    """
    if np.abs(ticks).max() < SHORT_TICKS_FROM:
        candidates = (_plain_labels(ticks, digits) for digits in range(2, 10))
    else:
        candidates = ([short_number(tick, digits) for tick in ticks] for digits in range(2, 8))
    for labels in candidates:
        if len(set(labels)) == len(labels):
            break
    return labels


def _plain_labels(ticks: np.ndarray, significant: int) -> list[str]:
    """Each tick to `significant` digits (all digits left of the point kept, at most 4 decimals)."""
    magnitudes = np.floor(np.log10(np.maximum(np.abs(ticks), 1e-300)))
    decimals = np.clip(significant - 1 - magnitudes, 0, 4).astype(int)
    decimals[ticks == 0] = 0
    return [f"{tick:.{count}f}" for tick, count in zip(ticks, decimals)]


def fit_inside(axes: Axes, visible: Bbox) -> None:
    """Shrinks the tick and axis labels of `axes` until they lie in `visible`.

    A pixel at a time (`_shrinking_sizes`), down to `MIN_TICK_PIXELS` and
    `MIN_LABEL_PIXELS`; the sizes stay as they are where everything fits at
    full size. Hold `MATPLOTLIB_LOCK`.

    Args:
        axes: Axes of a figure on an Agg canvas (`figure_rendering.new_figure`).
        visible: The part of the figure the image shows, in display pixels.
    """
    renderer = axes.figure.canvas.get_renderer()
    for tick_pixels, label_pixels in _shrinking_sizes():
        axes.tick_params(labelsize=font_points(tick_pixels))
        for label in (axes.xaxis.label, axes.yaxis.label):
            label.set_fontsize(font_points(label_pixels))
        box = axes.get_tightbbox(renderer)
        if box.x0 >= visible.x0 and box.x1 <= visible.x1:
            if box.y0 >= visible.y0 and box.y1 <= visible.y1:
                return


def _shrinking_sizes():
    """`(tick, label)` font sizes in pixels, from full size down, one pixel off one of them a step.

    The label shrinks while it is 2 pixels larger than the ticks, then the
    ticks, so that neither ends much smaller than the other.

    Example:
        >>> list(_shrinking_sizes())[:4]
        [(14, 16), (14, 15), (13, 15), (13, 14)]
    """
    tick, label = TICK_PIXELS, LABEL_PIXELS
    yield tick, label
    while tick > MIN_TICK_PIXELS or label > MIN_LABEL_PIXELS:
        if label > MIN_LABEL_PIXELS and (label - tick >= 2 or tick == MIN_TICK_PIXELS):
            label -= 1
        else:
            tick -= 1
        yield tick, label


def cost_bands(low: float, high: float) -> np.ndarray:
    """`NUM_BANDS + 1` band edges from `low` to `high`, widening geometrically.

    Example:
        >>> edges = cost_bands(10.0, 20.0)
        >>> len(edges), float(edges[0]), float(edges[-1])
        (17, 10.0, 20.0)
    """
    span = max(high - low, 1e-9 * (1.0 + abs(low)))
    fractions = np.concatenate([[0.0], np.geomspace(SMALLEST_BAND, 1.0, NUM_BANDS)])
    return low + span * fractions


def _interpolation_weights(coarse: np.ndarray, fine: np.ndarray) -> tuple:
    """For each fine point, the coarse point before it and how far towards the next."""
    position = (fine - coarse[0]) / (coarse[1] - coarse[0])
    lower = np.clip(np.floor(position).astype(int), 0, len(coarse) - 2)
    return lower, np.clip(position - lower, 0.0, 1.0)


def _upsample(values: np.ndarray, rows: tuple, columns: tuple) -> np.ndarray:
    """Bilinear interpolation of a coarse grid of `values` to the pixel grid.

    Done with gathers rather than interpolation matrices: small matrix
    products go through BLAS, whose threads can stall for milliseconds on a
    busy machine.
    """
    (row, row_fraction), (column, column_fraction) = rows, columns
    row_fraction = row_fraction[:, None]
    between_rows = values[row] * (1.0 - row_fraction) + values[row + 1] * row_fraction
    return (
        between_rows[:, column] * (1.0 - column_fraction)
        + between_rows[:, column + 1] * column_fraction
    )


class SurfacePlot:
    """A cost image over one fixed `Plane` and fixed bands: static parts drawn once.

    Args:
        plane: The plane; only its limits matter here.
        bands: Band edges, from `cost_bands`.
        axis_labels: Labels of the u and v axes.
    """

    def __init__(self, plane: Plane, bands: np.ndarray, axis_labels: tuple[str, str]):
        self.bands = bands
        self.table = colour_table("viridis", NUM_BANDS)
        self._path_handle = Line2D([], [], label="path", **PATH_HANDLE)
        self._now_handle = Line2D([], [], label="now", **NOW_HANDLE)
        self._minimum_handle = Line2D([], [], label="minimum", **MINIMUM_HANDLE)
        every_handle = [self._path_handle, self._now_handle, self._minimum_handle]
        self._legend_columns = legend_columns(every_handle, SURFACE_LAYOUT.width)
        with MATPLOTLIB_LOCK:
            self._draw_fixed_parts(plane, bands, axis_labels)
        u, v = plane.grid_coordinates()
        x, y = self.plot.pixel_centres()
        self._columns = _interpolation_weights(u, x)
        self._rows = _interpolation_weights(v, y)
        self._path_colour = rgb255(PATH_COLOUR)

    def _draw_fixed_parts(self, plane: Plane, bands: np.ndarray, axis_labels) -> None:
        self.plot = RasterPlot(plane.x_limits, plane.y_limits, SURFACE_LAYOUT, overlay=False)
        axes = self.plot.axes
        axes.set_xlabel(axis_labels[0], fontsize=font_points(LABEL_PIXELS), labelpad=1)
        axes.set_ylabel(axis_labels[1], fontsize=font_points(LABEL_PIXELS), labelpad=1)
        colormap = matplotlib.colors.ListedColormap(self.table / 255.0)
        norm = matplotlib.colors.BoundaryNorm(bands, NUM_BANDS)
        colorbar = self.plot.figure.colorbar(
            matplotlib.cm.ScalarMappable(norm=norm, cmap=colormap),
            cax=self.plot.colourbar_axes,
            ticks=bands[::8],  # Three ticks: the lowest cost, the middle band's and the highest.
            format=_fixed_labels(bands[::8]),
        )
        colorbar.ax.tick_params(labelsize=font_points(TICK_PIXELS), pad=2)
        colorbar.set_label("cost J", fontsize=font_points(LABEL_PIXELS), labelpad=2)
        # What the title and the legend strip do not cover, in matplotlib's pixels (from below).
        header = SURFACE_LAYOUT.title_height + SURFACE_LAYOUT.legend_height
        visible = Bbox.from_extents(1, 1, SURFACE_LAYOUT.width - 1, SURFACE_LAYOUT.height - header)
        fit_inside(axes, visible)
        fit_inside(colorbar.ax, visible)
        self.plot.freeze()

    def render(
        self, costs: np.ndarray, plane: Plane, path, current, minimum, title: str = ""
    ) -> np.ndarray:
        """The image of grid `costs` `(GRID_POINTS, GRID_POINTS)`, with the path and markers.

        `path`, `current` and `minimum` are (u, v) coordinates on the plane;
        `minimum` is None when the lowest cost is not in view. `title` goes
        above the legend, e.g. `raster.frame_title(step, cost, bias)`.
        """
        fine = _upsample(costs, self._rows, self._columns)
        bands = np.searchsorted(self.bands[1:-1], fine, side="right")
        box = np.take(self.table, bands, axis=0)
        lines = edge_mask(bands, both_sides=False)
        box[lines] = (box[lines] * 0.6).astype(np.uint8)
        pixels = self.plot.to_pixels(path)
        handles = []
        if paint_polyline(box, pixels, self._path_colour, width=2.0):
            handles.append(self._path_handle)
        paint_discs(box, pixels, 1.5, self._path_colour)
        # The current point is a ring ringed in white, and the minimum's cross
        # goes on top of it: where the two meet, both stay visible.
        now = self.plot.to_pixels(current)
        if _inside(now[0], box.shape):
            paint_rings(box, now, NOW_RADIUS, (255, 255, 255), width=4.5)
            paint_rings(box, now, NOW_RADIUS, self._path_colour, width=2.5)
            handles.append(self._now_handle)
        if minimum is not None:
            centre = self.plot.to_pixels(minimum)[0]
            # A white outline keeps the black cross visible on the darkest band.
            _paint_cross(box, centre, (255, 255, 255), width=4.5)
            _paint_cross(box, centre, (0, 0, 0), width=2.0)
            handles.append(self._minimum_handle)
        image = self.plot.compose(box)
        self.plot.paint_title(image, title)
        self.plot.paint_legend(image, handles, self._legend_columns)
        return image


def _fixed_labels(ticks: np.ndarray) -> matplotlib.ticker.FuncFormatter:
    """A formatter that writes each of `ticks` as `tick_labels` does (the nearest one's label)."""
    labels = tick_labels(ticks)
    return matplotlib.ticker.FuncFormatter(
        lambda value, position: labels[int(np.argmin(np.abs(ticks - value)))]
    )


def _inside(point: np.ndarray, shape) -> bool:
    """Whether `(column, row)` lies in a box of `shape` `(rows, columns, ...)`."""
    return bool(0 <= point[0] < shape[1] and 0 <= point[1] < shape[0])


def _paint_cross(box: np.ndarray, centre: np.ndarray, colour, width: float) -> None:
    for corner in (np.array([5.0, 5.0]), np.array([5.0, -5.0])):
        paint_polyline(box, [centre - corner, centre + corner], colour, width)
