"""Li et al.'s trajectory plot, for any model: the cost on a slice through the final weights.

The slice spans the path's two principal directions (`trajectory_directions`),
so the path shows as much of its movement as a plane can. It is computed
once training ends; every frame shares the slice, its axes and its colour
bands, and only the path up to the frame's step and its current point
change, so the frames animate.

Each grid point is a forward pass over the training points, so the work fits
the model (`landscape_resolution`): a small model's slice is drawn in full, a
large model's on a fixed, seeded sample of the points and, where that is not
enough, a coarser grid, and the image's description says so
(`TrajectorySlice.note`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.callbacks.cost_minimum import grid_minimum
from kerasclf.callbacks.frame_title import frame_title
from kerasclf.callbacks.image_layout import equal_aspect_limits
from kerasclf.callbacks.parameter_cost import (
    ParameterCost,
    forward_cost,
    surface_sample,
    vectorizes,
)
from kerasclf.callbacks.surface_plot import (
    GRID_POINTS,
    SURFACE_LAYOUT,
    Plane,
    SurfacePlot,
    cost_bands,
)
from kerasclf.callbacks.landscape_resolution import (
    LandscapeResolution,
    landscape_resolution,
    resolution_note,
)
from kerasclf.callbacks.trajectory_directions import project, trajectory_directions
from kerasclf.data import Data

# The grid reaches this much farther than the path's farthest point.
LANDSCAPE_REACH = 1.1

# The title's note on a slice where the cost overflowed (`clip_non_finite`).
CLIPPED_NOTE = "J = \N{INFINITY} shown as max"


class LandscapeSurface:
    """Li et al.'s trajectory plot: one slice through the final weights along the
    path's principal directions, drawn once training ends, one frame per logged step.

    The slice's grid and sample of points fit the model (`landscape_resolution`).

    Args:
        model: The model.
        data: The points the cost runs over.
        reduction: `"sum"` or `"mean"`.
        represented_samples: How many points `data` stands for, when it is a sample.
    """

    def __init__(
        self, model: keras.Model, data: Data, reduction: str, represented_samples: int | None = None
    ):
        self.model = model
        self.data = data
        self.reduction = reduction
        self.represented_samples = represented_samples or data.num_samples
        self.forward = forward_cost(model, data.feature_shape, data.features.dtype)
        self.vectorized = vectorizes(model)
        # The run's epochs, once `prepare` knows them; else a path's length tells.
        self.epochs: int | None = None
        self._costs: dict[LandscapeResolution, ParameterCost] = {}

    def resolution(self, epochs: int) -> LandscapeResolution:
        """The grid and points of the slice of a run of `epochs` (`landscape_resolution`)."""
        return landscape_resolution(
            self.forward.multiply_adds,
            self.data.num_samples,
            self.represented_samples,
            epochs,
            self.vectorized,
        )

    def prepare(self, epochs: int) -> Callable[[], None]:
        """Fixes the slice's resolution for a run of `epochs`; returns what compiles its cost.

        Call the function returned on a background thread while training
        runs (`ImageLog.add`): the cost's first call traces and compiles the
        vectorized model (a third of a second for an MLP), which would
        otherwise wait until training ends. It evaluates the current weights,
        copied now, so it reads nothing that training changes.
        """
        self.epochs = epochs
        cost = self.parameter_cost(self.resolution(epochs))
        weights = [keras.ops.convert_to_numpy(weight) for weight in self.model.trainable_weights]
        vector = np.concatenate([np.ravel(weight) for weight in weights])[None]
        non_trainable = [
            keras.ops.convert_to_numpy(weight) for weight in self.model.non_trainable_variables
        ]

        def compile_cost() -> None:
            cost(vector, non_trainable)

        return compile_cost

    def parameter_cost(self, resolution: LandscapeResolution) -> ParameterCost:
        """The cost over the resolution's points: all of them, or a fixed, seeded sample."""
        if resolution not in self._costs:
            if resolution.full:
                cost = ParameterCost(
                    self.model, self.data, self.reduction, self.represented_samples
                )
            else:
                sample = surface_sample(self.data, size=resolution.num_samples)
                cost = ParameterCost(
                    self.model,
                    sample,
                    self.reduction,
                    self.represented_samples,
                    compiled=False,
                    activations=self.forward.activations,
                )
            self._costs[resolution] = cost
        return self._costs[resolution]

    def trajectory_slice(self, path: np.ndarray) -> TrajectorySlice:
        """The slice of a whole `path` (kept, not copied), its costs computed when first drawn.

        The model's non-trainable variables (e.g. batch-norm statistics, a
        dropout's seed) are copied now.
        """
        resolution = self.resolution(self.epochs or len(path) - 1)
        non_trainable = [np.array(weight) for weight in self.model.non_trainable_variables]
        note = resolution_note(resolution, self.represented_samples)
        cost = self.parameter_cost(resolution)
        # A title's cost over a sample of the data is not the logged cost: it says so.
        sample = (
            resolution.num_samples if resolution.num_samples < self.represented_samples else None
        )
        name = "mean cost" if self.reduction == "mean" else "cost"
        return TrajectorySlice(path, cost, non_trainable, resolution, note, (name, sample))


