"""The minimum of the cost on a surface: Newton's method for logistic regression, or the grid's.

The error surface marks the lowest cost in view with a cross. For
logistic regression `newton_minimum` finds it exactly, in float64; for any
other model `grid_minimum` takes the lowest of the grid's costs.
"""

from __future__ import annotations

import numpy as np

from kerasclf.callbacks.surface_plot import GRID_POINTS, Plane


def logistic_cost(design: np.ndarray, labels: np.ndarray, theta: np.ndarray, offset) -> float:
    """The summed cross-entropy of p = sigmoid(design theta + offset), in float64.

    Example:
        >>> round(logistic_cost(np.ones((2, 1)), np.array([0, 1]), np.zeros(1), 0.0), 4)  # 2 log 2
        1.3863
    """
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
    cost = logistic_cost(design, labels, theta, offset)
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
            candidate_cost = logistic_cost(design, labels, candidate, offset)
            if candidate_cost < cost:
                break
            fraction /= 2
        else:
            return theta, False  # No step decreases the cost: as far as float64 goes.
        theta, cost = candidate, candidate_cost
    return theta, False


def grid_minimum(costs: np.ndarray, plane: Plane) -> np.ndarray | None:
    """The grid's lowest point, or None on the grid's edge: the cost falls on beyond the view.

    Args:
        costs: The costs on the plane's grid, `(GRID_POINTS, GRID_POINTS)`, top row first.
        plane: The plane.

    Returns:
        The `(u, v)` of the lowest cost, or None.

    Example:
        >>> plane = Plane(np.zeros(2), np.eye(2), (-1.0, 1.0), (-1.0, 1.0))
        >>> u, v = plane.grid_coordinates()
        >>> bowl = (u[None, :] - 0.5) ** 2 + (v[:, None] - 0.3) ** 2
        >>> grid_minimum(bowl, plane).round(2).tolist(), grid_minimum(-bowl, plane)
        ([0.49, 0.32], None)
    """
    row, column = np.unravel_index(np.argmin(costs), costs.shape)
    if {row, column} & {0, GRID_POINTS - 1}:
        return None
    u, v = plane.grid_coordinates()
    return np.array([u[column], v[row]])
