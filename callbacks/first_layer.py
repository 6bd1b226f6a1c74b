"""`FirstLayerImages`: the first layer's weights as pictures, in TensorBoard.

What has the first layer learnt to look for? Each of its units (or filters)
is a picture of the same shape as the pattern it responds to:

- A Dense layer on images (after a Flatten of `(h, w)` or `(h, w, c)`
  samples): unit k's weight column, reshaped to `(h, w)`, as the seminar's
  notebook plots its 32 first-layer units. With several channels each
  pixel shows the mean of its channels' weights: the unit's response to a
  grey pattern, equal in every channel, is proportional to it.
- A Conv2D layer: each filter `(kh, kw)` per input channel, a filter's
  channels side by side.

Tiles run left to right, then top to bottom, in the order of the units (or
filters), as many to a row as fit about 340 pixels; each is enlarged to
about 64 pixels (2 pixels a weight of a 36 x 36 unit, 13 of a 5 x 5 filter).

Weights are coloured blue (negative), white (0) and red (positive), on a
scale symmetric around 0 that each frame sets: the 99th percentile of the
|w| it shows, so that a few large weights do not leave all the others pale
(the 1% above it are drawn at full colour). The colour bar under the grid
gives the scale (not the description: TensorBoard keeps
the first description of a tag for every step). One image,
tag `first_layer` under `<logdir>/train`, at step 0 (the initial weights),
every `every` epochs and at the final epoch: the steps of the cost
(`CostLogger`). The final one is also saved as `<logdir>/first_layer.png`.
"""

from __future__ import annotations

import math

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.callbacks.epoch_schedule import ScheduledLogger
from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.requirements import noted_skip_reason, sample_shape
from kerasclf.callbacks.text_painter import title_painter
from kerasclf.callbacks.tile_grid import (
    caption_painter,
    colour_bar,
    columns_for,
    diverging_colours,
    stack_rows,
    text_row,
    tile_grid,
    zoom_for,
)
from kerasclf.validation import check_directory_path, check_integer, suggests_keywords

TAG = "first_layer"
# The share of the weights drawn below full colour (`colour_scale`).
SCALE_QUANTILE = 0.99
FILE_NAME = "first_layer.png"
# Each weight matters, so tiles are larger than feature maps' (`tile_grid.TILE_PIXELS`):
# a 36 x 36 unit at 2 pixels a weight, a 5 x 5 filter at 13, four to a row.
WEIGHT_TILE_PIXELS = 64
MAX_CHANNELS = 8  # Input channels of a Conv2D filter that are drawn.


def first_weighted_layer(model: keras.Model):
    """The first layer with trainable weights, nested models' layers included, or None.

    Example:
        >>> model = keras.Sequential([keras.Input((8, 8)), keras.layers.Flatten(),
        ...                           keras.layers.Dense(3, name="hidden")])
        >>> first_weighted_layer(model).name
        'hidden'
    """
    for layer in getattr(model, "layers", []):
        if getattr(layer, "layers", None):  # A nested model: its own layers, in order.
            inner = first_weighted_layer(layer)
            if inner is not None:
                return inner
        elif layer.trainable_weights:
            return layer
    return None


def first_layer_reason(model: keras.Model) -> str | None:
    """None if the first layer with weights can be drawn as pictures, else why not.

    Example:
        >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        >>> first_layer_reason(model)
        'it draws a first layer that is a Conv2D, or a Dense on images, and this one is a Dense on samples of shape (4,)'
    """  # noqa: E501
    needs = "it draws a first layer that is a Conv2D, or a Dense on images"
    layer = first_weighted_layer(model)
    if layer is None:
        return f"{needs}, and this model has no trainable weights"
    if isinstance(layer, keras.layers.Conv2D):
        return None
    if not isinstance(layer, keras.layers.Dense):
        return f"{needs}, and this one is a {type(layer).__name__} ({layer.name!r})"
    shape = sample_shape(model)
    if shape is None or None in shape:
        return f"{needs}, and this model's input shape is not known"
    shown = "(" + ", ".join(str(size) for size in shape) + (",)" if len(shape) == 1 else ")")
    if len(shape) < 2:
        return f"{needs}, and this one is a Dense on samples of shape {shown}"
    if layer.kernel.shape[0] != math.prod(shape):
        return (
            f"{needs}, and its Dense {layer.name!r} takes {layer.kernel.shape[0]} values, not "
            f"the {math.prod(shape)} pixels of the samples {shown}"
        )
    return None


def dense_tiles(kernel: np.ndarray, image_shape: tuple, max_units: int) -> np.ndarray:
    """Units' weights as images `(units, h, w)`: column k reshaped, channels averaged.

    Example:
        >>> kernel = np.arange(12.0).reshape(4, 3)  # 2 x 2 images, 3 units.
        >>> dense_tiles(kernel, (2, 2), max_units=2)[1].tolist()
        [[1.0, 4.0], [7.0, 10.0]]
    """
    units = kernel[:, :max_units].T.reshape(-1, *image_shape)
    return units.mean(axis=-1) if len(image_shape) == 3 else units


def conv_tiles(kernel: np.ndarray, max_units: int) -> np.ndarray:
    """A Conv2D kernel `(kh, kw, in, out)` as tiles `(filters * channels, kh, kw)`.

    The tiles run through each filter's input channels, then the next filter.

    Example:
        >>> kernel = np.zeros((5, 5, 1, 4))
        >>> conv_tiles(kernel, max_units=32).shape
        (4, 5, 5)
    """
    kernel = kernel[:, :, :MAX_CHANNELS, :max_units]
    return np.transpose(kernel, (3, 2, 0, 1)).reshape(-1, *kernel.shape[:2])


