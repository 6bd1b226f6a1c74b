"""The panels that look inside a network: first-layer weights, feature maps, gradient norms.

Everything is read back with TensorBoard's EventAccumulator; images are
decoded and checked by their pixels against weights set by hand, and the
gradient norms against an explicit numpy backpropagation.
"""

import os

import keras
import matplotlib.colors
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import (
    SCALARS,
    TENSORS,
    EventAccumulator,
)
from tensorboard.util import tensor_util

from kerasclf import callbacks
from kerasclf.callbacks.activations import ActivationImages
from kerasclf.callbacks.first_layer import FirstLayerImages, dense_tiles
from kerasclf.callbacks.gradient_norms import GradientNorms
from kerasclf.callbacks.tile_grid import FRAME_COLOUR
from kerasclf.engine.classifier import Classifier
from kerasclf.engine.losses import CrossEntropy

# The ends of the blue-white-red scale: -max |w| and +max |w|.
DARKEST_BLUE = tuple(round(255 * value) for value in matplotlib.colors.to_rgb("#053061"))
DARKEST_RED = tuple(round(255 * value) for value in matplotlib.colors.to_rgb("#67001f"))
WHITE = (255, 255, 255)


def read_run(run_dir: str) -> EventAccumulator:
    accumulator = EventAccumulator(
        os.path.join(run_dir, "train"), size_guidance={TENSORS: 0, SCALARS: 0}
    )
    accumulator.Reload()
    return accumulator


def read_images(run_dir: str, tag: str) -> dict[int, np.ndarray]:
    """Each step's image of `tag`, decoded."""
    images = {}
    for event in read_run(run_dir).Tensors(tag):
        width, height, png = tensor_util.make_ndarray(event.tensor_proto)
        image = tf.io.decode_png(png).numpy()
        assert image.shape == (int(height), int(width), 3)
        images[event.step] = image
    return images


def tile_boxes(image: np.ndarray, min_side: int = 8) -> list[tuple[int, int, int, int]]:
    """`(top, left, rows, columns)` of the inside of every framed tile, row by row.

    A frame's top-left corner is a frame-coloured pixel with frame colour to its
    right and below, and none to its left and above.
    """
    frame = (image == np.array(FRAME_COLOUR, np.uint8)).all(axis=-1)
    padded = np.pad(frame, 1)
    corners = (
        padded[1:-1, 1:-1]
        & padded[1:-1, 2:]
        & padded[2:, 1:-1]
        & ~padded[1:-1, :-2]
        & ~padded[:-2, 1:-1]
    )
    boxes = []
    for row, column in zip(*np.nonzero(corners)):
        width = np.argmin(np.append(frame[row, column:], False))
        height = np.argmin(np.append(frame[row:, column], False))
        if width >= min_side and height >= min_side:
            boxes.append((int(row) + 1, int(column) + 1, int(height) - 2, int(width) - 2))
    return sorted(boxes)


def tile_values(image: np.ndarray, box, shape) -> np.ndarray:
    """The colour at the centre of each enlarged value of a tile, `(*shape, 3)`."""
    top, left, rows, columns = box
    assert rows % shape[0] == 0 and columns % shape[1] == 0, (box, shape)
    zoom_rows, zoom_columns = rows // shape[0], columns // shape[1]
    centre_rows = top + np.arange(shape[0]) * zoom_rows + zoom_rows // 2
    centre_columns = left + np.arange(shape[1]) * zoom_columns + zoom_columns // 2
    return image[centre_rows][:, centre_columns].astype(int)


def fit(
    model, x, y, callbacks, epochs=2, learning_rate=0.1, loss="sparse_categorical_crossentropy"
):
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss=loss)
    model.fit(x, y, epochs=epochs, batch_size=len(x), verbose=0, callbacks=callbacks)


# ---------------------------------------------------------------------- first_layer


def dense_on_images(units: int = 4) -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((8, 8)),
            keras.layers.Flatten(),
            keras.layers.Dense(units, "sigmoid", name="hidden"),
            keras.layers.Dense(2, "softmax"),
        ]
    )


@pytest.fixture(scope="module")
def tiny_images():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, (16, 8, 8)).astype("float32"), rng.integers(0, 2, 16)


