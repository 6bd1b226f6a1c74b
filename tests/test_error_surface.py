import io
import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import StopAt, numpy_cost, read_images, written_files
from sklearn.linear_model import LogisticRegression
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
from kerasclf.callbacks.error_surface import DESCRIPTION, PATH_FILE, ErrorSurfaceLogger
from kerasclf.callbacks.raster import TITLE_PIXELS, frame_title, rgb255
from kerasclf.callbacks.surface_plot import (
    PATH_COLOUR,
    SURFACE_LAYOUT,
    Plane,
    SurfacePlot,
    cost_bands,
)
from kerasclf.callbacks.surfaces import (
    GRID_REACH,
    LANDSCAPE_GRID_SIZES,
    LANDSCAPE_SAMPLES,
    LANDSCAPE_SHARE,
    MIN_LANDSCAPE_SAMPLES,
    ForwardCost,
    LandscapeResolution,
    LandscapeSurface,
    ParameterCost,
    TrajectorySlice,
    WeightPlaneSurface,
    forward_cost,
    landscape_resolution,
    newton_minimum,
    trajectory_directions,
)
from kerasclf.callbacks import parameter_cost
from kerasclf.callbacks import trajectory_directions as directions_module
from kerasclf.cli.main import main
from kerasclf.data import Data
from kerasclf.engine.losses import CrossEntropy
from kerasclf.models.architecture import Architecture
from kerasclf.models.registry import build_model

IMAGE_SHAPE = (SURFACE_LAYOUT.height, SURFACE_LAYOUT.width, 3)
# The rows of the title and the legend, above the axes.
HEADER_ROWS = SURFACE_LAYOUT.title_height + SURFACE_LAYOUT.legend_height


