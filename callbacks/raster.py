"""Fast plot images: draw the fixed parts once with matplotlib, each frame in numpy.

A matplotlib figure costs about 28-56 ms to draw and a PNG summary about 25 ms
more, far too slow for an image every epoch. Most of a plot never changes
between epochs, though: the axes, ticks, labels, colourbar and data points. A
`RasterPlot` draws those once into two RGBA buffers,

    background  everything under the data: the figure, axes frame, ticks,
                labels, colourbar;
    overlay     everything on top of it, on a transparent figure: the points,
                fixed lines, the legend;

and remembers the pixel box of the axes. A frame is then pure numpy: colour
each pixel of the axes box from a lookup table, paint lines and markers into
it with the `paint_*` functions, and blend the overlay on top (`compose`).
A 400x360 frame takes 1-3 ms this way. `encode_png` and `ImageLog` then encode
it (about 2.5 ms) and write it to TensorBoard on a background thread.

Coordinates: a frame is the axes box as an array `(rows, columns, 3)` of
uint8, row 0 at the top. Painting functions take points as `(column, row)`
in continuous pixel units, pixel `(i, j)` covering `[j, j + 1) x [i, i + 1)`.
`RasterPlot.to_pixels` converts data coordinates to these.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import functools
import gc
import os
import struct
import threading
import zlib

import matplotlib.colors
import matplotlib.ticker
import numpy as np
import tensorflow as tf
from matplotlib.backends.backend_agg import FigureCanvasAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from tensorboard.plugins.image import metadata as image_metadata

from callbacks.writers import SummaryWriters
from kerasclf.runs import write_bytes

DOTS_PER_INCH = 100
# Text sizes in pixels of the image. TensorBoard shows an image about 250 pixels
# wide; a 330-pixel image shrinks by 0.76 there, so a title of 17 pixels stays
# near 13 on screen and tick labels of 14 near 11.
TITLE_PIXELS = 17
LABEL_PIXELS = 16
TICK_PIXELS = 14
LEGEND_PIXELS = 14


def font_points(pixels: float) -> float:
    """A font size in points that is `pixels` tall in these images (matplotlib takes points)."""
    return pixels * 72.0 / DOTS_PER_INCH


@dataclasses.dataclass(frozen=True)
class Layout:
    """Pixel sizes of a plot image: the figure, the axes box and the colourbar.

    Lengths are in pixels; `axes_left` and `axes_bottom` are measured from the
    figure's left and bottom edges, as matplotlib does.
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


def rgb255(colour) -> np.ndarray:
    """A matplotlib colour (name, hex or tuple) as three uint8 values."""
    return np.round(np.array(matplotlib.colors.to_rgb(colour)) * 255).astype(np.uint8)


def colour_table(colormap, num_colours: int = 256, lighten: float = 0.0) -> np.ndarray:
    """A lookup table `(num_colours, 3)` of uint8 colours sampled from a colormap.

    Args:
        colormap: A matplotlib colormap, or its name.
        num_colours: Number of entries.
        lighten: How far to blend each colour towards white, 0 to 1, so that
            points drawn on top of a field of these colours stand out.

    Example:
        >>> colour_table("gray", 2).tolist()
        [[0, 0, 0], [255, 255, 255]]
    """
    if isinstance(colormap, str):
        colormap = matplotlib.colormaps[colormap]
    colours = colormap(np.linspace(0.0, 1.0, num_colours))[:, :3]
    colours = colours + lighten * (1.0 - colours)
    return np.round(colours * 255).astype(np.uint8)


def frame_title(step: int | None, cost: float, bias: float | None = None) -> str:
    """A frame's title: its epoch, the cost (4 significant digits) and, if given, the bias.

    Example:
        >>> frame_title(20, 56.6134, bias=-0.1234)
        'epoch 20 · cost 56.61 · b = −0.12'
    """
    parts = [] if step is None else [f"epoch {step}"]
    if np.isfinite(cost):
        digits = 3 - int(np.floor(np.log10(abs(cost)))) if cost != 0 else 0
        parts.append(f"cost {cost:.{int(np.clip(digits, 0, 6))}f}")
    if bias is not None:
        # Two decimals, or two significant digits for a bias still near zero.
        text = f"{bias:.2f}" if abs(bias) >= 0.1 or bias == 0 else f"{bias:.2g}"
        parts.append(f"b = {text}".replace("-", "\N{MINUS SIGN}"))
    return " \N{MIDDLE DOT} ".join(parts)


