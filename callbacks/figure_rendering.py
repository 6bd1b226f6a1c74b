"""Matplotlib figures drawn off-screen into numpy arrays, safely from any thread.

The fixed parts of every plot image (axes, ticks, labels, colourbar, legend)
are matplotlib figures drawn once with the Agg backend. Matplotlib is not
thread-safe, and each image callback draws on its own thread: build and
draw a figure while holding `MATPLOTLIB_LOCK`, with the garbage collector
paused (`garbage_collection_paused`).
"""

from __future__ import annotations

import contextlib
import gc
import threading

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kerasclf.callbacks.image_layout import DOTS_PER_INCH

# Matplotlib is not thread-safe, and each image callback draws on its own
# thread: figures are built and rendered while holding this lock.
MATPLOTLIB_LOCK = threading.RLock()


def new_figure(width: int, height: int, facecolor="white") -> Figure:
    """A figure `width` x `height` pixels on an Agg canvas, outside pyplot.

    Example:
        >>> figure = new_figure(40, 30)
        >>> render_figure(figure).shape
        (30, 40, 4)
    """
    figure = Figure(
        figsize=(width / DOTS_PER_INCH, height / DOTS_PER_INCH),
        dpi=DOTS_PER_INCH,
        facecolor=facecolor,
    )
    FigureCanvasAgg(figure)
    return figure


def render_figure(figure: Figure) -> np.ndarray:
    """Draws `figure` and returns its RGBA pixels `(rows, columns, 4)`, straight alpha.

    The array is a view of the canvas's buffer: copy it before drawing again.
    """
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())


@contextlib.contextmanager
def garbage_collection_paused():
    """Pauses Python's garbage collector while matplotlib draws.

    Drawing allocates many small objects, and in a process that holds
    TensorFlow each collection they trigger walks its whole, large heap: a
    draw that takes 60 ms on its own took 250 ms inside a training run.

    Example:
        >>> with MATPLOTLIB_LOCK, garbage_collection_paused():
        ...     pixels = render_figure(new_figure(40, 30))
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
