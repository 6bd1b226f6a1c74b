"""The cost over weight space, for the error surface: the view that fits a model.

- `callbacks.parameter_cost`: `ParameterCost`, the cost J at many flattened
  parameter vectors at once, one vectorized pass of the model (any model);
  `surface_sample`, `cost_scale`, and `forward_cost`, what one sample's
  forward pass costs.
- `callbacks.cost_minimum`: `newton_minimum`, the minimum of logistic
  regression's J in float64, and `grid_minimum`.
- `callbacks.weight_plane_surface`: `WeightPlaneSurface` and
  `WeightPlaneFrames`, logistic regression on two inputs, the (w1, w2) plane
  at each step's bias, on axes that hold the path.
- `callbacks.landscape_surface`: `LandscapeSurface` and `TrajectorySlice`, any
  other model, Li et al.'s slice through the final weights along the path's
  principal directions, on a grid and sample of points that fit the model's
  cost (`landscape_resolution`).
- `callbacks.trajectory_directions`: `trajectory_directions`, the path's two
  principal directions (PCA), the slice's plane.

This module picks one for a model (`make_surface`); `callbacks.error_surface`
draws its frames.
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

# Names that lived in this module before it was split, imported back so that
# `from kerasclf.callbacks.surfaces import ...` keeps working for every importer.
from kerasclf.callbacks.cost_minimum import grid_minimum, newton_minimum
from kerasclf.callbacks.landscape_resolution import (
    FULL_SURFACE_MULTIPLY_ADDS,
    LANDSCAPE_GRID_SIZES,
    LANDSCAPE_SAMPLES,
    LANDSCAPE_SHARE,
    MIN_LANDSCAPE_SAMPLES,
    LandscapeResolution,
    landscape_resolution,
)
from kerasclf.callbacks.landscape_surface import LANDSCAPE_REACH, LandscapeSurface, TrajectorySlice
from kerasclf.callbacks.trajectory_directions import trajectory_directions
from kerasclf.callbacks.parameter_cost import (
    MAX_CHUNK_VALUES,
    MAX_SURFACE_SAMPLES,
    ForwardCost,
    ParameterCost,
    cost_scale,
    forward_cost,
    surface_sample,
)
from kerasclf.callbacks.weight_plane_surface import (
    GRID_REACH,
    PATH_PADDING,
    ZOOM_BELOW,
    WeightPlaneFrames,
    WeightPlaneSurface,
)
from kerasclf.data import Data
from kerasclf.models.inspection import plain_linear_parameters

__all__ = [
    "FULL_SURFACE_MULTIPLY_ADDS",
    "GRID_REACH",
    "LANDSCAPE_GRID_SIZES",
    "LANDSCAPE_REACH",
    "LANDSCAPE_SAMPLES",
    "LANDSCAPE_SHARE",
    "MAX_CHUNK_VALUES",
    "MAX_SURFACE_SAMPLES",
    "MIN_LANDSCAPE_SAMPLES",
    "PATH_PADDING",
    "ZOOM_BELOW",
    "ForwardCost",
    "LandscapeResolution",
    "LandscapeSurface",
    "ParameterCost",
    "TrajectorySlice",
    "WeightPlaneFrames",
    "WeightPlaneSurface",
    "cost_scale",
    "forward_cost",
    "grid_minimum",
    "landscape_resolution",
    "make_surface",
    "newton_minimum",
    "surface_sample",
    "trajectory_directions",
]


def make_surface(
    model: keras.Model,
    data: Data,
    reduction: str,
    represented_samples: int | None = None,
    start: np.ndarray | None = None,
) -> WeightPlaneSurface | LandscapeSurface:
    """The view that fits the model: `WeightPlaneSurface` for p = sigmoid(w1 x1 + w2 x2 + b),
    else `LandscapeSurface`.

    Args:
        model: The model being trained.
        data: The points the cost runs over (`surface_sample` of the training points).
        reduction: `"sum"` or `"mean"`.
        represented_samples: How many points `data` stands for, when it is a sample.
        start: The path's first point, if not the current weights.

    Example:
        >>> surface = make_surface(build_model("mlp", 2), data, "sum")  # doctest: +SKIP
        >>> type(surface).__name__  # doctest: +SKIP
        'LandscapeSurface'
    """
    parameters = plain_linear_parameters(model)
    if parameters is not None and len(parameters[0]) == 2 and data.num_classes == 2:
        return WeightPlaneSurface(model, data, reduction, represented_samples, start)
    return LandscapeSurface(model, data, reduction, represented_samples)
