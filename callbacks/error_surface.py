"""`ErrorSurfaceLogger`: the cost over a plane of weights, with the optimizer's path.

For the seminar's model, p = sigmoid(w1 x1 + w2 x2 + b), the image (tag
`error_surface` under `<logdir>/train`) shows the cost

    J(w1, w2) = -sum_i [l_i log p_i + (1 - l_i) log(1 - p_i)]     (cost="sum")
    J(w1, w2) / num_samples                                         (cost="mean")

over a grid of (w1, w2), with the bias b held at its value at that step, as
filled contours: colour bands with a line between neighbouring bands. On it
are the path of (w1, w2) so far (red), the current point (a red disc ringed in
white) and the minimum of J on this slice (cross), found by Newton's method in
float64; when the slice has no finite minimum (separable data) the grid's
lowest point is marked instead, unless it lies on the grid's edge (the cost
falls on beyond the view).

The images are drawn when training ends, when the whole path is known, one
frame for every step an image is due, each showing the path up to that step.
The frames share their axes and colour bands, so they animate with
TensorBoard's step slider. A few Newton steps in float64 find the optimum
(w1*, w2*, b*) of J over all three parameters (stopping early, at a mean cost
of 0.02, on separable data where it lies at infinity); the grid is centred on
(w1*, w2*) and reaches 1.5 times as far as the initial point, or 1.1 times as
far as the path's farthest point (momentum overshoots). The colour bands are
spaced geometrically from J(w1*, w2*, b*) up to the largest cost on the grid
at the initial bias, so that they crowd around the minimum.

Any other model (more parameters, or not a single Dense unit) gets the
loss-landscape view of Li et al. (2018), "Visualizing the Loss Landscape of
Neural Nets": a 2-D slice J(theta + u d1 + v d2) through the final weights
theta along the two principal directions d1, d2 of the whole weight
trajectory, with the path projected onto them. (Where the path has fewer than
two directions of movement, seeded random unit directions fill in.) Its
frames are drawn the same way, on that one slice.

The path is recorded at the start and after every epoch (`path`, one row of
flattened trainable weights per step in `path_steps`). Images are logged at
step 0, every `every` epochs and at the final epoch; the final image is also
saved as `<logdir>/error_surface.png`. A run that stops early (interrupted)
leaves its path in `<logdir>/error_surface_path.npz`; a resumed run (one that
starts with optimizer iterations > 0) reads it back, so its grid, colour
bands and path are those of the uninterrupted run.

Each image needs the cost at every point of a 48 x 48 grid, then interpolates
between them to the pixels. For logistic regression that is the closed form
above, one matrix product (about 5 ms); for other models one compiled,
vectorized pass of the model over all grid points (`ParameterCost`). The
frames are drawn on the image log's background thread (`ImageLog`).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys

import keras
import matplotlib.cm
import matplotlib.colors
import matplotlib.ticker
import numpy as np
import tensorflow as tf
from matplotlib.lines import Line2D

from callbacks.raster import (
    MATPLOTLIB_LOCK,
    ImageLog,
    Layout,
    RasterPlot,
    colour_table,
    edge_mask,
    equal_aspect_limits,
    paint_discs,
    paint_polyline,
    rgb255,
)
from kerasclf.data import Data
from kerasclf.losses import REDUCTIONS, model_reduction, per_sample_cross_entropy
from kerasclf.models import check_probability_output, plain_linear_parameters
from kerasclf.runs import write_npz
from kerasclf.validation import check_choice, check_integer

TAG = "error_surface"
FILE_NAME = "error_surface.png"
# The path so far, left in the run directory by a run that stopped early, so
# that a resumed run draws the same surface with the whole path.
PATH_FILE = "error_surface_path.npz"
DESCRIPTION = (
    "The cost J over a plane of weights: (w1, w2) with the bias at this step's value for "
    "logistic regression, else a slice through the final weights along the principal "
    "directions of the whole path (Li et al. 2018), drawn when training ends. Red: the path "
    "so far; red disc ringed in white: now; cross: the minimum on this plane."
)
# Cost evaluations per axis of the grid; the image interpolates between them.
GRID_POINTS = 48
NUM_BANDS = 16
# Smallest band, as a fraction of the cost range: the bands grow geometrically
# from here, so that contour lines crowd around the minimum.
SMALLEST_BAND = 1e-3
# Largest number of activations one vectorized chunk may hold (128 MB of float32).
MAX_CHUNK_VALUES = 2**25
PATH_COLOUR = "#e41a1c"
# Legend entries, drawn like the path and markers that `SurfacePlot.render` paints.
PATH_HANDLE = {"color": PATH_COLOUR, "lw": 1.5, "marker": "o", "ms": 3}
NOW_HANDLE = {"ls": "none", "marker": "o", "ms": 8, "mfc": PATH_COLOUR, "mec": "white", "mew": 1.5}
MINIMUM_HANDLE = {"ls": "none", "marker": "x", "ms": 7, "color": "black", "mew": 2}
LEGEND_STYLE = {"fontsize": 7, "frameon": False, "handlelength": 1.5, "columnspacing": 1.2}
# Reach of logistic regression's grid, at least: in units of the start's distance from the optimum.
GRID_REACH = 1.5
# The grid reaches this much farther than the path's farthest point.
LANDSCAPE_REACH = 1.1
# The surface images' layout: room for ticks such as -0.15 and an axis label at the
# left, and for the colourbar's ticks and label at the right.
SURFACE_LAYOUT = Layout(axes_left=60, axes_width=256, colourbar_gap=10)


class ErrorSurfaceLogger(keras.callbacks.Callback):
    """Logs the cost surface around the weights, with the optimizer's path.

    Args:
        logdir: The run directory; images go to `<logdir>/train`.
        x: Training features, shape (num_samples, num_features).
        y: Training labels 0..k-1.
        cost: `"sum"` (the seminar's) or `"mean"`, the reduction of the
            cross-entropy over the training set; None for the one the model
            is compiled with (`kerasclf.losses.model_reduction`).
        every: Log an image every this many epochs (an integer >= 1).
        stream: Where the one-line skip note goes; default `sys.stdout`.
        num_samples: The size of the whole training set when `x, y` are a
            sample of it (streamed data), so the summed cost is scaled to it.

    Attributes:
        path: The weights at each recorded step, `(num_steps, num_parameters)`.
        path_steps: The step (epochs completed) of each row of `path`.

    Example:
        >>> callback = ErrorSurfaceLogger("logs/run", x, y, every=10)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=100, verbose=0, callbacks=[callback])  # doctest: +SKIP
        >>> callback.path.shape  # doctest: +SKIP
        (101, 3)
    """

    def __init__(
        self,
        logdir: str,
        x,
        y,
        cost: str | None = None,
        every: int = 10,
        stream=None,
        num_samples: int | None = None,
    ):
        super().__init__()
        self.logdir = logdir
        training = Data(x, y, source="ErrorSurfaceLogger training data")
        self.represented_samples = training.num_samples
        if num_samples is not None:
            self.represented_samples = check_integer("num_samples", num_samples)
        self.training = surface_sample(training)
        self.cost = None if cost is None else check_choice("cost", cost, REDUCTIONS)
        self.every = check_integer("every", every)
        self.stream = stream
        self.path_steps: list[int] = []
        self._path: list[np.ndarray] = []
        self._images = ImageLog(logdir, TAG, FILE_NAME, DESCRIPTION)
        self._surface = None
        self._skip_reason = None
        self._last_logged_step = None
        self._frame_steps: list[int] = []  # Steps a LandscapeSurface draws at the end.

    @property
    def path(self) -> np.ndarray:
        """The weights at each recorded step, `(num_steps, num_parameters)`."""
        if not self._path:
            return np.zeros((0, 0), np.float32)
        return np.stack(self._path)

    def _record(self, step: int) -> None:
        weights = [keras.ops.convert_to_numpy(w) for w in self.model.trainable_weights]
        self._path.append(np.concatenate([np.ravel(w) for w in weights]))
        self.path_steps.append(step)

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._surface is None and self._skip_reason is None:
            num_parameters = sum(int(np.prod(w.shape)) for w in self.model.trainable_weights)
            if num_parameters < 2:
                self._skip_reason = (
                    "ErrorSurfaceLogger: no error-surface images; they need a model with at "
                    f"least 2 trainable parameters, and this one has {num_parameters}."
                )
                print(self._skip_reason, file=self.stream or sys.stdout, flush=True)
                return
            if not self._path and int(self.model.optimizer.iterations.numpy()) > 0:
                self._load_path()  # A resumed run: the path so far.
            start = self._path[0] if self._path else None
            check_probability_output(self.model)
            reduction = self.cost or model_reduction(self.model)
            self._surface = make_surface(
                self.model, self.training, reduction, self.represented_samples, start
            )
        if self._skip_reason is None and int(self.model.optimizer.iterations.numpy()) == 0:
            self._path, self.path_steps = [], []  # A fresh start: a new path.
            self._frame_steps = []
            self._record(step=0)
            self._log(step=0)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._skip_reason is not None:
            return
        self._record(step=epoch + 1)
        if (epoch + 1) % self.every == 0:
            self._log(step=epoch + 1)

    def on_train_end(self, logs=None):
        logs = logs or {}
        # The final epoch always gets an image, whether or not `every` divides it.
        # (A skipped model records no path.)
        if self.path_steps and self.path_steps[-1] != self._last_logged_step:
            self._log(step=self.path_steps[-1])
        try:
            self._draw_trajectory_frames()
        finally:
            self._images.close()
        self._save_path()

    def _draw_trajectory_frames(self) -> None:
        """The frames of the due steps, now that the path is complete (on the image thread)."""
        # Taken first: if `on_train_end` runs again (a stop while closing), nothing is drawn twice.
        steps, self._frame_steps = self._frame_steps, []
        if not steps:
            return
        trajectory = self._surface.trajectory_slice(self.path)
        for step in steps:
            index = self.path_steps.index(step)
            self._images.add(functools.partial(trajectory.draw, index), step)

    def _save_path(self) -> None:
        """Leaves the path in the run directory if training stopped early, else removes it."""
        path_file = os.path.join(self.logdir, PATH_FILE)
        stopped_early = self.path_steps and self.path_steps[-1] < self.params.get("epochs", 0)
        diverged = getattr(self.model, "diverged_epoch", None) is not None  # Not resumable.
        if stopped_early and not diverged:
            write_npz(path_file, path=self.path, steps=np.array(self.path_steps))
        elif os.path.exists(path_file):
            os.remove(path_file)

    def _load_path(self) -> None:
        """The path of the run this one resumes, if it left one."""
        path_file = os.path.join(self.logdir, PATH_FILE)
        if not os.path.isfile(path_file):
            return
        with np.load(path_file, allow_pickle=False) as saved:
            path, steps = saved["path"], saved["steps"]
        num_parameters = sum(int(np.prod(w.shape)) for w in self.model.trainable_weights)
        if path.ndim == 2 and path.shape[1] == num_parameters and len(steps) == len(path):
            self._path = list(path)
            self.path_steps = [int(step) for step in steps]

    def _log(self, step: int) -> None:
        """Marks `step` for a frame; the frames are drawn when training ends."""
        self._frame_steps.append(step)
        self._last_logged_step = step


# The cost at many parameter vectors at once.


class ParameterCost:
    """The cost J at many flattened parameter vectors at once.

    The model runs with each vector's weights through `stateless_call`,
    vectorized over the vectors with `tf.vectorized_map` and compiled with
    XLA, so a whole grid is one call. The model's own weights are not
    touched. Only the cross-entropy counts, no regularization penalty.

    Args:
        model: The model; its trainable weights, flattened and concatenated in
            order, make a parameter vector.
        data: The training points.
        reduction: `"sum"` or `"mean"`.

    Example:
        >>> cost = ParameterCost(build_model("logistic", 2), data, "sum")  # doctest: +SKIP
        >>> cost(np.zeros((1, 3)))  # 200 log 2 for 200 points  # doctest: +SKIP
        array([138.62943611])
    """

    def __init__(
        self, model: keras.Model, data: Data, reduction: str, represented_samples: int | None = None
    ):
        self.model = model
        self._shapes = [tuple(weight.shape) for weight in model.trainable_weights]
        self._sizes = [int(np.prod(shape)) for shape in self._shapes]
        self.num_parameters = sum(self._sizes)
        self._features = tf.constant(data.features)
        self._labels = tf.constant(data.labels)
        self._scale = cost_scale(data, reduction, represented_samples)
        widest = max([data.num_features] + [shape[-1] for shape in self._shapes if shape])
        self._chunk = int(
            np.clip(MAX_CHUNK_VALUES // (data.num_samples * widest), 1, GRID_POINTS**2)
        )
        self._costs = tf.function(self._chunk_costs, jit_compile=True)

    def _chunk_costs(self, parameters, non_trainable):
        def cost(vector):
            pieces = tf.split(vector, self._sizes)
            weights = [tf.reshape(piece, shape) for piece, shape in zip(pieces, self._shapes)]
            probabilities, _ = self.model.stateless_call(
                weights, non_trainable, self._features, training=False
            )
            return tf.reduce_sum(per_sample_cross_entropy(self._labels, probabilities))

        return tf.vectorized_map(cost, parameters)

    def __call__(self, parameters: np.ndarray, non_trainable: list | None = None) -> np.ndarray:
        """The costs of `parameters` `(num_vectors, num_parameters)`, as float64.

        `non_trainable` holds the values of the model's non-trainable
        variables (a dropout's seed state too) to use; by default their
        current values.
        """
        parameters = np.asarray(parameters, dtype=np.float32)
        if non_trainable is None:
            non_trainable = [weight.value for weight in self.model.non_trainable_variables]
        costs = []
        for start in range(0, len(parameters), self._chunk):
            chunk = parameters[start : start + self._chunk]
            # Every chunk has the same shape, so XLA compiles only once.
            padded = np.resize(chunk, (self._chunk, self.num_parameters))
            costs.append(self._costs(padded, non_trainable).numpy()[: len(chunk)])
        return np.concatenate(costs).astype(np.float64) * self._scale


# Newton's method for logistic regression, in float64.


def _logistic_cost(design: np.ndarray, labels: np.ndarray, theta: np.ndarray, offset) -> float:
    logits = design @ theta + offset
    return float(np.sum(np.logaddexp(0.0, logits) - labels * logits))


def newton_minimum(
    design: np.ndarray,
    labels: np.ndarray,
    start: np.ndarray,
    offset: float = 0.0,
    max_steps: int = 25,
    stop_below: float = 0.0,
) -> tuple[np.ndarray, bool]:
    """Minimizes the summed cross-entropy of p = sigmoid(design theta + offset).

    Damped Newton steps (halved until the cost decreases), in float64.

    Args:
        design: The inputs, `(num_samples, num_parameters)` (a column of ones
            for a bias).
        labels: 0/1 labels.
        start: The initial theta.
        offset: A fixed term added to every logit, e.g. a bias held fixed.
        max_steps: At most this many Newton steps.
        stop_below: Stop once the summed cost falls below this, for separable
            data whose minimum lies at infinity.

    Returns:
        `(theta, converged)`: converged is True when the gradient vanished.

    Example:
        >>> design = np.array([[-1.0, 1.0], [1.0, 1.0], [2.0, 1.0], [-2.0, 1.0]])
        >>> theta, converged = newton_minimum(design, np.array([0, 0, 1, 1]), np.zeros(2))
        >>> converged, np.round(theta, 6).tolist()
        (True, [0.0, 0.0])
    """
    design = np.asarray(design, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    theta = np.asarray(start, dtype=np.float64).copy()
    cost = _logistic_cost(design, labels, theta, offset)
    tolerance = 1e-9 * len(labels) * (1.0 + np.abs(design).max())
    for _ in range(max_steps):
        if cost < stop_below:
            return theta, False
        logits = design @ theta + offset
        probabilities = 0.5 * (1.0 + np.tanh(0.5 * logits))  # sigmoid, without overflow
        gradient = design.T @ (probabilities - labels)
        if np.abs(gradient).max() <= tolerance:
            return theta, True
        curvature = probabilities * (1.0 - probabilities)
        hessian = design.T @ (design * curvature[:, None])
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        fraction = 1.0
        while fraction > 1e-6:
            candidate = theta - fraction * step
            candidate_cost = _logistic_cost(design, labels, candidate, offset)
            if candidate_cost < cost:
                break
            fraction /= 2
        else:
            return theta, False  # No step decreases the cost: as far as float64 goes.
        theta, cost = candidate, candidate_cost
    return theta, False


def trajectory_directions(path: np.ndarray, centre: np.ndarray, seed: int = 0) -> tuple:
    """Two orthonormal directions: the principal directions of the path (PCA).

    Where the path has fewer than two directions of movement (one or two
    points, or a straight line), seeded random unit directions, orthogonal to
    the others, fill in.

    Args:
        path: Weights along the path, `(num_steps, num_parameters)`.
        centre: The slice's centre, e.g. the current weights.
        seed: Seed of the random directions.

    Returns:
        `(directions, kinds)`: a `(2, num_parameters)` array and, for each
        direction, `"PCA"` or `"random"`.

    Example:
        >>> path = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [2.0, 0.1, 0.0]])
        >>> directions, kinds = trajectory_directions(path, path[-1])
        >>> kinds
        ['PCA', 'PCA']
    """
    differences = path[np.isfinite(path).all(axis=1)] - centre
    directions, kinds = [], []
    if len(differences) >= 2:
        differences = differences - differences.mean(axis=0)
        _, singular_values, components = np.linalg.svd(differences, full_matrices=False)
        for value, component in zip(singular_values[:2], components[:2]):
            if value > 1e-7 * max(singular_values[0], 1e-30):
                directions.append(component)
                kinds.append("PCA")
    rng = np.random.default_rng(seed)
    while len(directions) < 2:
        vector = rng.standard_normal(len(centre))
        for direction in directions:
            vector -= (vector @ direction) * direction
        directions.append(vector / np.linalg.norm(vector))
        kinds.append("random")
    return np.stack(directions), kinds


# The plane of weights an image shows, and the image itself.


@dataclasses.dataclass
class Plane:
    """Weights theta(u, v) = origin + u d1 + v d2, over fixed limits of (u, v)."""

    origin: np.ndarray
    directions: np.ndarray
    x_limits: tuple[float, float]
    y_limits: tuple[float, float]

    def grid_coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """The (u, v) of the grid: u left to right, v top to bottom."""
        u = np.linspace(*self.x_limits, GRID_POINTS)
        v = np.linspace(self.y_limits[1], self.y_limits[0], GRID_POINTS)
        return u, v

    def grid_parameters(self) -> np.ndarray:
        """Parameter vectors of the grid, `(GRID_POINTS**2, num_parameters)`, row by row."""
        u, v = self.grid_coordinates()
        grid_u, grid_v = np.meshgrid(u, v)
        return (
            self.origin
            + grid_u.reshape(-1, 1) * self.directions[0]
            + grid_v.reshape(-1, 1) * self.directions[1]
        )

    def project(self, parameters: np.ndarray) -> np.ndarray:
        """(u, v) of parameter vectors, assuming orthonormal directions."""
        return (parameters - self.origin) @ self.directions.T


def tick_format(ticks: np.ndarray) -> str:
    """A printf format with the fewest decimals (at most 4) that prints each tick differently.

    Plain digits, narrow enough for the colourbar; "%.3g" only for costs of
    10^7 and more.

    Example:
        >>> tick_format(np.array([56.6, 62.9, 96.9, 310.8, 1660.8]))
        '%.0f'
        >>> tick_format(np.array([345.0, 345.02, 345.15, 345.9, 350.0]))
        '%.2f'
        >>> tick_format(np.array([0.691, 0.6912, 0.6935, 0.71, 0.9]))
        '%.4f'
    """
    if np.abs(ticks).max() >= 1e7:
        return "%.3g"
    for decimals in range(4):
        labels = [f"{tick:.{decimals}f}" for tick in ticks]
        if len(set(labels)) == len(labels):
            return f"%.{decimals}f"
    return "%.4f"


def cost_bands(low: float, high: float) -> np.ndarray:
    """`NUM_BANDS + 1` band edges from `low` to `high`, widening geometrically.

    Example:
        >>> edges = cost_bands(10.0, 20.0)
        >>> len(edges), float(edges[0]), float(edges[-1])
        (17, 10.0, 20.0)
    """
    span = max(high - low, 1e-9 * (1.0 + abs(low)))
    fractions = np.concatenate([[0.0], np.geomspace(SMALLEST_BAND, 1.0, NUM_BANDS)])
    return low + span * fractions


def _interpolation_weights(coarse: np.ndarray, fine: np.ndarray) -> tuple:
    """For each fine point, the coarse point before it and how far towards the next."""
    position = (fine - coarse[0]) / (coarse[1] - coarse[0])
    lower = np.clip(np.floor(position).astype(int), 0, len(coarse) - 2)
    return lower, np.clip(position - lower, 0.0, 1.0)


def _upsample(values: np.ndarray, rows: tuple, columns: tuple) -> np.ndarray:
    """Bilinear interpolation of a coarse grid of `values` to the pixel grid.

    Done with gathers rather than interpolation matrices: small matrix
    products go through BLAS, whose threads can stall for milliseconds on a
    busy machine.
    """
    (row, row_fraction), (column, column_fraction) = rows, columns
    row_fraction = row_fraction[:, None]
    between_rows = values[row] * (1.0 - row_fraction) + values[row + 1] * row_fraction
    return (
        between_rows[:, column] * (1.0 - column_fraction)
        + between_rows[:, column + 1] * column_fraction
    )


class SurfacePlot:
    """A cost image over one fixed `Plane` and fixed bands: static parts drawn once.

    Args:
        plane: The plane; only its limits matter here.
        bands: Band edges, from `cost_bands`.
        axis_labels: Labels of the u and v axes.
    """

    def __init__(self, plane: Plane, bands: np.ndarray, axis_labels: tuple[str, str]):
        self.bands = bands
        self.table = colour_table("viridis", NUM_BANDS)
        with MATPLOTLIB_LOCK:
            self._draw_fixed_parts(plane, bands, axis_labels)
        u, v = plane.grid_coordinates()
        x, y = self.plot.pixel_centres()
        self._columns = _interpolation_weights(u, x)
        self._rows = _interpolation_weights(v, y)
        self._path_colour = rgb255(PATH_COLOUR)

    def _draw_fixed_parts(self, plane: Plane, bands: np.ndarray, axis_labels) -> None:
        self.plot = RasterPlot(plane.x_limits, plane.y_limits, SURFACE_LAYOUT, overlay=False)
        axes = self.plot.axes
        axes.set_xlabel(axis_labels[0], fontsize=9, labelpad=2)
        axes.set_ylabel(axis_labels[1], fontsize=9, labelpad=2)
        colormap = matplotlib.colors.ListedColormap(self.table / 255.0)
        norm = matplotlib.colors.BoundaryNorm(bands, NUM_BANDS)
        colorbar = self.plot.figure.colorbar(
            matplotlib.cm.ScalarMappable(norm=norm, cmap=colormap),
            cax=self.plot.colourbar_axes,
            ticks=bands[::4],
            format=matplotlib.ticker.FormatStrFormatter(tick_format(bands[::4])),
        )
        colorbar.ax.tick_params(labelsize=7)
        colorbar.set_label("cost J", fontsize=9, labelpad=2)
        handles = [
            Line2D([], [], label="path", **PATH_HANDLE),
            Line2D([], [], label="now", **NOW_HANDLE),
            Line2D([], [], label="minimum on this plane", **MINIMUM_HANDLE),
        ]
        # Above the axes, in the background: the path can never hide under it.
        axes.legend(
            handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, **LEGEND_STYLE
        )
        self.plot.freeze()

    def render(self, costs: np.ndarray, plane: Plane, path, current, minimum) -> np.ndarray:
        """The image of grid `costs` `(GRID_POINTS, GRID_POINTS)`, with the path and markers.

        `path`, `current` and `minimum` are (u, v) coordinates on the plane;
        `minimum` is None when the lowest cost is not in view.
        """
        fine = _upsample(costs, self._rows, self._columns)
        bands = np.searchsorted(self.bands[1:-1], fine, side="right")
        box = np.take(self.table, bands, axis=0)
        lines = edge_mask(bands, both_sides=False)
        box[lines] = (box[lines] * 0.6).astype(np.uint8)
        pixels = self.plot.to_pixels(path)
        paint_polyline(box, pixels, self._path_colour, width=2.0)
        paint_discs(box, pixels, 1.5, self._path_colour)
        if minimum is not None:
            centre = self.plot.to_pixels(minimum)[0]
            # A white outline keeps the black cross visible on the darkest band.
            _paint_cross(box, centre, (255, 255, 255), width=4.5)
            _paint_cross(box, centre, (0, 0, 0), width=2.0)
        now = self.plot.to_pixels(current)
        paint_discs(box, now, 5.0, (255, 255, 255))
        paint_discs(box, now, 3.5, self._path_colour)
        return self.plot.compose(box)


def _paint_cross(box: np.ndarray, centre: np.ndarray, colour, width: float) -> None:
    for corner in (np.array([5.0, 5.0]), np.array([5.0, -5.0])):
        paint_polyline(box, [centre - corner, centre + corner], colour, width)


MAX_SURFACE_SAMPLES = 4096


def surface_sample(data: Data, seed: int = 0) -> Data:
    """At most `MAX_SURFACE_SAMPLES` of the points, drawn once per run.

    The surface evaluates the cost at thousands of weight vectors per image;
    over a seeded sample of the points it costs the same for any data size,
    and `cost_scale` scales the summed cost up to stand for all the points.
    """
    if data.num_samples <= MAX_SURFACE_SAMPLES:
        return data
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(data.num_samples, MAX_SURFACE_SAMPLES, replace=False))
    return data.subset(rows, f"{data.source} (a sample for the error surface)")


def cost_scale(data: Data, reduction: str, represented_samples: int | None) -> float:
    """Turns a sum over `data` into the summed or mean cost of all the points."""
    if reduction == "mean":
        return 1.0 / data.num_samples
    return (represented_samples or data.num_samples) / data.num_samples


def make_surface(
    model: keras.Model,
    data: Data,
    reduction: str,
    represented_samples: int | None = None,
    start: np.ndarray | None = None,
):
    """The view that fits the model: `WeightPlaneSurface` for p = sigmoid(w1 x1 + w2 x2 + b),
    else `LandscapeSurface`. `start` is the path's first point, if not the current weights."""
    parameters = plain_linear_parameters(model)
    if parameters is not None and len(parameters[0]) == 2 and data.num_classes == 2:
        return WeightPlaneSurface(model, data, reduction, represented_samples, start)
    return LandscapeSurface(model, data, reduction, represented_samples)


