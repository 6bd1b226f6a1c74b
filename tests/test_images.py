"""The image pieces: PNG encoding, painting, text, layout and the compositor.

Each is checked against an independent reference: TensorFlow's PNG decoder,
numpy formulas, matplotlib's own text metrics, path tests and rendering.
"""

import matplotlib.path
import matplotlib.ticker
import numpy as np
import pytest
import tensorflow as tf
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

import kerasclf.callbacks.raster
import kerasclf.callbacks.surfaces
from kerasclf.callbacks.figure_rendering import MATPLOTLIB_LOCK, new_figure, render_figure
from kerasclf.callbacks.image_layout import (
    DOTS_PER_INCH,
    TICK_PIXELS,
    TITLE_PIXELS,
    Layout,
    equal_aspect_limits,
    font_points,
    padded_limits,
)
from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.png_encoding import encode_png
from kerasclf.callbacks.raster import RasterPlot
from kerasclf.callbacks.shape_painting import (
    paint_arrow,
    paint_discs,
    paint_polyline,
    paint_rings,
    paint_triangle,
)
from kerasclf.callbacks.surface_plot import SURFACE_LAYOUT
from kerasclf.callbacks.text_painter import TextPainter

# The names other modules and tests imported from the two modules before they were split.
RASTER_NAMES = [
    "LABEL_PIXELS",
    "LEGEND_ROW_PIXELS",
    "MATPLOTLIB_LOCK",
    "TICK_PIXELS",
    "TITLE_PIXELS",
    "ImageLog",
    "Layout",
    "RasterPlot",
    "colour_table",
    "edge_mask",
    "encode_png",
    "equal_aspect_limits",
    "font_points",
    "frame_title",
    "legend_columns",
    "padded_limits",
    "paint_arrow",
    "paint_discs",
    "paint_polyline",
    "paint_rings",
    "rgb255",
]
SURFACES_NAMES = [
    "GRID_REACH",
    "MAX_SURFACE_SAMPLES",
    "LandscapeSurface",
    "ParameterCost",
    "WeightPlaneSurface",
    "cost_scale",
    "make_surface",
    "newton_minimum",
    "surface_sample",
    "trajectory_directions",
]


@pytest.mark.parametrize(
    "module, names",
    [
        (kerasclf.callbacks.raster, RASTER_NAMES),
        (kerasclf.callbacks.surfaces, SURFACES_NAMES),
    ],
)
def test_every_name_importers_used_is_still_in_its_old_module(module, names):
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing
    assert set(names) <= set(module.__all__)


# PNG encoding: lossless, so decoding gives back the very array encoded.


@pytest.mark.parametrize(
    "shape",
    [
        (SURFACE_LAYOUT.height, SURFACE_LAYOUT.width, 3),  # An error-surface frame, 330x294.
        (302, 330, 3),  # A decision-boundary image with a one-row legend.
        (7, 5, 3),
        (1, 1, 3),
    ],
)
def test_png_decodes_to_the_pixels_encoded(shape):
    image = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    png = encode_png(image)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    decoded = tf.io.decode_png(png).numpy()  # As many channels as the file holds.
    np.testing.assert_array_equal(decoded, image)


def test_a_composed_plot_decodes_to_the_pixels_encoded():
    plot = _plot_with_a_point_on_top()
    box = np.full(plot.box_shape + (3,), 255, np.uint8)
    paint_polyline(box, [[0.0, 0.0], [100.0, 80.0]], (200, 30, 30))
    image = plot.compose(box)
    plot.paint_title(image, "epoch 3 · cost 56.61")
    np.testing.assert_array_equal(tf.io.decode_png(encode_png(image)).numpy(), image)


def test_image_log_saves_the_last_image_and_its_summary_holds_the_same_bytes(tmp_path):
    images = [np.full((6, 4, 3), value, np.uint8) for value in (10, 200)]
    log = ImageLog(str(tmp_path), "picture", "picture.png", "A picture.")
    log.add(images[0], step=0)
    log.add(lambda: images[1], step=1)
    log.add(lambda: None, step=2)  # No image: the last one stays images[1].
    log.close()
    with open(tmp_path / "picture.png", "rb") as file:
        saved = file.read()
    np.testing.assert_array_equal(tf.io.decode_png(saved).numpy(), images[1])
    events = tf.compat.v1.train.summary_iterator(
        str(next((tmp_path / "train").glob("events.out.tfevents.*")))
    )
    tensors = {
        event.step: tf.make_ndarray(value.tensor)
        for event in events
        for value in event.summary.value
        if value.tag == "picture"
    }
    assert sorted(tensors) == [0, 1]
    assert tensors[1][2] == saved and tensors[1][:2].tolist() == [b"4", b"6"]


