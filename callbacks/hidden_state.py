"""`HiddenStateLogger`: a recurrent layer's hidden state over one example, as a heat map.

What does a recurrent network carry from one time step to the next? For one
fixed example it draws the hidden state h_t of the first recurrent layer
(SimpleRNN, LSTM, GRU): one row per unit (the first `MAX_UNITS`), one column
per time step, each cell coloured on a diverging map (blue negative, white 0,
red positive) with a colour bar. The scale is [-1, 1] for a tanh layer, whose
h_t stays inside it, else +-max |h| of the frame.

A layer that returns only its last state (`return_sequences=False`) is
read through a copy that returns every step, built from its config and given
its weights at each frame; the layers in front of it (an Embedding, say)
run as they are. One image, tag `hidden_state` under `<logdir>/train`, at step
0 (untrained), every `every` epochs and at the last epoch; the last one is
also saved as `<logdir>/hidden_state.png`.

Given the tokens of a text model, each column is labelled with the character
read at that step (up to `MAX_LABELLED_STEPS` steps; a space shows as ␣, a
newline as ↵), and the image's description quotes the example's text.
"""

from __future__ import annotations


import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
from matplotlib.ticker import MaxNLocator

from kerasclf.callbacks.epoch_schedule import ScheduledLogger
from kerasclf.callbacks.figure_rendering import (
    MATPLOTLIB_LOCK,
    garbage_collection_paused,
    new_figure,
    render_figure,
)
from kerasclf.callbacks.image_layout import LABEL_PIXELS, TICK_PIXELS, TITLE_PIXELS, font_points
from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.requirements import RECURRENT_LAYERS, noted_skip_reason, sample_shape
from kerasclf.data.vocabulary import token_strings
from kerasclf.models.inspection import all_layers
from kerasclf.validation import check_directory_path, shown, suggests_keywords

TAG = "hidden_state"
FILE_NAME = "hidden_state.png"
COLOUR_MAP = "RdBu_r"
MAX_UNITS = 32
# The picture in pixels: the axes box (from the left and bottom edges) and the colour bar;
# labelled columns widen the box and the picture (`axes_width`).
WIDTH, HEIGHT = 480, 320
AXES_LEFT, AXES_BOTTOM, AXES_WIDTH, AXES_HEIGHT = 60, 46, 350, 220
BAR_GAP, BAR_WIDTH = 12, 12
# Columns are labelled with their characters up to this many steps, in a
# monospaced font, each column at least LABELLED_STEP_PIXELS wide (the picture
# widens for them), so that a character stays clear of its neighbours'.
MAX_LABELLED_STEPS = 50
LABELLED_STEP_PIXELS = 12
LABEL_FONT = "DejaVu Sans Mono"
# Characters drawn as a visible glyph in a column's label.
SHOWN_CHARACTERS = {
    " ": "\N{OPEN BOX}",
    "\n": "\N{DOWNWARDS ARROW WITH CORNER LEFTWARDS}",
    "\t": "\N{RIGHTWARDS ARROW TO BAR}",
}


def first_recurrent_layer(model: keras.Model):
    """(the functional model that holds it, the layer) of the first recurrent layer, or None.

    Example:
        >>> model = keras.Sequential([keras.Input((None, 1)), keras.layers.GRU(3, name="gru")])
        >>> first_recurrent_layer(model)[1].name
        'gru'
    """
    for layer in getattr(model, "layers", []):
        if isinstance(layer, RECURRENT_LAYERS):
            return model, layer
        if getattr(layer, "layers", None):
            found = first_recurrent_layer(layer)
            if found is not None:
                return found
    return None


def hidden_state_reason(model: keras.Model) -> str | None:
    """None if the first recurrent layer's states can be drawn, else why not."""
    needs = "it draws the hidden state of a recurrent layer (SimpleRNN, LSTM, GRU)"
    found = first_recurrent_layer(model)
    if found is None:
        return f"{needs}, and this model has none"
    owner, layer = found
    if not isinstance(layer, keras.layers.RNN):
        return f"{needs}, and its first one, {layer.name!r}, is a {type(layer).__name__}"
    if not getattr(owner, "inputs", None) or len(owner.inputs) != 1:
        return f"{needs} of a model with one known input, which {owner.name!r} is not"
    return None


def sequence_copy(layer: keras.layers.RNN, input_shape) -> keras.layers.RNN:
    """A copy of `layer` that returns every step's state (weights set by `copy_weights`)."""
    config = layer.get_config()
    config.update(return_sequences=True, return_state=False, stateful=False, name=layer.name)
    copy = type(layer).from_config(config)
    copy.build(tuple(input_shape))
    return copy


def hidden_scale(layer, states: np.ndarray) -> float:
    """The |h| at full colour: 1 for a tanh layer (|h| <= 1), else the frame's max |h|.

    Example:
        >>> hidden_scale(keras.layers.LSTM(2), np.zeros((3, 2)))
        1.0
    """
    activation = getattr(getattr(layer, "activation", None), "__name__", None)
    if activation == "tanh":
        return 1.0
    largest = float(np.max(np.abs(np.nan_to_num(states)))) if states.size else 0.0
    return largest if largest > 0 else 1.0