# Matplotlib is not thread-safe, and each image callback draws on its own
# thread: figures are built and rendered while holding this lock.
MATPLOTLIB_LOCK = threading.RLock()


class TextPainter:
    """Paints a line of text into images with numpy, each character drawn once by FreeType.

    A frame's title changes every frame (its epoch and cost), and matplotlib
    takes milliseconds to lay out and draw a text. Here each character is
    rendered once, with matplotlib's own font and hinting, and cached as an
    alpha mask; a line is then those masks laid side by side at their advances
    and blended in one step (about 0.1 ms). There is no kerning.

    Args:
        pixels: The font size in pixels.

    Example:
        >>> image = np.full((30, 200, 3), 255, np.uint8)
        >>> TextPainter(17).paint(image, "epoch 3", column=100, baseline=20)
        >>> bool((image < 100).any())
        True
    """

    def __init__(self, pixels: float):
        self._font = FT2Font(findfont(FontProperties()))  # matplotlib's default font.
        self._font.set_size(font_points(pixels), DOTS_PER_INCH)
        self._glyphs = {}
        self._lock = threading.Lock()  # One FT2Font; frames may be painted on several threads.

    def _glyph(self, character: str) -> tuple:
        """`(alpha mask, left offset, top row relative to the baseline, advance)` of a character."""
        glyph = self._glyphs.get(character)
        if glyph is None:
            with self._lock:
                font = self._font
                advance = font.load_char(ord(character), flags=get_hinting_flag()).linearHoriAdvance
                font.set_text(character, 0.0, flags=get_hinting_flag())
                font.draw_glyphs_to_bitmap(antialiased=True)
                mask = np.asarray(font.get_image(), dtype=np.float32) / 255.0
                # As Agg places text: the bitmap's last row lies `descent + 1` below the baseline.
                top = font.get_descent() // 64 + 1 - mask.shape[0]
                left = round(font.get_bitmap_offset()[0] / 64)
            glyph = self._glyphs[character] = (mask, left, top, advance / 65536)
        return glyph

    def width(self, text: str) -> float:
        """The advance of `text` in pixels."""
        return sum(self._glyph(character)[3] for character in text)

    def paint(self, image: np.ndarray, text: str, column: float, baseline: int, colour=(0, 0, 0)):
        """Paints `text` into `image` `(rows, columns, 3)`, centred on `column`."""
        if not text:
            return
        glyphs = [self._glyph(character) for character in text]
        pen = column - self.width(text) / 2
        placed = []
        for mask, left, top, advance in glyphs:
            placed.append((mask, round(pen) + left, baseline + top))
            pen += advance
        rows, columns = image.shape[:2]
        low_row = max(min(row for _, _, row in placed), 0)
        high_row = min(max(row + mask.shape[0] for mask, _, row in placed), rows)
        low_column = max(min(left for _, left, _ in placed), 0)
        high_column = min(max(left + mask.shape[1] for mask, left, _ in placed), columns)
        if high_row <= low_row or high_column <= low_column:
            return
        alpha = np.zeros((high_row - low_row, high_column - low_column), np.float32)
        for mask, left, row in placed:
            top, bottom = max(row, low_row), min(row + mask.shape[0], high_row)
            start, end = max(left, low_column), min(left + mask.shape[1], high_column)
            if bottom > top and end > start:
                region = alpha[
                    top - low_row : bottom - low_row, start - low_column : end - low_column
                ]
                np.maximum(
                    region, mask[top - row : bottom - row, start - left : end - left], out=region
                )
        alpha = alpha[:, :, None]
        region = image[low_row:high_row, low_column:high_column]
        colour = np.asarray(colour, np.float32)
        region[:] = (region * (1.0 - alpha) + colour * alpha + 0.5).astype(np.uint8)


def legend_strip(
    handles: list, width: int, height: int, num_columns: int, centre: float | None = None
) -> np.ndarray:
    """A legend of matplotlib `handles` on a white strip, as `(height, width, 3)` uint8.

    Drawn with matplotlib, like the rest of a plot's fixed parts, and meant to
    be drawn once for each set of handles a plot shows. The legend is centred
    on column `centre` (default: the middle), as far as it fits.
    """
    with MATPLOTLIB_LOCK, _garbage_collection_paused():
        figure = _strip_figure(width, height)
        if handles:
            legend = figure.legend(handles=handles, loc="center", ncol=num_columns, **LEGEND_STYLE)
            if centre is not None:
                half = legend.get_window_extent(figure.canvas.get_renderer()).width / 2 + 2
                column = float(np.clip(centre, half, width - half))
                legend.set_bbox_to_anchor((column / width, 0.5), transform=figure.transFigure)
        return _render(figure)[:, :, :3].copy()


