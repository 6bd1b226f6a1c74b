import io
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import numpy_cost, read_images, written_files

from kerasclf.callbacks.boundary import (
    ARROW_COLOUR,
    BOUNDARY_COLOUR,
    LAYOUT,
    MIN_ARROW_PIXELS,
    BoundaryPicture,
    DecisionBoundaryLogger,
    boundary_layout,
    line_equation,
)
from kerasclf.callbacks.training_cost import NUMPY_MAX_SAMPLES, TrainingCost
from kerasclf.callbacks.requirements import two_feature_points
from kerasclf.callbacks.raster import TITLE_PIXELS, edge_mask, encode_png, frame_title, rgb255
from kerasclf.data import Data, make_dataset
from kerasclf.engine.losses import CrossEntropy
from kerasclf.models.architecture import Architecture
from kerasclf.models.registry import build_model

# Without validation points or a reference line the legend has one row.
IMAGE_SHAPE = (boundary_layout(1).height, LAYOUT.width, 3)


def fit(model, data, callbacks, epochs, learning_rate=0.001):
    keras.utils.set_random_seed(0)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss=CrossEntropy("sum"))
    model.fit(
        data.features, data.labels, epochs=epochs, batch_size=50, verbose=0, callbacks=callbacks
    )
    return model


def arrow_pixels(image):
    return int(np.all(image == rgb255(ARROW_COLOUR), axis=-1).sum())


def image_shape(callback):
    layout = callback._picture.plot.layout
    return (layout.height, layout.width, 3)


def title_rows(image, layout):
    return image[: layout.title_height]


def legend_rows(image, layout):
    return image[layout.title_height : layout.title_height + layout.legend_height]


def longest_dark_run(image):
    """The longest horizontal run of near-black pixels: a legend's line swatch, not text."""
    dark = np.all(image < 60, axis=-1)
    longest = 0
    for row in dark:
        run = 0
        for value in row:
            run = run + 1 if value else 0
            longest = max(longest, run)
    return longest


def test_images_at_step_0_every_k_epochs_and_the_final_epoch(tmp_path, blobs):
    training, validation = (
        blobs.subset(np.arange(0, 200, 2), "train"),
        blobs.subset(np.arange(1, 200, 2), "validation"),
    )
    callback = DecisionBoundaryLogger(
        str(tmp_path),
        training.features,
        training.labels,
        validation_data=(validation.features, validation.labels),
        every=3,
        reference_line=(1.0, 1.0, 0.0),
    )
    fit(build_model("logistic", 2), training, [callback], epochs=10)
    steps, images = read_images(tmp_path, "decision_boundary")
    assert steps == [0, 3, 6, 9, 10]
    assert all(image.shape == image_shape(callback) for image in images)
    assert not np.array_equal(images[0], images[-1])
    # Not only blank-then-drawn: the boundary itself moves between trained frames.
    boundary = [np.all(image == rgb255(BOUNDARY_COLOUR), axis=-1) for image in images]
    assert boundary[1].sum() > 100 and boundary[-1].sum() > 100
    assert (boundary[1] != boundary[-1]).sum() > 50
    # The weights start at zero: no arrow at step 0 (nor in the legend), then w is drawn.
    assert arrow_pixels(images[0]) == 0
    assert arrow_pixels(images[-1]) > 20


def test_final_image_is_saved_as_png(tmp_path, blobs):
    callback = DecisionBoundaryLogger(str(tmp_path), blobs.features, blobs.labels, every=2)
    fit(build_model("logistic", 2), blobs, [callback], epochs=3)
    steps, images = read_images(tmp_path, "decision_boundary")
    assert steps == [0, 2, 3]
    with open(tmp_path / "decision_boundary.png", "rb") as file:
        saved = tf.io.decode_png(file.read()).numpy()
    assert saved.shape == IMAGE_SHAPE
    np.testing.assert_array_equal(saved, images[-1])


def test_image_every_epoch_with_every_1(tmp_path, blobs):
    callback = DecisionBoundaryLogger(str(tmp_path), blobs.features, blobs.labels, every=1)
    fit(build_model("logistic", 2), blobs, [callback], epochs=4)
    steps, _ = read_images(tmp_path, "decision_boundary")
    assert steps == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("weights", [[0.001, 0.0], [1000.0, 0.0]])
