"""How finely a loss-landscape slice is evaluated: fitted to the model's size and its training.

Each grid point of a slice (`callbacks.landscape_surface`) is a forward pass
over the surface's points. A small model's slice is drawn in full, with XLA; a
larger model's on a fixed, seeded sample of the points and, where that is not
enough, a coarser grid (`landscape_resolution`), and the image's description
says so (`resolution_note`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from kerasclf.callbacks.surface_plot import GRID_POINTS

# The rule that fits a slice's work to the model (`landscape_resolution`), so
# that the surface costs at most about a quarter of a run's time (issue #18;
# a small CNN's full slice: 2,304 passes over 2,000 images, against 10 epochs).
# A slice whose full grid (48 x 48 forward passes over the surface's points, at
# most 4096) costs at most this many multiply-adds is drawn in full with XLA,
# as always: under a second on one core even for convolutions; the Day-1 MLP's
# is 2,304 x 200 points x 122 = 6e7.
FULL_SURFACE_MULTIPLY_ADDS = 2**30
# A larger model's slice gets at most this many one-sample forward passes (grid
# points x samples) per sample of training (epochs x training points). A
# training sample costs a forward and a backward pass, about three forward
# passes, in minibatches; so the slice does at most about a sixth of the
# training's work, and, its passes batched, takes well under a tenth of its
# time (benchmarks/surface_cost.py: on the CPU a small CNN's pass takes 30 to
# 50 us in the slice, a training sample about 300 us at batch 32). The
# drawing, the path's costs and compiling add a fixed half second or so.
LANDSCAPE_SHARE = 0.5
# It runs over at most this many of the training points, a fixed, seeded sample
# (its summed cost scaled to all the points), and at least this many
# (fewer only when the training set is smaller) ...
LANDSCAPE_SAMPLES = 512
MIN_LANDSCAPE_SAMPLES = 32
# ... on the finest of these grids (points per axis) that fits, else on the
# coarsest with fewer samples. The coarse grid is interpolated to the image.
LANDSCAPE_GRID_SIZES = (GRID_POINTS, 32, 24, 16)


@dataclasses.dataclass(frozen=True)
class LandscapeResolution:
    """How a slice is evaluated: its grid, its points, and whether it is the full one.

    Attributes:
        grid_points: Grid points per axis.
        num_samples: How many of the surface's points the cost runs over.
        full: The slice as always: the whole grid over all the surface's
            points, compiled with XLA. Else TensorFlow's own kernels run it
            (on the CPU about 3 times faster for convolutions, and no compiling).
    """

    grid_points: int
    num_samples: int
    full: bool


def landscape_resolution(
    multiply_adds: int,
    num_samples: int,
    training_samples: int,
    epochs: int,
    vectorized: bool = True,
) -> LandscapeResolution:
    """The grid and the sample of points a slice is evaluated on (the rule above).

    Args:
        multiply_adds: One sample's forward pass (`forward_cost`).
        num_samples: The surface's points (at most `MAX_SURFACE_SAMPLES`).
        training_samples: The training points they stand for.
        epochs: The epochs the path trained.
        vectorized: Whether the grid's vectors run as one vectorized XLA
            program. A recurrent model's run one after the other
            (`ParameterCost`), each paying its loop's steps, so it never
            gets the full slice.

    Example:
        >>> landscape_resolution(122, 200, 200, 100)  # The Day-1 MLP: in full.
        LandscapeResolution(grid_points=48, num_samples=200, full=True)
        >>> landscape_resolution(153862, 2000, 2000, 10)  # A small CNN, 10 epochs.
        LandscapeResolution(grid_points=16, num_samples=39, full=False)
        >>> landscape_resolution(153862, 2000, 2000, 100)
        LandscapeResolution(grid_points=16, num_samples=390, full=False)
        >>> landscape_resolution(153862, 2000, 2000, 500)
        LandscapeResolution(grid_points=24, num_samples=512, full=False)
    """
    if vectorized and GRID_POINTS**2 * num_samples * multiply_adds <= FULL_SURFACE_MULTIPLY_ADDS:
        return LandscapeResolution(GRID_POINTS, num_samples, full=True)
    budget = LANDSCAPE_SHARE * max(epochs, 1) * training_samples
    samples = min(num_samples, LANDSCAPE_SAMPLES)
    for size in LANDSCAPE_GRID_SIZES:
        if size**2 * samples <= budget:
            return LandscapeResolution(size, samples, full=False)
    size = LANDSCAPE_GRID_SIZES[-1]
    fewest = min(MIN_LANDSCAPE_SAMPLES, samples)
    return LandscapeResolution(size, int(np.clip(budget // size**2, fewest, samples)), full=False)


def resolution_note(resolution: LandscapeResolution, training_samples: int) -> str:
    """What the image's description says of a reduced slice; empty for a full one.

    Example:
        >>> note = resolution_note(LandscapeResolution(16, 64, full=False), 2000)
        >>> note.startswith("Large model: J on a fixed, seeded sample of 64 of the 2,000 ")
        True
        >>> note.endswith("on a 16 x 16 grid of weights interpolated between.")
        True
        >>> resolution_note(LandscapeResolution(48, 200, full=True), 200)
        ''
    """
    parts = []
    if resolution.num_samples < training_samples:
        parts.append(
            f"J on a fixed, seeded sample of {resolution.num_samples:,} of the "
            f"{training_samples:,} training samples (standing for all of them)"
        )
    if resolution.grid_points < GRID_POINTS:
        size = resolution.grid_points
        parts.append(f"on a {size} x {size} grid of weights interpolated between")
    return f"Large model: {', '.join(parts)}." if parts else ""