def legend_columns(handles: list, width: int) -> int:
    """The most columns, up to one per handle, with which the legend of `handles` fits `width`."""
    with MATPLOTLIB_LOCK, _garbage_collection_paused():
        figure = _strip_figure(width, 100)
        renderer = figure.canvas.get_renderer()
        for num_columns in range(len(handles), 1, -1):
            legend = figure.legend(handles=handles, loc="center", ncol=num_columns, **LEGEND_STYLE)
            fits = legend.get_window_extent(renderer).width <= width - 4
            legend.remove()
            if fits:
                return num_columns
    return 1


def _strip_figure(width: int, height: int) -> Figure:
    figure = Figure(
        figsize=(width / DOTS_PER_INCH, height / DOTS_PER_INCH),
        dpi=DOTS_PER_INCH,
        facecolor="white",
    )
    FigureCanvasAgg(figure)
    return figure


LEGEND_STYLE = {
    "fontsize": font_points(LEGEND_PIXELS),
    "frameon": False,
    "handlelength": 1.4,
    "handletextpad": 0.4,
    "columnspacing": 1.0,
    "borderaxespad": 0.0,
    "borderpad": 0.0,
    "labelspacing": 0.2,
}
# The height of one row of a legend strip.
LEGEND_ROW_PIXELS = 20