class TrajectorySlice:
    """The cost on the plane through a path's last finite point along its principal directions.

    Args:
        path: Weights along the path, `(num_steps, num_parameters)`.
        cost: The `ParameterCost` of the model.
        non_trainable: Values of the model's non-trainable variables.
        resolution: The grid and points it is evaluated on; None for the full
            grid, as `ParameterCost` runs (all its points, XLA). A reduced
            one's grid is built a chunk at a time, in float32 (a large
            model's whole grid would not fit in memory), and a coarser grid
            than the image's is interpolated to it (`refine_grid`).
        note: What the image's description adds (`resolution_note`).
        title_cost: What the titles call the cost, and the number of samples
            it is over when they are a sample of the data (else None).
    """

    def __init__(
        self,
        path: np.ndarray,
        cost: ParameterCost,
        non_trainable: list,
        resolution: LandscapeResolution | None = None,
        note: str = "",
        title_cost: tuple[str, int | None] = ("cost", None),
    ):
        self.path = np.asarray(path)  # As recorded (float32), not copied: a large model's is large.
        self.cost = cost
        self.non_trainable = non_trainable
        self.resolution = resolution
        self.grid_points = GRID_POINTS if resolution is None else resolution.grid_points
        self.note = note
        self.title_cost = title_cost
        self.clipped = 0  # Grid points whose cost is not finite, once `_view` is computed.

    @functools.cached_property
    def path_costs(self) -> np.ndarray:
        """The cost at each row of the path (NaN where not finite), for the titles."""
        finite = np.isfinite(self.path).all(axis=1)
        costs = np.full(len(self.path), np.nan)
        if finite.any():
            rows = self.path if finite.all() else self.path[finite]
            costs[finite] = self.cost(rows, self.non_trainable)
        return costs

    @functools.cached_property
    def _view(self) -> tuple:
        """`(coordinates of the path, grid costs, plane, picture, minimum)`, computed once."""
        finite = np.isfinite(self.path).all(axis=1)
        final = self.path[np.flatnonzero(finite)[-1]].astype(np.float64)
        directions, kinds = trajectory_directions(self.path, final)
        coordinates = project(self.path, final, directions)
        plane = Plane(final, directions, *landscape_limits(coordinates, final))
        if self.resolution is None or self.resolution.full:
            costs = self.cost(plane.grid_parameters(), self.non_trainable)
        else:
            points, step = self.grid_points, self.cost.chunk_size
            chunks = [
                self.cost(grid_parameters(plane, points, start, start + step), self.non_trainable)
                for start in range(0, points**2, step)
            ]
            costs = np.concatenate(chunks)
        costs, self.clipped = clip_non_finite(costs.reshape(self.grid_points, self.grid_points))
        costs = refine_grid(costs)
        labels = tuple(f"{kind} direction {index + 1}" for index, kind in enumerate(kinds))
        picture = SurfacePlot(plane, cost_bands(costs.min(), costs.max()), labels)
        return coordinates, costs, plane, picture, grid_minimum(costs, plane)

    def draw(self, index: int, step: int | None = None) -> np.ndarray | None:
        """The frame of the path's row `index`: the path up to it, and it as the current point.

        Its title gives `step` and the cost at the row's weights. None for a
        row that is not finite (a diverged step), or a path with no finite row.
        """
        if not np.isfinite(self.path[index]).all():
            return None
        coordinates, costs, plane, picture, minimum = self._view
        name, samples = self.title_cost
        title = frame_title(step, float(self.path_costs[index]), name=name, samples=samples)
        if self.clipped:  # Overflowed costs show in the top band; the title says so.
            title = f"{title} \N{MIDDLE DOT} {CLIPPED_NOTE}" if title else CLIPPED_NOTE
        return picture.render(
            costs, plane, coordinates[: index + 1], coordinates[index], minimum, title
        )


