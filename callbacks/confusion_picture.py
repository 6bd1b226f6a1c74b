"""The confusion matrix as an image: counts in the cells, class names on both axes.

Rows are the true classes, columns the predicted ones. Each cell is coloured
by the fraction of its row (of the samples of that true class) that went to
its column, on a colour scale fixed at 0 to 1 (viridis, as scikit-learn's
`ConfusionMatrixDisplay`: dark for none, bright yellow for all), and shows the
count as text. So the diagonal brightens as the classifier learns, at every
epoch on the same scale, and a bright off-diagonal cell is a pair of classes
the model mixes up. A colourbar explains the colours; the title gives the
epoch and the accuracy.

The fixed parts (class names, axis labels, colourbar) are drawn once with
matplotlib; a frame is then the cells coloured from a lookup table and the
counts and title painted with `TextPainter`, about a millisecond. The image
is 400-480 pixels wide with text of 14-17 pixels, readable at TensorBoard's
default size.
"""

from __future__ import annotations

import matplotlib.colorbar
import matplotlib.colors
import numpy as np

from kerasclf.callbacks.colours import colour_table, rgb255
from kerasclf.callbacks.figure_rendering import (
    MATPLOTLIB_LOCK,
    garbage_collection_paused,
    new_figure,
    render_figure,
)
from kerasclf.callbacks.image_layout import LABEL_PIXELS, TICK_PIXELS, font_points
from kerasclf.callbacks.text_painter import TextPainter
from kerasclf.callbacks.text_fitting import TITLE_HEIGHT, class_label, paint_title, shorten
from kerasclf.validation import check_data_name

COLOURMAP = "viridis"
# A row's class name wider than this many pixels goes on two lines (`class_label`),
# a line still wider is cut short with an ellipsis; a column's, turned, at twice this.
MAX_NAME_PIXELS = 130
# The pixel rows above the axes for the title.
TITLE_ROWS = 32
SEPARATOR_COLOUR = rgb255("white")


def confusion_title(step: int | None, counts: np.ndarray, data_name: str | None = None) -> str:
    """The title: the epoch and the accuracy, the diagonal's share of all samples.

    Example:
        >>> confusion_title(3, np.array([[5, 1], [0, 4]]))
        'epoch 3 · accuracy 0.900 (9/10)'
        >>> confusion_title(3, np.array([[5, 1], [0, 4]]), "test")
        'epoch 3 · test accuracy 0.900 (9/10)'
    """
    total = int(counts.sum())
    correct = int(np.trace(counts))
    accuracy = correct / total if total else float("nan")
    parts = [] if step is None else [f"epoch {step}"]
    named = "" if data_name is None else f"{data_name} "
    parts.append(f"{named}accuracy {accuracy:.3f} ({correct}/{total})")
    return " \N{MIDDLE DOT} ".join(parts)


def row_fractions(counts: np.ndarray) -> np.ndarray:
    """Each count divided by its row's sum (0 in a row with no samples).

    Example:
        >>> row_fractions(np.array([[3, 1], [0, 0]])).tolist()
        [[0.75, 0.25], [0.0, 0.0]]
    """
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)