class RasterPlot:
    """A plot whose fixed parts are drawn once, and whose frames are numpy arrays.

    Draw the fixed parts on `axes` and `colourbar_axes` (under the data) and on
    `overlay_axes` (on top of it), holding `MATPLOTLIB_LOCK`; then make each
    frame: colour the `(rows, columns, 3)` axes box, paint into it, and
    `compose` it into the whole image. The first `compose` renders the fixed
    parts (`freeze`), on whichever thread makes the first frame. Both axes keep
    the limits given here.

    Args:
        x_limits: `(left, right)` data limits of the axes.
        y_limits: `(bottom, top)` data limits.
        layout: Pixel sizes of the image.
        colourbar: Whether to make `colourbar_axes`.
        overlay: Whether to make `overlay_axes`; without it nothing is
            blended on top, which saves drawing a second figure.

    Example:
        >>> plot = RasterPlot((0.0, 1.0), (0.0, 1.0))
        >>> _ = plot.axes.set_xlabel("x1")
        >>> plot.freeze()
        >>> box = np.full(plot.box_shape + (3,), 255, np.uint8)
        >>> plot.compose(box).shape
        (360, 400, 3)
    """

    def __init__(
        self,
        x_limits,
        y_limits,
        layout: Layout = Layout(),
        colourbar: bool = True,
        overlay: bool = True,
    ):
        self.x_limits = tuple(float(value) for value in x_limits)
        self.y_limits = tuple(float(value) for value in y_limits)
        self.layout = layout
        self.figure = self._new_figure(facecolor="white")
        self.axes = self.figure.add_axes(self._axes_rectangle())
        self.colourbar_axes = None
        if colourbar:
            left = layout.axes_left + layout.axes_width + layout.colourbar_gap
            self.colourbar_axes = self.figure.add_axes(
                [
                    left / layout.width,
                    layout.axes_bottom / layout.height,
                    layout.colourbar_width / layout.width,
                    layout.axes_height / layout.height,
                ]
            )
        self.overlay_figure = self.overlay_axes = None
        if overlay:
            self.overlay_figure = self._new_figure(facecolor="none")
            self.overlay_axes = self.overlay_figure.add_axes(self._axes_rectangle())
            self.overlay_axes.set_facecolor("none")
            self.overlay_axes.set_axis_off()  # The ticks and frame are the background's.
        # Few, large tick labels: they must stay readable at TensorBoard's size.
        self.axes.tick_params(labelsize=font_points(TICK_PIXELS), pad=2)
        self.axes.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4))
        self.axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4))
        for axes in (self.axes, self.overlay_axes):
            if axes is not None:
                axes.set_xlim(self.x_limits)
                axes.set_ylim(self.y_limits)
                axes.set_autoscale_on(False)
        self._background = None
        self._legends = {}  # Legend strips by their labels, drawn when first shown.

    @property
    def box_shape(self) -> tuple[int, int]:
        """`(rows, columns)` of the axes box, the shape of a frame."""
        return self.layout.axes_height, self.layout.axes_width

    @property
    def _box_top(self) -> int:
        return self.layout.height - self.layout.axes_bottom - self.layout.axes_height

    def _new_figure(self, facecolor) -> Figure:
        figure = Figure(
            figsize=(self.layout.width / DOTS_PER_INCH, self.layout.height / DOTS_PER_INCH),
            dpi=DOTS_PER_INCH,
            facecolor=facecolor,
        )
        FigureCanvasAgg(figure)
        return figure

    def _axes_rectangle(self) -> list[float]:
        layout = self.layout
        return [
            layout.axes_left / layout.width,
            layout.axes_bottom / layout.height,
            layout.axes_width / layout.width,
            layout.axes_height / layout.height,
        ]

    def freeze(self) -> None:
        """Renders the fixed parts once and lets the matplotlib figures go."""
        with MATPLOTLIB_LOCK, _garbage_collection_paused():
            self._background = _render(self.figure)[:, :, :3].copy()
            overlay = np.zeros((0, 4), np.uint8)
            if self.overlay_figure is not None:
                overlay = _render(self.overlay_figure).reshape(-1, 4)
        alpha = overlay[:, 3]
        # Most overlay pixels are fully transparent or fully opaque; only the
        # few in between (antialiased edges, the legend's frame) need blending.
        self._opaque = np.flatnonzero(alpha == 255)
        self._opaque_colour = overlay[self._opaque, :3].copy()
        self._partial = np.flatnonzero((alpha > 0) & (alpha < 255))
        partial_alpha = alpha[self._partial, None].astype(np.float32) / 255.0
        # Agg's buffer holds straight (not premultiplied) alpha.
        self._partial_colour = overlay[self._partial, :3] * partial_alpha + 0.5
        self._partial_keep = 1.0 - partial_alpha
        self.figure = self.overlay_figure = None
        self.axes = self.overlay_axes = self.colourbar_axes = None

    def pixel_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Data coordinates of the pixel centres: `x` per column, `y` per row (top first)."""
        rows, columns = self.box_shape
        x_low, x_high = self.x_limits
        y_low, y_high = self.y_limits
        x = x_low + (np.arange(columns) + 0.5) / columns * (x_high - x_low)
        y = y_high - (np.arange(rows) + 0.5) / rows * (y_high - y_low)
        return x, y

    def to_pixels(self, points) -> np.ndarray:
        """Data points `(num_points, 2)` as `(column, row)` in the axes box."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        rows, columns = self.box_shape
        x_low, x_high = self.x_limits
        y_low, y_high = self.y_limits
        column = (points[:, 0] - x_low) / (x_high - x_low) * columns
        row = (y_high - points[:, 1]) / (y_high - y_low) * rows
        return np.stack([column, row], axis=1)

    def box_of(self, image: np.ndarray) -> np.ndarray:
        """The axes box of a composed `image`, as a view: paint into it to draw on top."""
        top, left = self._box_top, self.layout.axes_left
        rows, columns = self.box_shape
        return image[top : top + rows, left : left + columns]

    def paint_title(self, image: np.ndarray, text: str) -> None:
        """Paints `text` in the title rows of a composed `image`, centred over the axes."""
        layout = self.layout
        baseline = (layout.title_height + TITLE_PIXELS) // 2 + 1
        painter = _title_painter()
        # Over the axes' centre, unless that pushes a long title off the image.
        half = painter.width(text) / 2 + 2
        centre = np.clip(layout.axes_left + layout.axes_width / 2, half, layout.width - half)
        painter.paint(image, text, float(centre), baseline)

    def paint_legend(self, image: np.ndarray, handles: list, num_columns: int) -> None:
        """Pastes the legend of `handles` (the marks this frame draws) under the title.

        Each set of handles is drawn with matplotlib the first time it is shown,
        in `num_columns` columns (`legend_columns` of all the handles a frame may show).
        """
        layout = self.layout
        key = tuple(handle.get_label() for handle in handles)
        strip = self._legends.get(key)
        if strip is None:
            centre = layout.axes_left + layout.axes_width / 2
            strip = legend_strip(handles, layout.width, layout.legend_height, num_columns, centre)
            self._legends[key] = strip
        image[layout.title_height : layout.title_height + layout.legend_height] = strip

    def compose(self, box: np.ndarray) -> np.ndarray:
        """The whole image: the background, the painted axes box, the overlay on top."""
        if self._background is None:
            self.freeze()
        image = self._background.copy()
        top, left = self._box_top, self.layout.axes_left
        rows, columns = self.box_shape
        image[top : top + rows, left : left + columns] = box
        # Agg draws the axes frame's top and left lines on the box's first row
        # and column (the other two just outside it): copy them back.
        image[top, left : left + columns] = self._background[top, left : left + columns]
        image[top : top + rows, left] = self._background[top : top + rows, left]
        pixels = image.reshape(-1, 3)
        pixels[self._opaque] = self._opaque_colour
        under = pixels[self._partial]
        pixels[self._partial] = (under * self._partial_keep + self._partial_colour).astype(np.uint8)
        return image


