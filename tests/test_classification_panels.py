"""ClassificationPanels: read back with TensorBoard's reader, checked against scikit-learn."""

import io
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import read_images
from sklearn.metrics import confusion_matrix, precision_score, recall_score
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from kerasclf.callbacks.classification_panels import ClassificationPanels, class_tags
from kerasclf.callbacks.confusion_picture import ConfusionPicture
from kerasclf.callbacks.misclassified_grid import FRAME_PIXELS, MisclassifiedGrid, picture_size
from kerasclf.callbacks.pr_curves import pr_curve_data
from kerasclf.data.fonts import FONT_NAMES

NAMES = ["left block", "middle/centre", "right block"]
TAGS = ["left block", "middle-centre", "right block"]
EPOCHS = 4
MAX_TILES = 5


def block_images(num_samples, seed):
    """8x8 images of 3 classes: a bright column block at the left, middle or right, in noise."""
    rng = np.random.default_rng(seed)
    labels = np.arange(num_samples) % 3
    images = rng.normal(0.0, 0.3, (num_samples, 8, 8)).astype(np.float32)
    for label in range(3):
        images[labels == label, :, 1 + 2 * label : 3 + 2 * label] += 1.0
    return images, labels


def softmax_regression(num_units=3, activation="softmax"):
    return keras.Sequential(
        [
            keras.Input((8, 8)),
            keras.layers.Flatten(),
            keras.layers.Dense(num_units, activation, kernel_initializer="zeros"),
        ]
    )


