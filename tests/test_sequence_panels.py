"""Day 3's panels and text sampling, checked against independent references.

Text sampling against numpy (greedy at a tiny temperature, the model's own
probabilities at T = 1 by a chi-square bound); the panels read back with
TensorBoard's EventAccumulator, images by their pixels, the projector files
with TensorBoard's projector plugin and `tf.train.load_variable`.
"""

import html
import os
import re

import keras
import matplotlib
import numpy as np
import pytest
import scipy.stats
import tensorflow as tf
from google.protobuf import text_format
from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins import base_plugin, projector
from tensorboard.plugins.projector import projector_plugin
from tensorboard.plugins.text import text_plugin

from conftest import read_images, written_files
from kerasclf.callbacks import (
    EmbeddingProjector,
    ForecastLogger,
    GeneratedTextLogger,
    HiddenStateLogger,
)
from kerasclf.callbacks.embedding_projector import METADATA_FILE, TENSOR_NAME, readable_token
from kerasclf.callbacks.forecast import (
    AXES_BOTTOM,
    AXES_HEIGHT,
    AXES_LEFT,
    AXES_WIDTH,
    HEIGHT,
    PREDICTED_COLOUR,
    TRUE_COLOUR,
    value_limits,
    value_row,
)
from kerasclf.callbacks.generated_text import sample_from_markdown
from kerasclf.callbacks import hidden_state
from kerasclf.callbacks.hidden_state import COLOUR_MAP, cell_centre
from kerasclf.data import Data
from kerasclf.data.vocabulary import Vocabulary
from kerasclf.run.sequence_panels import PROMPT_CHARACTERS, default_prompt
from kerasclf.models.text_sampling import TextSampler, sample_text, tempered_probabilities

TEXT = "abc abc\nbca cab\n" * 12
WINDOW = 6
PROMPT = "ab"


def char_model(vocabulary_size: int, time_steps=None, seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((time_steps,), dtype="int32"),
            keras.layers.Embedding(vocabulary_size, 4),
            keras.layers.LSTM(8),
            keras.layers.Dense(vocabulary_size, activation="softmax"),
        ]
    )


def peaked(model: keras.Model, seed: int = 0) -> keras.Model:
    """Large random embeddings and output weights: untrained probabilities far from uniform."""
    generator = np.random.default_rng(seed)
    embedding, output = model.layers[0], model.layers[-1]
    embedding.set_weights([generator.normal(0.0, 2.0, embedding.embeddings.shape)])
    kernel, bias = output.get_weights()
    output.set_weights([generator.normal(0.0, 3.0, kernel.shape), bias])
    return model


@pytest.fixture(scope="module")
def vocabulary():
    return Vocabulary.from_text(TEXT)


# Text sampling against numpy.


def test_tiny_temperature_is_greedy_argmax(vocabulary):
    model = peaked(char_model(vocabulary.size))
    text = sample_text(model, vocabulary, PROMPT, length=12, temperature=1e-6, seed=3)
    tokens = list(vocabulary.encode(PROMPT))
    for _ in range(12):  # The reference: the whole text so far, the most probable next.
        probabilities = model(np.array([tokens], np.int32), training=False).numpy()[0]
        tokens.append(int(np.argmax(probabilities)))
    assert text == vocabulary.decode(tokens[len(PROMPT) :])


def test_frequencies_at_temperature_one_match_the_model(vocabulary):
    model = peaked(char_model(vocabulary.size, seed=1), seed=1)
    # With a context of one token the samples are a Markov chain: the frequency of
    # each transition a -> b must match the model's p(b | a).
    size = vocabulary.size
    reference = model(np.arange(size, dtype=np.int32)[:, None], training=False).numpy()
    assert reference.max() > 0.4  # Far from uniform: a uniform sampler would fail.
    text = PROMPT[-1] + sample_text(model, vocabulary, PROMPT[-1], 1500, 1.0, seed=7, context=1)
    tokens = vocabulary.encode(text)
    counts = np.zeros((size, size))
    np.add.at(counts, (tokens[:-1], tokens[1:]), 1)
    expected = counts.sum(axis=1, keepdims=True) * reference
    seen = expected > 0
    chi_square = float(np.sum((counts[seen] - expected[seen]) ** 2 / expected[seen]))
    degrees = int(seen.sum()) - size
    assert chi_square < scipy.stats.chi2.ppf(0.9999, degrees)
    # The same counts against the uniform distribution are far off.
    uniform = counts.sum(axis=1, keepdims=True) / size
    assert np.sum((counts - uniform) ** 2 / uniform) > scipy.stats.chi2.ppf(0.9999, degrees)


