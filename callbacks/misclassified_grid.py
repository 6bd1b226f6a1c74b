"""A grid of misclassified examples as an image, each with its true and predicted class.

Each tile shows one sample in grey (scaled to its own darkest and brightest
pixel, so that a faint sample shows as well as a bold one) in a red frame,
and under it the true class in black, the predicted class in red, and
`p = 0.87`, the probability the model gave its (wrong) choice; a line under
the title says so. A class name too wide for a tile takes two lines, broken
at a space (as the confusion matrix's labels are: "DejaVu Sans" over "Bold
Oblique"); only a name still too wide ends in an ellipsis.
The samples shown are the model's most confident mistakes, the most
instructive ones, up to a maximum.
The title gives the epoch and how many samples are misclassified ("39 of
279 test samples wrong").

The grid has the same size at every step (room for the maximum), so that
TensorBoard's step slider does not make it jump; tiles without a sample stay
white. A frame is numpy and `TextPainter`, a few milliseconds.
"""

from __future__ import annotations

import numpy as np

from kerasclf.callbacks.colours import rgb255
from kerasclf.callbacks.text_painter import TextPainter
from kerasclf.callbacks.text_fitting import TITLE_HEIGHT, class_label, paint_title, shorten
from kerasclf.validation import check_data_name, check_integer

# Three columns: the default 6 tiles make a landscape grid (514 x 324 pixels,
# 514 x 404 where class names take two lines), about the confusion matrix's
# shape. TensorBoard fits an image to its card (about 330 x 200 pixels in Time
# Series, 300 to 340 wide in Images), so the captions are sized for that: 17
# pixels show at about 10. (Four columns of 8 tiles at 14 pixels, 592 x 360,
# showed their captions at about 7.) A tile is as wide as "Computer Modern" at
# 17 pixels (154), the longer line of the seminar's longest font name.
NUM_COLUMNS = 3
DEFAULT_MAX_TILES = 6
TILE_WIDTH = 166
SAMPLE_PIXELS = 60  # The longer side of a sample's picture.
FRAME_PIXELS = 2
CAPTION_PIXELS = 17
CAPTION_PITCH = CAPTION_PIXELS + 3  # Rows from one caption line's baseline to the next.
CAPTION_WIDTH = TILE_WIDTH - 6  # The widest caption line, in pixels.
TITLE_ROWS = 52
LEGEND = "black: true class \N{MIDDLE DOT} red: predicted, p = its probability"
LEGEND_PIXELS = 16
MARGIN = 8
FRAME_COLOUR = rgb255("#d62728")
TRUE_COLOUR = (0, 0, 0)
PREDICTED_COLOUR = tuple(int(value) for value in rgb255("#b2182b"))
# A sample whose sides differ more than this is stretched to this ratio, so a
# 128 x 9 sensor window still shows as a picture.
MAX_ASPECT = 4.0


def is_picture_shape(sample_shape: tuple) -> bool:
    """Whether samples of this shape are pictures: (h, w), (h, w, 1) or (h, w, 3).

    Example:
        >>> is_picture_shape((36, 36)), is_picture_shape((28, 28, 1)), is_picture_shape((4,))
        (True, True, False)
    """
    return len(sample_shape) == 2 or (len(sample_shape) == 3 and sample_shape[2] in (1, 3))


