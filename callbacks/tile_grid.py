"""Small 2-D arrays as one picture: coloured tiles in a grid, captions and a colour bar.

The panels that look inside a network (`callbacks.first_layer`,
`callbacks.activations`) show many small arrays at once: the weights of each
unit, the filters of a convolution, the feature maps of an example. Each
array becomes a tile, coloured by one of two maps:

    diverging  value / scale in [-1, 1]: blue negative, white 0, red positive
               (matplotlib's "RdBu_r"), for weights, whose sign matters
    grey       (value - min) / (max - min) of the tile itself: black to white,
               for feature maps, whose pattern matters more than their size

Tiles are enlarged by repeating pixels (nearest neighbour) until the longer
side is near `TILE_PIXELS` (or a target of the caller's), and as many as fit
go on a row of `GRID_WIDTH` pixels. Each gets a thin dark frame, so that a
tile of near-zero weights (white) still shows where it is. A frame is numpy
only, about a millisecond.
"""

from __future__ import annotations

import functools
import math

import matplotlib.colors
import numpy as np

from kerasclf.callbacks.colours import colour_table
from kerasclf.callbacks.text_painter import TextPainter
from kerasclf.validation import check_integer

# TensorBoard shows an image about 250 pixels wide (`callbacks.image_layout`):
# a grid about 340 pixels wide keeps 14-pixel captions readable there, with
# eight 36 x 36 images (the seminar's font images) to a row.
GRID_WIDTH = 340
TILE_PIXELS = 40  # The longer side of an enlarged tile, near enough.
MAX_ROW_TILES = 8  # `fit_zoom` lays out at most this many tiles to a row.
FRAME_PIXELS = 1
GAP_PIXELS = 4
MARGIN_PIXELS = 8
TEXT_PIXELS = 14
TEXT_ROW_PIXELS = 22
BAR_WIDTH = 160
BAR_HEIGHT = 12
BACKGROUND = 255
FRAME_COLOUR = (90, 90, 90)
# ColorBrewer's RdBu reversed, with a pure white middle; an odd number of
# colours, so that 0 falls on the middle one exactly and the map is symmetric.
BLUE_WHITE_RED = ["#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#ffffff",
                  "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f"]  # fmt: skip
DIVERGING_COLOURS = colour_table(
    matplotlib.colors.LinearSegmentedColormap.from_list("blue_white_red", BLUE_WHITE_RED, 257),
    257,
)
GREY_COLOURS = colour_table("gray", 256)


def zoom_for(tile_shape: tuple, target: int = TILE_PIXELS) -> int:
    """How many times to repeat each value so that a tile is about `target` pixels across.

    Example:
        >>> zoom_for((36, 36)), zoom_for((18, 18)), zoom_for((8, 8)), zoom_for((5, 5), target=64)
        (1, 2, 5, 13)
    """
    return max(1, round(target / max(tile_shape[:2])))