class WeightRecorder(keras.callbacks.Callback):
    """The flattened weights at the start and after every epoch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def _record(self):
        self.weights.append(np.concatenate([np.ravel(w) for w in self.model.get_weights()]))

    def on_train_begin(self, logs=None):
        self._record()

    def on_epoch_end(self, epoch, logs=None):
        self._record()


def fit(model, data, callbacks, epochs, learning_rate=0.001, momentum=0.0):
    keras.utils.set_random_seed(0)
    optimizer = keras.optimizers.SGD(learning_rate, momentum=momentum)
    model.compile(optimizer=optimizer, loss=CrossEntropy("sum"))
    model.fit(
        data.features, data.labels, epochs=epochs, batch_size=50, verbose=0, callbacks=callbacks
    )
    return model


def test_images_at_step_0_every_k_epochs_and_the_final_epoch(tmp_path, blobs):
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=4)
    fit(build_model("logistic", 2), blobs, [callback], epochs=10, momentum=0.9)
    steps, images = read_images(tmp_path, "error_surface")
    assert steps == [0, 4, 8, 10]
    assert all(image.shape == IMAGE_SHAPE for image in images)
    assert not np.array_equal(images[0], images[-1])
    with open(tmp_path / "error_surface.png", "rb") as file:
        saved = tf.io.decode_png(file.read()).numpy()
    np.testing.assert_array_equal(saved, images[-1])


def test_the_axes_hold_the_whole_path_of_an_overshooting_optimizer(tmp_path, blobs):
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=5)
    model = build_model("logistic", 2)
    model.compile(optimizer=keras.optimizers.SGD(0.001, momentum=0.9), loss=CrossEntropy("sum"))
    model.fit(
        blobs.features, blobs.labels, batch_size=200, epochs=20, verbose=0, callbacks=[callback]
    )
    path = callback.path[:, :2].astype(np.float64)
    optimum = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10000)
    optimum.fit(blobs.features.astype(np.float64), blobs.labels)
    distances = np.abs(path - optimum.coef_[0]).max(axis=1)
    assert distances.max() > GRID_REACH * distances[0]  # Momentum overshoots past the start.
    (x_low, x_high), (y_low, y_high) = callback._surface.trajectory_slice(callback.path).limits
    assert (x_low < path[:, 0]).all() and (path[:, 0] < x_high).all()
    assert (y_low < path[:, 1]).all() and (path[:, 1] < y_high).all()
    steps, frames = read_images(tmp_path, "error_surface")
    assert steps == [0, 5, 10, 15, 20]
    # One set of axes and bands: the frames differ only where the path and markers are.
    for frame in frames[1:]:
        assert np.mean(np.any(frame != frames[0], axis=-1)) < 0.2


def test_path_is_the_weights_at_every_epoch(tmp_path, blobs):
    recorder = WeightRecorder()
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=10)
    model = fit(build_model("logistic", 2), blobs, [recorder, callback], epochs=6)
    assert callback.path_steps == list(range(7))
    np.testing.assert_array_equal(callback.path, np.stack(recorder.weights))
    np.testing.assert_array_equal(
        callback.path[-1], np.concatenate([np.ravel(w) for w in model.get_weights()])
    )


def test_mlp_gets_a_slice_image_along_the_path(tmp_path, blobs):
    model = build_model("mlp", 2, architecture=Architecture(hidden=(4,)), init="random")
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=3)
    fit(model, blobs, [callback], epochs=3, learning_rate=0.01)
    assert isinstance(callback._surface, LandscapeSurface)
    assert callback.path.shape == (4, 2 * 4 + 4 + 4 + 1)
    steps, images = read_images(tmp_path, "error_surface")
    assert steps == [0, 3]
    assert images[-1].shape == IMAGE_SHAPE
    with open(tmp_path / "error_surface.png", "rb") as file:
        assert tf.io.decode_png(file.read()).shape == IMAGE_SHAPE


def test_an_mlps_frames_share_one_slice_through_the_final_weights(tmp_path, blobs):
    model = build_model("mlp", 2, architecture=Architecture(hidden=(4,)), init="random")
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=2)
    fit(model, blobs, [callback], epochs=6, learning_rate=0.01)
    steps, frames = read_images(tmp_path, "error_surface")
    assert steps == [0, 2, 4, 6]
    # One slice, axes and bands: below the title and legend, frames differ only
    # where the path and markers are drawn.
    for frame in frames[1:]:
        assert np.mean(np.any(frame[HEADER_ROWS:] != frames[0][HEADER_ROWS:], axis=-1)) < 0.02
    assert np.any(frames[-1] != frames[0])
    path = callback.path.astype(np.float64)
    trajectory = callback._surface.trajectory_slice(callback.path)
    coordinates, _, plane, _, _ = trajectory._view
    np.testing.assert_allclose(plane.origin, path[-1])  # Through the final weights,
    directions, kinds = trajectory_directions(path, path[-1])  # along the path's PCA.
    assert kinds == ["PCA", "PCA"]
    np.testing.assert_allclose(plane.directions, directions)
    np.testing.assert_allclose(coordinates, (path - path[-1]) @ directions.T)


def test_an_mlp_with_dropout_gets_numpy_slice_costs_and_its_images(tmp_path, blobs):
    # Dropout keeps a seed generator among its non-trainable variables.
    architecture = Architecture(hidden=(3,), dropout=0.3)
    model = build_model("mlp", 2, architecture=architecture, init="random", seed=3)
    rng = np.random.default_rng(1)
    parameters = rng.normal(0.0, 0.5, size=(4, 2 * 3 + 3 + 3 + 1))

    def numpy_mlp_cost(vector):  # No dropout when evaluating.
        kernel, bias = vector[:6].reshape(2, 3), vector[6:9]
        output, output_bias = vector[9:12], vector[12]
        logits = np.tanh(blobs.features.astype(np.float64) @ kernel + bias) @ output + output_bias
        return np.sum(np.logaddexp(0.0, logits) - blobs.labels * logits)

    expected = [numpy_mlp_cost(vector) for vector in parameters]
    np.testing.assert_allclose(ParameterCost(model, blobs, "sum")(parameters), expected, rtol=1e-5)
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=2)
    fit(model, blobs, [callback], epochs=2, learning_rate=0.01)
    steps, images = read_images(tmp_path, "error_surface")
    assert steps == [0, 2] and images[-1].shape == IMAGE_SHAPE


def test_a_resumed_run_draws_the_uninterrupted_runs_surface(tmp_path):
    settings = dict(engine="plain", batch_size=50, epochs=6, surface_every=2, logdir=str(tmp_path))
    whole = kerasclf.train(run_name="whole", stream=io.StringIO(), **settings)
    stopped = kerasclf.train(
        run_name="resumed", callbacks=[StopAt(epoch=3)], stream=io.StringIO(), **settings
    )
    assert stopped.summary["status"] == "interrupted" and stopped.summary["epochs"] == 3
    assert os.path.isfile(os.path.join(stopped.run_dir, PATH_FILE))
    assert main(["train", "--resume", stopped.run_dir]) == 0
    assert not os.path.exists(os.path.join(stopped.run_dir, PATH_FILE))
    whole_steps, whole_images = read_images(whole.run_dir, "error_surface")
    resumed_steps, resumed_images = read_images(stopped.run_dir, "error_surface")
    assert whole_steps == [0, 2, 4, 6] and resumed_steps == [0, 2, 3, 4, 6]
    for step in (4, 6):  # Drawn after the resume: the same grid, bands and whole path.
        np.testing.assert_array_equal(
            resumed_images[resumed_steps.index(step)], whole_images[whole_steps.index(step)]
        )


def test_a_diverged_run_keeps_its_path_and_the_images_before_divergence(tmp_path, blobs):
    # A step of 1e38 overflows the weights to inf in the first epoch.
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=1)
    fit(build_model("logistic", 2), blobs, [callback], epochs=3, learning_rate=1e38)
    assert callback.path.shape == (4, 3) and not np.isfinite(callback.path[-1]).all()
    steps, images = read_images(tmp_path, "error_surface")
    assert steps == [0] and images[0].shape == IMAGE_SHAPE
    with open(tmp_path / "error_surface.png", "rb") as file:
        saved = tf.io.decode_png(file.read()).numpy()
    np.testing.assert_array_equal(saved, images[-1])


def test_costs_match_a_numpy_reference(blobs):
    model = build_model("logistic", 2)
    rng = np.random.default_rng(0)
    parameters = rng.normal(0.0, 0.5, size=(5, 3))
    expected = [numpy_cost(p[:2], p[2], blobs.features, blobs.labels) for p in parameters]
    np.testing.assert_allclose(ParameterCost(model, blobs, "sum")(parameters), expected, rtol=1e-5)
    np.testing.assert_allclose(
        ParameterCost(model, blobs, "mean")(parameters), np.array(expected) / 200, rtol=1e-5
    )
    # The closed form of the weight plane needs all vectors to share one bias.
    parameters[:, 2] = 0.3
    surface = WeightPlaneSurface(model, blobs, "sum")
    expected = [numpy_cost(p[:2], p[2], blobs.features, blobs.labels) for p in parameters]
    np.testing.assert_allclose(surface.costs(parameters), expected, rtol=1e-5)


@pytest.mark.parametrize("chunk_weights, chunk", [(2**23, 32), (7, 2), (3, 1)])
def test_uncompiled_costs_in_chunks_bounded_by_weights_match_numpy(
    monkeypatch, blobs, chunk_weights, chunk
):
    """A large model's chunk holds at most MAX_CHUNK_WEIGHTS weights; the last chunk is padded."""
    monkeypatch.setattr(parameter_cost, "MAX_CHUNK_WEIGHTS", chunk_weights)
    cost = ParameterCost(build_model("logistic", 2), blobs, "sum", compiled=False)
    assert cost.chunk_size == chunk
    parameters = np.random.default_rng(1).normal(0.0, 0.5, size=(5, 3))
    expected = [numpy_cost(p[:2], p[2], blobs.features, blobs.labels) for p in parameters]
    np.testing.assert_allclose(cost(parameters), expected, rtol=1e-5)