def axes_width(num_steps: int, labelled: bool) -> int:
    """The heat map's width in pixels: `AXES_WIDTH`, wider where labelled columns need it.

    Example:
        >>> axes_width(30, labelled=False), axes_width(20, True), axes_width(40, True)
        (350, 350, 480)
    """
    return max(AXES_WIDTH, LABELLED_STEP_PIXELS * num_steps) if labelled else AXES_WIDTH


def cell_centre(
    unit: int, step: int, num_units: int, num_steps: int, labelled: bool = False
) -> tuple[int, int]:
    """(row, column) of the pixel at the centre of cell (unit, time step) in the picture.

    Example:
        >>> cell_centre(0, 0, num_units=2, num_steps=5)
        (109, 95)
    """
    top = HEIGHT - AXES_BOTTOM - AXES_HEIGHT
    row = top + (unit + 0.5) * AXES_HEIGHT / num_units
    column = AXES_LEFT + (step + 0.5) * axes_width(num_steps, labelled) / num_steps
    return int(row), int(column)


def step_label(token: str) -> str:
    """A token as a column's label: whitespace as a visible glyph.

    Example:
        >>> [step_label(token) for token in ["a", " ", "\\n"]]
        ['a', '␣', '↵']
    """
    return "".join(SHOWN_CHARACTERS.get(character, character) for character in token)


def heat_map(
    states: np.ndarray, scale: float, title: str, step_labels: list[str] | None = None
) -> np.ndarray:
    """The picture of `states` `(time, units)`: units down, time across; uint8 RGB.

    `step_labels` (one string per time step, at most `MAX_LABELLED_STEPS`)
    label the columns instead of step numbers.
    """
    num_steps, num_units = states.shape
    if step_labels is not None and len(step_labels) != num_steps:
        raise ValueError(
            f"`step_labels` must hold one label per time step, {num_steps}. "
            f"Received {len(step_labels)}: step_labels={shown(step_labels)}."
        )
    box_width = axes_width(num_steps, step_labels is not None)
    width = WIDTH - AXES_WIDTH + box_width
    with MATPLOTLIB_LOCK, garbage_collection_paused():
        figure = new_figure(width, HEIGHT)
        box = [AXES_LEFT / width, AXES_BOTTOM / HEIGHT, box_width / width, AXES_HEIGHT / HEIGHT]
        axes = figure.add_axes(box)
        image = axes.imshow(
            states.T,
            cmap=COLOUR_MAP,
            vmin=-scale,
            vmax=scale,
            aspect="auto",
            interpolation="nearest",
            extent=(-0.5, num_steps - 0.5, num_units - 0.5, -0.5),
        )
        bar_left = (AXES_LEFT + box_width + BAR_GAP) / width
        bar = figure.add_axes([bar_left, box[1], BAR_WIDTH / width, box[3]])
        figure.colorbar(image, cax=bar).ax.tick_params(labelsize=font_points(TICK_PIXELS))
        for axis in (axes.xaxis, axes.yaxis):
            axis.set_major_locator(MaxNLocator(nbins=8, integer=True))
        axes.tick_params(labelsize=font_points(TICK_PIXELS))
        if step_labels is None:
            axes.set_xlabel("time step", fontsize=font_points(LABEL_PIXELS))
        else:
            axes.set_xticks(range(num_steps), [step_label(label) for label in step_labels])
            for label in axes.get_xticklabels():
                label.set_fontfamily(LABEL_FONT)
            axes.tick_params(axis="x", length=2, pad=2)
            axes.set_xlabel(
                "the character read at each time step", fontsize=font_points(LABEL_PIXELS)
            )
        axes.set_ylabel("unit", fontsize=font_points(LABEL_PIXELS))
        axes.set_title(title, fontsize=font_points(TITLE_PIXELS))
        return render_figure(figure)[:, :, :3].copy()