def accumulator(run_dir):
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return events


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A softmax regression trained for a few epochs with the panels on a held-out set."""
    keras.utils.set_random_seed(0)
    run_dir = str(tmp_path_factory.mktemp("panels"))
    x, y = block_images(90, seed=1)
    x_held_out, y_held_out = block_images(60, seed=2)
    model = softmax_regression()
    model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
    stream = io.StringIO()
    panels = ClassificationPanels(
        run_dir, x_held_out, y_held_out, NAMES, max_misclassified=MAX_TILES, stream=stream
    )
    model.fit(x, y, batch_size=30, epochs=EPOCHS, verbose=0, callbacks=[panels])
    probabilities = model.predict(x_held_out, verbose=0)
    return run_dir, panels, y_held_out, probabilities, stream.getvalue()


def test_confusion_matrix_colours_follow_sklearn(trained):
    run_dir, panels, labels, probabilities, _ = trained
    steps, images = read_images(run_dir, "confusion_matrix")
    assert steps == list(range(EPOCHS + 1))
    picture = ConfusionPicture(NAMES)
    reference = confusion_matrix(labels, probabilities.argmax(axis=1), normalize="true")
    assert np.trace(reference) == 3.0  # The blocks become separable: a perfect classifier.
    for row in range(3):
        for column in range(3):
            pixel = images[-1][picture.colour_point(row, column)]
            expected = picture.colours[round(reference[row, column] * 255)]
            assert pixel.tolist() == expected.tolist()
    # Zero weights predict class 0 for all: the first column is all lit, the rest zero.
    for row in range(3):
        for column in range(3):
            expected = picture.colours[255 if column == 0 else 0]
            assert images[0][picture.colour_point(row, column)].tolist() == expected.tolist()
    first = [images[0][picture.colour_point(row, row)].astype(float).mean() for row in range(3)]
    last = [images[-1][picture.colour_point(row, row)].astype(float).mean() for row in range(3)]
    assert np.mean(last) > np.mean(first) + 60
    assert first[1] == first[2] == picture.colours[0].astype(float).mean()
    saved = tf.io.decode_png(open(os.path.join(run_dir, "confusion_matrix.png"), "rb").read())
    assert (saved.numpy() == images[-1]).all()


def test_the_fonts_class_names_are_shown_whole():
    # Long names go on two lines down the rows, turned on one line along the columns.
    picture = ConfusionPicture(FONT_NAMES, "test")
    assert [label.replace("\n", " ") for label in picture.row_labels] == list(FONT_NAMES)
    assert picture.column_labels == list(FONT_NAMES)
    assert "DejaVu Sans Bold Oblique" in FONT_NAMES
    assert max(label.count("\n") for label in picture.row_labels) == 1
    image = picture.draw(np.eye(len(FONT_NAMES), dtype=int), step=1)
    # Nothing cut at the image's edges: the outer two pixels are white all round.
    for edge in (image[:, :2], image[:, -2:], image[-2:], image[:2]):
        assert (edge == 255).all()


def test_class_accuracy_is_sklearn_recall(trained):
    run_dir, _, labels, probabilities, _ = trained
    events = accumulator(run_dir)
    reference = recall_score(labels, probabilities.argmax(axis=1), average=None)
    for tag, expected in zip(TAGS, reference):
        values = events.Tensors(f"class_accuracy/{tag}")
        assert [event.step for event in values] == list(range(EPOCHS + 1))
        assert float(tf.make_ndarray(values[-1].tensor_proto)) == pytest.approx(expected)
    # Step 0: every sample is predicted class 0.
    first = [
        float(tf.make_ndarray(events.Tensors(f"class_accuracy/{tag}")[0].tensor_proto))
        for tag in TAGS
    ]
    assert first == [1.0, 0.0, 0.0]


def test_pr_curves_match_sklearn(trained):
    run_dir, _, labels, probabilities, _ = trained
    events = accumulator(run_dir)
    for label, tag in enumerate(TAGS):
        event = events.Tensors(f"pr_curves/{tag}")[-1]
        assert event.step == EPOCHS
        data = tf.make_ndarray(event.tensor_proto)
        assert data.shape == (6, 201)
        for index in (1, 50, 100, 150, 199):
            threshold = index / 200
            truth = labels == label
            predicted = probabilities[:, label] >= threshold
            assert data[0, index] == np.sum(truth & predicted)
            assert data[1, index] == np.sum(~truth & predicted)
            assert data[2, index] == np.sum(~truth & ~predicted)
            assert data[3, index] == np.sum(truth & ~predicted)
            precision = precision_score(truth, predicted, zero_division=0)
            assert data[4, index] == pytest.approx(precision, abs=1e-6)
            assert data[5, index] == pytest.approx(recall_score(truth, predicted), abs=1e-6)
    metadata = events.SummaryMetadata(f"pr_curves/{TAGS[0]}")
    assert metadata.plugin_data.plugin_name == "pr_curves"


def test_misclassified_grid_has_one_tile_per_mistake(trained):
    run_dir, panels, labels, probabilities, stream = trained
    steps, images = read_images(run_dir, "misclassified")
    assert steps == list(range(EPOCHS + 1))
    grid = MisclassifiedGrid(NAMES, (8, 8), MAX_TILES)
    # Step 0 gets 40 mistakes (classes 1 and 2), capped; the trained model none.
    assert [grid.has_tile(images[0], index) for index in range(MAX_TILES)] == [True] * MAX_TILES
    num_wrong = int(np.sum(probabilities.argmax(axis=1) != labels))
    tiles = [grid.has_tile(images[-1], index) for index in range(MAX_TILES)]
    assert sum(tiles) == min(num_wrong, MAX_TILES)
    saved = tf.io.decode_png(open(os.path.join(run_dir, "misclassified.png"), "rb").read())
    assert (saved.numpy() == images[-1]).all()
    assert stream == ""


def test_grid_draws_each_sample_in_its_tile():
    grid = MisclassifiedGrid(["a", "b"], (6, 4), max_tiles=5)
    samples = np.zeros((3, 6, 4))
    samples[:, :3] = 1.0  # Top half bright.
    image = grid.draw(
        samples, [0, 0, 1], [1, 1, 0], [0.9, 0.8, 0.7], step=2, num_wrong=3, num_samples=9
    )
    assert [grid.has_tile(image, index) for index in range(5)] == [True] * 3 + [False] * 2
    top, left = grid.tile_origin(1)
    rows, columns = picture_size((6, 4))  # Inside the red frame of FRAME_PIXELS.
    assert image[top + FRAME_PIXELS + 1, left + FRAME_PIXELS + 1].tolist() == [255, 255, 255]
    bottom = top + FRAME_PIXELS + rows - 2
    assert image[bottom, left + FRAME_PIXELS + columns - 2].tolist() == [0, 0, 0]
    # Naming the set ("3 of 9 test samples misclassified") changes the title, nothing else.
    named = MisclassifiedGrid(["a", "b"], (6, 4), max_tiles=5, data_name="test").draw(
        samples, [0, 0, 1], [1, 1, 0], [0.9, 0.8, 0.7], step=2, num_wrong=3, num_samples=9
    )
    title_rows = grid.tile_origin(0)[0]
    assert (named[:title_rows] != image[:title_rows]).any()
    np.testing.assert_array_equal(named[title_rows:], image[title_rows:])


def test_sigmoid_two_classes_and_tables(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, "sigmoid")])
    model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy")
    stream = io.StringIO()
    panels = ClassificationPanels(str(tmp_path), x, y, ["no", "yes"], stream=stream)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[panels])
    assert "no 'misclassified' grid" in stream.getvalue()
    predicted = (model.predict(x, verbose=0)[:, 0] >= 0.5).astype(int)
    events = accumulator(str(tmp_path))
    assert "misclassified" not in events.Tags()["tensors"]
    reference = recall_score(y, predicted, average=None)
    for tag, expected in zip(["no", "yes"], reference):
        value = tf.make_ndarray(events.Tensors(f"class_accuracy/{tag}")[-1].tensor_proto)
        assert float(value) == pytest.approx(expected)
    # The "yes" curve at threshold 0.5 counts the samples with p(yes) >= 0.5.
    yes = tf.make_ndarray(events.Tensors("pr_curves/yes")[-1].tensor_proto)
    assert yes[0, 100] == np.sum((y == 1) & (predicted == 1))


def test_pr_curve_data_counts_scores_at_thresholds():
    data = pr_curve_data(np.array([True, False, True, False]), np.array([0.5, 0.5, 0.2, 0.9]), 3)
    assert data[0].tolist() == [2, 1, 0] and data[1].tolist() == [2, 2, 0]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"class_names": ["a", "b"]}, "2 class names, but the model outputs 3"),
        ({"class_names": ["a", "a", "b"]}, "'a' twice"),
        ({"class_names": ["a/b", "a-b", "c"]}, "must be different"),
        ({"class_names": ["a"]}, "k >= 2"),
        ({"every": 0}, "every"),
    ],
)
def test_bad_arguments(tmp_path, arguments, message):
    x, y = block_images(12, seed=0)
    keyword = {"class_names": NAMES} | arguments
    y = y % len(keyword["class_names"]) if len(keyword["class_names"]) >= 2 else y
    model = softmax_regression()
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=message):
        panels = ClassificationPanels(str(tmp_path), x, y, **keyword)
        panels.set_model(model)
        panels.on_train_begin()


def test_class_tags():
    assert class_tags(NAMES) == tuple(TAGS)