class WeightPlaneSurface:
    """J(w1, w2) at each step's bias, on axes that hold the whole path (logistic regression).

    The cost has a closed form here, J = sum_i softplus(z_i) - sum_i l_i z_i
    with z_i = w1 x_i1 + w2 x_i2 + b, so the grid needs no model calls: one
    matrix product and a softplus, in one small XLA program. The frames are
    drawn when training ends (`WeightPlaneFrames`), on axes that hold the
    whole path: momentum overshoots far past the start.
    """

    def __init__(
        self,
        model: keras.Model,
        data: Data,
        reduction: str,
        represented_samples: int | None = None,
        start: np.ndarray | None = None,
    ):
        self._scale = cost_scale(data, reduction, represented_samples)
        self.features = data.features.astype(np.float64)
        self.labels = data.labels
        self._features_tensor = tf.constant(data.features)
        # The linear part, sum_i l_i z_i = (l^T X) w + (sum_i l_i) b, in float64.
        self._label_features = self.labels @ self.features
        self._num_positive = float(self.labels.sum())
        design = np.concatenate([self.features, np.ones((data.num_samples, 1))], axis=1)
        # On separable data the optimum lies at infinity: stop at a mean cost of 0.02.
        optimum, _ = newton_minimum(
            design, self.labels, np.zeros(3), stop_below=0.02 * data.num_samples
        )
        if start is None:  # The path starts at the current weights.
            start = np.concatenate([np.ravel(w) for w in model.get_weights()])
        start = np.asarray(start, np.float64)
        if not np.isfinite(start).all():
            start = np.zeros(3)
        self.centre = optimum[:2]
        reach = GRID_REACH * np.abs(start[:2] - self.centre).max()
        self.least_reach = max(reach, 0.05 * (1.0 + np.abs(self.centre).max()))
        self.start_bias = start[2]
        self.lowest = _logistic_cost(design, self.labels, optimum, 0.0) * self._scale

    def trajectory_slice(self, path: np.ndarray) -> WeightPlaneFrames:
        """The frames of a whole `path` (a copy), on axes fixed to hold all of it."""
        return WeightPlaneFrames(self, path)

    @tf.function(jit_compile=True)  # One fused pass: about 3x faster than eager ops.
    def _softplus_sums(self, weights, bias):
        """sum_i softplus(x_i . w + b) for each column w of `weights` (2, num)."""
        logits = tf.matmul(self._features_tensor, weights) + bias
        return tf.reduce_sum(tf.nn.softplus(logits), axis=0)

    def costs(self, parameters: np.ndarray) -> np.ndarray:
        """J at parameter vectors `(num, 3)` of (w1, w2, b), all with the same b."""
        weights, bias = parameters[:, :2], float(parameters[0, 2])
        # The logits are (num_samples, vectors): a chunk of vectors at a time
        # bounds their memory however many samples there are.
        chunk = max(1, MAX_CHUNK_VALUES // len(self.features))
        softplus_sums = []
        for start in range(0, len(weights), chunk):
            chunk_weights = tf.constant(weights[start : start + chunk].T, tf.float32)
            sums = self._softplus_sums(chunk_weights, tf.constant(bias, tf.float32))
            softplus_sums.append(sums.numpy())
        linear = weights @ self._label_features + self._num_positive * bias
        return (np.concatenate(softplus_sums).astype(np.float64) - linear) * self._scale


class WeightPlaneFrames:
    """The frames of one path on the (w1, w2) plane, each at its own step's bias.

    The axes are centred on the optimum (w1*, w2*) and reach `GRID_REACH`
    times as far as the start, or `LANDSCAPE_REACH` times as far as the
    path's farthest finite point; the colour bands span the cost from the
    optimum to the highest cost on the grid at the start's bias. Both are the
    same for every frame, so the frames animate.

    Args:
        surface: The run's `WeightPlaneSurface`.
        path: (w1, w2, b) at each recorded step, `(num_steps, 3)`.
    """

    def __init__(self, surface: WeightPlaneSurface, path: np.ndarray):
        self.surface = surface
        self.path = path.astype(np.float64)
        finite = self.path[np.isfinite(self.path).all(axis=1), :2]
        reach = surface.least_reach
        if len(finite):
            reach = max(reach, LANDSCAPE_REACH * np.abs(finite - surface.centre).max())
        centre = surface.centre
        self.limits = equal_aspect_limits(
            (centre[0] - reach, centre[0] + reach),
            (centre[1] - reach, centre[1] + reach),
            SURFACE_LAYOUT,
        )

    @functools.cached_property
    def picture(self) -> SurfacePlot:
        """The plot's static parts: axes and colour bands, the same in every frame."""
        plane = self._plane(self.surface.start_bias)
        first_costs = self.surface.costs(plane.grid_parameters())
        bands = cost_bands(min(self.surface.lowest, first_costs.min()), first_costs.max())
        return SurfacePlot(plane, bands, ("w1", "w2"))

    def _plane(self, bias: float) -> Plane:
        origin = np.array([0.0, 0.0, bias])
        return Plane(origin, np.eye(3)[:2], *self.limits)

    def draw(self, index: int) -> np.ndarray | None:
        """The frame of the path's row `index`, at its bias; None if that row is not finite."""
        current = self.path[index]
        if not np.isfinite(current).all():
            return None
        plane = self._plane(current[2])
        costs = self.surface.costs(plane.grid_parameters()).reshape(GRID_POINTS, GRID_POINTS)
        path = plane.project(self.path[: index + 1])
        minimum = self._minimum(current[2], costs, plane)
        return self.picture.render(costs, plane, path, current[:2], minimum)

    def _minimum(self, bias: float, costs: np.ndarray, plane: Plane) -> np.ndarray | None:
        """The minimum of J on the slice at this bias, else the grid's lowest point.

        Newton's method starts at the optimum's (w1*, w2*) for every frame, so a
        frame does not depend on which frames were drawn before it (a resumed
        run draws only its own).
        """
        minimum, converged = newton_minimum(
            self.surface.features, self.surface.labels, self.surface.centre, offset=bias
        )
        (x_low, x_high), (y_low, y_high) = self.limits
        inside = x_low <= minimum[0] <= x_high and y_low <= minimum[1] <= y_high
        if converged and inside:
            return minimum
        return _grid_minimum(costs, plane)


class LandscapeSurface:
    """Li et al.'s trajectory plot: one slice through the final weights along the
    path's principal directions, drawn once training ends, one frame per logged step.

    Every frame shares the slice, its axes and its colour bands; only the path
    up to the frame's step and its current point change, so the frames animate.
    """

    def __init__(
        self, model: keras.Model, data: Data, reduction: str, represented_samples: int | None = None
    ):
        self.model = model
        self.cost = ParameterCost(model, data, reduction, represented_samples)

    def trajectory_slice(self, path: np.ndarray) -> TrajectorySlice:
        """The slice of a whole `path` (a copy), its costs computed when first drawn.

        The model's non-trainable variables (e.g. batch-norm statistics, a
        dropout's seed) are copied now.
        """
        non_trainable = [np.array(weight) for weight in self.model.non_trainable_variables]
        return TrajectorySlice(path, self.cost, non_trainable)


class TrajectorySlice:
    """The cost on the plane through a path's last finite point along its principal directions.

    Args:
        path: Weights along the path, `(num_steps, num_parameters)`.
        cost: The `ParameterCost` of the model.
        non_trainable: Values of the model's non-trainable variables.
    """

    def __init__(self, path: np.ndarray, cost: ParameterCost, non_trainable: list):
        self.path = path.astype(np.float64)
        self.cost = cost
        self.non_trainable = non_trainable

    @functools.cached_property
    def _view(self) -> tuple:
        """`(coordinates of the path, grid costs, plane, picture, minimum)`, computed once."""
        finite = np.isfinite(self.path).all(axis=1)
        final = self.path[np.flatnonzero(finite)[-1]]
        directions, kinds = trajectory_directions(self.path, final)
        coordinates = (self.path - final) @ directions.T
        plane = Plane(final, directions, *_landscape_limits(coordinates, final))
        costs = self.cost(plane.grid_parameters(), self.non_trainable)
        costs = costs.reshape(GRID_POINTS, GRID_POINTS)
        labels = tuple(f"{kind} direction {index + 1}" for index, kind in enumerate(kinds))
        picture = SurfacePlot(plane, cost_bands(costs.min(), costs.max()), labels)
        return coordinates, costs, plane, picture, _grid_minimum(costs, plane)

    def draw(self, index: int) -> np.ndarray | None:
        """The frame of the path's row `index`: the path up to it, and it as the current point.

        None for a row that is not finite (a diverged step), or a path with no finite row.
        """
        if not np.isfinite(self.path[index]).all():
            return None
        coordinates, costs, plane, picture, minimum = self._view
        return picture.render(costs, plane, coordinates[: index + 1], coordinates[index], minimum)


def _landscape_limits(coordinates: np.ndarray, centre: np.ndarray) -> tuple:
    """Limits centred on the slice's centre (the final weights), past the farthest path point.

    As in Li et al.'s plots, the landscape around the final weights shows on
    every side, where the minimum of the plane often lies.
    """
    finite = coordinates[np.isfinite(coordinates).all(axis=1)]
    reach = float(np.abs(finite).max()) if len(finite) else 0.0
    if reach < 1e-6 * (1.0 + np.linalg.norm(centre)):
        # A path that has not moved: show a neighbourhood scaled to the weights.
        reach = max(0.5 * np.linalg.norm(centre), 1.0)
    half = LANDSCAPE_REACH * reach
    return equal_aspect_limits((-half, half), (-half, half), SURFACE_LAYOUT)


def _grid_minimum(costs: np.ndarray, plane: Plane) -> np.ndarray | None:
    """The grid's lowest point, or None on the grid's edge: the cost falls on beyond the view."""
    row, column = np.unravel_index(np.argmin(costs), costs.shape)
    if {row, column} & {0, GRID_POINTS - 1}:
        return None
    u, v = plane.grid_coordinates()
    return np.array([u[column], v[row]])