def test_first_layer_dense_units_show_their_weights_sign(tmp_path, tiny_images):
    model = dense_on_images(units=5)
    kernel = np.zeros((8, 8, 5), np.float32)
    kernel[:, :4, 0], kernel[:, 4:, 0] = 0.5, -0.5  # Unit 0: + left half, - right half.
    kernel[:4, :, 1], kernel[4:, :, 1] = -0.25, 0.25  # Unit 1: - top, + bottom.
    kernel[2, 3, 2] = 0.4  # Unit 2: one positive weight; unit 3 all zero.
    kernel[:, :, 4] = np.random.default_rng(1).uniform(-0.3, 0.3, (8, 8))
    model.get_layer("hidden").kernel.assign(kernel.reshape(64, 5))
    fit(model, *tiny_images, [FirstLayerImages(str(tmp_path), max_units=4, every=2)], epochs=3)

    images = read_images(str(tmp_path), "first_layer")
    assert sorted(images) == [0, 2, 3]  # Step 0, every 2 epochs, and the final one.
    image = images[0]  # The hand-set weights.
    boxes = tile_boxes(image)
    assert len(boxes) == 4  # max_units of the 5 units.
    unit_0 = tile_values(image, boxes[0], (8, 8))
    # The scale (the 99th percentile of the |w| drawn) is 0.5: unit 0 is at its ends.
    assert (unit_0[:, :4] == DARKEST_RED).all() and (unit_0[:, 4:] == DARKEST_BLUE).all()
    unit_1 = tile_values(image, boxes[1], (8, 8))
    top, bottom = unit_1[:4].reshape(-1, 3), unit_1[4:].reshape(-1, 3)
    assert (top[:, 2] > top[:, 0] + 60).all() and (bottom[:, 0] > bottom[:, 2] + 60).all()
    assert len({tuple(colour) for colour in np.concatenate([top, bottom])}) == 2  # Half scale.
    unit_2 = tile_values(image, boxes[2], (8, 8))
    assert unit_2[2, 3, 0] > unit_2[2, 3, 2] + 60  # Red.
    assert (np.delete(unit_2.reshape(-1, 3), 2 * 8 + 3, axis=0) == WHITE).all()
    assert (tile_values(image, boxes[3], (8, 8)) == WHITE).all()
    # The run's PNG is the last frame.
    saved = tf.io.decode_png(open(tmp_path / "first_layer.png", "rb").read()).numpy()
    np.testing.assert_array_equal(saved, images[3])


def test_first_layer_dense_on_colour_images_averages_the_channels():
    kernel = np.random.default_rng(3).normal(size=(4 * 5 * 3, 6))
    tiles = dense_tiles(kernel, (4, 5, 3), max_units=2)
    expected = [kernel[:, unit].reshape(4, 5, 3).mean(axis=2) for unit in range(2)]
    np.testing.assert_allclose(tiles, expected)


def test_first_layer_conv_draws_each_filter(tmp_path, tiny_images):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Rescaling(2.0),
            keras.layers.Conv2D(3, 5, padding="same", name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(2, "softmax"),
        ]
    )
    kernel = np.zeros((5, 5, 1, 3), np.float32)
    kernel[2, 2, 0, 0] = 1.0  # The identity filter.
    kernel[:, 0, 0, 1] = -0.5  # A dark left edge.
    kernel[..., 2] = np.random.default_rng(2).uniform(-0.2, 0.2, (5, 5, 1))
    model.get_layer("conv").kernel.assign(kernel)
    x, y = tiny_images
    callbacks = [
        FirstLayerImages(str(tmp_path / "all")),
        FirstLayerImages(str(tmp_path / "two"), max_units=2),
    ]
    fit(model, x[..., None], y, callbacks, learning_rate=0.01)

    image = read_images(str(tmp_path / "all"), "first_layer")[0]
    boxes = tile_boxes(image)
    assert len(boxes) == 3
    identity = tile_values(image, boxes[0], (5, 5))
    assert tuple(identity[2, 2]) == DARKEST_RED
    assert (np.delete(identity.reshape(-1, 3), 12, axis=0) == WHITE).all()
    edge = tile_values(image, boxes[1], (5, 5))
    assert (edge[:, 0, 2] > edge[:, 0, 0] + 60).all() and (edge[:, 1:] == WHITE).all()
    assert len(tile_boxes(read_images(str(tmp_path / "two"), "first_layer")[0])) == 2


# ---------------------------------------------------------------------- activations