def test_a_sigmoid_unit_samples_a_two_token_vocabulary():
    vocabulary = Vocabulary(("a", "b"))
    keras.utils.set_random_seed(2)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(2, 3, embeddings_initializer="random_normal"),
            keras.layers.GRU(4),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    text = sample_text(model, vocabulary, "ab", length=6, temperature=1e-6)
    tokens = [0, 1]
    for _ in range(6):
        p_b = float(model(np.array([tokens], np.int32))[0, 0])
        tokens.append(int(p_b > 0.5))
    assert text == vocabulary.decode(tokens[2:])


def test_tempered_probabilities_match_the_power_formula():
    probabilities = np.array([0.1, 0.2, 0.7, 0.0])
    for temperature in (0.3, 1.0, 2.5):
        power = probabilities ** (1.0 / temperature)
        np.testing.assert_allclose(
            tempered_probabilities(probabilities, temperature), power / power.sum(), rtol=1e-12
        )
    assert tempered_probabilities(probabilities, 1e-12).tolist() == [0.0, 0.0, 1.0, 0.0]


def test_sampling_is_reproducible_by_seed(vocabulary):
    model = char_model(vocabulary.size)
    first = sample_text(model, vocabulary, PROMPT, 40, 1.0, seed=5)
    assert len(first) == 40 and vocabulary.encode(first).size == 40
    assert sample_text(model, vocabulary, PROMPT, 40, 1.0, seed=5) == first
    assert sample_text(model, vocabulary, PROMPT, 40, 1.0, seed=6) != first


@pytest.mark.parametrize("time_steps", [None, 5])
def test_a_model_of_float_ids_samples_as_the_same_model_of_integer_ids(vocabulary, time_steps):
    # Keras's default input dtype is float32, and a text run trains on float ids: such a
    # model samples, and exactly as its integer twin with the same weights.
    integers = peaked(char_model(vocabulary.size, time_steps))
    floats = keras.Sequential(
        [
            keras.Input((time_steps,)),
            keras.layers.Embedding(vocabulary.size, 4),
            keras.layers.LSTM(8),
            keras.layers.Dense(vocabulary.size, activation="softmax"),
        ]
    )
    floats.set_weights(integers.get_weights())
    expected = sample_text(integers, vocabulary, PROMPT, 30, 1.0, seed=2)
    assert sample_text(floats, vocabulary, PROMPT, 30, 1.0, seed=2) == expected


def test_fixed_time_axis_sees_the_last_steps_left_padded(vocabulary):
    model = char_model(vocabulary.size, time_steps=5)
    sampler = TextSampler(model, vocabulary)
    ids = vocabulary.encode("ab")
    padded = np.array([[ids[0]] * 3 + list(ids)], np.int32)
    np.testing.assert_allclose(
        sampler.probabilities(list(ids)), model(padded).numpy()[0], rtol=1e-5, atol=1e-7
    )
    long = vocabulary.encode("abc abc")
    np.testing.assert_allclose(
        sampler.probabilities(list(long)), model(long[None, -5:]).numpy()[0], atol=1e-6
    )


class Doubled(keras.layers.Layer):
    """Twice its input, computed by numpy: an op that XLA cannot compile."""

    def call(self, inputs):
        outputs = tf.numpy_function(lambda values: 2 * values, [inputs], tf.float32, stateful=False)
        outputs.set_shape(inputs.shape)
        return outputs