# Painting, against numpy formulas and matplotlib's point-in-polygon test.


def test_a_horizontal_line_paints_its_row_and_is_clipped_to_the_box():
    box = np.zeros((10, 12, 3), np.uint8)
    assert paint_polyline(box, [[-50.0, 4.5], [60.0, 4.5]], (255, 0, 0), width=1.0)
    painted = box[:, :, 0] == 255
    expected = np.zeros((10, 12), bool)
    expected[4] = True
    np.testing.assert_array_equal(painted, expected)


def test_a_line_wholly_outside_the_box_paints_nothing():
    box = np.zeros((10, 10, 3), np.uint8)
    assert not paint_polyline(box, [[-5.0, -5.0], [20.0, -1.0]], (255, 0, 0))
    assert not box.any()


def test_a_diagonal_line_leaves_no_gaps():
    box = np.zeros((40, 40, 3), np.uint8)
    paint_polyline(box, [[0.5, 0.5], [39.5, 39.5]], (255, 255, 255), width=1.0)
    np.testing.assert_array_equal(np.diag(box[:, :, 0]), np.full(40, 255))


def test_a_disc_is_the_pixels_within_its_radius():
    box = np.zeros((21, 21, 3), np.uint8)
    paint_discs(box, [[10.5, 10.5]], 4.0, (0, 255, 0))
    row, column = np.mgrid[0:21, 0:21]
    # The brush: offsets within radius (plus a quarter pixel of tolerance) of the centre pixel.
    expected = (column - 10) ** 2 + (row - 10) ** 2 <= 4.0**2 + 0.25
    np.testing.assert_array_equal(box[:, :, 1] == 255, expected)


def test_a_ring_is_the_pixels_near_its_radius():
    box = np.zeros((21, 21, 3), np.uint8)
    paint_rings(box, [[10.5, 10.5]], 6.0, (0, 0, 255), width=2.0)
    row, column = np.mgrid[0:21, 0:21]
    expected = np.abs(np.hypot(column - 10, row - 10) - 6.0) <= 1.0
    np.testing.assert_array_equal(box[:, :, 2] == 255, expected)


def test_a_triangle_paints_the_pixels_whose_centres_lie_inside():
    corners = np.array([[2.0, 3.0], [17.0, 6.0], [6.0, 15.0]])
    box = np.zeros((20, 20, 3), np.uint8)
    assert paint_triangle(box, corners, (255, 255, 255))
    row, column = np.mgrid[0:20, 0:20]
    centres = np.stack([column.ravel() + 0.5, row.ravel() + 0.5], axis=1)
    inside = matplotlib.path.Path(corners).contains_points(centres).reshape(20, 20)
    painted = box[:, :, 0] == 255
    # Centres exactly on an edge may go either way; here none is.
    np.testing.assert_array_equal(painted, inside)


def test_an_arrow_shows_only_when_it_has_length():
    box = np.zeros((30, 30, 3), np.uint8)
    assert not paint_arrow(box, [5.0, 5.0], [5.0, 5.0], (255, 0, 0))
    assert not box.any()
    assert paint_arrow(box, [5.0, 15.5], [25.0, 15.5], (255, 0, 0))
    assert box[15, 24, 0] == 255 and box[15, 6, 0] == 255  # The head's tip and the shaft.
    assert box[15, 25:, 0].sum() == 0 and box[15, :4, 0].sum() == 0  # Nothing beyond.


# Text: laid out with the advances matplotlib's own renderer measures.


@pytest.mark.parametrize("text", ["epoch 20", "cost 56.61", "b = \N{MINUS SIGN}0.12"])
def test_the_title_is_as_wide_as_matplotlib_lays_it_out(text):
    renderer = RendererAgg(400, 100, DOTS_PER_INCH)
    properties = FontProperties(size=font_points(TITLE_PIXELS))
    with MATPLOTLIB_LOCK:
        width, _, _ = renderer.get_text_width_height_descent(text, properties, ismath=False)
    # Without kerning and with each glyph's pen rounded, within a pixel or two.
    assert TextPainter(TITLE_PIXELS).width(text) == pytest.approx(width, abs=2.0)


def test_text_is_painted_centred_on_its_column():
    image = np.full((30, 300, 3), 255, np.uint8)
    painter = TextPainter(TITLE_PIXELS)
    painter.paint(image, "epoch 20 · cost 56.61", column=150.0, baseline=20)
    inked = np.flatnonzero((image < 128).any(axis=(0, 2)))
    assert abs((inked[0] + inked[-1] + 1) / 2 - 150.0) <= 2.0
    # The ink lies within the advance, less the side bearings of the first and last glyph.
    half_width = painter.width("epoch 20 · cost 56.61") / 2
    assert 150.0 - half_width - 1 <= inked[0] <= 150.0 - half_width + 4
    assert 150.0 + half_width - 4 <= inked[-1] + 1 <= 150.0 + half_width + 1


