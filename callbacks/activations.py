"""`ActivationImages`: what each convolution layer makes of one fixed example.

A convolution's filters are small and hard to read; its feature maps, the
filter applied across an image, show what it responds to: edges, strokes,
corners. This callback runs one fixed example (say, the first validation
image) through the model every few epochs and draws, in one image (tag
`activations` under `<logdir>/train`):

- the example itself, first;
- then one block per Conv2D layer, in the model's order, captioned with its
  name and the maps' size: up to `max_maps` of its feature maps (after the
  layer's activation), as many to a row as fit `callbacks.tile_grid.GRID_WIDTH`.

One image rather than a tag per layer, so that the step slider moves every
layer at once and the layers read top to bottom as the signal flows. Each map
is grey from its own minimum (black) to its own maximum (white), so a faint
map shows its pattern as clearly as a strong one; a constant map (a dead
ReLU filter) is black. Maps are enlarged (nearest pixels) as far as a row of
the grid allows (`callbacks.tile_grid.fit_zoom`): the seminar CNN's four
36 x 36 maps at 2 pixels a value, sixteen at 1; the example as large as the
first layer's maps.

Images are logged at step 0 (the initial weights), every `every` epochs and
at the final epoch, on the steps of the cost (`CostLogger`); the final one is
also saved as `<logdir>/activations.png`.
"""

from __future__ import annotations


import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.callbacks.epoch_schedule import ScheduledLogger
from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.requirements import noted_skip_reason, sample_shape
from kerasclf.callbacks.text_painter import title_painter
from kerasclf.callbacks.tile_grid import (
    caption_painter,
    columns_for,
    fit_zoom,
    grey_colours,
    stack_rows,
    text_row,
    tile_grid,
)
from kerasclf.validation import check_directory_path, check_integer, shown, suggests_keywords

TAG = "activations"
FILE_NAME = "activations.png"
SPACER_PIXELS = 6  # Between one layer's block and the next caption.
DESCRIPTION = (
    "A fixed example (first) and the feature maps of each Conv2D layer for it, in the model's "
    "order: each map grey from its own minimum (black) to its own maximum (white)."
)


def conv_layers(model: keras.Model) -> list:
    """The model's own Conv2D layers, in order (not those inside a nested model).

    Example:
        >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, name="c"),
        ...                           keras.layers.Flatten(), keras.layers.Dense(2)])
        >>> [layer.name for layer in conv_layers(model)]
        ['c']
    """
    return [
        layer for layer in getattr(model, "layers", []) if isinstance(layer, keras.layers.Conv2D)
    ]


def conv_layer_reason(model: keras.Model) -> str | None:
    """None if the model has a Conv2D layer of its own and one input, else why not."""
    if not conv_layers(model):
        return (
            "it draws the feature maps of Conv2D layers, and this model has none among its "
            "own layers"
        )
    if sample_shape(model) is None:
        return (
            "it draws the feature maps of Conv2D layers, and this model's input is not one tensor"
        )
    return None


def example_tiles(example: np.ndarray) -> list[np.ndarray]:
    """The example as one uint8 RGB tile: grey, in colour if it has 3 channels, else channel 0.

    Example:
        >>> example_tiles(np.array([[0.0, 1.0]]))[0][0, :, 0].tolist()
        [0, 255]
    """
    if example.ndim == 3 and example.shape[2] == 3:
        low, high = float(example.min()), float(example.max())
        scaled = (example - low) / (high - low) if high > low else np.zeros_like(example)
        return [np.round(scaled * 255).astype(np.uint8)]
    return [grey_colours(example if example.ndim == 2 else example[:, :, 0])]