def reference_sample(model, vocabulary, prompt, length, temperature, seed, context):
    """numpy's draws from the model called on the last `context` tokens, one at a time."""
    tokens = list(vocabulary.encode(prompt))
    generator = np.random.default_rng(seed)
    for _ in range(length):
        probabilities = model(np.array([tokens[-context:]], np.int32), training=False).numpy()[0]
        weights = tempered_probabilities(probabilities, temperature)
        tokens.append(int(generator.choice(len(weights), p=weights)))
    return vocabulary.decode(tokens[len(prompt) :])


def recording(function, lengths: list):
    """`function`, noting in `lengths` the length of each window it is called with."""

    def recorded(window):
        lengths.append(int(window.shape[0]))
        return function(window)

    return recorded


def test_temperature_zero_takes_the_most_probable_character_whatever_the_seed(vocabulary):
    model = peaked(char_model(vocabulary.size), seed=2)
    tokens = list(vocabulary.encode(PROMPT))
    for _ in range(20):  # numpy's argmax of the model's probabilities, one character at a time.
        probabilities = model(np.array([tokens[-3:]], np.int32), training=False).numpy()[0]
        tokens.append(int(np.argmax(probabilities)))
    greedy = vocabulary.decode(tokens[len(PROMPT) :])
    for seed in (0, 7):
        assert sample_text(model, vocabulary, PROMPT, 20, 0.0, seed=seed, context=3) == greedy
    # Not what sampling at T = 1 gives: the draws are not all the argmax.
    assert sample_text(model, vocabulary, PROMPT, 20, 1.0, seed=0, context=3) != greedy


def test_full_windows_run_one_xla_program_and_sample_as_the_model_does(vocabulary):
    model = peaked(char_model(vocabulary.size), seed=2)
    sampler = TextSampler(model, vocabulary, context=3)  # jit_compile="auto": an LSTM on XLA.
    windows = {"_forward": [], "_compiled_forward": []}
    for attribute, lengths in windows.items():
        setattr(sampler, attribute, recording(getattr(sampler, attribute), lengths))
    text = sampler.sample(PROMPT, 40, 1.0, seed=2)
    assert text == reference_sample(model, vocabulary, PROMPT, 40, 1.0, seed=2, context=3)
    # The prompt's window of 2 ran the graph; the 39 windows of 3, XLA's program.
    assert windows == {"_forward": [2], "_compiled_forward": [3] * 39}
    graph = TextSampler(model, vocabulary, context=3, jit_compile=False)
    assert graph.sample(PROMPT, 40, 1.0, seed=2) == text and graph._compiled_forward is None


def test_a_step_that_xla_cannot_compile_is_sampled_by_the_graph(vocabulary):
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(vocabulary.size, 4),
            keras.layers.GRU(8),
            Doubled(),
            keras.layers.Dense(vocabulary.size, activation="softmax"),
        ]
    )
    sampler = TextSampler(model, vocabulary, context=3, jit_compile=True)
    text = sampler.sample(PROMPT, 12, 1.0, seed=1)
    assert sampler._compiled_forward is None  # Refused once by XLA, then never tried again.
    assert text == reference_sample(model, vocabulary, PROMPT, 12, 1.0, seed=1, context=3)
    for value, hint in (("yes", ""), ("Auto", " Did you mean 'auto'?")):
        with pytest.raises(ValueError) as error:
            TextSampler(model, vocabulary, jit_compile=value)
        expected = f'`jit_compile` must be True, False or "auto". Received: jit_compile={value!r}.'
        assert str(error.value) == expected + hint


@pytest.mark.parametrize(
    "arguments, match",
    [
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": float("inf")}, "temperature"),
        ({"length": 0}, "length"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "abZ"}, "outside the run's vocabulary: 'Z'"),
    ],
)
def test_sampling_refuses_bad_arguments_in_one_line(vocabulary, arguments, match):
    model = char_model(vocabulary.size)
    values = {"prompt": PROMPT, "length": 5, "temperature": 1.0, **arguments}
    with pytest.raises(ValueError, match=match) as error:
        sample_text(model, vocabulary, **values)
    assert "\n" not in str(error.value)