def clip_non_finite(costs: np.ndarray) -> tuple[np.ndarray, int]:
    """`costs` with each non-finite cost (an overflow) set to the largest finite one; and how many.

    A diverging model's weights overflow the forward pass, and its cost is
    inf or NaN on part of the slice; those points are drawn in the top band
    (all zeros when no cost is finite).

    Example:
        >>> clipped, count = clip_non_finite(np.array([[1.0, np.inf], [np.nan, 3.0]]))
        >>> clipped.tolist(), count
        ([[1.0, 3.0], [3.0, 3.0]], 2)
    """
    finite = np.isfinite(costs)
    count = int(costs.size - finite.sum())
    if not count:
        return costs, 0
    top = float(costs[finite].max()) if finite.any() else 0.0
    return np.where(finite, costs, top), count


def grid_parameters(plane: Plane, points: int, start: int = 0, stop: int | None = None):
    """Rows `start:stop` of the parameter vectors of a `points` x `points` grid, in float32.

    The grid of `Plane.grid_parameters` with `points` per axis, row by row: u
    left to right, v top to bottom. A slice of it at a time bounds the memory
    of a large model's grid.

    Example:
        >>> plane = Plane(np.zeros(2), np.eye(2), (-1.0, 1.0), (-1.0, 1.0))
        >>> grid_parameters(plane, 2).tolist(), grid_parameters(plane, 2, 3).tolist()
        ([[-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]], [[1.0, -1.0]])
    """
    u = np.linspace(*plane.x_limits, points)
    v = np.linspace(plane.y_limits[1], plane.y_limits[0], points)
    index = np.arange(points**2)[start:stop]
    coordinates = np.stack([u[index % points], v[index // points]], axis=1)
    directions = plane.directions.astype(np.float32)
    return coordinates.astype(np.float32) @ directions + plane.origin.astype(np.float32)


def refine_grid(costs: np.ndarray) -> np.ndarray:
    """A square grid of costs interpolated to `GRID_POINTS` per axis, bilinearly.

    The refined grid spans the same limits, so its corners are the coarse
    grid's; a grid of `GRID_POINTS` already is returned as it is.

    Example:
        >>> refined = refine_grid(np.array([[0.0, 1.0], [2.0, 3.0]]))
        >>> refined.shape, refined[[0, -1], [0, -1]].tolist(), round(float(refined[0, 24]), 3)
        ((48, 48), [0.0, 3.0], 0.511)
    """
    points = len(costs)
    if points == GRID_POINTS:
        return costs
    coarse, fine = np.linspace(0.0, 1.0, points), np.linspace(0.0, 1.0, GRID_POINTS)
    # Row i of `weights` interpolates fine point i from the coarse points.
    weights = np.stack([np.interp(fine, coarse, row) for row in np.eye(points)], axis=1)
    return weights @ costs @ weights.T


def landscape_limits(coordinates: np.ndarray, centre: np.ndarray) -> tuple:
    """Limits centred on the slice's centre (the final weights), past the farthest path point.

    As in Li et al.'s plots, the landscape around the final weights shows on
    every side, where the minimum of the plane often lies.

    Example:
        >>> limits = landscape_limits(np.array([[-1.0, 0.5], [0.0, 0.0]]), np.zeros(3))
        >>> [round(value, 2) for value in limits[0]]
        [-1.1, 1.1]
    """
    finite = coordinates[np.isfinite(coordinates).all(axis=1)]
    reach = float(np.abs(finite).max()) if len(finite) else 0.0
    if reach < 1e-6 * (1.0 + np.linalg.norm(centre)):
        # A path that has not moved: show a neighbourhood scaled to the weights.
        reach = max(0.5 * np.linalg.norm(centre), 1.0)
    half = LANDSCAPE_REACH * reach
    return equal_aspect_limits((-half, half), (-half, half), SURFACE_LAYOUT)
