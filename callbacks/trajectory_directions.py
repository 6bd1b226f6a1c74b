"""The plane of the error surface's slice: the principal directions of the optimizer's path.

Li et al.'s trajectory plot (`kerasclf.callbacks.landscape_surface`) slices
the cost through the final weights along the two directions in which the path
moved most, its principal directions (PCA), found from the path's
(steps x steps) Gram matrix a block of parameters at a time, so that a
network of a million weights needs no copy of the whole path. numpy only.
"""

from __future__ import annotations

import numpy as np


def trajectory_directions(path: np.ndarray, centre: np.ndarray, seed: int = 0) -> tuple:
    """Two orthonormal directions: the principal directions of the path (PCA).

    Where the path has fewer than two directions of movement (one or two
    points, or a straight line), seeded random unit directions, orthogonal to
    the others, fill in. Each principal direction points from the path's
    first point towards `centre`: the path comes in from the left and from
    below.

    The principal directions come from the path's (steps x steps) Gram
    matrix, built a block of parameters at a time in float64, rather than an
    SVD of the whole (steps x parameters) path, whose copies took 1.5 GB for
    60 epochs of a network of a million weights.

    Args:
        path: Weights along the path, `(num_steps, num_parameters)`.
        centre: The slice's centre, e.g. the current weights.
        seed: Seed of the random directions.

    Returns:
        `(directions, kinds)`: a `(2, num_parameters)` float64 array and, for
        each direction, `"PCA"` or `"random"`.

    Example:
        >>> path = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [2.0, 0.1, 0.0]])
        >>> directions, kinds = trajectory_directions(path, path[-1])
        >>> kinds
        ['PCA', 'PCA']
    """
    finite = np.isfinite(path).all(axis=1)
    rows = path if finite.all() else path[finite]
    directions, kinds = [], []
    if len(rows) >= 2:
        for direction in principal_directions(rows, count=2):
            first = project(rows[:1], centre, direction[None])[0, 0]
            directions.append(-direction if first > 0 else direction)
            kinds.append("PCA")
    rng = np.random.default_rng(seed)
    while len(directions) < 2:
        vector = rng.standard_normal(len(centre))
        for direction in directions:
            vector -= (vector @ direction) * direction
        directions.append(vector / np.linalg.norm(vector))
        kinds.append("random")
    return np.stack(directions), kinds


def principal_directions(rows: np.ndarray, count: int) -> list[np.ndarray]:
    """Up to `count` principal directions of `rows` (unit, float64), largest variance first.

    Those whose singular value is below 1e-6 of the largest are left out: the
    rows do not move along them. The eigenvectors of the centred rows' Gram
    matrix give them as an SVD would (up to sign), in memory of the order of
    one block of `PARAMETER_BLOCK` columns.

    Example:
        >>> rows = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])  # Along (0.6, 0.8).
        >>> [np.round(np.abs(direction), 6).tolist() for direction in principal_directions(rows, 2)]
        [[0.6, 0.8]]
    """
    mean = rows.mean(axis=0, dtype=np.float64)
    gram = np.zeros((len(rows), len(rows)))
    for _, block in _centred_blocks(rows, mean):
        gram += block @ block.T
    eigenvalues, eigenvectors = np.linalg.eigh(gram)  # Ascending.
    largest = max(eigenvalues[-1], 0.0)
    directions = []
    for index in range(len(rows) - 1, max(len(rows) - 1 - count, -1), -1):
        if not eigenvalues[index] > 1e-12 * largest or largest == 0.0:
            break
        direction = np.empty(rows.shape[1])
        for columns, block in _centred_blocks(rows, mean):
            direction[columns] = eigenvectors[:, index] @ block
        directions.append(direction / np.linalg.norm(direction))
    return directions


def project(rows: np.ndarray, centre: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """`(rows - centre) @ directions.T` in float64, a block of parameters at a time.

    Example:
        >>> project(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 2.0]), np.eye(2)).tolist()
        [[0.0, 0.0], [2.0, 2.0]]
    """
    coordinates = np.zeros((len(rows), len(directions)))
    for columns, block in _centred_blocks(rows, centre):
        coordinates += block @ directions[:, columns].T
    return coordinates


# Parameters per block of `_centred_blocks`: half a MiB of float64 for each row of a path.
PARAMETER_BLOCK = 1 << 16


def _centred_blocks(rows: np.ndarray, centre: np.ndarray):
    """`(columns, rows[:, columns] - centre[columns])` in float64, block after block."""
    for start in range(0, rows.shape[1], PARAMETER_BLOCK):
        columns = slice(start, start + PARAMETER_BLOCK)
        yield columns, rows[:, columns].astype(np.float64) - centre[columns]