# The panels of a trained character model.


def next_character_windows(vocabulary):
    ids = vocabulary.encode(TEXT)
    starts = np.arange(len(ids) - WINDOW)
    return np.stack([ids[start : start + WINDOW] for start in starts]), ids[starts + WINDOW]


@pytest.fixture(scope="module")
def char_run(tmp_path_factory, vocabulary):
    logdir = str(tmp_path_factory.mktemp("char_run"))
    model = char_model(vocabulary.size)
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy")
    features, labels = next_character_windows(vocabulary)
    initial = model.get_weights()
    callbacks = [
        GeneratedTextLogger(logdir, model, vocabulary, PROMPT, (0.5, 1.0), length=40, every=3),
        HiddenStateLogger(logdir, None, features[0], every=3),
        EmbeddingProjector(logdir, model, vocabulary),
    ]
    model.fit(features, labels, batch_size=32, epochs=4, verbose=0, callbacks=callbacks)
    return {"logdir": logdir, "model": model, "initial": initial, "example": features[0]}


def read_texts(logdir: str, tag: str) -> dict[int, str]:
    accumulator = EventAccumulator(os.path.join(logdir, "train"), size_guidance={"tensors": 0})
    accumulator.Reload()
    assert accumulator.SummaryMetadata(tag).plugin_data.plugin_name == "text"
    return {
        event.step: tf.make_ndarray(event.tensor_proto).item().decode("utf-8")
        for event in accumulator.Tensors(tag)
    }


def test_generated_text_is_logged_at_step_zero_every_k_and_last(char_run, vocabulary):
    texts = read_texts(char_run["logdir"], "generated_text")
    assert sorted(texts) == [0, 3, 4]
    for markdown in texts.values():
        assert "### temperature 0.5" in markdown and "### temperature 1" in markdown
        for temperature in (0.5, 1.0):
            text = sample_from_markdown(markdown, temperature)
            assert text.startswith(PROMPT) and len(text) == len(PROMPT) + 40
            assert vocabulary.decode(vocabulary.encode(text)) == text
    # TensorBoard's text plugin shows each text in a code block, spaces and newlines as they are.
    shown = text_plugin.text_array_to_html(np.array(texts[4].encode()), enable_markdown=True)
    blocks = [html.unescape(block.split("</code>")[0]) for block in shown.split("<code>")[1:]]
    expected = [sample_from_markdown(texts[4], temperature) for temperature in (0.5, 1.0)]
    assert [block.rstrip() for block in blocks] == [text.rstrip() for text in expected]
    # Above the blocks, as text, where the prompt ends and what the wrap mark means.
    legend = html.unescape(shown.split("<code>")[0])
    assert f"The first {len(PROMPT)} characters of each text are the prompt" in legend
    assert "↩ ends a line cut here to fit" in legend
    before = sample_from_markdown(texts[0], 0.5)
    after = sample_from_markdown(texts[4], 0.5)
    assert before != after
    # The step-4 text is what the trained model samples with the same seed.
    assert after[len(PROMPT) :] == sample_text(char_run["model"], vocabulary, PROMPT, 40, 0.5)