def test_text_off_the_image_is_clipped_not_an_error():
    image = np.full((10, 20, 3), 255, np.uint8)
    # Centred on the left edge: its right half is drawn, the rest clipped.
    TextPainter(TITLE_PIXELS).paint(image, "a long title", column=0.0, baseline=8)
    assert image.shape == (10, 20, 3) and (image < 128).any()
    away = np.full((10, 20, 3), 255, np.uint8)
    TextPainter(TITLE_PIXELS).paint(away, "far away", column=500.0, baseline=8)
    assert (away == 255).all()  # Wholly off the image: nothing drawn.


# Layout: data limits and pixel coordinates.


def test_equal_aspect_limits_give_one_scale_and_hold_the_requested_limits():
    layout = Layout(axes_width=272, axes_height=188)
    (x_low, x_high), (y_low, y_high) = equal_aspect_limits((0.0, 3.0), (-1.0, 5.0), layout)
    assert (x_high - x_low) / 272 == pytest.approx((y_high - y_low) / 188)
    assert x_low <= 0.0 and x_high >= 3.0
    assert (y_low, y_high) == pytest.approx((-1.0, 5.0))  # The taller extent is kept.


def test_padded_limits_of_one_point_still_have_an_extent():
    (x_low, x_high), (y_low, y_high) = padded_limits(np.array([[2.0, -3.0]]))
    assert x_low < 2.0 < x_high and y_low < -3.0 < y_high


def test_pixel_centres_map_to_the_middle_of_their_pixels():
    plot = RasterPlot((-2.0, 6.0), (1.0, 3.0), Layout(), colourbar=False, overlay=False)
    x, y = plot.pixel_centres()
    pixels = plot.to_pixels(np.stack([x[[0, 7, -1]], y[[0, 5, -1]]], axis=1))
    rows, columns = plot.box_shape
    np.testing.assert_allclose(pixels, [[0.5, 0.5], [7.5, 5.5], [columns - 0.5, rows - 0.5]])


# The compositor, against matplotlib drawing the same plot as one figure.


def _plot_with_a_point_on_top() -> RasterPlot:
    plot = RasterPlot((0.0, 1.0), (0.0, 1.0), Layout(), colourbar=False)
    with MATPLOTLIB_LOCK:
        plot.axes.set_xlabel("x1")
        plot.overlay_axes.scatter([0.4], [0.6], s=400, c="tab:blue", alpha=0.7)
    return plot


def test_compose_matches_matplotlib_drawing_the_whole_plot():
    plot = _plot_with_a_point_on_top()
    image = plot.compose(np.full(plot.box_shape + (3,), 255, np.uint8))
    layout = Layout()
    with MATPLOTLIB_LOCK:
        figure = new_figure(layout.width, layout.height)
        axes = figure.add_axes(
            [
                layout.axes_left / layout.width,
                layout.axes_bottom / layout.height,
                layout.axes_width / layout.width,
                layout.axes_height / layout.height,
            ]
        )
        _draw_the_same_plot(axes)
        reference = render_figure(figure)[:, :, :3].astype(int)
    # The box covers the inner, antialiased half of the axes frame (its lines
    # straddle the box's edges): compare all but those two pixels each side.
    top, left = layout.height - layout.axes_bottom - layout.axes_height, layout.axes_left
    bottom, right = top + layout.axes_height, left + layout.axes_width
    compared = np.ones(image.shape[:2], bool)
    compared[top - 2 : bottom + 2, left - 2 : right + 2] = False
    compared[top + 2 : bottom - 2, left + 2 : right - 2] = True
    assert (image[compared] != 255).any(axis=1).sum() > 500  # The point and the labels show.
    # Agg blends the translucent point itself; compose blends its overlay in
    # numpy: they may round differently, by a level or two.
    assert np.abs(image[compared].astype(int) - reference[compared]).max() <= 2


def _draw_the_same_plot(axes) -> None:
    """What `_plot_with_a_point_on_top` and `RasterPlot` draw, on one matplotlib axes."""
    axes.set_xlim(0.0, 1.0)
    axes.set_ylim(0.0, 1.0)
    axes.tick_params(labelsize=font_points(TICK_PIXELS), pad=2)
    axes.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4))
    axes.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=4))
    axes.set_xlabel("x1")
    axes.scatter([0.4], [0.6], s=400, c="tab:blue", alpha=0.7)
