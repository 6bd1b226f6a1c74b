"""The cost over weight space, for the error surface: exact surfaces and their frames.

- `ParameterCost`: the cost J at many flattened parameter vectors at once,
  one compiled, vectorized pass of the model (any model).
- `newton_minimum`: the minimum of logistic regression's J, in float64.
- `WeightPlaneSurface` and `WeightPlaneFrames`: logistic regression on two
  inputs, the (w1, w2) plane at each step's bias, on axes that hold the path.
- `LandscapeSurface` and `TrajectorySlice`: any other model, Li et al.'s
  slice through the final weights along the path's principal directions
  (`trajectory_directions`).

`make_surface` picks one for a model; `callbacks.error_surface` draws its
frames.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import tensorflow as tf

from callbacks.raster import equal_aspect_limits, frame_title
from callbacks.surface_plot import (
    GRID_POINTS,
    SURFACE_LAYOUT,
    Plane,
    SurfacePlot,
    cost_bands,
)
from kerasclf.data import Data
from kerasclf.losses import per_sample_cross_entropy
from kerasclf.models import plain_linear_parameters

# Largest number of activations one vectorized chunk may hold (128 MB of float32).
MAX_CHUNK_VALUES = 2**25
# Reach of logistic regression's grid, at least: in units of the start's distance from the optimum.
GRID_REACH = 1.5
# The grid reaches this much farther than the path's farthest point.
LANDSCAPE_REACH = 1.1
# Logistic regression's axes zoom to the path when its box, padded, is narrower
# than this fraction of the plane around the optimum: a short path (a small
# learning rate, few epochs) would otherwise be a dot, and SGD's steps near
# the optimum a blur.
ZOOM_BELOW = 0.5
# Padding of the zoomed path's box on each side, as a fraction of its longer side.
PATH_PADDING = 0.2


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

    def cost(self, parameters: np.ndarray) -> float:
        """J at one parameter vector (w1, w2, b), in float64 numpy.

        For a frame's title: one vector in `costs` would compile its XLA
        program a second time, for a new shape.
        """
        logits = self.features @ parameters[:2] + parameters[2]
        return float(np.sum(np.logaddexp(0.0, logits) - self.labels * logits)) * self._scale

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
    path's farthest finite point. Where the path's box, padded by
    `PATH_PADDING` of its longer side, is narrower than `ZOOM_BELOW` of that,
    the axes zoom to it instead, so that a short, noisy path shows. The
    colour bands span the cost from the lowest in view (the optimum's, if in
    view) to the highest cost on the grid at the start's bias. Both are the
    same for every frame, so the frames animate.

    Args:
        surface: The run's `WeightPlaneSurface`.
        path: (w1, w2, b) at each recorded step, `(num_steps, 3)`.
    """

    def __init__(self, surface: WeightPlaneSurface, path: np.ndarray):
        self.surface = surface
        self.path = path.astype(np.float64)
        finite = self.path[np.isfinite(self.path).all(axis=1)]
        reach = surface.least_reach
        if len(finite):
            reach = max(reach, LANDSCAPE_REACH * np.abs(finite[:, :2] - surface.centre).max())
        centre = surface.centre
        if len(finite):
            low, high = finite[:, :2].min(axis=0), finite[:, :2].max(axis=0)
            half = (0.5 + PATH_PADDING) * (high - low).max()
            # A path that has hardly moved keeps the whole view.
            if 1e-6 * (1.0 + np.abs(centre).max()) < half < ZOOM_BELOW * reach:
                centre, reach = (low + high) / 2, half
        self.limits = equal_aspect_limits(
            (centre[0] - reach, centre[0] + reach),
            (centre[1] - reach, centre[1] + reach),
            SURFACE_LAYOUT,
        )
        self._last_finite = finite[-1] if len(finite) else None

    @functools.cached_property
    def picture(self) -> SurfacePlot:
        """The plot's static parts: axes and colour bands, the same in every frame."""
        plane = self._plane(self.surface.start_bias)
        first_costs = self.surface.costs(plane.grid_parameters())
        low = first_costs.min()
        if self._last_finite is not None:  # The bias moves: the last plane may lie lower.
            last_plane = self._plane(self._last_finite[2])
            low = min(low, self.surface.costs(last_plane.grid_parameters()).min())
        (x_low, x_high), (y_low, y_high) = self.limits
        optimum = self.surface.centre
        if x_low <= optimum[0] <= x_high and y_low <= optimum[1] <= y_high:
            low = min(low, self.surface.lowest)
        return SurfacePlot(plane, cost_bands(low, first_costs.max()), ("w1", "w2"))

    def _plane(self, bias: float) -> Plane:
        origin = np.array([0.0, 0.0, bias])
        return Plane(origin, np.eye(3)[:2], *self.limits)

    def draw(self, index: int, step: int | None = None) -> np.ndarray | None:
        """The frame of the path's row `index`, at its bias; None if that row is not finite.

        Its title gives `step`, the cost at the row's weights and its bias.
        """
        current = self.path[index]
        if not np.isfinite(current).all():
            return None
        plane = self._plane(current[2])
        costs = self.surface.costs(plane.grid_parameters()).reshape(GRID_POINTS, GRID_POINTS)
        path = plane.project(self.path[: index + 1])
        minimum = self._minimum(current[2], costs, plane)
        title = frame_title(step, self.surface.cost(current), bias=current[2])
        return self.picture.render(costs, plane, path, current[:2], minimum, title)

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
    def path_costs(self) -> np.ndarray:
        """The cost at each row of the path (NaN where not finite), for the titles."""
        finite = np.isfinite(self.path).all(axis=1)
        costs = np.full(len(self.path), np.nan)
        if finite.any():
            costs[finite] = self.cost(self.path[finite], self.non_trainable)
        return costs

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

    def draw(self, index: int, step: int | None = None) -> np.ndarray | None:
        """The frame of the path's row `index`: the path up to it, and it as the current point.

        Its title gives `step` and the cost at the row's weights. None for a
        row that is not finite (a diverged step), or a path with no finite row.
        """
        if not np.isfinite(self.path[index]).all():
            return None
        coordinates, costs, plane, picture, minimum = self._view
        title = frame_title(step, float(self.path_costs[index]))
        return picture.render(
            costs, plane, coordinates[: index + 1], coordinates[index], minimum, title
        )


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