def test_the_weight_arrow_is_on_top_and_inside_with_its_head(blobs, weights):
    model = build_model("logistic", 2)
    model.set_weights([np.array(weights, np.float32)[:, None], np.zeros(1, np.float32)])
    picture = BoundaryPicture(model, blobs, None, None)
    box = picture.plot.box_of(picture.render())
    rows, columns = np.nonzero(np.all(box == rgb255(ARROW_COLOUR), axis=-1))
    start_column, start_row = picture.plot.to_pixels([[0.0, 0.0]])[0]  # The foot: b = 0.
    near = np.abs(rows - start_row) <= 8  # Not the legend's sample arrow.
    rows, columns = rows[near], columns[near]
    # Painted over the points near the origin, pointing along w (to the right).
    assert abs(columns.min() - start_column) <= 2 and abs(np.median(rows) - start_row) < 2
    length = columns.max() - columns.min()
    if weights[0] < 1:  # |w| of a few pixels: drawn at the least length.
        assert MIN_ARROW_PIXELS - 3 <= length <= MIN_ARROW_PIXELS + 3
    else:  # |w| far past the axes: shortened to end inside them.
        assert box.shape[1] - 8 <= columns.max() <= box.shape[1] - 1
    # The head: many rows wide at the tip, unlike the 2-pixel shaft.
    assert len(set(rows[columns >= columns.max() - 4])) >= 5


def test_field_matches_the_models_own_probabilities(blobs):
    # The linear model's field is computed in numpy: check it against Keras.
    model = build_model("logistic", 2)
    model.set_weights([np.array([[0.3], [-0.2]], np.float32), np.array([0.5], np.float32)])
    picture = BoundaryPicture(model, blobs, None, None)
    x, y = picture.plot.pixel_centres()
    grid = np.stack([coordinate.ravel() for coordinate in np.meshgrid(x, y)], axis=1)
    expected = np.clip(
        np.floor(model.predict(grid, batch_size=len(grid), verbose=0)[:, 0] * 256), 0, 255
    )
    difference = np.abs(picture.field_indices().ravel() - expected)
    assert difference.max() <= 1 and np.mean(difference == 0) > 0.99


def test_mlp_gets_boundary_images(tmp_path, blobs):
    model = build_model("mlp", 2, architecture=Architecture(hidden=(4,)), init="random")
    callback = DecisionBoundaryLogger(str(tmp_path), blobs.features, blobs.labels, every=2)
    fit(model, blobs, [callback], epochs=2, learning_rate=0.01)
    steps, images = read_images(tmp_path, "decision_boundary")
    assert steps == [0, 2]
    assert not np.array_equal(images[0], images[-1])
    assert arrow_pixels(images[-1]) == 0  # No weight vector (nor its legend) for an mlp.
    # The compiled field of a non-linear model agrees with Keras too.
    picture = callback._picture
    x, y = picture.plot.pixel_centres()
    grid = np.stack([coordinate.ravel() for coordinate in np.meshgrid(x, y)], axis=1)
    expected = np.clip(
        np.floor(model.predict(grid, batch_size=len(grid), verbose=0)[:, 0] * 256), 0, 255
    )
    assert np.abs(picture.field_indices().ravel() - expected).max() <= 1


def test_three_classes_get_a_boundary_image(tmp_path):
    data = make_dataset("blobs", num_samples=90, seed=0)
    callback = DecisionBoundaryLogger(str(tmp_path), data.features, data.labels, every=5)
    model = fit(
        build_model("logistic", 2, num_classes=3), data, [callback], epochs=2, learning_rate=0.01
    )
    steps, images = read_images(tmp_path, "decision_boundary")
    assert steps == [0, 2]
    assert images[-1].shape == IMAGE_SHAPE
    with open(tmp_path / "decision_boundary.png", "rb") as file:
        np.testing.assert_array_equal(tf.io.decode_png(file.read()).numpy(), images[-1])

    # Each pixel of the axes box takes its predicted class's colour, blended
    # towards white: 255 - pixel points along 1 - class colour.
    picture = callback._picture
    x, y = picture.plot.pixel_centres()
    grid = np.stack([coordinate.ravel() for coordinate in np.meshgrid(x, y)], axis=1)
    probabilities = model.predict(grid, batch_size=len(grid), verbose=0)
    predicted = probabilities.argmax(axis=1).reshape(picture.plot.box_shape)
    sure = (probabilities.max(axis=1) > 0.6).reshape(picture.plot.box_shape)
    box = picture.plot.box_of(images[-1])
    directions = 1.0 - picture.class_colours
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    painted = np.argmax((255.0 - box) @ directions.T, axis=-1)
    # Far from the boundaries: the same class within 3 pixels, not at the frame.
    interior = np.zeros_like(sure)
    interior[3:-3, 3:-3] = True
    for row_shift in range(-3, 4):
        for column_shift in range(-3, 4):
            shifted = np.roll(predicted, (row_shift, column_shift), axis=(0, 1))
            interior &= shifted == predicted
    for label in range(3):
        pixels = interior & sure & (predicted == label)
        assert pixels.sum() > 1000
        # The training points and the legend are drawn over a few of them.
        assert np.mean(painted[pixels] == label) > 0.95


