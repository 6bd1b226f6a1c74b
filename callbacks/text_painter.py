"""Text painted into images with numpy, each character drawn once by FreeType.

A frame's title changes every frame (its epoch and cost), and matplotlib
takes milliseconds to lay out and draw a text. `TextPainter` renders each
character once, with matplotlib's own font and hinting, and then paints a
line of text in about 0.1 ms.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
from matplotlib.backends.backend_agg import get_hinting_flag
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font

from kerasclf.callbacks.image_layout import DOTS_PER_INCH, TITLE_PIXELS, font_points


class TextPainter:
    """Paints a line of text into images with numpy, each character drawn once by FreeType.

    Each character is rendered once and cached as an alpha mask; a line is
    then those masks laid side by side at their advances and blended in one
    step. There is no kerning.

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
        pen = column - self.width(text) / 2
        placed = []  # (mask, left column, top row) of each character.
        for mask, left, top, advance in (self._glyph(character) for character in text):
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
            _merge_mask(alpha, mask, row - low_row, left - low_column)
        alpha = alpha[:, :, None]
        region = image[low_row:high_row, low_column:high_column]
        colour = np.asarray(colour, np.float32)
        region[:] = (region * (1.0 - alpha) + colour * alpha + 0.5).astype(np.uint8)


def _merge_mask(alpha: np.ndarray, mask: np.ndarray, row: int, column: int) -> None:
    """Takes the maximum of `alpha` and `mask` placed at `(row, column)`, clipped to `alpha`."""
    top, bottom = max(row, 0), min(row + mask.shape[0], alpha.shape[0])
    start, end = max(column, 0), min(column + mask.shape[1], alpha.shape[1])
    if bottom > top and end > start:
        region = alpha[top:bottom, start:end]
        np.maximum(
            region, mask[top - row : bottom - row, start - column : end - column], out=region
        )


def title_painter(pixels: int = TITLE_PIXELS) -> TextPainter:
    """The painter of frame titles, `pixels` tall (`TITLE_PIXELS`), one per size, shared.

    Example:
        >>> title_painter() is title_painter(TITLE_PIXELS), title_painter(11).width("ab") > 0
        (True, True)
    """
    return _shared_painter(int(pixels))


@functools.lru_cache(maxsize=None)
def _shared_painter(pixels: int) -> TextPainter:
    return TextPainter(pixels)
