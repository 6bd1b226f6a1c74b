"""The seminar's font-recognition images, rendered offline from the fonts matplotlib ships.

Day 2 of the seminar classifies 36x36 grey images of characters by their
font: 2,790 images, 558 per font, five fonts. The seminar downloaded its
file; kerasclf renders an equivalent set with FreeType (`matplotlib.ft2font`)
from five fonts in matplotlib's own `mpl-data/fonts/ttf`, so nothing is
downloaded and every installation draws the same pixels.

Each image is one character, a seeded draw from the 62 letters and digits,
in one of the fonts (the label, balanced over the fonts). Its glyph is
rendered once per (font, character, pixel size) and cached, cropped to its
ink, and pasted on a black 36x36 canvas; ink is bright: pixels are float32
in [0, 1], 0 the background and 1 full ink, as MNIST.

`noise` in [0, 1] (default `DEFAULT_NOISE`) scales every variation at once:

    size       the glyph's pixel size, uniform in [26 - 2 noise, 26 + 2 noise]
               (rounded: one size, 26, at the default noise)
    position   a shift from the centre, uniform in +-15 noise pixels per axis
               (+-3 at the default; the glyph stays on the canvas)
    stroke     bolder or thinner: a blend of weight s ~ U(-0.25 noise, 0.25 noise)
               towards the 2x2 maximum (s > 0) or minimum (s < 0)
    contrast   the ink's brightness, uniform in [1 - 0.4 noise, 1]
    pixels     Gaussian pixel noise of standard deviation 0.1 noise,
               clipped to [0, 1]

Why mostly position: the seminar's Day 2 shows a CNN clearly beating a
feed-forward network, which beats logistic regression. The font is told
by local strokes (serifs, slant, weight), wherever the glyph sits; a 5x5
convolution finds them at every position with the same weights, while a
Dense layer on the raw pixels must learn each font at each position from
the training images. Shifts of up to 3 pixels make that gap: with
experiments/fonts.py's settings (Adam 0.01, batch 32, 20 epochs) the
held-out accuracy is about 0.6-0.7 for logistic regression, 0.84-0.87 for
the feed-forward network and 0.96-0.97 for the CNN (seeds 0 and 1). Size
and stroke changes are kept small at the default: they change the very
strokes the CNN reads and cost it as much as the feed-forward network.

At noise 0 every glyph is centred at size 26 and the only variation is the
character.

Example:
    >>> images, labels = render_fonts(10, DEFAULT_NOISE, np.random.default_rng(0))
    >>> images.shape, images.dtype, np.bincount(labels).tolist()
    ((10, 36, 36), dtype('float32'), [2, 2, 2, 2, 2])
"""

from __future__ import annotations

import functools
import os
import string

import matplotlib
import numpy as np
from matplotlib import ft2font

# The height and width of every image, in pixels.
IMAGE_SIZE = 36

# The five fonts, one class each: (class name, file in matplotlib's mpl-data/fonts/ttf).
FONT_FILES = (
    ("DejaVu Sans", "DejaVuSans.ttf"),
    ("DejaVu Serif Bold", "DejaVuSerif-Bold.ttf"),
    ("DejaVu Sans Bold Oblique", "DejaVuSans-BoldOblique.ttf"),
    ("STIX Italic", "STIXGeneralItalic.ttf"),
    ("Computer Modern Typewriter", "cmtt10.ttf"),
)
FONT_NAMES = tuple(name for name, _ in FONT_FILES)

# The characters drawn: letters and digits.
CHARACTERS = string.ascii_letters + string.digits

# The noise that gives the seminar's difficulty (see docs/data.md for the accuracies).
DEFAULT_NOISE = 0.2

# The variations at noise 1 (each scales linearly with noise).
BASE_PIXEL_SIZE = 26
SMALLER_PIXELS = 2
LARGER_PIXELS = 2
MAX_SHIFT = 15.0
MAX_STROKE = 0.25
MAX_CONTRAST_LOSS = 0.4
PIXEL_NOISE = 0.1


def font_path(file_name: str) -> str:
    """The path of a font file that matplotlib ships.

    Example:
        >>> os.path.basename(font_path("cmtt10.ttf"))
        'cmtt10.ttf'
    """
    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", file_name)


@functools.cache
def _font(font_index: int) -> ft2font.FT2Font:
    return ft2font.FT2Font(font_path(FONT_FILES[font_index][1]))