@functools.lru_cache(maxsize=1)
def _title_painter() -> TextPainter:
    return TextPainter(TITLE_PIXELS)


@contextlib.contextmanager
def _garbage_collection_paused():
    """Pauses Python's garbage collector while matplotlib draws.

    Drawing allocates many small objects, and in a process that holds
    TensorFlow each collection they trigger walks its whole, large heap: a
    draw that takes 60 ms on its own took 250 ms inside a training run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _render(figure: Figure) -> np.ndarray:
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())


# Painting into a frame. Points are (column, row) in continuous pixel units.


def _clip_segments(starts: np.ndarray, ends: np.ndarray, shape) -> tuple:
    """Liang-Barsky clipping of segments to the box; drops those fully outside."""
    rows, columns = shape
    delta = ends - starts
    t_low = np.zeros(len(starts))
    t_high = np.ones(len(starts))
    keep = np.all(np.isfinite(starts) & np.isfinite(ends), axis=1)
    for axis, size in ((0, columns), (1, rows)):
        for sign, bound in ((-1.0, 0.0), (1.0, float(size))):
            # Inside means sign * (start + t delta) <= sign * bound.
            denominator = sign * delta[:, axis]
            numerator = sign * (bound - starts[:, axis])
            with np.errstate(divide="ignore", invalid="ignore"):
                t = numerator / denominator
            parallel = denominator == 0
            keep &= ~(parallel & (numerator < 0))
            entering = denominator < 0
            leaving = denominator > 0
            t_low = np.where(entering, np.maximum(t_low, t), t_low)
            t_high = np.where(leaving, np.minimum(t_high, t), t_high)
    keep &= t_low <= t_high
    clipped_starts = starts + t_low[:, None] * delta
    clipped_ends = starts + t_high[:, None] * delta
    return clipped_starts[keep], clipped_ends[keep]


def _paint_pixels(box: np.ndarray, columns: np.ndarray, rows: np.ndarray, colour) -> None:
    inside = (rows >= 0) & (rows < box.shape[0]) & (columns >= 0) & (columns < box.shape[1])
    box[rows[inside], columns[inside]] = colour


@functools.lru_cache(maxsize=16)
def _brush(width: float) -> np.ndarray:
    """Pixel offsets `(num, 2)` of a round brush of the given diameter."""
    radius = max(width / 2.0, 0.5)
    reach = int(np.ceil(radius))
    offsets = np.arange(-reach, reach + 1)
    column, row = np.meshgrid(offsets, offsets)
    inside = column**2 + row**2 <= radius**2 + 0.25
    return np.stack([column[inside], row[inside]], axis=1)


def paint_polyline(box: np.ndarray, points, colour, width: float = 2.0) -> bool:
    """Paints connected straight segments through `points` `(num_points, 2)`.

    Segments are clipped to the box first, so a line may start far outside it.
    Returns whether any segment reached the box.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(points) < 2:
        return False
    starts, ends = _clip_segments(points[:-1], points[1:], box.shape[:2])
    if len(starts) == 0:
        return False
    # Two samples per pixel of length leave no gaps between the painted pixels.
    counts = np.ceil(2 * np.abs(ends - starts).max(axis=1)).astype(int) + 1
    segment = np.repeat(np.arange(len(starts)), counts)
    first_sample = np.repeat(np.cumsum(counts) - counts, counts)
    fraction = (np.arange(counts.sum()) - first_sample) / np.maximum(counts[segment] - 1, 1)
    samples = starts[segment] + fraction[:, None] * (ends - starts)[segment]
    pixels = np.floor(samples).astype(int)
    brushed = (pixels[:, None, :] + _brush(width)[None, :, :]).reshape(-1, 2)
    _paint_pixels(box, brushed[:, 0], brushed[:, 1], colour)
    return True