def test_activations_show_each_conv_layers_maps(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8)),
            keras.layers.Reshape((8, 8, 1)),
            keras.layers.Conv2D(2, 3, padding="same", name="conv_1"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(5, 3, padding="same", activation="relu", name="conv_2"),
            keras.layers.Flatten(),
            keras.layers.Dense(2, "softmax"),
        ]
    )
    kernel = np.zeros((3, 3, 1, 2), np.float32)
    kernel[1, 1, 0, 0], kernel[1, 1, 0, 1] = 1.0, -1.0  # The example, and its negative.
    model.get_layer("conv_1").kernel.assign(kernel)
    example = np.zeros((8, 8), np.float32)
    example[1:7, 2:4] = 1.0  # A bright bar and a bright corner on black.
    example[6:, 6:] = 1.0
    x = np.stack([example, 1 - example] * 4)
    # Stock Keras's conv_2 maps of the example at the step-0 weights, scaled black to white.
    probe = keras.Model(model.inputs[0], model.get_layer("conv_2").output)
    maps = np.asarray(probe(example[None]))[0].astype(np.float64)
    low, high = maps.min(axis=(0, 1)), maps.max(axis=(0, 1))
    span = np.where(high > low, high - low, 1.0)
    conv_2_grey = np.round((maps - low) / span * 255).astype(int)
    assert (conv_2_grey[:, :, :3].max(axis=(0, 1)) == 255).all()  # No map is blank.
    callback = ActivationImages(str(tmp_path), example, every=2, max_maps=3)
    fit(model, x, np.arange(8) % 2, [callback], epochs=3, learning_rate=0.01)

    images = read_images(str(tmp_path), "activations")
    assert sorted(images) == [0, 2, 3]  # Step 0, every 2 epochs, and the final one.
    boxes = tile_boxes(images[0])
    rows = {}
    for box in boxes:
        rows.setdefault(box[0], []).append(box)
    # The input, conv_1's 2 maps, conv_2's first 3 of 5 maps (4 x 4 after pooling).
    assert [len(row) for row in rows.values()] == [1, 2, 3]
    input_box, (map_0, map_1), conv_2 = [row if len(row) > 1 else row[0] for row in rows.values()]
    bright = np.round(example * 255).astype(int)
    np.testing.assert_array_equal(tile_values(images[0], input_box, (8, 8))[..., 0], bright)
    np.testing.assert_array_equal(tile_values(images[0], map_0, (8, 8))[..., 0], bright)
    np.testing.assert_array_equal(tile_values(images[0], map_1, (8, 8))[..., 0], 255 - bright)
    for index, box in enumerate(conv_2):
        tile = tile_values(images[0], box, (4, 4))[..., 0]
        np.testing.assert_allclose(tile, conv_2_grey[:, :, index], atol=1)  # float32 rounding.
    # The run's final picture is also saved as a file, pixel for pixel the last event's.
    saved = tf.io.decode_png(tf.io.read_file(str(tmp_path / "activations.png")), channels=3)
    np.testing.assert_array_equal(saved.numpy(), images[3])


def test_activations_example_must_fit_the_model(tmp_path):
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3)])
    model.compile(optimizer="sgd", loss="mse")
    callback = ActivationImages(str(tmp_path), np.zeros((6, 6)))
    callback.set_model(model)
    with pytest.raises(ValueError, match=r"sample shape \(8, 8, 1\).*\(6, 6\)"):
        callback.on_train_begin()
    callback = ActivationImages(str(tmp_path), np.zeros((8, 8)))  # A channel axis of 1 less.
    callback.set_model(model)
    callback.on_train_begin()
    callback.on_train_end()
    assert callback.example.shape == (8, 8, 1)
    with pytest.raises(ValueError, match="one finite image sample.*shape \\(4,\\)"):
        ActivationImages(str(tmp_path), np.zeros(4))


# ---------------------------------------------------------------------- gradient norms


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_gradient_norms(weights, x, y) -> dict[str, float]:
    """Backpropagation by hand through Dense sigmoid -> Dense sigmoid, mean cross-entropy."""
    kernel_1, bias_1, kernel_2, bias_2 = (np.asarray(w, np.float64) for w in weights)
    hidden = sigmoid(x @ kernel_1 + bias_1)
    probability = sigmoid(hidden @ kernel_2 + bias_2)[:, 0]
    output_error = (probability - y)[:, None] / len(x)  # dJ/dz of the output unit.
    hidden_error = output_error @ kernel_2.T * hidden * (1 - hidden)
    gradients = {
        "hidden": [x.T @ hidden_error, hidden_error.sum(axis=0)],
        "output": [hidden.T @ output_error, output_error.sum(axis=0)],
    }
    return {
        name: float(np.sqrt(sum(np.sum(g**2) for g in parts))) for name, parts in gradients.items()
    }


@pytest.mark.parametrize("loss", ["binary_crossentropy", "sum"])
def test_gradient_norms_match_numpy_backpropagation(tmp_path, loss):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x[:, 0] + 0.5 * rng.normal(size=40) > 0).astype("int32")
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, "sigmoid", name="hidden")(inputs)
    model = Classifier(inputs, keras.layers.Dense(1, "sigmoid", name="output")(hidden))
    weights_by_step = {0: [w.numpy() for w in model.weights]}
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: weights_by_step.update(
            {epoch + 1: [w.numpy() for w in model.weights]}
        )
    )
    compiled_loss = CrossEntropy("sum") if loss == "sum" else loss  # The sum is averaged.
    fit(model, x, y, [GradientNorms(str(tmp_path), x, y), record], 2, 1.0, compiled_loss)

    accumulator = read_run(str(tmp_path))
    for name in ("hidden", "output"):
        events = accumulator.Tensors(f"gradient_norm/{name}")
        assert [event.step for event in events] == [0, 1, 2]
        for event in events:
            expected = numpy_gradient_norms(weights_by_step[event.step], x, y)[name]
            assert float(tensor_util.make_ndarray(event.tensor_proto)) == pytest.approx(
                expected, rel=1e-4
            )