def test_newton_finds_the_unpenalized_optimum_of_scikit_learn(blobs):
    design = np.concatenate([blobs.features, np.ones((200, 1))], axis=1)
    theta, converged = newton_minimum(design, blobs.labels, np.zeros(3))
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10000)
    reference.fit(blobs.features.astype(np.float64), blobs.labels)
    assert converged
    np.testing.assert_allclose(theta[:2], reference.coef_[0], rtol=1e-4)
    np.testing.assert_allclose(theta[2], reference.intercept_[0], rtol=1e-4, atol=1e-6)


def test_newton_stops_on_separable_data():
    features = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    design = np.concatenate([features, np.ones((4, 1))], axis=1)
    theta, converged = newton_minimum(design, np.array([0, 0, 1, 1]), np.zeros(2), stop_below=0.08)
    assert not converged and np.isfinite(theta).all() and theta[0] > 0


def test_trajectory_directions_are_the_principal_directions_then_random():
    line = np.outer(np.arange(5.0), [3.0, 4.0, 0.0])  # A straight path along (0.6, 0.8, 0).
    directions, kinds = trajectory_directions(line, line[-1])
    assert kinds == ["PCA", "random"]
    np.testing.assert_allclose(np.abs(directions[0]), [0.6, 0.8, 0.0], atol=1e-12)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-12)
    again, _ = trajectory_directions(line, line[-1])
    np.testing.assert_array_equal(directions, again)  # Seeded.
    single, kinds = trajectory_directions(line[:1], line[0])
    assert kinds == ["random", "random"]
    np.testing.assert_allclose(single @ single.T, np.eye(2), atol=1e-12)