@functools.lru_cache(maxsize=16)
def _ring(radius: float, width: float) -> np.ndarray:
    """Pixel offsets `(num, 2)` of a ring of the given radius and line width."""
    reach = int(np.ceil(radius + width / 2))
    offsets = np.arange(-reach, reach + 1)
    column, row = np.meshgrid(offsets, offsets)
    distance = np.sqrt(column**2 + row**2)
    inside = np.abs(distance - radius) <= width / 2
    return np.stack([column[inside], row[inside]], axis=1)


def paint_rings(box: np.ndarray, centres, radius: float, colour, width: float = 2.0) -> None:
    """Paints circles (outlines only) of `radius` pixels at `centres` `(num_points, 2)`."""
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    centres = centres[np.isfinite(centres).all(axis=1)]
    pixels = np.floor(centres).astype(int)
    brushed = (pixels[:, None, :] + _ring(radius, width)[None, :, :]).reshape(-1, 2)
    _paint_pixels(box, brushed[:, 0], brushed[:, 1], colour)


def paint_discs(box: np.ndarray, centres, radius: float, colour) -> None:
    """Paints filled discs of `radius` pixels at `centres` `(num_points, 2)`."""
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    centres = centres[np.isfinite(centres).all(axis=1)]
    pixels = np.floor(centres).astype(int)
    brushed = (pixels[:, None, :] + _brush(2 * radius)[None, :, :]).reshape(-1, 2)
    _paint_pixels(box, brushed[:, 0], brushed[:, 1], colour)


def paint_triangle(box: np.ndarray, corners, colour) -> bool:
    """Paints a filled triangle `corners` `(3, 2)`, for arrowheads; whether it reached the box."""
    corners = np.asarray(corners, dtype=np.float64)
    low = np.maximum(np.floor(corners.min(axis=0)).astype(int), 0)
    high = np.minimum(np.ceil(corners.max(axis=0)).astype(int), box.shape[1::-1])
    if np.any(high <= low):
        return False
    column, row = np.meshgrid(np.arange(low[0], high[0]), np.arange(low[1], high[1]))
    point = np.stack([column + 0.5, row + 0.5], axis=-1)
    # A pixel centre is inside when it lies on the same side of all three edges.
    sides = []
    for index in range(3):
        edge = corners[(index + 1) % 3] - corners[index]
        offset = point - corners[index]
        sides.append(edge[0] * offset[..., 1] - edge[1] * offset[..., 0])
    inside = ((sides[0] >= 0) & (sides[1] >= 0) & (sides[2] >= 0)) | (
        (sides[0] <= 0) & (sides[1] <= 0) & (sides[2] <= 0)
    )
    box[row[inside], column[inside]] = colour
    return bool(inside.any())


