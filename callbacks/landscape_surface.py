"""Li et al.'s trajectory plot, for any model: the cost on a slice through the final weights.

The slice spans the path's two principal directions (`trajectory_directions`),
so the path shows as much of its movement as a plane can. It is computed
once training ends; every frame shares the slice, its axes and its colour
bands, and only the path up to the frame's step and its current point
change, so the frames animate.
"""

from __future__ import annotations

import functools

import keras
import numpy as np

from callbacks.cost_minimum import grid_minimum
from callbacks.frame_title import frame_title
from callbacks.image_layout import equal_aspect_limits
from callbacks.parameter_cost import ParameterCost
from callbacks.surface_plot import GRID_POINTS, SURFACE_LAYOUT, Plane, SurfacePlot, cost_bands
from kerasclf.data import Data

# The grid reaches this much farther than the path's farthest point.
LANDSCAPE_REACH = 1.1


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


class LandscapeSurface:
    """Li et al.'s trajectory plot: one slice through the final weights along the
    path's principal directions, drawn once training ends, one frame per logged step.

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
        plane = Plane(final, directions, *landscape_limits(coordinates, final))
        costs = self.cost(plane.grid_parameters(), self.non_trainable)
        costs = costs.reshape(GRID_POINTS, GRID_POINTS)
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
        title = frame_title(step, float(self.path_costs[index]))
        return picture.render(
            costs, plane, coordinates[: index + 1], coordinates[index], minimum, title
        )


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
