"""Text that fits its room: titles smaller or on two lines, labels on two lines or cut short.

A frame's title grows with its numbers ("epoch 1000 · cost 27.06M (sample of
512) · J = ∞ shown as max"), and an image has a fixed width. `title_lines`
sets a title one line at `TITLE_PIXELS` where it fits, else one line as large
as fits down to `MIN_TITLE_PIXELS`, else two lines broken at the " · "
nearest the middle. `paint_title` paints it so, centred where asked unless
that would push it over an edge: the titles of the plots (`callbacks.raster`),
the confusion matrix and the misclassified grid. (The tile pictures' titles,
`callbacks.tile_grid.text_row`, widen their strip instead.) Labels:
`class_label` puts a long class name on two lines, `shorten` cuts a line
short with an ellipsis.
"""

from __future__ import annotations

import numpy as np

from kerasclf.callbacks.image_layout import TITLE_PIXELS
from kerasclf.callbacks.text_painter import TextPainter, title_painter

# A title too wide for one line of MIN_TITLE_PIXELS goes on two lines of the
# largest of TWO_LINE_PIXELS that fits (else of the smallest, cut at the edges).
MIN_TITLE_PIXELS = 13
TWO_LINE_PIXELS = (11, 10, 9, 8)
# Two lines break at the " · " nearest the middle, unless its longer line
# would hold more than this share of the title: then at a space.
LOPSIDED = 0.7
# Columns left at each side of a title's advance: a glyph's ink may reach a
# pixel past it, and two columns stay blank.
TITLE_MARGIN = 3
# The rows a title takes: one line of TITLE_PIXELS, or two of at most 11 pixels.
TITLE_HEIGHT = 26


def title_lines(title: str, width: int) -> tuple[int, list[str]]:
    """The font size in pixels, and the lines, of `title` in an image `width` pixels wide.

    One line at `TITLE_PIXELS` where it fits, else at the largest size down
    to `MIN_TITLE_PIXELS` that fits; else two lines, broken at the " · "
    nearest the middle or, where that is lopsided, at a space (`_two_lines`),
    at the largest of `TWO_LINE_PIXELS` that fits. Each line keeps
    `TITLE_MARGIN` columns at both sides.

    Example:
        >>> title_lines("epoch 5 · cost 56.62 · b = 0.0052", 330)
        (17, ['epoch 5 · cost 56.62 · b = 0.0052'])
        >>> title_lines("epoch 3 · mean cost 0.7749 (sample of 32)", 330)
        (14, ['epoch 3 · mean cost 0.7749 (sample of 32)'])
        >>> title_lines("epoch 1000 · cost 27.06M (sample of 512) · J = ∞ shown as max", 330)
        (11, ['epoch 1000 · cost 27.06M (sample of 512)', 'J = ∞ shown as max'])
    """
    room = width - 2 * TITLE_MARGIN
    for pixels in range(TITLE_PIXELS, MIN_TITLE_PIXELS - 1, -1):
        if title_painter(pixels).width(title) <= room:
            return pixels, [title]
    lines = _two_lines(title)
    for pixels in TWO_LINE_PIXELS:
        if max(title_painter(pixels).width(line) for line in lines) <= room:
            break
    return pixels, lines


def paint_title(image: np.ndarray, title: str, centre: float, rows: int) -> None:
    """Paints `title` into the top `rows` rows of `image`, as `title_lines` sets it.

    Each line is centred on column `centre`, unless that would push it over an
    edge of the image, where it moves in. Two lines need `TITLE_HEIGHT` rows.

    Args:
        image: `(rows, columns, 3)` uint8, painted in place.
        title: The text.
        centre: The column to centre the title on, as the middle of the axes.
        rows: The rows at the top of `image` that hold the title.

    Example:
        >>> image = np.full((120, 200, 3), 255, np.uint8)
        >>> paint_title(image, "epoch 1000 · 12,345 of 67,890 validation samples wrong", 100, 26)
        >>> bool((image[:26, :2] == 255).all() and (image[:26, -2:] == 255).all())
        True
    """
    width = image.shape[1]
    pixels, lines = title_lines(title, width)
    if len(lines) == 1:
        baselines = [(rows + pixels) // 2 + 1]
    else:  # Two lines of at most 11 pixels, the second ending 3 rows above the last.
        baselines = [rows // 2 - 2, rows - 3]
    painter = title_painter(pixels)
    for line, baseline in zip(lines, baselines):
        half = painter.width(line) / 2 + TITLE_MARGIN
        painter.paint(image, line, float(np.clip(centre, half, width - half)), baseline)


def shorten(text: str, painter: TextPainter, max_pixels: float) -> str:
    """`text`, cut short with an ellipsis if it is wider than `max_pixels`.

    Example:
        >>> shorten("DejaVu Serif Bold Italic", TextPainter(14), 90)
        'DejaVu Se…'
    """
    if painter.width(text) <= max_pixels:
        return text
    while text and painter.width(text + "\N{HORIZONTAL ELLIPSIS}") > max_pixels:
        text = text[:-1]
    return text.rstrip() + "\N{HORIZONTAL ELLIPSIS}"


def class_label(name: str, painter: TextPainter, max_pixels: float) -> str:
    r"""`name` as an axis label: on one line, else on two, each cut short only if still too wide.

    Two lines break at the space that makes the wider of them narrowest.

    Example:
        >>> painter = TextPainter(14)
        >>> class_label("STIX Italic", painter, 130), class_label("DejaVu Serif Bold", painter, 100)
        ('STIX Italic', 'DejaVu\nSerif Bold')
        >>> class_label("Computer Modern Typewriter", painter, 130)
        'Computer Modern\nTypewriter'
        >>> class_label("Supercalifragilistic", painter, 90)
        'Supercalifr…'
    """
    if painter.width(name) <= max_pixels or " " not in name.strip():
        return shorten(name, painter, max_pixels)
    spaces = [index for index, character in enumerate(name) if character == " "]
    cut = min(
        spaces, key=lambda index: max(painter.width(name[:index]), painter.width(name[index:]))
    )
    lines = (name[:cut].strip(), name[cut + 1 :].strip())
    return "\n".join(shorten(line, painter, max_pixels) for line in lines)


def _two_lines(title: str) -> list[str]:
    """`title` broken in two at the " · " nearest its middle, or at a space where that is lopsided.

    Example:
        >>> _two_lines("epoch 9 · cost 27.06M · b = −123k")
        ['epoch 9 · cost 27.06M', 'b = −123k']
        >>> _two_lines("epoch 1000 · 2,345 of 67,890 validation samples wrong")
        ['epoch 1000 · 2,345 of 67,890', 'validation samples wrong']
    """
    for separator in (" \N{MIDDLE DOT} ", " "):
        starts = [index for index in range(len(title)) if title.startswith(separator, index)]
        if starts:
            cut = min(starts, key=lambda start: abs(2 * start + len(separator) - len(title)))
            lines = [title[:cut], title[cut + len(separator) :]]
            if max(map(len, lines)) <= LOPSIDED * len(title) or separator == " ":
                return lines
    return [title[: len(title) // 2], title[len(title) // 2 :]]
