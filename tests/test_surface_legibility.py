"""The error surface's text lies whole inside its image, for small to 8-digit costs.

Checked with matplotlib's own geometry (the drawn extents of the axes, tick
labels and the colourbar's label, taken from the renderer just before the
figure is frozen into pixels) and, for the title that `TextPainter` paints
with numpy, by each painted line's advance and by pixels: the difference
between a frame with the title and the same frame without it.
"""

import numpy as np
import pytest

from kerasclf.callbacks.frame_title import frame_title, short_number
from kerasclf.callbacks.raster import RasterPlot
from kerasclf.callbacks.surface_plot import SURFACE_LAYOUT, Plane, SurfacePlot, cost_bands

# (lowest cost, highest cost, half the width of the view, axis labels) of each plot.
COST_RANGES = {
    "decimals": (0.679, 0.884, 0.15, ("PCA direction 1", "PCA direction 2")),
    "decades": (0.0436, 39.1, 30.0, ("PCA direction 1", "PCA direction 2")),
    "hundreds": (56.6, 218.0, 0.45, ("w1", "w2")),
    "thousands": (1172.0, 5832.0, 0.5, ("w1", "w2")),
    "six digits": (123456.0, 987654.0, 400.0, ("w1", "w2")),
    "six digits, narrow": (171185.0, 180000.0, 0.08, ("PCA direction 1", "PCA direction 2")),
    "eight digits": (12345678.0, 98765432.0, 400.0, ("w1", "w2")),
}
TITLES = {
    "short": frame_title(5, 56.6134, bias=0.0052),
    "sample": frame_title(3, 0.7749, name="mean cost", samples=32),
    "six digits": frame_title(1000, 123456.7, bias=-123456.0),
    "clipped note": frame_title(1000, 27061167.0, name="mean cost", samples=512)
    + " \N{MIDDLE DOT} J = \N{INFINITY} shown as max",
    "overflow": frame_title(100000, 3.4e38, bias=-1.0e30),
}
# The part of the image that shows the matplotlib figure, in its pixels from the
# bottom left: the title and legend rows above are painted over it.
HEADER_ROWS = SURFACE_LAYOUT.title_height + SURFACE_LAYOUT.legend_height
VISIBLE = (0.0, 0.0, SURFACE_LAYOUT.width, SURFACE_LAYOUT.height - HEADER_ROWS)


@pytest.fixture
def drawn_extents(monkeypatch):
    """The extents `(name, Bbox)` of each plot's axes and axis labels, as matplotlib draws them."""
    extents = []
    freeze = RasterPlot.freeze

    def measured_freeze(plot):
        if plot.figure is not None:
            plot.figure.canvas.draw()
            renderer = plot.figure.canvas.get_renderer()
            for index, axes in enumerate(plot.figure.axes):
                extents.append((f"axes {index}", axes.get_tightbbox(renderer)))
                for axis in (axes.xaxis, axes.yaxis):
                    if axis.label.get_visible() and axis.label.get_text():
                        name = f"label {axis.label.get_text()!r}"
                        extents.append((name, axis.label.get_window_extent(renderer)))
        freeze(plot)

    monkeypatch.setattr(RasterPlot, "freeze", measured_freeze)
    return extents


def surface(low: float, high: float, reach: float, labels) -> tuple:
    """A bowl of costs from `low` to `high` over a square view, and its picture."""
    plane = Plane(np.zeros(2), np.eye(2), (-reach, reach), (-reach, reach))
    u, v = plane.grid_coordinates()
    costs = low + (high - low) * np.add.outer(v**2, u**2) / (2 * reach**2)
    picture = SurfacePlot(plane, cost_bands(costs.min(), costs.max()), labels)
    return picture, costs, plane


@pytest.mark.parametrize("case", list(COST_RANGES))
def test_the_ticks_and_labels_and_the_colourbars_label_lie_inside_the_image(case, drawn_extents):
    surface(*COST_RANGES[case])
    names = [name for name, _ in drawn_extents]
    assert "label 'cost J'" in names and len(names) >= 4, names
    left, bottom, right, top = VISIBLE
    outside = [
        f"{name} spans {np.round(box.extents, 1).tolist()}"
        for name, box in drawn_extents
        if not (left <= box.x0 and box.x1 <= right and bottom <= box.y0 and box.y1 <= top)
    ]
    assert not outside, f"{case}: outside {VISIBLE}: {outside}"


@pytest.mark.parametrize("case", ["decimals", "six digits", "eight digits"])
@pytest.mark.parametrize("title", list(TITLES))
def test_the_title_lies_whole_inside_the_image(title, case, painted_lines):
    picture, costs, plane = surface(*COST_RANGES[case])
    reach = plane.x_limits[1]
    path = np.array([[-0.8 * reach, 0.7 * reach], [0.0, 0.0]])
    untitled = picture.render(costs, plane, path, path[-1], path[-1], "")
    titled = picture.render(costs, plane, path, path[-1], path[-1], TITLES[title])
    # Every word of the title is painted (on one line or more), each line within the image.
    words = [word for word in TITLES[title].split() if word != "\N{MIDDLE DOT}"]
    painted = [word for line in painted_lines for word in line[0].split()]
    assert [word for word in painted if word != "\N{MIDDLE DOT}"] == words
    for text, left, right, baseline in painted_lines:
        assert 0 <= left and right <= SURFACE_LAYOUT.width, (text, left, right)
        assert baseline < SURFACE_LAYOUT.title_height, (text, baseline)
    ink = np.any(titled != untitled, axis=-1)
    rows, columns = np.nonzero(ink)
    assert len(rows), "no title painted"
    # Only the title rows, with a blank row above: nothing cut by the image's top.
    assert 1 <= rows.min() and rows.max() < SURFACE_LAYOUT.title_height
    # Two blank columns at both sides, as `RasterPlot.paint_title` keeps: nothing cut by the edges.
    assert 2 <= columns.min() and columns.max() <= SURFACE_LAYOUT.width - 3, (
        columns.min(),
        columns.max(),
    )
    assert rows.max() - rows.min() + 1 >= 10  # Still large enough to read.
    assert columns.max() - columns.min() > 0.4 * SURFACE_LAYOUT.width


def test_a_titles_numbers_stay_short_however_large():
    assert frame_title(5, 171185.4) == "epoch 5 \N{MIDDLE DOT} cost 171185"
    for cost, bias in ((27061167.0, 0.0), (3.4e38, -1.0e30), (1.0e12, 123456.0)):
        title = frame_title(100000, cost, bias=bias)
        assert len(title) <= len("epoch 100000 · cost 1.000e30 · b = −1.00e30"), title


@pytest.mark.parametrize("value, significant", [(float("nan"), 2), (float("inf"), 2), (1.0, 0)])
def test_short_number_refuses_what_it_cannot_write_in_one_line(value, significant):
    with pytest.raises(ValueError) as raised:
        short_number(value, significant)
    message = str(raised.value)
    assert "needs a finite value and an integer significant >= 1. Received: value=" in message
    assert "\n" not in message