@pytest.mark.parametrize("block", [3, 1 << 16])
@pytest.mark.parametrize("steps, parameters, seed", [(2, 5, 0), (7, 40, 1), (30, 11, 2)])
def test_trajectory_directions_match_numpys_svd(monkeypatch, block, steps, parameters, seed):
    """The Gram matrix's eigenvectors, a block of columns at a time, are the SVD's directions."""
    monkeypatch.setattr(directions_module, "PARAMETER_BLOCK", block)
    rng = np.random.default_rng(seed)
    path = np.cumsum(rng.normal(size=(steps, parameters)), axis=0).astype(np.float32)
    centre = path[-1]
    directions, kinds = trajectory_directions(path, centre)
    rows = path.astype(np.float64)
    _, singular_values, components = np.linalg.svd(rows - rows.mean(axis=0), full_matrices=False)
    assert kinds == ["PCA", "PCA"] if steps > 2 else ["PCA", "random"]
    for direction, component in zip(directions[: kinds.count("PCA")], components):
        np.testing.assert_allclose(abs(direction @ component), 1.0, atol=1e-9)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-9)
    coordinates = directions_module.project(path, centre, directions)
    np.testing.assert_allclose(coordinates, (rows - rows[-1]) @ directions.T, atol=1e-9)
    assert (coordinates[0, : kinds.count("PCA")] <= 0).all()  # From the left and from below.


def test_a_model_with_one_parameter_is_skipped_with_one_note(tmp_path):
    inputs = keras.Input((1,))
    outputs = keras.layers.Dense(1, activation="sigmoid", use_bias=False)(inputs)
    model = keras.Model(inputs, outputs)
    data = Data(np.array([[-1.0], [1.0], [2.0], [-2.0]]), np.array([0, 1, 1, 0]))
    stream = io.StringIO()
    callback = ErrorSurfaceLogger(str(tmp_path), data.features, data.labels, stream=stream)
    fit(model, data, [callback], epochs=2)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and "at least 2 trainable parameters" in lines[0]
    assert written_files(tmp_path) == []


def test_every_must_be_a_positive_integer(blobs):
    message = re.escape("`every` must be an integer >= 1. Received: every=0.")
    with pytest.raises(ValueError, match=message):
        ErrorSurfaceLogger("unused", blobs.features, blobs.labels, every=0)


def test_cost_must_be_sum_or_mean(blobs):
    with pytest.raises(ValueError, match="`cost` must be one of 'mean', 'sum'"):
        ErrorSurfaceLogger("unused", blobs.features, blobs.labels, cost="median")


def test_large_data_uses_a_fixed_sample_scaled_to_the_full_cost():
    from kerasclf.callbacks.surfaces import MAX_SURFACE_SAMPLES, cost_scale, surface_sample
    from kerasclf.data import make_dataset

    data = make_dataset("seminar_blobs", num_samples=3 * MAX_SURFACE_SAMPLES, seed=0)
    sample = surface_sample(data)
    assert sample.num_samples == MAX_SURFACE_SAMPLES
    assert surface_sample(data).features.tobytes() == sample.features.tobytes()  # Seeded.
    weights = np.array([0.3, 0.4])
    logits = sample.features.astype(np.float64) @ weights
    sample_sum = np.sum(np.logaddexp(0, logits) - sample.labels * logits)
    full_logits = data.features.astype(np.float64) @ weights
    full_sum = np.sum(np.logaddexp(0, full_logits) - data.labels * full_logits)
    estimate = sample_sum * cost_scale(sample, "sum", data.num_samples)
    assert estimate == pytest.approx(full_sum, rel=0.05)
    assert cost_scale(sample, "mean", data.num_samples) == 1 / MAX_SURFACE_SAMPLES


def path_pixels(image):
    return np.all(image == rgb255(PATH_COLOUR), axis=-1)