def grey_picture(sample: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """A sample as `(rows, columns, 3)` uint8, scaled to its own range, nearest pixels.

    Example:
        >>> grey_picture(np.array([[0.0, 2.0]]), 1, 4)[0, :, 0].tolist()
        [0, 0, 255, 255]
    """
    sample = np.asarray(sample, np.float32)
    if sample.ndim == 2:
        sample = sample[:, :, None]
    low, high = float(sample.min()), float(sample.max())
    scaled = (sample - low) / (high - low) if high > low else np.zeros_like(sample)
    row_index = (np.arange(rows) * sample.shape[0] / rows).astype(int)
    column_index = (np.arange(columns) * sample.shape[1] / columns).astype(int)
    picked = scaled[row_index][:, column_index]
    picked = np.broadcast_to(picked, (rows, columns, 3))
    return np.round(picked * 255).astype(np.uint8)


def picture_size(sample_shape: tuple) -> tuple[int, int]:
    """`(rows, columns)` of a sample's picture: its longer side `SAMPLE_PIXELS`.

    Example:
        >>> picture_size((36, 36)), picture_size((128, 9, 1))
        ((60, 60), (60, 15))
    """
    height, width = float(sample_shape[0]), float(sample_shape[1])
    height, width = max(height, width / MAX_ASPECT), max(width, height / MAX_ASPECT)
    scale = SAMPLE_PIXELS / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


class MisclassifiedGrid:
    """Draws grids of up to `max_tiles` misclassified samples of `sample_shape`.

    Args:
        class_names: One name per class.
        sample_shape: The shape of one sample (a picture: `is_picture_shape`).
        max_tiles: The most samples shown (an integer >= 1).
        data_name: The set the samples are from, for the title ("2 of 10 test
            samples wrong"), or None.

    Example:
        >>> grid = MisclassifiedGrid(["cat", "dog"], (8, 8), max_tiles=4)
        >>> samples = np.random.default_rng(0).random((2, 8, 8))
        >>> image = grid.draw(samples, np.array([0, 1]), np.array([1, 0]),
        ...                   np.array([0.9, 0.6]), step=1, num_wrong=2, num_samples=10)
        >>> image.shape
        (324, 514, 3)
        >>> [grid.has_tile(image, index) for index in range(4)]
        [True, True, False, False]
    """

    def __init__(
        self,
        class_names,
        sample_shape: tuple,
        max_tiles: int = DEFAULT_MAX_TILES,
        data_name: str | None = None,
    ):
        self.class_names = tuple(class_names)
        self.data_name = check_data_name(data_name)
        self.sample_shape = tuple(sample_shape)
        self.max_tiles = check_integer("max_tiles", max_tiles)
        self._painter = TextPainter(CAPTION_PIXELS)
        self._legend_painter = TextPainter(LEGEND_PIXELS)
        self._picture_rows, self._picture_columns = picture_size(self.sample_shape)
        # Each name's caption lines: one, or two where it is too wide for a tile.
        self._name_lines = [
            class_label(name, self._painter, CAPTION_WIDTH).split("\n") for name in self.class_names
        ]
        # Room for the longest names, true and predicted, and the probability's line.
        most_lines = max((len(lines) for lines in self._name_lines), default=1)
        caption_rows = (2 * most_lines + 1) * CAPTION_PITCH + 2
        self._tile_height = SAMPLE_PIXELS + 2 * FRAME_PIXELS + caption_rows + 6
        num_rows = -(-self.max_tiles // NUM_COLUMNS)
        num_columns = min(NUM_COLUMNS, self.max_tiles)
        self.shape = (
            TITLE_ROWS + num_rows * self._tile_height + MARGIN,
            max(2 * MARGIN + num_columns * TILE_WIDTH, 2 * MARGIN + 2 * TILE_WIDTH),
            3,
        )

    def tile_origin(self, index: int) -> tuple[int, int]:
        """`(row, column)` of the top-left pixel of tile `index`'s frame."""
        row, column = divmod(index, NUM_COLUMNS)
        left = MARGIN + column * TILE_WIDTH + (TILE_WIDTH - self._picture_columns) // 2
        return TITLE_ROWS + row * self._tile_height, left - FRAME_PIXELS

    def has_tile(self, image: np.ndarray, index: int) -> bool:
        """Whether tile `index` of `image` holds a sample: its frame's corner is red."""
        row, column = self.tile_origin(index)
        return bool((image[row, column] == FRAME_COLOUR).all())

    def draw(self, samples, true_labels, predicted_labels, probabilities, step, **counts):
        """The grid of `samples` (at most `max_tiles`), titled with `step`.

        Args:
            samples: The misclassified samples, most important first.
            true_labels: Their true classes.
            predicted_labels: The classes the model chose.
            probabilities: The probability the model gave its choice.
            step: The epoch, for the title (None for none).
            **counts: `num_wrong` and `num_samples`, for the title.

        Returns:
            `(rows, columns, 3)` uint8.
        """
        image = np.full(self.shape, 255, np.uint8)
        num_wrong, num_samples = counts["num_wrong"], counts["num_samples"]
        named = "" if self.data_name is None else f" {self.data_name}"
        # The tiles are the surest of them (the tag's description says so).
        title = f"{num_wrong} of {num_samples}{named} samples wrong"
        if step is not None:
            title = f"epoch {step} \N{MIDDLE DOT} {title}"
        paint_title(image, title, image.shape[1] / 2, TITLE_HEIGHT)
        self._legend_painter.paint(image, LEGEND, image.shape[1] / 2, TITLE_ROWS - 11, (70, 70, 70))
        for index in range(min(len(samples), self.max_tiles)):
            self._paint_tile(
                image,
                index,
                samples[index],
                int(true_labels[index]),
                int(predicted_labels[index]),
                float(probabilities[index]),
            )
        return image

    def _paint_tile(self, image, index, sample, true_label, predicted_label, probability):
        top, left = self.tile_origin(index)
        rows, columns = self._picture_rows, self._picture_columns
        frame = 2 * FRAME_PIXELS
        image[top : top + rows + frame, left : left + columns + frame] = FRAME_COLOUR
        inner_top, inner_left = top + FRAME_PIXELS, left + FRAME_PIXELS
        image[inner_top : inner_top + rows, inner_left : inner_left + columns] = grey_picture(
            sample, rows, columns
        )
        centre = MARGIN + (index % NUM_COLUMNS + 0.5) * TILE_WIDTH
        baseline = top + rows + frame + CAPTION_PIXELS + 2
        lines = [(line, TRUE_COLOUR) for line in self._name_lines[true_label]]
        lines += [(line, PREDICTED_COLOUR) for line in self._name_lines[predicted_label]]
        lines.append(
            (shorten(f"p = {probability:.2f}", self._painter, CAPTION_WIDTH), PREDICTED_COLOUR)
        )
        for number, (text, colour) in enumerate(lines):
            self._painter.paint(image, text, centre, baseline + number * CAPTION_PITCH, colour)