def first_and_last_norms(tmp_path, activation: str) -> tuple[float, float]:
    keras.utils.set_random_seed(0)
    layers = [keras.Input((16,))]
    layers += [keras.layers.Dense(16, activation, name=f"dense_{i}") for i in range(6)]
    model = keras.Sequential([*layers, keras.layers.Dense(1, "sigmoid", name="output")])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 16)).astype("float32")
    y = rng.integers(0, 2, 64)
    fit(model, x, y, [GradientNorms(str(tmp_path), x, y)], 1, 0.01, "binary_crossentropy")
    accumulator = read_run(str(tmp_path))
    first, last = (
        float(
            tensor_util.make_ndarray(accumulator.Tensors(f"gradient_norm/{name}")[0].tensor_proto)
        )
        for name in ("dense_0", "output")
    )
    return first, last


def test_gradients_vanish_through_sigmoids_not_relus(tmp_path):
    sigmoid_first, sigmoid_last = first_and_last_norms(tmp_path / "sigmoid", "sigmoid")
    relu_first, relu_last = first_and_last_norms(tmp_path / "relu", "relu")
    assert sigmoid_first < sigmoid_last / 20
    assert relu_first / relu_last > 10 * sigmoid_first / sigmoid_last


# ---------------------------------------------------------------------- requirements


def test_skip_reasons_say_what_each_panel_needs():
    flat = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, "softmax")])
    images = dense_on_images()
    recurrent = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(2)])
    no_weights = keras.Sequential([keras.Input((4,)), keras.layers.Activation("softmax")])
    assert FirstLayerImages.skip_reason(images) is None
    assert "Dense on samples of shape (4,)" in FirstLayerImages.skip_reason(flat)
    assert "is a LSTM" in FirstLayerImages.skip_reason(recurrent)
    assert "has none" in ActivationImages.skip_reason(images)
    assert GradientNorms.skip_reason(flat) is None
    assert "has none" in GradientNorms.skip_reason(no_weights)


def test_bad_arguments_are_one_line_errors(tmp_path):
    with pytest.raises(ValueError, match="max_units.*Received: max_units=0"):
        FirstLayerImages(str(tmp_path), max_units=0)
    with pytest.raises(TypeError, match="every"):
        FirstLayerImages(str(tmp_path), every=1.5)
    with pytest.raises(ValueError, match=r"same number of samples.*\(3, 2\).*\(2,\)"):
        GradientNorms(str(tmp_path), np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="max_maps"):
        ActivationImages(str(tmp_path), np.zeros((8, 8)), max_maps=0)


@pytest.mark.parametrize("name", ["ErrorSurfaceLogger", "GradientNorms", "ClassificationPanels"])
def test_a_model_of_several_inputs_leaves_a_callback_off_with_a_note(tmp_path, capsys, name):
    """Not Keras's "expects 3 input(s)" or an "in user code" trace from inside the callback."""
    inputs = [keras.Input((1,)) for _ in range(3)]
    joined = keras.layers.Concatenate()(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, "sigmoid")(joined))
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    points = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    labels = (points[:, 0] > 0).astype(int)
    extra = (["a", "b"],) if name == "ClassificationPanels" else ()
    callback = getattr(callbacks, name)(str(tmp_path), points, labels, *extra)
    columns = [points[:, index : index + 1] for index in range(3)]
    model.fit(columns, labels, epochs=1, verbose=0, callbacks=[callback])
    note = f"note: {name} is off for this run: it feeds the model one array of samples, and this"
    assert f"{note} one takes 3 inputs." in capsys.readouterr().out


@pytest.mark.parametrize("name", ["ErrorSurfaceLogger", "GradientNorms", "ClassificationPanels"])
def test_samples_of_another_shape_than_the_model_takes_are_one_line(tmp_path, name):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, "sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    points = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    labels = (points[:, 0] > 0).astype(int)
    extra = (["a", "b"],) if name == "ClassificationPanels" else ()
    callback = getattr(callbacks, name)(str(tmp_path), points, labels, *extra)
    wide = np.concatenate([points, points], axis=1)
    with pytest.raises(ValueError) as raised:
        model.fit(wide, labels, epochs=1, verbose=0, callbacks=[callback])
    message = str(raised.value)
    assert "takes samples of shape (4,), but the data's samples have shape (2,)" in message
    assert "\n" not in message