def activations_picture(
    step: int, example: np.ndarray, maps: dict[str, np.ndarray], max_maps: int
) -> np.ndarray:
    """The image: a title, the example, then each layer's caption and maps.

    Args:
        step: The epoch, for the title.
        example: The example, `(h, w)` or `(h, w, c)`.
        maps: Each Conv2D layer's name: its output for the example, `(rows, columns, maps)`.
        max_maps: How many maps of each layer to draw, the first ones.

    Returns:
        The image, uint8 RGB.

    Example:
        >>> picture = activations_picture(3, np.zeros((8, 8)), {"c": np.ones((8, 8, 2))}, 16)
        >>> picture.dtype, picture.ndim
        (dtype('uint8'), 3)
    """
    painter = caption_painter()
    blocks = []
    for name, outputs in maps.items():
        shown = min(outputs.shape[2], max_maps)
        tiles = [grey_colours(outputs[:, :, index]) for index in range(shown)]
        size = f"{outputs.shape[0]}\N{MULTIPLICATION SIGN}{outputs.shape[1]}"
        caption = f"{name}: {shown} of {outputs.shape[2]} maps, {size}"
        zoom = fit_zoom(outputs.shape, shown)
        blocks.append((caption, tile_grid(tiles, columns_for(outputs.shape, zoom), zoom)))
    # The example as large as the first layer's maps, pixel for pixel where sizes agree.
    first = next(iter(maps.values()), example)
    first_zoom = fit_zoom(first.shape, min(first.shape[2], max_maps) if first.ndim == 3 else 1)
    zoom = max(1, round(first_zoom * first.shape[0] / example.shape[0]))
    blocks.insert(0, ("input", tile_grid(example_tiles(example), 1, zoom)))
    width = max(grid.shape[1] for _, grid in blocks)
    parts = [text_row(title_painter(), f"epoch {step} \N{MIDDLE DOT} feature maps", width)]
    for caption, grid in blocks:
        parts += [text_row(painter, caption, width), grid]
        parts.append(np.full((SPACER_PIXELS, width, 3), 255, np.uint8))
    return stack_rows(parts[:-1])


class ActivationImages(ScheduledLogger):
    """Draws the feature maps of every Conv2D layer for one fixed example.

    Args:
        logdir: The run directory.
        example: One input sample, of the model's sample shape (e.g. the
            first validation image), `(h, w)` or `(h, w, c)`.
        every: Draw every this many epochs (and at step 0 and the final epoch).
        max_maps: How many feature maps of each layer to draw, the first ones.

    Example:
        >>> callback = ActivationImages("logs/run", x_validation[0], every=5)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=20, callbacks=[callback])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot draw for `model` (`callbacks.requirements`), or None: a Conv2D layer."""
        return conv_layer_reason(model)

    @suggests_keywords
    def __init__(self, logdir: str, example, *, every: int = 5, max_maps: int = 16):
        super().__init__(every)
        self.logdir = check_directory_path("logdir", logdir)
        try:
            self.example = np.asarray(example, np.float32)
            received = f"an array of shape {self.example.shape}"
        except (TypeError, ValueError):
            self.example, received = np.zeros(0), f"example={shown(example)}, not numbers"
        if self.example.ndim not in (2, 3) or not np.isfinite(self.example).all():
            raise ValueError(
                "`example` must be one finite image sample, of shape (h, w) or (h, w, c). "
                f"Received: {received}."
            )
        self.max_maps = check_integer("max_maps", max_maps)
        self._images = ImageLog(logdir, TAG, FILE_NAME, DESCRIPTION)
        self._probe = None
        self._skip_reason = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._probe is None and self._skip_reason is None:
            self._skip_reason = noted_skip_reason(self, self.model)
            if self._skip_reason is not None:
                return
            self._build()
        if self._probe is not None and int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def _build(self) -> None:
        expected = tuple(sample_shape(self.model))
        if self.example.shape != expected and self.example.size == np.prod(expected):
            if [size for size in self.example.shape if size != 1] == [
                size for size in expected if size != 1
            ]:  # Only a channel axis of 1 more or less: (h, w) for (h, w, 1).
                self.example = self.example.reshape(expected)
        if self.example.shape != expected:
            raise ValueError(
                f"`example` must have the model's sample shape {expected}. "
                f"Received: an array of shape {self.example.shape}."
            )
        layers = conv_layers(self.model)
        self._probe = keras.Model(self.model.inputs[0], [layer.output for layer in layers])

    def is_drawing(self) -> bool:
        return self._probe is not None

    def on_train_end(self, logs=None):
        self.log_final_step()
        self._images.close()

    def feature_maps(self) -> dict[str, np.ndarray]:
        """Each Conv2D layer's name: its output for the example, `(rows, columns, maps)`."""
        outputs = self._probe(self.example[None], training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        maps = {}
        for layer, output in zip(conv_layers(self.model), outputs):
            output = keras.ops.convert_to_numpy(output)[0]
            if layer.data_format == "channels_first":
                output = np.moveaxis(output, 0, -1)
            maps[layer.name] = output
        return maps

    def _log(self, step: int) -> None:
        # The forward pass here, the drawing and encoding on the image thread.
        maps, example, max_maps = self.feature_maps(), self.example, self.max_maps
        self._images.add(lambda: activations_picture(step, example, maps, max_maps), step)
        self._schedule.logged(step)