def test_three_inputs_are_skipped_with_one_note(tmp_path, blobs):
    features = np.concatenate([blobs.features, blobs.features[:, :1]], axis=1)
    stream = io.StringIO()
    callback = DecisionBoundaryLogger(str(tmp_path), features, blobs.labels, every=1, stream=stream)
    data = type(blobs)(features, blobs.labels)
    model = build_model("logistic", 3)
    fit(model, data, [callback], epochs=2)
    fit(model, data, [callback], epochs=1)  # A second fit adds no second note.
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and "exactly 2 inputs" in lines[0] and "has 3" in lines[0]
    assert written_files(tmp_path) == []  # No event file, no decision_boundary.png.


@pytest.mark.parametrize(
    "input_shape, says",
    [
        ((3,), "and this one has 3"),
        ((None,), "and this one takes sequences of any length"),
        ((None, 2), "and this one takes sequences of any length, of 2 per step"),
        ((20, 2), "and this one takes samples of shape (20, 2)"),
        ((8, 8, 1), "and this one takes samples of shape (8, 8, 1)"),
    ],
)
def test_the_note_says_what_the_model_takes_instead_of_two_features(input_shape, says):
    layers = [keras.layers.Flatten()] if len(input_shape) == 3 else []
    if len(input_shape) == 1 and input_shape[0] is None:
        layers = [keras.layers.Embedding(10, 4), keras.layers.GRU(3)]
    elif len(input_shape) == 2:
        layers = [keras.layers.GRU(3)]
    model = keras.Sequential(
        [keras.Input(input_shape), *layers, keras.layers.Dense(1, activation="sigmoid")]
    )
    note = two_feature_points(model)
    assert note == f"it draws the plane of a model with exactly 2 inputs, {says}"
    assert two_feature_points(build_model("logistic", 2)) is None


def test_a_diverged_run_keeps_the_images_before_divergence(tmp_path, blobs):
    # A step of 1e38 overflows the weights to inf in the first epoch.
    callback = DecisionBoundaryLogger(str(tmp_path), blobs.features, blobs.labels, every=1)
    model = fit(build_model("logistic", 2), blobs, [callback], epochs=3, learning_rate=1e38)
    assert not np.isfinite(model.get_weights()[0]).all()
    steps, images = read_images(tmp_path, "decision_boundary")
    assert steps == [0]
    with open(tmp_path / "decision_boundary.png", "rb") as file:
        np.testing.assert_array_equal(tf.io.decode_png(file.read()).numpy(), images[0])


def test_every_must_be_a_positive_integer(blobs):
    message = re.escape("`every` must be an integer >= 1. Received: every=0.")
    with pytest.raises(ValueError, match=message):
        DecisionBoundaryLogger("unused", blobs.features, blobs.labels, every=0)
    with pytest.raises(TypeError, match="`every` must be an integer"):
        DecisionBoundaryLogger("unused", blobs.features, blobs.labels, every=2.5)


@pytest.mark.parametrize("line", [(1.0, 2.0), (0.0, 0.0, 1.0), (1.0, float("nan"), 0.0), "x"])
def test_reference_line_must_be_three_finite_numbers(blobs, line):
    with pytest.raises(ValueError, match="`reference_line` must be three finite numbers"):
        DecisionBoundaryLogger("unused", blobs.features, blobs.labels, reference_line=line)