def test_the_title_gives_the_epoch_the_cost_and_the_planes_bias(tmp_path, blobs):
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=10)
    fit(build_model("logistic", 2), blobs, [callback], epochs=10)
    steps, images = read_images(tmp_path, "error_surface")
    assert steps == [0, 10]
    weights, bias = callback.path[-1, :2], callback.path[-1, 2]
    cost = numpy_cost(weights, bias, blobs.features, blobs.labels)
    picture = callback._surface.trajectory_slice(callback.path).picture
    # Exactly the text of the epoch, the numpy cost and the bias, as the title painter draws it.
    expected = np.full_like(images[-1], 255)
    picture.plot.paint_title(expected, frame_title(10, cost, bias=float(bias)))
    title_height = SURFACE_LAYOUT.title_height
    np.testing.assert_array_equal(images[-1][:title_height], expected[:title_height])
    rows, columns = np.nonzero(np.all(images[-1][:title_height] < 100, axis=-1))
    assert rows.max() - rows.min() + 1 >= 0.7 * TITLE_PIXELS  # Large enough to read.
    assert columns.max() - columns.min() > 0.4 * SURFACE_LAYOUT.width


def test_the_minimum_shows_through_the_now_marker_on_it():
    plane = Plane(np.zeros(2), np.eye(2), (-1.0, 1.0), (-1.0, 1.0))
    u, v = plane.grid_coordinates()
    costs = np.add.outer(v**2, u**2)  # Rows top to bottom, as the grid is.
    picture = SurfacePlot(plane, cost_bands(costs.min(), costs.max()), ("w1", "w2"))
    minimum = np.array([0.2, -0.3])
    path = np.array([[-0.8, 0.7], [0.2, -0.3]])
    alone = picture.render(costs, plane, path[:1], path[0], minimum)
    covered = picture.render(costs, plane, path, minimum, minimum)  # "now" on the minimum.
    column, row = np.floor(picture.plot.to_pixels(minimum)[0]).astype(int)
    for image in (alone, covered):
        box = picture.plot.box_of(image)
        # The cross's black centre and arms, at the minimum's pixel position.
        assert np.all(box[row - 1 : row + 2, column - 1 : column + 2] < 40)
        assert np.all(box[row + 3, column + 3] < 40) and np.all(box[row - 3, column + 3] < 40)
    # And the "now" marker is there too, as a red ring around it.
    ring = path_pixels(picture.plot.box_of(covered)[row - 9 : row + 10, column - 9 : column + 10])
    assert ring.sum() > 30 and not ring[7:12, 7:12].any()


def test_a_short_noisy_sgd_path_gets_axes_zoomed_to_it(tmp_path, blobs):
    # A small learning rate: a short path, far from the optimum, of noisy steps (batches of 1).
    model = build_model("logistic", 2)
    model.compile(optimizer=keras.optimizers.SGD(1e-5), loss=CrossEntropy("sum"))
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=4)
    keras.utils.set_random_seed(0)
    model.fit(blobs.features, blobs.labels, batch_size=1, epochs=4, verbose=0, callbacks=[callback])
    frames = callback._surface.trajectory_slice(callback.path)
    path = callback.path[:, :2].astype(np.float64)
    (x_low, x_high), (y_low, y_high) = frames.limits
    assert (x_low < path[:, 0]).all() and (path[:, 0] < x_high).all()
    assert (y_low < path[:, 1]).all() and (path[:, 1] < y_high).all()
    # The whole view around the optimum would be over twice as wide.
    start_distance = np.abs(path[0] - callback._surface.centre).max()
    assert x_high - x_low < GRID_REACH * start_distance
    _, images = read_images(tmp_path, "error_surface")
    rows, columns = np.nonzero(path_pixels(frames.picture.plot.box_of(images[-1])))
    spans = (columns.max() - columns.min(), rows.max() - rows.min())
    assert max(spans) > 0.5 * SURFACE_LAYOUT.axes_width  # Not a dot.


# The error surface's cost on large models (issue #18): a CNN's landscape runs on
# a fixed, seeded sample and a coarser grid; the Day-1 models' surfaces are as before.


def small_cnn(input_shape, num_classes):
    inputs = keras.Input(input_shape)
    hidden = keras.layers.Conv2D(2, 3, activation="relu")(inputs)
    hidden = keras.layers.BatchNormalization()(hidden)
    hidden = keras.layers.MaxPooling2D(2)(hidden)
    hidden = keras.layers.Flatten()(hidden)
    hidden = keras.layers.Dense(8, activation="relu")(hidden)
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(hidden))