class HiddenStateLogger(ScheduledLogger):
    """Draws the first recurrent layer's hidden state over the time steps of one example.

    Args:
        logdir: The run directory.
        model: The model to look into; None for the model being trained.
        example: One sample of the model's input: token ids `(time,)` or
            values `(time, features)` (a leading batch axis of 1 is allowed).
        every: Draw every this many epochs (and at step 0 and the last epoch).
        tokens: For token ids: the string of each id (a sequence of strings,
            or a `Vocabulary`), to label each time step with the character
            read there; None for step numbers.

    Example:
        >>> logger = HiddenStateLogger("run", model, ids[0], tokens=vocabulary)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=10, callbacks=[logger])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot draw for `model` (`callbacks.requirements`), or None."""
        return hidden_state_reason(model)

    @suggests_keywords
    def __init__(self, logdir: str, model, example, every: int = 1, tokens=None):
        super().__init__(every)
        self.logdir = check_directory_path("logdir", logdir)
        self.logged_model = model
        self.example = np.asarray(example)
        self.tokens = None if tokens is None else token_strings(tokens)
        self._step_labels = None
        self._images = None
        self._layer = None
        self._front = None
        self._copy = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._layer is None:
            model = self.logged_model if self.logged_model is not None else self.model
            if noted_skip_reason(self, model) is not None:
                return
            self._prepare(model)
        if int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def _prepare(self, model: keras.Model) -> None:
        owner, layer = first_recurrent_layer(model)
        shape = sample_shape(owner)
        example = self.example
        if example.ndim == len(shape) + 1 and example.shape[0] == 1:
            example = example[0]
        if example.ndim != len(shape) or any(
            size is not None and size != got for size, got in zip(shape, example.shape)
        ):
            raise ValueError(
                f"`example` must be one sample of the model's input, shape {shown(shape)}. "
                f"Received: example of shape {example.shape}."
            )
        self._example = example[None]
        self._front = keras.Model(owner.inputs[0], layer.input)
        self._layer = layer
        self._copy = sequence_copy(layer, layer.input.shape)
        description = (
            f"The hidden state of `{layer.name}` over the {example.shape[0]} time steps of one "
            "example: a row per unit, a column per step; blue negative, white 0, red positive."
        )
        if self.tokens is not None:
            text = self._example_text(example)
            if len(text) <= MAX_LABELLED_STEPS:
                self._step_labels = text
            quoted = (
                "".join(text)
                .replace("`", "'")
                .replace("\n", "\N{DOWNWARDS ARROW WITH CORNER LEFTWARDS}")
            )
            description += f" The example's text: `{quoted}`"
        check_example_values(example, model)  # After the tokens' own check, which names them.
        self._images = ImageLog(self.logdir, TAG, FILE_NAME, description)

    def _example_text(self, example: np.ndarray) -> list[str]:
        """The token of each time step of an example of token ids (ints, or whole floats)."""
        whole = np.issubdtype(example.dtype, np.number) and np.all(example == np.round(example))
        if example.ndim != 1 or not whole:
            raise ValueError(
                "`tokens` label token ids: `example` must then be one sequence of whole-number "
                f"ids. Received: example of shape {example.shape} and dtype {example.dtype}."
            )
        ids = example.astype(np.int64)
        outside = ids[(ids < 0) | (ids >= len(self.tokens))]
        if outside.size:
            raise ValueError(
                f"`example` holds ids without a token: {shown(sorted(set(outside.tolist())))}. "
                f"Expected ids in [0, {len(self.tokens)}), one per token of `tokens`."
            )
        return [self.tokens[index] for index in ids.tolist()]

    def states(self) -> np.ndarray:
        """The layer's hidden state at each step of the example, `(time, units)`."""
        self._copy.set_weights(self._layer.get_weights())
        sequences = self._front(self._example, training=False)
        states = self._copy(sequences, training=False)
        return keras.ops.convert_to_numpy(states)[0].astype(np.float64)

    def is_drawing(self) -> bool:
        return self._layer is not None

    def on_train_end(self, logs=None):
        self.log_final_step()
        if self._images is not None:
            self._images.close()

    def _log(self, step: int) -> None:
        states = self.states()[:, :MAX_UNITS]
        scale = hidden_scale(self._layer, states)
        units = self._layer.cell.units if hasattr(self._layer, "cell") else states.shape[1]
        shown_units = f"{states.shape[1]} of {units}" if units > states.shape[1] else units
        title = f"epoch {step} \N{MIDDLE DOT} {self._layer.name}: h of {shown_units} units"
        labels = self._step_labels
        self._images.add(lambda: heat_map(states, scale, title, labels), step)
        self._schedule.logged(step)


def check_example_values(example: np.ndarray, model: keras.Model) -> None:
    """Refuses an example that is not finite numbers, or ids the model's Embedding lacks.

    Example:
        >>> inputs = keras.Input((None,), dtype="int32")
        >>> model = keras.Model(inputs, keras.layers.Embedding(5, 2, name="embed")(inputs))
        >>> check_example_values(np.array([0, 1, 9]), model)
        Traceback (most recent call last):
        ...
        ValueError: `example` token ids must be whole numbers in 0..4, the ids `embed` embeds. Received: example=array([0, 1, 9]).
    """  # noqa: E501
    try:
        values = np.asarray(example, np.float64)
    except (TypeError, ValueError):
        values = np.array([np.nan])
    if values.size == 0 or not np.isfinite(values).all():
        raise ValueError(
            "`example` must be one sample of finite numbers (features, or token ids). "
            f"Received: example={shown(example)}."
        )
    embedding = next(
        (layer for layer in all_layers(model) if isinstance(layer, keras.layers.Embedding)), None
    )
    if embedding is None:
        return
    ids = int(embedding.input_dim)
    if not ((values == np.round(values)) & (values >= 0) & (values < ids)).all():
        raise ValueError(
            f"`example` token ids must be whole numbers in 0..{ids - 1}, the ids "
            f"`{embedding.name}` embeds. Received: example={shown(example)}."
        )