def colour_scale(weights: np.ndarray) -> float:
    """The |w| drawn at full colour: the `SCALE_QUANTILE` quantile of |w| (0 for no weights).

    Not the largest |w|: a few large weights would leave all the others pale.

    Example:
        >>> colour_scale(np.array([-2.0, 1.0, 0.5, 0.25] * 50))
        2.0
        >>> colour_scale(np.append(np.full(199, 0.5), 40.0))
        0.5
    """
    magnitudes = np.abs(np.nan_to_num(np.asarray(weights, np.float64))).ravel()
    return float(np.quantile(magnitudes, SCALE_QUANTILE)) if magnitudes.size else 0.0


class FirstLayerImages(ScheduledLogger):
    """Draws the first layer's weights as pictures, one tile per unit or filter.

    Args:
        logdir: The run directory.
        max_units: How many units (Dense) or filters (Conv2D) to draw, the first ones.
        every: Draw every this many epochs (and at step 0 and the final epoch).

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[FirstLayerImages("logs/run")])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot draw for `model` (`callbacks.requirements`), or None."""
        return first_layer_reason(model)

    @suggests_keywords
    def __init__(self, logdir: str, *, max_units: int = 32, every: int = 1):
        super().__init__(every)
        self.logdir = check_directory_path("logdir", logdir)
        self.max_units = check_integer("max_units", max_units)
        self._images = None  # Its description names the layer, known at train begin.
        self._layer = None
        self._skip_reason = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._layer is None and self._skip_reason is None:
            self._skip_reason = noted_skip_reason(self, self.model)
            if self._skip_reason is not None:
                return
            self._layer = first_weighted_layer(self.model)
            self._images = ImageLog(self.logdir, TAG, FILE_NAME, self.description())
        if self._layer is not None and int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def is_drawing(self) -> bool:
        return self._layer is not None

    def on_train_end(self, logs=None):
        self.log_final_step()
        if self._images is not None:
            self._images.close()

    def _log(self, step: int) -> None:
        # A copy of the weights here, the drawing and encoding on the image thread.
        kernel = keras.ops.convert_to_numpy(self._layer.kernel).copy()
        self._images.add(lambda: self.picture(kernel, step)[0], step)
        self._schedule.logged(step)

    def tiles(self, kernel: np.ndarray) -> tuple[np.ndarray, int, int]:
        """The weights drawn `(tiles, h, w)`, how much they are enlarged, and tiles per row."""
        if isinstance(self._layer, keras.layers.Conv2D):
            tiles = conv_tiles(kernel, self.max_units)
            zoom = zoom_for(tiles.shape[1:], WEIGHT_TILE_PIXELS)
            group = min(kernel.shape[2], MAX_CHANNELS)  # A filter's channels on one row.
            return tiles, zoom, columns_for(tiles.shape[1:], zoom, group)
        tiles = dense_tiles(kernel, sample_shape(self.model), self.max_units)
        zoom = zoom_for(tiles.shape[1:], WEIGHT_TILE_PIXELS)
        return tiles, zoom, columns_for(tiles.shape[1:], zoom)

    def picture(self, kernel: np.ndarray, step: int) -> tuple[np.ndarray, float]:
        """The image of `kernel`, uint8 RGB, and its colour scale (`colour_scale` of the tiles)."""
        tiles, zoom, columns = self.tiles(kernel)
        scale = colour_scale(tiles)
        grid = tile_grid([diverging_colours(tile, scale) for tile in tiles], columns, zoom)
        parts = [
            text_row(title_painter(), f"epoch {step} \N{MIDDLE DOT} {self._what()}", grid.shape[1]),
            grid,
            colour_bar(caption_painter(), scale, grid.shape[1]),
        ]
        return stack_rows(parts), scale

    def _what(self) -> str:
        """What the tiles are, for the title: "dense_1: 32 of 128 units"."""
        kernel_shape = tuple(self._layer.kernel.shape)
        if isinstance(self._layer, keras.layers.Conv2D):
            shown = min(kernel_shape[3], self.max_units)
            return f"{self._layer.name}: {shown} of {kernel_shape[3]} filters"
        shown = min(kernel_shape[1], self.max_units)
        return f"{self._layer.name}: {shown} of {kernel_shape[1]} units"

    def description(self) -> str:
        """The Markdown under the images."""
        kernel_shape = tuple(self._layer.kernel.shape)
        if isinstance(self._layer, keras.layers.Conv2D):
            what = (
                f"The filters of the first layer `{self._layer.name}`, each "
                f"{kernel_shape[0]}\N{MULTIPLICATION SIGN}{kernel_shape[1]} weights; a filter's "
                f"{kernel_shape[2]} input channel(s) side by side, then the next filter."
            )
        else:
            channels = " (the mean over its channels)" if len(sample_shape(self.model)) == 3 else ""
            what = (
                f"The first layer `{self._layer.name}`: each unit's weights as an image of the "
                f"input's shape{channels}, the pattern the unit responds to; units in order, "
                "left to right, then down."
            )
        return (
            f"{what} Blue negative, white 0, red positive; each frame's scale (the colour bar) is "
            "the 99th percentile of |w|, the 1% of weights beyond it at full colour."
        )