class ConfusionPicture:
    """Draws confusion matrices of `class_names` as `(rows, columns, 3)` uint8 images.

    Args:
        class_names: One name per class, k >= 2 of them.
        data_name: The set the counts are of, for the title ("test": "test
            accuracy 0.900"), or None.

    Example:
        >>> picture = ConfusionPicture(["cat", "dog", "bird"])
        >>> image = picture.draw(np.array([[5, 1, 0], [0, 4, 2], [1, 0, 7]]), step=3)
        >>> image.shape == picture.shape, image.dtype
        (True, dtype('uint8'))
        >>> row, column = picture.colour_point(0, 2)  # A cell with no samples: the zero colour.
        >>> image[row, column].tolist() == picture.colours[0].tolist()
        True
    """

    def __init__(self, class_names, data_name: str | None = None):
        self.class_names = tuple(class_names)
        self.data_name = check_data_name(data_name)
        self.colours = colour_table(COLOURMAP)
        self._tick_painter = painter = TextPainter(TICK_PIXELS)
        # The rows' names on two lines where long; the columns' turned names on one,
        # where a second line would run into the next column's.
        self.row_labels = [class_label(name, painter, MAX_NAME_PIXELS) for name in class_names]
        self.column_labels = [shorten(name, painter, 2 * MAX_NAME_PIXELS) for name in class_names]
        lines = [line for name in self.row_labels for line in name.split("\n")]
        widest = max(painter.width(line) for line in lines)
        longest = max(painter.width(name) for name in self.column_labels)
        num_classes = len(self.class_names)
        self.box_size = int(np.clip(40 * num_classes, 180, 320))
        self.box_left = int(widest) + 2 * LABEL_PIXELS + 8
        # The column names are turned by 45 degrees: their height is their width / sqrt(2).
        bottom = int(longest / np.sqrt(2) + TICK_PIXELS) + 2 * LABEL_PIXELS + 12
        self.box_top = TITLE_ROWS
        width = self.box_left + self.box_size + 86
        self.shape = (self.box_top + self.box_size + bottom, max(width, 400), 3)
        edges = self.box_size * np.arange(num_classes + 1) / num_classes
        self._edges = np.round(edges).astype(int)
        self._count_pixels = int(np.clip(self.box_size / num_classes * 0.4, 9, 16))
        self._count_painter = TextPainter(self._count_pixels)
        self._background = None

    @property
    def background(self) -> np.ndarray:
        """The fixed parts, drawn on first use: names, axis labels and the colourbar."""
        if self._background is None:
            with MATPLOTLIB_LOCK, garbage_collection_paused():
                self._background = _draw_background(self)
        return self._background

    def cell_box(self, row: int, column: int) -> tuple[int, int, int, int]:
        """`(top, bottom, left, right)` pixels of a cell, without its 1-pixel separator."""
        top = self.box_top + self._edges[row]
        left = self.box_left + self._edges[column]
        bottom = self.box_top + self._edges[row + 1] - 1
        right = self.box_left + self._edges[column + 1] - 1
        return int(top), int(bottom), int(left), int(right)

    def colour_point(self, row: int, column: int) -> tuple[int, int]:
        """A pixel `(row, column)` of a cell that shows its colour, clear of its count's text."""
        top, bottom, left, right = self.cell_box(row, column)
        return top + (bottom - top) // 6 + 1, left + (right - left) // 6 + 1

    def draw(self, counts: np.ndarray, step: int | None) -> np.ndarray:
        """The image of `counts` (k x k, rows true, columns predicted), titled with `step`."""
        counts = np.asarray(counts)
        image = self.background.copy()
        fractions = row_fractions(counts)
        indices = np.clip(np.round(fractions * (len(self.colours) - 1)), 0, 255).astype(int)
        for row in range(counts.shape[0]):
            for column in range(counts.shape[1]):
                top, bottom, left, right = self.cell_box(row, column)
                colour = self.colours[indices[row, column]]
                image[top:bottom, left:right] = colour
                text_colour = (0, 0, 0) if _luminance(colour) > 0.5 else (255, 255, 255)
                baseline = int((top + bottom) / 2 + 0.36 * self._count_pixels)
                self._count_painter.paint(
                    image, str(counts[row, column]), (left + right) / 2, baseline, text_colour
                )
        title = confusion_title(step, counts, self.data_name)
        # Over the box; set smaller or moved in where it would run off the image.
        paint_title(image, title, self.box_left + self.box_size / 2, TITLE_HEIGHT)
        return image


def _luminance(colour: np.ndarray) -> float:
    """Relative brightness 0 to 1 of a uint8 colour (Rec. 709 weights)."""
    return float(np.dot(colour, [0.2126, 0.7152, 0.0722]) / 255)


def _draw_background(picture: ConfusionPicture) -> np.ndarray:
    """The white image with the class names, axis labels and colourbar around the cells."""
    rows, columns, _ = picture.shape
    figure = new_figure(columns, rows)
    num_classes = len(picture.class_names)
    size = picture.box_size
    rectangle = [
        picture.box_left / columns,
        1 - (picture.box_top + size) / rows,
        size / columns,
        size / rows,
    ]
    axes = figure.add_axes(rectangle)
    axes.set_xlim(-0.5, num_classes - 0.5)
    axes.set_ylim(num_classes - 0.5, -0.5)
    ticks = np.arange(num_classes)
    tick_font = font_points(TICK_PIXELS)
    axes.set_xticks(ticks, picture.column_labels, rotation=45, ha="right", rotation_mode="anchor")
    axes.set_yticks(ticks, picture.row_labels, ma="right")
    axes.tick_params(labelsize=tick_font, length=3)
    axes.set_xlabel("predicted class", fontsize=font_points(LABEL_PIXELS))
    axes.set_ylabel("true class", fontsize=font_points(LABEL_PIXELS))
    for spine in axes.spines.values():
        spine.set_visible(False)
    colourbar_axes = figure.add_axes(
        [(picture.box_left + size + 14) / columns, rectangle[1], 12 / columns, rectangle[3]]
    )
    colourbar = matplotlib.colorbar.ColorbarBase(
        colourbar_axes,
        cmap=matplotlib.colors.ListedColormap(picture.colours / 255.0),
        norm=matplotlib.colors.Normalize(0.0, 1.0),
    )
    colourbar.set_ticks([0.0, 0.5, 1.0])
    colourbar.ax.tick_params(labelsize=tick_font)
    colourbar.set_label("fraction of its true class", fontsize=font_points(TICK_PIXELS))
    image = np.array(render_figure(figure)[:, :, :3])
    box = slice(picture.box_top, picture.box_top + size)
    image[box, picture.box_left : picture.box_left + size] = SEPARATOR_COLOUR
    return image