def summed_cross_entropy(model, vector, features, labels):
    """Keras's forward pass at the flattened trainable weights `vector`, numpy's summed CE."""
    start = 0
    for weight in model.trainable_weights:
        size = int(np.prod(weight.shape))
        weight.assign(vector[start : start + size].reshape(weight.shape))
        start += size
    probabilities = model.predict(features, verbose=0).astype(np.float64)
    return -np.sum(np.log(probabilities[np.arange(len(labels)), labels]))


def numpy_mlp_cost(vector, data, hidden):
    """Summed cross-entropy of a tanh MLP on 2 inputs with a sigmoid output, in numpy."""
    activations, start, width = data.features.astype(np.float64), 0, 2
    for layer, units in enumerate((*hidden, 1)):
        kernel = vector[start : start + width * units].reshape(width, units)
        bias = vector[start + width * units : start + (width + 1) * units]
        start, width = start + (width + 1) * units, units
        activations = activations @ kernel + bias
        if layer < len(hidden):  # The hidden layers' tanh; the output's logit stays.
            activations = np.tanh(activations)
    logits = activations[:, 0]
    return np.sum(np.logaddexp(0.0, logits) - data.labels * logits)


def surface_description(run_dir):
    accumulator = EventAccumulator(os.path.join(run_dir, "train"))
    accumulator.Reload()
    return accumulator.SummaryMetadata("error_surface").summary_description


def test_a_cnns_landscape_is_the_scaled_cost_of_a_seeded_sample_on_a_coarse_grid(
    tmp_path, monkeypatch
):
    rng = np.random.default_rng(0)
    data = Data(rng.random((600, 12, 12, 1), dtype=np.float32), rng.integers(0, 3, 600))
    model = small_cnn((12, 12, 1), 3)
    callback = ErrorSurfaceLogger(str(tmp_path), data.features, data.labels, every=2)
    fit(model, data, [callback], epochs=2, learning_rate=0.001)
    # 600 points x 2 epochs x LANDSCAPE_SHARE = 600 one-sample passes: the
    # coarsest grid, on the fewest samples.
    assert callback._surface.resolution(epochs=2) == LandscapeResolution(
        LANDSCAPE_GRID_SIZES[-1], MIN_LANDSCAPE_SAMPLES, full=False
    )
    trajectory = callback._surface.trajectory_slice(callback.path)
    assert trajectory.cost.num_samples == MIN_LANDSCAPE_SAMPLES
    # The sample: seeded rows of the training points, drawn as numpy draws them.
    rows = np.sort(np.random.default_rng(0).choice(600, MIN_LANDSCAPE_SAMPLES, replace=False))
    features, labels = data.features[rows], data.labels[rows]
    scale = 600 / MIN_LANDSCAPE_SAMPLES
    final = callback.path[-1].astype(np.float64)
    final_cost = summed_cross_entropy(model, final, features, labels) * scale
    assert trajectory.path_costs[-1] == pytest.approx(final_cost, rel=1e-5)
    # The grid's corners (the coarse grid's, kept by the interpolation) and the image.
    _, costs, plane, _, _ = trajectory._view
    u, v = plane.grid_coordinates()
    for row, column in ((0, 0), (-1, -1), (0, -1)):
        corner = plane.origin + u[column] * plane.directions[0] + v[row] * plane.directions[1]
        expected = summed_cross_entropy(model, corner, features, labels) * scale
        assert costs[row, column] == pytest.approx(expected, rel=1e-4)
    steps, images = read_images(tmp_path, "error_surface")
    assert steps == [0, 2] and images[-1].shape == IMAGE_SHAPE
    # Its title's cost is the sample's, and says so: "epoch 2 · cost 659.2 (sample of 32)".
    titles = []

    def recorded_title(*args, **kwargs):
        titles.append(frame_title(*args, **kwargs))
        return titles[-1]

    monkeypatch.setattr("kerasclf.callbacks.landscape_surface.frame_title", recorded_title)
    np.testing.assert_array_equal(images[-1], trajectory.draw(len(callback.path) - 1, step=2))
    title = re.fullmatch(r"epoch 2 \N{MIDDLE DOT} cost ([0-9.]+) \(sample of (\d+)\)", titles[-1])
    assert title is not None, titles
    assert float(title[1]) == pytest.approx(final_cost, rel=1e-3)
    assert int(title[2]) == MIN_LANDSCAPE_SAMPLES
    description = surface_description(tmp_path)
    assert description.startswith(DESCRIPTION)
    assert f"{MIN_LANDSCAPE_SAMPLES} of the 600 training samples" in description
    size = LANDSCAPE_GRID_SIZES[-1]
    assert f"on a {size} x {size} grid" in description


