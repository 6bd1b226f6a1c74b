"""Legends drawn by matplotlib on a white strip, to paste above a plot's axes.

A frame's legend lists only the marks that frame draws (the boundary only
once it is in view, say), so it cannot be part of the fixed background:
`legend_strip` draws one strip per set of handles, and `RasterPlot` keeps
each strip it has drawn. `legend_columns` chooses the columns once, for all
the handles a plot may show, so the entries do not jump between frames.
"""

from __future__ import annotations

import numpy as np

from kerasclf.callbacks.figure_rendering import (
    MATPLOTLIB_LOCK,
    garbage_collection_paused,
    new_figure,
    render_figure,
)
from kerasclf.callbacks.image_layout import LEGEND_PIXELS, font_points

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


def legend_strip(
    handles: list, width: int, height: int, num_columns: int, centre: float | None = None
) -> np.ndarray:
    """A legend of matplotlib `handles` on a white strip, as `(height, width, 3)` uint8.

    Drawn with matplotlib, like the rest of a plot's fixed parts, and meant to
    be drawn once for each set of handles a plot shows. The legend is centred
    on column `centre` (default: the middle), as far as it fits.

    Example:
        >>> from matplotlib.lines import Line2D
        >>> strip = legend_strip([Line2D([], [], label="path")], 200, 22, num_columns=1)
        >>> strip.shape, bool((strip < 128).any())
        ((22, 200, 3), True)
    """
    with MATPLOTLIB_LOCK, garbage_collection_paused():
        figure = new_figure(width, height)
        if handles:
            legend = figure.legend(handles=handles, loc="center", ncol=num_columns, **LEGEND_STYLE)
            if centre is not None:
                half = legend.get_window_extent(figure.canvas.get_renderer()).width / 2 + 2
                column = float(np.clip(centre, half, width - half))
                legend.set_bbox_to_anchor((column / width, 0.5), transform=figure.transFigure)
        return render_figure(figure)[:, :, :3].copy()


def legend_columns(handles: list, width: int) -> int:
    """The most columns, up to one per handle, with which the legend of `handles` fits `width`.

    Example:
        >>> from matplotlib.lines import Line2D
        >>> handles = [Line2D([], [], label=label) for label in ("path", "now", "minimum")]
        >>> legend_columns(handles, 330), legend_columns(handles, 60)
        (3, 1)
    """
    with MATPLOTLIB_LOCK, garbage_collection_paused():
        figure = new_figure(width, 100)
        renderer = figure.canvas.get_renderer()
        for num_columns in range(len(handles), 1, -1):
            legend = figure.legend(handles=handles, loc="center", ncol=num_columns, **LEGEND_STYLE)
            fits = legend.get_window_extent(renderer).width <= width - 4
            legend.remove()
            if fits:
                return num_columns
    return 1