def fit_zoom(tile_shape: tuple, count: int, most_pixels: int = 96) -> int:
    """The largest zoom at which `count` tiles (at most `MAX_ROW_TILES`) fit one row of the grid.

    Few tiles get large (at most `most_pixels` across), many get small: the
    four maps of the seminar's CNN at 2 pixels a value, sixteen at 1.

    Example:
        >>> fit_zoom((36, 36), 4), fit_zoom((36, 36), 16), fit_zoom((9, 9), 16), fit_zoom((5, 5), 1)
        (2, 1, 4, 19)
    """
    per_row = min(max(count, 1), MAX_ROW_TILES)
    room = (GRID_WIDTH + GAP_PIXELS) // per_row - 2 * FRAME_PIXELS - GAP_PIXELS
    side = max(tile_shape[:2])
    return max(1, min(room // side, round(most_pixels / side)))


def columns_for(tile_shape: tuple, zoom: int, group: int = 1) -> int:
    """How many tiles fit in a row of `GRID_WIDTH` pixels, a multiple of `group` (at least one).

    `group` keeps tiles that belong together (a filter's input channels) on one row.

    Example:
        >>> columns_for((36, 36), 1), columns_for((5, 5), 13), columns_for((5, 5), 13, group=3)
        (8, 4, 3)
    """
    cell = tile_shape[1] * zoom + 2 * FRAME_PIXELS + GAP_PIXELS
    fitting = (GRID_WIDTH + GAP_PIXELS) // cell
    return group * max(1, fitting // group)


def diverging_colours(values: np.ndarray, scale: float) -> np.ndarray:
    """`values` as uint8 RGB on the blue-white-red map, -scale blue, 0 white, +scale red.

    Example:
        >>> colours = diverging_colours(np.array([-1.0, 0.0, 1.0]), scale=1.0)
        >>> [int(colour[0]) > int(colour[2]) for colour in colours]  # Red over blue?
        [False, False, True]
    """
    values = np.nan_to_num(np.asarray(values, np.float64))
    scaled = values / scale if scale > 0 else np.zeros_like(values)
    last = len(DIVERGING_COLOURS) - 1
    indices = np.round((np.clip(scaled, -1.0, 1.0) + 1.0) * 0.5 * last).astype(np.int64)
    return DIVERGING_COLOURS[indices]


def grey_colours(values: np.ndarray) -> np.ndarray:
    """`values` as uint8 grey RGB, from black at their minimum to white at their maximum.

    A constant array is black.

    Example:
        >>> grey_colours(np.array([[0.0, 1.0, 2.0]]))[0, :, 0].tolist()
        [0, 128, 255]
    """
    values = np.nan_to_num(np.asarray(values, np.float64))
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
    return GREY_COLOURS[np.round(scaled * 255).astype(np.int64)]


def tile_grid(tiles: list[np.ndarray], columns: int, zoom: int) -> np.ndarray:
    """Coloured tiles `(rows, columns, 3)` uint8 laid out in a grid, each enlarged and framed.

    Every tile must have the same shape. Tile i sits at the grid's row
    `i // columns` and column `i % columns`; `tile_origin` gives its pixels.

    Args:
        tiles: The tiles, uint8 RGB.
        columns: Tiles per row of the grid.
        zoom: How many pixels each value becomes, across and down.

    Returns:
        The grid, uint8 RGB, on a white background with no outer margin.

    Example:
        >>> grid = tile_grid([np.zeros((2, 2, 3), np.uint8)] * 3, columns=2, zoom=2)
        >>> grid.shape
        (16, 16, 3)
    """
    columns = check_integer("columns", columns)
    zoom = check_integer("zoom", zoom)
    tile_rows, tile_columns = tiles[0].shape[:2]
    cell_rows = tile_rows * zoom + 2 * FRAME_PIXELS
    cell_columns = tile_columns * zoom + 2 * FRAME_PIXELS
    grid_rows = math.ceil(len(tiles) / columns)
    used_columns = min(columns, len(tiles))
    image = np.full(
        (
            grid_rows * (cell_rows + GAP_PIXELS) - GAP_PIXELS,
            used_columns * (cell_columns + GAP_PIXELS) - GAP_PIXELS,
            3,
        ),
        BACKGROUND,
        np.uint8,
    )
    for index, tile in enumerate(tiles):
        top, left = tile_origin(index, (tile_rows, tile_columns), columns, zoom)
        enlarged = np.repeat(np.repeat(tile, zoom, axis=0), zoom, axis=1)
        frame_top, frame_left = top - FRAME_PIXELS, left - FRAME_PIXELS
        image[frame_top : frame_top + cell_rows, frame_left : frame_left + cell_columns] = (
            FRAME_COLOUR
        )
        image[top : top + enlarged.shape[0], left : left + enlarged.shape[1]] = enlarged
    return image


def tile_origin(index: int, tile_shape: tuple, columns: int, zoom: int) -> tuple[int, int]:
    """`(row, column)` of the top-left pixel of tile `index` inside `tile_grid`'s image.

    Example:
        >>> tile_origin(3, (5, 5), columns=2, zoom=2)
        (17, 17)
    """
    cell_rows = tile_shape[0] * zoom + 2 * FRAME_PIXELS + GAP_PIXELS
    cell_columns = tile_shape[1] * zoom + 2 * FRAME_PIXELS + GAP_PIXELS
    return (
        (index // columns) * cell_rows + FRAME_PIXELS,
        (index % columns) * cell_columns + FRAME_PIXELS,
    )


@functools.lru_cache(maxsize=1)
def caption_painter() -> TextPainter:
    """The painter of captions and colour-bar labels, `TEXT_PIXELS` tall."""
    return TextPainter(TEXT_PIXELS)


def text_row(painter: TextPainter, text: str, width: int) -> np.ndarray:
    """A white strip `TEXT_ROW_PIXELS` high with `text` in black from its left edge.

    The strip is `width` pixels wide, or wider if the text needs it.

    Example:
        >>> row = text_row(TextPainter(TEXT_PIXELS), "conv_1", width=120)
        >>> row.shape, bool((row < 100).any())
        ((22, 120, 3), True)
    """
    width = max(width, math.ceil(painter.width(text)) + 2)
    row = np.full((TEXT_ROW_PIXELS, width, 3), BACKGROUND, np.uint8)
    painter.paint(row, text, painter.width(text) / 2, baseline=TEXT_ROW_PIXELS - 6)
    return row


def colour_bar(painter: TextPainter, scale: float, width: int) -> np.ndarray:
    """A strip with the diverging map from -scale to +scale, its ends and middle labelled.

    The strip is `width` pixels wide, or wider if the bar and its labels need it.

    Example:
        >>> bar = colour_bar(TextPainter(TEXT_PIXELS), 0.5, width=400)
        >>> bar.shape[0] == TEXT_ROW_PIXELS + BAR_HEIGHT
        True
    """
    labels = (f"{-scale:.3g}".replace("-", "\N{MINUS SIGN}"), "0", f"+{scale:.3g}")
    label_width = max(painter.width(label) for label in labels)
    left = math.ceil(label_width / 2)
    bar_width = BAR_WIDTH
    width = max(width, bar_width + 2 * left + 2)
    strip = np.full((BAR_HEIGHT + TEXT_ROW_PIXELS, width, 3), BACKGROUND, np.uint8)
    ramp = diverging_colours(np.linspace(-scale, scale, bar_width), scale)
    strip[2:BAR_HEIGHT, left : left + bar_width] = ramp[None]
    for label, column in zip(labels, (left, left + bar_width / 2, left + bar_width)):
        painter.paint(strip, label, column, baseline=BAR_HEIGHT + TEXT_ROW_PIXELS - 8)
    return strip


def stack_rows(parts: list[np.ndarray], margin: int = MARGIN_PIXELS) -> np.ndarray:
    """Images one under another, left-aligned on white, with a margin all around.

    Example:
        >>> stack_rows([np.zeros((2, 3, 3), np.uint8), np.zeros((1, 5, 3), np.uint8)], 1).shape
        (5, 7, 3)
    """
    width = max(part.shape[1] for part in parts) + 2 * margin
    height = sum(part.shape[0] for part in parts) + 2 * margin
    image = np.full((height, width, 3), BACKGROUND, np.uint8)
    top = margin
    for part in parts:
        image[top : top + part.shape[0], margin : margin + part.shape[1]] = part
        top += part.shape[0]
    return image