def small_recurrent(kind, time_steps, num_classes, vocabulary_size=None):
    """A recurrent layer of 4 units on token ids (an Embedding first) or on numbers."""
    layer = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    if vocabulary_size is None:
        inputs = keras.Input((time_steps, 2))
        hidden = inputs
    else:
        inputs = keras.Input((time_steps,), dtype="int32")
        hidden = keras.layers.Embedding(vocabulary_size, 3)(inputs)
    hidden = layer[kind](4)(hidden)
    return keras.Model(inputs, keras.layers.Dense(num_classes, activation="softmax")(hidden))


@pytest.mark.parametrize("kind, vocabulary_size", [("rnn", None), ("lstm", 5), ("gru", 5)])
def test_a_recurrent_models_landscape_is_its_cost_on_a_seeded_sample(
    tmp_path, kind, vocabulary_size
):
    rng = np.random.default_rng(2)
    if vocabulary_size is None:  # Sequences of 6 steps of 2 numbers; else of 6 token ids.
        features = rng.normal(size=(300, 6, 2)).astype(np.float32)
    else:
        features = rng.integers(0, vocabulary_size, (300, 6)).astype(np.int32)
    data = Data(features, rng.integers(0, 3, 300))
    keras.utils.set_random_seed(0)
    model = small_recurrent(kind, 6, 3, vocabulary_size)
    callback = ErrorSurfaceLogger(str(tmp_path), data.features, data.labels, every=2)
    fit(model, data, [callback], epochs=2, learning_rate=0.01)
    resolution = callback._surface.resolution(epochs=2)
    assert not resolution.full and resolution.num_samples == MIN_LANDSCAPE_SAMPLES
    trajectory = callback._surface.trajectory_slice(callback.path)
    rows = np.sort(np.random.default_rng(0).choice(300, MIN_LANDSCAPE_SAMPLES, replace=False))
    features, labels = data.features[rows], data.labels[rows]
    scale = 300 / MIN_LANDSCAPE_SAMPLES
    for index in (0, -1):  # The path's costs and the grid's corners: Keras's forward pass.
        expected = summed_cross_entropy(model, callback.path[index], features, labels) * scale
        assert trajectory.path_costs[index] == pytest.approx(expected, rel=1e-4)
    _, costs, plane, _, _ = trajectory._view
    u, v = plane.grid_coordinates()
    for row, column in ((0, 0), (-1, -1), (-1, 0)):
        corner = plane.origin + u[column] * plane.directions[0] + v[row] * plane.directions[1]
        expected = summed_cross_entropy(model, corner, features, labels) * scale
        assert costs[row, column] == pytest.approx(expected, rel=1e-4)
    steps, images = read_images(tmp_path, "error_surface")
    assert steps == [0, 2]
    np.testing.assert_array_equal(images[-1], trajectory.draw(len(callback.path) - 1, step=2))


def test_forward_cost_counts_a_recurrent_layers_step_once_per_time_step():
    def counted(kind, time_steps):
        return forward_cost(small_recurrent(kind, time_steps, 3), (time_steps, 2)).multiply_adds

    for kind, gates in (("rnn", 1), ("lstm", 4), ("gru", 3)):
        per_step = counted(kind, 20) - counted(kind, 10)
        assert counted(kind, 30) - counted(kind, 20) == per_step  # Linear in the steps,
        # and each step at least its two matrix products: inputs (2) and state (4) by 4 units.
        products = gates * (2 * 4 + 4 * 4)
        assert 10 * products <= per_step <= 10 * 4 * products, (kind, per_step)