@functools.cache
def glyph(font_index: int, character: str, pixel_size: int) -> np.ndarray:
    """A character's glyph in one of `FONT_FILES`, cropped to its ink: float32 in [0, 1].

    Rendered once by FreeType (antialiased) and cached; at most
    `IMAGE_SIZE` pixels on each side (a larger glyph keeps its centre).

    Example:
        >>> image = glyph(0, "A", 24)
        >>> image.dtype, 10 < image.shape[0] <= 24, float(image.max())
        (dtype('float32'), True, 1.0)
    """
    font = _font(font_index)
    font.set_size(pixel_size, 72)  # 72 dpi: one point is one pixel.
    font.set_text(character)
    font.draw_glyphs_to_bitmap(antialiased=True)
    image = np.asarray(font.get_image(), dtype=np.float32) / np.float32(255)
    rows = np.flatnonzero(image.any(axis=1))
    columns = np.flatnonzero(image.any(axis=0))
    image = image[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    top = max(0, (image.shape[0] - IMAGE_SIZE) // 2)
    left = max(0, (image.shape[1] - IMAGE_SIZE) // 2)
    return image[top : top + IMAGE_SIZE, left : left + IMAGE_SIZE]


def _paste(canvas: np.ndarray, image: np.ndarray, shift_rows: float, shift_columns: float):
    """Pastes `image` on `canvas`, centred and shifted, kept inside the canvas."""
    height, width = image.shape
    top = int(np.clip(round((IMAGE_SIZE - height) / 2 + shift_rows), 0, IMAGE_SIZE - height))
    left = int(np.clip(round((IMAGE_SIZE - width) / 2 + shift_columns), 0, IMAGE_SIZE - width))
    canvas[top : top + height, left : left + width] = image


def _neighbourhood(images: np.ndarray, reduce) -> np.ndarray:
    """The maximum or minimum (`reduce`) over each pixel's 2x2 block (padded by zeros)."""
    padded = np.pad(images, ((0, 0), (0, 1), (0, 1)))
    return reduce(
        [padded[:, :-1, :-1], padded[:, 1:, :-1], padded[:, :-1, 1:], padded[:, 1:, 1:]], axis=0
    )


def change_stroke(images: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Bolder (weight > 0) or thinner (weight < 0) strokes, one weight in [-1, 1] per image.

    Blends each image towards its 2x2 maximum (weight 1: fully dilated) or
    minimum (weight -1: fully eroded).

    Example:
        >>> dot = np.zeros((1, 3, 3), np.float32); dot[0, 1, 1] = 1
        >>> bolder, thinner = change_stroke(np.concatenate([dot, dot]), np.array([1.0, -1.0]))
        >>> int(bolder.sum()), int(thinner.sum())
        (4, 0)
    """
    weights = weights[:, None, None].astype(np.float32)
    bolder = _neighbourhood(images, np.max) - images
    thinner = _neighbourhood(images, np.min) - images
    return images + np.maximum(weights, 0) * bolder - np.minimum(weights, 0) * thinner


def render_fonts(num_samples: int, noise: float, rng: np.random.Generator):
    """Draws `num_samples` character images, labelled by font (a `DATASETS` generator).

    Args:
        num_samples: Number of images; the fonts are balanced (counts differ by at most 1).
        noise: In [0, 1]: scales the size, position, stroke, contrast and pixel noise.
        rng: The random generator.

    Returns:
        `(images, labels)`: float32 (num_samples, 36, 36) in [0, 1], ink bright on
        black, and int64 labels 0..4 indexing `FONT_NAMES`.

    Example:
        >>> images, labels = render_fonts(5, 0.0, np.random.default_rng(1))
        >>> float(images.min()), float(images.max()), sorted(labels.tolist())
        (0.0, 1.0, [0, 1, 2, 3, 4])
    """
    labels = rng.permutation(np.arange(num_samples) % len(FONT_FILES))
    characters = rng.integers(0, len(CHARACTERS), num_samples)
    smallest = BASE_PIXEL_SIZE - round(SMALLER_PIXELS * noise)
    largest = BASE_PIXEL_SIZE + round(LARGER_PIXELS * noise)
    sizes = rng.integers(smallest, largest + 1, num_samples)
    shifts = rng.uniform(-1.0, 1.0, (num_samples, 2)) * MAX_SHIFT * noise
    strokes = rng.uniform(-1.0, 1.0, num_samples) * MAX_STROKE * noise
    contrast = 1.0 - rng.uniform(0.0, MAX_CONTRAST_LOSS * noise, num_samples)
    images = np.zeros((num_samples, IMAGE_SIZE, IMAGE_SIZE), np.float32)
    for index in range(num_samples):
        image = glyph(int(labels[index]), CHARACTERS[characters[index]], int(sizes[index]))
        _paste(images[index], image, *shifts[index])
    images = change_stroke(images, strokes) * contrast[:, None, None].astype(np.float32)
    if noise > 0:
        images += rng.normal(0.0, PIXEL_NOISE * noise, images.shape).astype(np.float32)
    return np.clip(images, 0.0, 1.0, out=images), labels