def paint_arrow(
    box: np.ndarray, start, end, colour, width: float = 2.0, head_length: float = 9.0
) -> bool:
    """Paints an arrow from `start` to `end` (pixels), its head at `end`; whether it shows."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    length = np.hypot(*(end - start))
    if not np.isfinite(length) or length == 0:
        return False
    direction = (end - start) / length
    normal = np.array([-direction[1], direction[0]])
    head_length = min(head_length, 0.6 * length)
    head_base = end - head_length * direction
    shaft = paint_polyline(box, [start, head_base], colour, width)
    half_width = 0.45 * head_length
    head = paint_triangle(
        box, [end, head_base + half_width * normal, head_base - half_width * normal], colour
    )
    return shaft or head


def edge_mask(regions: np.ndarray, both_sides: bool = True) -> np.ndarray:
    """Where `regions` `(rows, columns)` differs from a neighbouring pixel.

    The boundaries between regions, found without any contouring. With
    `both_sides`, the pixels on either side of a change are marked, a line
    about 2 pixels wide; otherwise only the pixel right of or below it.

    Example:
        >>> edge_mask(np.array([[0, 0, 1, 1]])).tolist()
        [[False, True, True, False]]
    """
    horizontal = regions[:, 1:] != regions[:, :-1]
    vertical = regions[1:, :] != regions[:-1, :]
    edge = np.zeros(regions.shape, dtype=bool)
    edge[:, 1:] |= horizontal
    edge[1:, :] |= vertical
    if both_sides:
        edge[:, :-1] |= horizontal
        edge[:-1, :] |= vertical
    return edge


# Output: PNG bytes, TensorBoard image summaries and files.


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a `(rows, columns, 3)` uint8 image.

    Written directly: rows unfiltered, compressed with zlib at level 1. That
    takes about 2.5 ms for a 400x360 plot, where `tf.io.encode_png` takes 6-8
    ms searching row filters, for a file hardly smaller.

    Example:
        >>> encode_png(np.zeros((2, 3, 3), np.uint8))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    rows, columns, _ = image.shape
    scanlines = np.zeros((rows, 1 + 3 * columns), np.uint8)  # Byte 0: filter type 0, none.
    scanlines[:, 1:] = image.reshape(rows, 3 * columns)
    header = struct.pack(">IIBBBBB", columns, rows, 8, 2, 0, 0, 0)  # 8-bit RGB.
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(scanlines.tobytes(), 1)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def write_image_summary(tag: str, png: bytes, shape, step: int, description: str = "") -> None:
    """Writes an already encoded PNG as a TensorBoard image summary.

    It is what `tf.summary.image` writes (the tensor [width, height, png] with
    the image plugin's metadata), without encoding the image a second time: the
    same PNG bytes also go to the run's final `.png` file.

    Args:
        tag: The summary's tag.
        png: PNG bytes.
        shape: `(rows, columns, ...)` of the image.
        step: The step.
        description: Markdown shown with the image in TensorBoard.
    """
    tensor = tf.constant([str(shape[1]).encode(), str(shape[0]).encode(), png])
    summary_metadata = image_metadata.create_summary_metadata(
        display_name=None, description=description
    )
    tf.summary.write(tag=tag, tensor=tensor, step=step, metadata=summary_metadata)


def save_png(path: str, png: bytes) -> None:
    """Writes PNG bytes to `path` atomically (never half a file), creating its directory."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    write_bytes(path, png)


class ImageLog:
    """One tag's images: summaries in `<logdir>/train`, the last one as a PNG file.

    Encoding and writing happen on a background thread, one image at a time:
    zlib releases Python's lock while it compresses, so the next epoch trains
    meanwhile. `add` may also pass a function that draws the image, to draw
    it on that thread too. `add` waits for the previous image first, so at
    most one is pending, and an error in the thread surfaces in the next `add`
    or `close`.

    Args:
        logdir: The run directory.
        tag: The summary tag.
        file_name: Name of the PNG file in `logdir` that `close` writes.
        description: Markdown shown with the images in TensorBoard.

    Example:
        >>> log = ImageLog("/tmp/run", "picture", "picture.png", "A picture.")  # doctest: +SKIP
        >>> log.add(np.zeros((4, 4, 3), np.uint8), step=0)  # doctest: +SKIP
        >>> log.close()  # doctest: +SKIP
    """

    def __init__(self, logdir: str, tag: str, file_name: str, description: str):
        self.logdir = logdir
        self.tag = tag
        self.file_name = file_name
        self.description = description
        self._writers = SummaryWriters(logdir)
        self._executor = None
        self._pending = None
        self._last_png = None

    def add(self, image, step: int) -> None:
        """Queues an image as the summary at `step`.

        Args:
            image: `(rows, columns, 3)` uint8; or a function of no arguments
                that draws it, or returns None for no image, called on the
                background thread too. It must not read anything training
                changes: pass it copies.
            step: The summary step.
        """
        self._wait()
        writer = self._writers["train"]  # Created here: the thread only uses it.
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(1, f"{self.tag}_writer")
        self._pending = self._executor.submit(self._write, writer, image, step)

    def _write(self, writer, image, step: int) -> bytes | None:
        if callable(image):
            image = image()
            if image is None:
                return self._last_png
        png = encode_png(image)
        with writer.as_default():
            write_image_summary(self.tag, png, image.shape, step, self.description)
        return png

    def _wait(self) -> None:
        if self._pending is not None:
            self._last_png = self._pending.result()
            self._pending = None

    def close(self) -> None:
        """Finishes the pending image, saves the last one to the file, closes the writer."""
        try:
            self._wait()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            self._writers.close()
        if self._last_png is not None:
            save_png(os.path.join(self.logdir, self.file_name), self._last_png)