@pytest.mark.parametrize(
    "text, prompt",
    [
        ("every old cat follows the horse. every hungry dog sees the cat. ", None),
        ("a cat. " * 3, "a cat. a cat. a cat."),  # A window shorter than the limit: all of it.
        ("abcdefghijklmnopqrstuvwxyzabcdefghijklmn opq", None),  # A space too late to cut at.
    ],
)
def test_the_default_prompt_is_the_texts_first_words(text, prompt):
    vocabulary = Vocabulary.from_text(text)
    window = vocabulary.encode(text)[None, :-1]
    label = vocabulary.encode(text)[-1:]
    data = Data(window, label, num_classes=vocabulary.size, vocabulary=vocabulary)
    chosen = default_prompt(data)
    if prompt is not None:
        assert chosen == prompt
    elif " " in text[PROMPT_CHARACTERS // 4 : PROMPT_CHARACTERS]:
        # Up to the last space of the limit's window, so the model starts a word.
        assert chosen == text[: text.rindex(" ", 0, PROMPT_CHARACTERS) + 1]
        assert chosen == "every old cat follows the horse. every "
    else:
        assert chosen == text[:PROMPT_CHARACTERS]


def reference_hidden_states(weights, example) -> np.ndarray:
    """h_t by a stock LSTM(return_sequences=True) fed the numpy embedding lookup."""
    embedding, kernel, recurrent, bias = weights[:4]
    layer = keras.layers.LSTM(8, return_sequences=True)
    inputs = embedding[example][None].astype(np.float32)
    layer.build(inputs.shape)
    layer.set_weights([kernel, recurrent, bias])
    return layer(inputs).numpy()[0]


def values_of_colours(pixels: np.ndarray, scale: float) -> np.ndarray:
    """The values in [-scale, scale] whose colour on the map is nearest each pixel's."""
    grid = np.linspace(-scale, scale, 1001)
    table = matplotlib.colormaps[COLOUR_MAP]((grid + scale) / (2 * scale))[:, :3] * 255
    distances = np.linalg.norm(pixels[:, None, :3].astype(float) - table[None], axis=2)
    return grid[np.argmin(distances, axis=1)]


def test_hidden_state_cells_match_a_stock_lstm(char_run):
    steps, images = read_images(char_run["logdir"], "hidden_state")
    assert steps == [0, 3, 4]
    example = char_run["example"]
    for image, weights in ((images[0], char_run["initial"]), (images[-1], None)):
        weights = weights or char_run["model"].get_weights()
        states = reference_hidden_states(weights, example)
        cells = [(unit, step) for unit in range(8) for step in range(WINDOW)]
        pixels = np.array([image[cell_centre(unit, step, 8, WINDOW)] for unit, step in cells])
        drawn = values_of_colours(pixels, scale=1.0)
        expected = np.array([states[step, unit] for unit, step in cells])
        assert np.abs(drawn - expected).max() < 0.03
    assert np.abs(images[0].astype(int) - images[-1]).max() > 0
    # The final picture, saved as a file: pixel for pixel the last event's.
    saved = tf.io.decode_png(tf.io.read_file(os.path.join(char_run["logdir"], "hidden_state.png")))
    np.testing.assert_array_equal(saved.numpy(), images[-1])


def test_hidden_state_columns_are_labelled_with_the_characters_read():
    states = np.linspace(-1.0, 1.0, 6 * 3).reshape(6, 3)
    labelled = hidden_state.heat_map(states, 1.0, "title", list("ab cd\n"))
    relabelled = hidden_state.heat_map(states, 1.0, "title", list("xyzuvw"))
    numbered = hidden_state.heat_map(states, 1.0, "title")
    axes_bottom = hidden_state.HEIGHT - hidden_state.AXES_BOTTOM
    cells = np.s_[axes_bottom - hidden_state.AXES_HEIGHT + 2 : axes_bottom - 2]
    np.testing.assert_array_equal(labelled[cells], numbered[cells])  # The cells do not move.
    labels = np.s_[axes_bottom + 3 : axes_bottom + 20]
    assert np.abs(labelled[labels].astype(int) - relabelled[labels]).max() > 100
    for step in range(6):  # Ink under every column, the space's and the newline's included.
        column = cell_centre(0, step, num_units=3, num_steps=6)[1]
        assert labelled[labels][:, column - 4 : column + 5].min() < 100, step
    with pytest.raises(ValueError, match="one label per time step, 6. Received 5"):
        hidden_state.heat_map(states, 1.0, "title", list("abcde"))


@pytest.mark.parametrize("num_steps", [6, 40, 50])
def test_hidden_state_labels_of_a_long_window_keep_apart(num_steps):
    # Wide characters in every column: each label's ink stays clear of its neighbours'.
    states = np.zeros((num_steps, 3))
    image = hidden_state.heat_map(states, 1.0, "title", list("mw" * (num_steps // 2)))
    axes_bottom = hidden_state.HEIGHT - hidden_state.AXES_BOTTOM
    labels = image[axes_bottom + 5 : axes_bottom + 20]  # Under the tick marks.
    centres = [cell_centre(0, step, 3, num_steps, labelled=True)[1] for step in range(num_steps)]
    for left, right in zip(centres, centres[1:]):
        assert labels[:, left - 2 : left + 3].min() < 100  # Ink under each column,
        assert labels[:, (left + right) // 2].min() > 200, (left, right)  # none between.
    assert image.shape[1] == hidden_state.WIDTH - hidden_state.AXES_WIDTH + max(
        hidden_state.AXES_WIDTH, hidden_state.LABELLED_STEP_PIXELS * num_steps
    )


@pytest.mark.parametrize(
    "tokens, example, message",
    [
        ("abc", [0, 1], "`tokens` must be a sequence of strings"),
        (["a", "b"], [0, 2], "ids without a token: [2]"),
        (["a", "b"], [0.5, 1.0], "one sequence of whole-number ids"),
    ],
)
def test_hidden_state_tokens_are_checked(tmp_path, tokens, example, message):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Embedding(2, 3), keras.layers.GRU(2)])
    model.compile("sgd", "mse")
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        logger = HiddenStateLogger(str(tmp_path), model, np.array(example), tokens=tokens)
        logger.set_model(model)
        logger.on_train_begin()


def test_projector_files_hold_the_embedding_and_tokens(char_run, vocabulary):
    directory = os.path.join(char_run["logdir"], "train")
    config = projector.ProjectorConfig()
    with open(os.path.join(directory, "projector_config.pbtxt")) as file:
        text_format.Parse(file.read(), config)
    assert config.embeddings[0].tensor_name == TENSOR_NAME
    expected = char_run["model"].layers[0].get_weights()[0]
    checkpoint = tf.train.latest_checkpoint(directory)
    np.testing.assert_array_equal(tf.train.load_variable(checkpoint, TENSOR_NAME), expected)
    with open(os.path.join(directory, METADATA_FILE), encoding="utf-8") as file:
        rows = file.read().split("\n")[:-1]
    assert rows == [readable_token(token) for token in vocabulary.tokens]
    assert "\\n" in rows and "\N{OPEN BOX}" in rows  # Newline and space, readable.
    # TensorBoard's own projector plugin finds the run and reads the same matrix.
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(char_run["logdir"])
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, char_run["logdir"])
    plugin = projector_plugin.ProjectorPlugin(
        base_plugin.TBContext(logdir=char_run["logdir"], data_provider=provider)
    )
    plugin._update_configs()  # What `is_active` runs on its thread.
    assert "train" in plugin._configs
    reader = plugin._get_reader_for_run("train")
    np.testing.assert_array_equal(reader.get_tensor(TENSOR_NAME), expected)


# Forecasting.


@pytest.fixture(scope="module")
def forecast_run(tmp_path_factory):
    logdir = str(tmp_path_factory.mktemp("forecast_run"))
    series = np.sin(np.arange(400) * 0.15).astype(np.float32)
    starts = np.arange(len(series) - 8)
    features = np.stack([series[start : start + 8] for start in starts])[..., None]
    targets = series[starts + 8]
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((None, 1)), keras.layers.SimpleRNN(8), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(0.02), "mse")
    held_out = slice(300, 380)
    logger = ForecastLogger(logdir, model, features[held_out], targets[held_out], every=10)
    model.fit(features[:300], targets[:300], epochs=6, verbose=0, callbacks=[logger])
    predictions = model(features[held_out]).numpy()[:, 0]
    return {"logdir": logdir, "targets": targets[held_out], "predictions": predictions}


def line_rows(image: np.ndarray, colour: str) -> dict[int, float]:
    """Per pixel column of the axes box, the mean row of pixels near `colour`."""
    target = np.array(matplotlib.colors.to_rgb(colour)) * 255
    top = HEIGHT - AXES_BOTTOM - AXES_HEIGHT
    box = image[top : top + AXES_HEIGHT, AXES_LEFT : AXES_LEFT + AXES_WIDTH, :3].astype(float)
    near = np.linalg.norm(box - target, axis=2) < 40
    near[:3] = near[-3:] = False  # The frame of the axes box.
    return {
        AXES_LEFT + column: top + float(np.mean(np.flatnonzero(near[:, column])))
        for column in range(4, AXES_WIDTH - 4)
        if near[:, column].any()
    }


def test_forecast_lines_are_drawn_where_the_values_are(forecast_run):
    steps, images = read_images(forecast_run["logdir"], "forecast")
    assert steps == [0, 6]
    targets, predictions = forecast_run["targets"], forecast_run["predictions"]
    limits = value_limits(targets)
    positions = AXES_LEFT + np.arange(len(targets)) / (len(targets) - 1) * AXES_WIDTH
    for colour, values in ((PREDICTED_COLOUR, predictions), (TRUE_COLOUR, targets)):
        drawn = line_rows(images[-1], colour)
        expected = [value_row(np.interp(column, positions, values), limits) for column in drawn]
        assert len(drawn) > 0.5 * AXES_WIDTH
        assert np.median(np.abs(np.array(list(drawn.values())) - expected)) < 2.5
    # Training moved the prediction towards the truth.
    gaps = []
    for image in images:
        predicted, true = line_rows(image, PREDICTED_COLOUR), line_rows(image, TRUE_COLOUR)
        gaps.append(np.mean([abs(predicted[c] - true[c]) for c in predicted if c in true]))
    assert gaps[-1] < 0.5 * gaps[0]


# Models a panel does not fit: each skips itself with a note.


def test_each_panel_skips_a_model_it_does_not_fit(tmp_path, capsys, vocabulary):
    dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    dense.compile("sgd", "sparse_categorical_crossentropy")
    callbacks = [
        GeneratedTextLogger(str(tmp_path), None, vocabulary, PROMPT, length=5),
        HiddenStateLogger(str(tmp_path), None, np.zeros(4)),
        ForecastLogger(str(tmp_path), None, np.zeros((3, 4)), np.zeros(3)),
        EmbeddingProjector(str(tmp_path), None, vocabulary),
    ]
    dense.fit(np.zeros((8, 4)), np.zeros(8), epochs=1, verbose=0, callbacks=callbacks)
    notes = capsys.readouterr().out
    for name in (
        "GeneratedTextLogger",
        "HiddenStateLogger",
        "ForecastLogger",
        "EmbeddingProjector",
    ):
        assert f"note: {name} is off for this run:" in notes
    assert written_files(tmp_path) == []  # No events, no projector_config.pbtxt.


@pytest.mark.parametrize(
    "example, message",
    [
        ([0, 1, 9], "`example` token ids must be whole numbers in 0..4, the ids `embed` embeds"),
        ([0, -1, 2], "`example` token ids must be whole numbers in 0..4"),
        ([0.5, np.nan], "`example` must be one sample of finite numbers (features, or token ids)"),
    ],
)
def test_hidden_state_refuses_an_example_the_model_cannot_read(tmp_path, example, message):
    """Not TensorFlow's "indices[0,2] = 9 is not in [0, 5)", nor a -1 looked up in silence."""
    inputs = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(5, 4, name="embed")(inputs)
    outputs = keras.layers.Dense(5, "softmax")(keras.layers.SimpleRNN(3)(embedded))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    callback = HiddenStateLogger(str(tmp_path), model, np.array(example))
    ids = np.random.default_rng(0).integers(0, 5, size=(8, 3))
    with pytest.raises(ValueError) as raised:
        model.fit(ids, ids[:, 0], epochs=1, verbose=0, callbacks=[callback])
    assert message in str(raised.value) and "\n" not in str(raised.value)
