"""Logistic regression's error surface: J(w1, w2) at each step's bias, on axes that hold the path.

For p = sigmoid(w1 x1 + w2 x2 + b) the cost has a closed form, so the grid
needs no model calls (`WeightPlaneSurface`). The frames are drawn when
training ends (`WeightPlaneFrames`), on axes that hold the whole path:
momentum overshoots far past the start.
"""

from __future__ import annotations

import functools

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.callbacks.cost_minimum import grid_minimum, logistic_cost, newton_minimum
from kerasclf.callbacks.frame_title import frame_title
from kerasclf.callbacks.image_layout import equal_aspect_limits
from kerasclf.callbacks.landscape_surface import LANDSCAPE_REACH
from kerasclf.callbacks.parameter_cost import MAX_CHUNK_VALUES, cost_scale
from kerasclf.callbacks.surface_plot import (
    GRID_POINTS,
    SURFACE_LAYOUT,
    Plane,
    SurfacePlot,
    cost_bands,
)
from kerasclf.data import Data

# Reach of logistic regression's grid, at least: in units of the start's distance from the optimum.
GRID_REACH = 1.5
# Logistic regression's axes zoom to the path when its box, padded, is narrower
# than this fraction of the plane around the optimum: a short path (a small
# learning rate, few epochs) would otherwise be a dot, and SGD's steps near
# the optimum a blur.
ZOOM_BELOW = 0.5
# Padding of the zoomed path's box on each side, as a fraction of its longer side.
PATH_PADDING = 0.2


class WeightPlaneSurface:
    """J(w1, w2) at each step's bias, on axes that hold the whole path (logistic regression).

    The cost has a closed form here, J = sum_i softplus(z_i) - sum_i l_i z_i
    with z_i = w1 x_i1 + w2 x_i2 + b, so the grid needs no model calls: one
    matrix product and a softplus, in one small XLA program. The frames are
    drawn when training ends (`WeightPlaneFrames`), on axes that hold the
    whole path: momentum overshoots far past the start.

    Args:
        model: The logistic-regression model on two inputs.
        data: The points the cost runs over.
        reduction: `"sum"` or `"mean"`.
        represented_samples: How many points `data` stands for, when it is a sample.
        start: (w1, w2, b) where the path starts; by default the model's weights.
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
        self.lowest = logistic_cost(design, self.labels, optimum, 0.0) * self._scale

    def trajectory_slice(self, path: np.ndarray) -> WeightPlaneFrames:
        """The frames of a whole `path` (a copy), on axes fixed to hold all of it."""
        return WeightPlaneFrames(self, path)

    # One fused pass: about 3x faster than eager ops.
    @tf.function(jit_compile=True, autograph=False)
    def _softplus_sums(self, weights, bias):
        """sum_i softplus(x_i . w + b) for each column w of `weights` (2, num)."""
        logits = tf.matmul(self._features_tensor, weights) + bias
        return tf.reduce_sum(tf.nn.softplus(logits), axis=0)

    def cost(self, parameters: np.ndarray) -> float:
        """J at one parameter vector (w1, w2, b), in float64 numpy.

        For a frame's title: one vector in `costs` would compile its XLA
        program a second time, for a new shape.
        """
        return (
            logistic_cost(self.features, self.labels, parameters[:2], parameters[2]) * self._scale
        )

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
        return grid_minimum(costs, plane)