def test_the_landscapes_work_fits_the_training_it_shows():
    cnn = forward_cost(small_cnn((12, 12, 1), 3), (12, 12, 1)).multiply_adds
    for num_samples, epochs in ((600, 2), (2000, 10), (2000, 100), (4096, 1000), (200, 1)):
        resolution = landscape_resolution(cnn, num_samples, num_samples, epochs)
        assert not resolution.full and resolution.grid_points in LANDSCAPE_GRID_SIZES
        assert resolution.num_samples <= min(num_samples, LANDSCAPE_SAMPLES)
        work = resolution.grid_points**2 * resolution.num_samples
        at_the_floor = resolution.num_samples == min(MIN_LANDSCAPE_SAMPLES, num_samples)
        assert work <= LANDSCAPE_SHARE * epochs * num_samples or at_the_floor
    # A long run on many points: the whole grid, on the largest sample.
    assert landscape_resolution(cnn, 4096, 10**6, 100) == LandscapeResolution(
        48, LANDSCAPE_SAMPLES, full=False
    )
    # The Day-1 MLP (2 inputs, 8 and 8 tanh units): its full surface is far below the bound.
    day_one = forward_cost(build_model("mlp", 2, init="random"), (2,)).multiply_adds
    assert landscape_resolution(day_one, 200, 200, 1) == LandscapeResolution(48, 200, full=True)


def test_forward_cost_counts_matrix_products_and_convolutions():
    dense = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, use_bias=False)])
    assert forward_cost(dense, (3,)) == ForwardCost(multiply_adds=3 * 4, activations=4)
    convolution = keras.Sequential(
        [keras.Input((5, 5, 1)), keras.layers.Conv2D(2, 3, use_bias=False)]
    )
    # 3 x 3 x 2 outputs, each a 3 x 3 window.
    assert forward_cost(convolution, (5, 5, 1)) == ForwardCost(3 * 3 * 2 * 9, 3 * 3 * 2)


def test_the_day_one_mlps_landscape_is_the_full_grid_over_every_point(tmp_path, blobs):
    model = build_model("mlp", 2, init="random")  # The default: 8 and 8 tanh units.
    callback = ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels, every=5)
    fit(model, blobs, [callback], epochs=5, learning_rate=0.01)
    trajectory = callback._surface.trajectory_slice(callback.path)
    assert trajectory.grid_points == 48 and trajectory.cost.num_samples == 200
    assert trajectory.note == "" and surface_description(tmp_path) == DESCRIPTION
    # Pixel for pixel the image of the slice before the rule: all 200 points, a 48 x 48
    # grid, one XLA program.
    non_trainable = [np.array(weight) for weight in model.non_trainable_variables]
    before = TrajectorySlice(callback.path, ParameterCost(model, blobs, "sum"), non_trainable)
    _, images = read_images(tmp_path, "error_surface")
    np.testing.assert_array_equal(images[-1], before.draw(5, 5))
    # And its costs are numpy's.
    _, costs, plane, _, _ = trajectory._view
    assert costs.shape == (48, 48)
    corner = plane.grid_parameters()[0]
    expected = numpy_mlp_cost(corner, blobs, hidden=(8, 8))
    assert costs[0, 0] == pytest.approx(expected, rel=1e-5)


def test_a_landscape_whose_cost_overflows_draws_with_the_overflow_in_the_top_band(tmp_path):
    rng = np.random.default_rng(1)
    data = Data(rng.random((600, 12, 12, 1), dtype=np.float32), rng.integers(0, 3, 600))
    model = small_cnn((12, 12, 1), 3)
    callback = ErrorSurfaceLogger(str(tmp_path), data.features, data.labels, every=1)
    fit(model, data, [callback], epochs=1)
    # A diverging step: finite weights whose forward pass overflows (the cost is NaN there).
    start = callback.path[0].astype(np.float64)
    trajectory = callback._surface.trajectory_slice(np.stack([start, start * 1e10]))
    assert np.isnan(trajectory.path_costs[1])
    image = trajectory.draw(1, step=1)
    assert image.shape == IMAGE_SHAPE
    _, costs, _, _, _ = trajectory._view
    assert 0 < trajectory.clipped < trajectory.grid_points**2 and np.isfinite(costs).all()
    # The overflowed points take the largest finite cost, the top band's edge.
    assert costs.max() == pytest.approx(trajectory._view[3].bands[-1])
    # The finite start keeps its cost (Keras's forward pass on the seeded sample, scaled).
    assert trajectory.resolution.num_samples == MIN_LANDSCAPE_SAMPLES
    rows = np.sort(np.random.default_rng(0).choice(600, MIN_LANDSCAPE_SAMPLES, replace=False))
    expected = summed_cross_entropy(model, start, data.features[rows], data.labels[rows])
    assert trajectory.path_costs[0] == pytest.approx(expected * 600 / len(rows), rel=1e-5)