def test_line_equation_reads_like_the_slide():
    assert line_equation((1.23, 1.0, -0.55)) == "1.23 x1 + x2 - 0.55 = 0"
    assert line_equation((-1.0, 0.0, 3.0)) == "-x1 + 3 = 0"


def test_png_encoder_round_trips_through_tensorflow():
    image = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(tf.io.decode_png(encode_png(image)).numpy(), image)


def test_edge_mask_marks_both_sides_of_a_region_change():
    regions = np.array([[0, 0, 1], [0, 0, 1], [1, 1, 1]])
    assert edge_mask(regions).tolist() == [
        [False, True, True],
        [True, True, True],
        [True, True, False],
    ]
    assert edge_mask(regions, both_sides=False).tolist() == [
        [False, False, True],
        [False, False, True],
        [True, True, False],
    ]


def test_the_title_gives_the_epoch_and_the_cost_in_large_text(tmp_path, blobs):
    callback = DecisionBoundaryLogger(str(tmp_path), blobs.features, blobs.labels, every=5)
    model = fit(build_model("logistic", 2), blobs, [callback], epochs=5)
    _, images = read_images(tmp_path, "decision_boundary")
    layout = callback._picture.plot.layout
    kernel, bias = model.get_weights()
    cost = numpy_cost(kernel[:, 0], bias[0], blobs.features, blobs.labels)
    assert callback._picture.cost() == pytest.approx(cost, rel=1e-6)
    # The title is exactly the text of the epoch and the numpy cost, as the title painter draws it.
    expected = np.full_like(images[-1], 255)
    callback._picture.plot.paint_title(expected, frame_title(5, cost))
    np.testing.assert_array_equal(title_rows(images[-1], layout), title_rows(expected, layout))
    for image in images:
        dark = np.all(title_rows(image, layout) < 100, axis=-1)
        rows, columns = np.nonzero(dark)
        assert dark.sum() > 150  # Text, not a stray pixel.
        assert rows.max() - rows.min() + 1 >= 0.7 * TITLE_PIXELS  # Large enough to read.
        assert columns.max() - columns.min() > 0.3 * layout.width
    assert not np.array_equal(title_rows(images[0], layout), title_rows(images[-1], layout))


def test_the_legend_lists_only_what_the_frame_draws(tmp_path, blobs):
    training = blobs.subset(np.arange(0, 200, 2), "train")
    validation = blobs.subset(np.arange(1, 200, 2), "validation")
    callback = DecisionBoundaryLogger(
        str(tmp_path),
        training.features,
        training.labels,
        validation_data=(validation.features, validation.labels),
        every=5,
    )
    fit(build_model("logistic", 2), training, [callback], epochs=5)
    steps, (first, trained) = read_images(tmp_path, "decision_boundary")
    assert steps == [0, 5]
    layout = callback._picture.plot.layout
    first_legend, trained_legend = legend_rows(first, layout), legend_rows(trained, layout)
    # Step 0 (zero weights) draws neither the boundary nor w: no swatch of either.
    assert arrow_pixels(first_legend) == 0 and longest_dark_run(first_legend) < 12
    # A trained frame draws both, and lists both: the boundary's line and w's arrow.
    assert arrow_pixels(trained_legend) > 10 and longest_dark_run(trained_legend) >= 15
    # The validation squares are drawn in every frame, and listed in every frame.
    assert np.sum(np.any(first_legend < 200, axis=-1)) > 50


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("num_samples", [200, NUMPY_MAX_SAMPLES + 1])
def test_the_titles_cost_equals_numpy_by_either_path(num_samples, reduction):
    # Up to NUMPY_MAX_SAMPLES points numpy computes it; past them one compiled pass.
    rng = np.random.default_rng(3)
    features = rng.normal(size=(num_samples, 2)).astype("float32")
    labels = (rng.random(num_samples) < 0.4).astype("int32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, "sigmoid")])
    model.compile(optimizer="sgd", loss=CrossEntropy(reduction=reduction))
    model.set_weights([np.array([[0.7], [-1.3]], "float32"), np.array([0.4], "float32")])
    cost = TrainingCost(model, Data(features, labels), plain_linear=True)
    expected = numpy_cost([0.7, -1.3], 0.4, features, labels)
    expected /= num_samples if reduction == "mean" else 1
    assert cost.reduction == reduction
    assert cost.compute() == pytest.approx(expected, rel=1e-6)
