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
each pixel of the axes box from a lookup table (`callbacks.colours`), paint
lines and markers into it (`callbacks.shape_painting`), and blend the overlay
on top (`RasterPlot.compose`). A 400x360 frame takes 1-3 ms this way.
`callbacks.image_log.ImageLog` then encodes it (`callbacks.png_encoding`) and
writes it to TensorBoard on a background thread.

The pieces, one module each: `callbacks.image_layout` (pixel sizes and data
limits), `callbacks.colours`, `callbacks.figure_rendering` (matplotlib
off-screen, thread-safe), `callbacks.legend_strip`, `callbacks.text_painter`
(text), `callbacks.text_fitting` (titles kept inside the image),
`callbacks.frame_title`, `callbacks.shape_painting`,
`callbacks.png_encoding` and `callbacks.image_log`. This module is the compositor, `RasterPlot`.

Coordinates: a frame is the axes box as an array `(rows, columns, 3)` of
uint8, row 0 at the top. Painting functions take points as `(column, row)`
in continuous pixel units, pixel `(i, j)` covering `[j, j + 1) x [i, i + 1)`.
`RasterPlot.to_pixels` converts data coordinates to these.
"""

from __future__ import annotations

import matplotlib.ticker
import numpy as np

# Names that lived in this module before it was split, imported back so that
# `from kerasclf.callbacks.raster import ...` keeps working for every importer.
from kerasclf.callbacks.colours import colour_table, rgb255
from kerasclf.callbacks.figure_rendering import (
    MATPLOTLIB_LOCK,
    garbage_collection_paused,
    new_figure,
    render_figure,
)
from kerasclf.callbacks.frame_title import frame_title
from kerasclf.callbacks.image_layout import (
    DOTS_PER_INCH,
    LABEL_PIXELS,
    LEGEND_PIXELS,
    LEGEND_ROW_PIXELS,
    TICK_PIXELS,
    TITLE_PIXELS,
    Layout,
    equal_aspect_limits,
    font_points,
    padded_limits,
)
from kerasclf.callbacks.image_log import ImageLog, save_png, write_image_summary
from kerasclf.callbacks.legend_strip import LEGEND_STYLE, legend_columns, legend_strip
from kerasclf.callbacks.png_encoding import encode_png
from kerasclf.callbacks.shape_painting import (
    edge_mask,
    paint_arrow,
    paint_discs,
    paint_polyline,
    paint_rings,
    paint_triangle,
)
from kerasclf.callbacks.text_painter import TextPainter
from kerasclf.callbacks.text_fitting import paint_title

__all__ = [
    "DOTS_PER_INCH",
    "LABEL_PIXELS",
    "LEGEND_PIXELS",
    "LEGEND_ROW_PIXELS",
    "LEGEND_STYLE",
    "MATPLOTLIB_LOCK",
    "TICK_PIXELS",
    "TITLE_PIXELS",
    "ImageLog",
    "Layout",
    "RasterPlot",
    "TextPainter",
    "colour_table",
    "edge_mask",
    "encode_png",
    "equal_aspect_limits",
    "font_points",
    "frame_title",
    "legend_columns",
    "legend_strip",
    "padded_limits",
    "paint_arrow",
    "paint_discs",
    "paint_polyline",
    "paint_rings",
    "paint_triangle",
    "rgb255",
    "save_png",
    "write_image_summary",
]


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
        self.figure = new_figure(layout.width, layout.height, facecolor="white")
        self.axes = self.figure.add_axes(self._axes_rectangle())
        self.colourbar_axes = None
        if colourbar:
            self.colourbar_axes = self.figure.add_axes(self._colourbar_rectangle())
        self.overlay_figure = self.overlay_axes = None
        if overlay:
            self.overlay_figure = new_figure(layout.width, layout.height, facecolor="none")
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

    def _axes_rectangle(self) -> list[float]:
        """The axes box as `[left, bottom, width, height]`, fractions of the figure."""
        layout = self.layout
        return [
            layout.axes_left / layout.width,
            layout.axes_bottom / layout.height,
            layout.axes_width / layout.width,
            layout.axes_height / layout.height,
        ]

    def _colourbar_rectangle(self) -> list[float]:
        """The colourbar right of the axes box, as fractions of the figure."""
        layout = self.layout
        left = layout.axes_left + layout.axes_width + layout.colourbar_gap
        return [
            left / layout.width,
            layout.axes_bottom / layout.height,
            layout.colourbar_width / layout.width,
            layout.axes_height / layout.height,
        ]

    def freeze(self) -> None:
        """Renders the fixed parts once and lets the matplotlib figures go."""
        with MATPLOTLIB_LOCK, garbage_collection_paused():
            self._background = render_figure(self.figure)[:, :, :3].copy()
            overlay = np.zeros((0, 4), np.uint8)
            if self.overlay_figure is not None:
                overlay = render_figure(self.overlay_figure).reshape(-1, 4)
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
        """Paints `text` in the title rows of a composed `image`, centred over the axes.

        A title too wide for the image is set smaller or on two lines
        (`callbacks.text_fitting`), and moved in from an edge it would cross.
        """
        layout = self.layout
        centre = layout.axes_left + layout.axes_width / 2
        paint_title(image, text, centre, layout.title_height)

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
