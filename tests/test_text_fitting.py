"""Every picture's title lies whole inside its image, however long its numbers grow.

Checked by what `TextPainter` paints (each line's words and extent, recorded)
and by pixels: the title rows' outer columns stay white, so nothing is cut at
an edge.
"""

import numpy as np
import pytest

from kerasclf.callbacks.boundary_picture import LAYOUT as BOUNDARY_LAYOUT
from kerasclf.callbacks.confusion_picture import ConfusionPicture, confusion_title
from kerasclf.callbacks.frame_title import frame_title
from kerasclf.callbacks.image_layout import TITLE_PIXELS
from kerasclf.callbacks.misclassified_grid import MARGIN, TILE_WIDTH, MisclassifiedGrid
from kerasclf.callbacks.raster import RasterPlot
from kerasclf.callbacks.text_painter import TextPainter
from kerasclf.callbacks.text_fitting import TITLE_HEIGHT, TITLE_MARGIN, paint_title, title_lines
from kerasclf.data.fonts import FONT_NAMES

# A decision boundary's title at a diverging summed cost, and one as long as any.
BOUNDARY_TITLES = {
    "short": frame_title(5, 56.6134),
    "long": frame_title(100000, 3.4e38, name="mean cost", samples=2048),
}


def words(text: str) -> list[str]:
    return [word for word in text.split() if word != "\N{MIDDLE DOT}"]


def assert_inside(image: np.ndarray, title: str, title_lines_painted: list, rows: int) -> None:
    """Every word of `title` painted, each line within the image and `rows`, the edges blank."""
    painted = [word for line in title_lines_painted for word in words(line[0])]
    assert painted == words(title)
    width = image.shape[1]
    for text, left, right, baseline in title_lines_painted:
        assert 0 <= left and right <= width, (text, left, right, width)
        assert baseline < rows, (text, baseline)
    edges = np.concatenate([image[:rows, :2], image[:rows, -2:]], axis=1)
    assert (edges == 255).all(), "the title is cut at an edge of the image"
    assert (image[:rows] < 128).any(), "no title painted"


@pytest.mark.parametrize("title", list(BOUNDARY_TITLES))
def test_a_decision_boundarys_title_lies_inside_its_image(title, painted_lines):
    plot = RasterPlot((-1, 1), (-1, 1), BOUNDARY_LAYOUT, overlay=False)
    image = np.full((BOUNDARY_LAYOUT.height, BOUNDARY_LAYOUT.width, 3), 255, np.uint8)
    plot.paint_title(image, BOUNDARY_TITLES[title])
    assert_inside(image, BOUNDARY_TITLES[title], painted_lines, BOUNDARY_LAYOUT.title_height)


@pytest.mark.parametrize("data_name", [None, "validation"])
def test_a_confusion_matrixs_title_lies_inside_its_image(data_name, painted_lines):
    picture = ConfusionPicture(["a", "b"], data_name)
    counts = np.array([[1234567, 7654321], [2345678, 8765432]])
    image = picture.draw(counts, step=100000)
    title = confusion_title(100000, counts, data_name)
    title_painted = [line for line in painted_lines if line[3] < TITLE_HEIGHT]
    assert_inside(image, title, title_painted, TITLE_HEIGHT)


def test_a_misclassified_grids_title_lies_inside_its_image(painted_lines):
    grid = MisclassifiedGrid(["a", "b"], (6, 4), max_tiles=1, data_name="validation")
    samples = np.zeros((1, 6, 4))
    image = grid.draw(samples, [0], [1], [0.9], step=100000, num_wrong=1234567, num_samples=7654321)
    title_painted = [line for line in painted_lines if line[3] < TITLE_HEIGHT]
    title = "epoch 100000 \N{MIDDLE DOT} 1234567 of 7654321 validation samples wrong"
    assert_inside(image, title, title_painted, TITLE_HEIGHT)


@pytest.mark.parametrize("width", [120, 200, 330, 480])
@pytest.mark.parametrize(
    "title",
    [
        "epoch 5 \N{MIDDLE DOT} cost 56.62",
        "epoch 1000 \N{MIDDLE DOT} cost 27.06M (sample of 512) \N{MIDDLE DOT} J = \N{INFINITY}",
        "epoch 100000 \N{MIDDLE DOT} 1234567 of 7654321 validation samples wrong",
    ],
)
def test_paint_title_fits_one_line_or_two_inside_any_width(title, width, painted_lines):
    image = np.full((60, width, 3), 255, np.uint8)
    paint_title(image, title, centre=0.8 * width, rows=TITLE_HEIGHT)
    pixels, lines = title_lines(title, width)
    assert [line[0] for line in painted_lines] == lines
    if TextPainter(TITLE_PIXELS).width(title) <= width - 2 * TITLE_MARGIN:
        assert (pixels, lines) == (TITLE_PIXELS, [title])
    if width >= 200:  # Narrower ones may cut the smallest two lines at the edges.
        assert_inside(image, title, painted_lines, TITLE_HEIGHT)
    assert (image[TITLE_HEIGHT:] == 255).all(), "the title ran below its rows"


@pytest.mark.parametrize(
    "names, num_rows",
    [
        (FONT_NAMES, 404),  # Two of the seminar's fonts take two lines: a taller grid.
        (("0", "1", "2", "3", "4"), 324),  # Digits: one line each, as before.
    ],
)
def test_a_misclassified_grid_writes_every_class_name_whole(names, num_rows, painted_lines):
    grid = MisclassifiedGrid(names, (36, 36))
    truth = [0, 1, 2, 3, 4, 2]
    predicted = [4, 2, 0, 4, 2, 4]
    image = grid.draw(
        np.zeros((6, 36, 36)), truth, predicted, [0.5] * 6, step=None, num_wrong=6, num_samples=9
    )
    assert image.shape[0] == num_rows
    for index in range(6):
        top, _ = grid.tile_origin(index)
        bottom = grid.tile_origin(index + 3)[0] if index < 3 else image.shape[0]
        left = MARGIN + (index % 3) * TILE_WIDTH
        lines = [line for line in painted_lines if top < line[3] < bottom]
        lines = [line for line in lines if left < (line[1] + line[2]) / 2 < left + TILE_WIDTH]
        for text, line_left, line_right, _ in lines:  # Inside its own tile's column.
            assert left <= line_left and line_right <= left + TILE_WIDTH, text
        painted = " ".join(text for text, *_ in sorted(lines, key=lambda line: line[3]))
        # The true class, the predicted one and p, every word whole: no ellipsis.
        assert painted == f"{names[truth[index]]} {names[predicted[index]]} p = 0.50"
