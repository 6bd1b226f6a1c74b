"""TensorBoard callbacks for kerasclf: cost, weights, images and run config.

Each is a `keras.callbacks.Callback` that works with any `model.fit`.
"""

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
from callbacks.boundary import DecisionBoundaryLogger
from callbacks.cost import CostLogger
from callbacks.divergence import DivergenceStop
from callbacks.error_surface import ErrorSurfaceLogger
from callbacks.hparams import RunConfigLogger
from callbacks.minibatch_cost import MinibatchCostLogger
from callbacks.progress import EpochPrinter
from callbacks.weights import WeightLogger

__all__ = [
    "CostLogger",
    "DecisionBoundaryLogger",
    "DivergenceStop",
    "EpochPrinter",
    "ErrorSurfaceLogger",
    "MinibatchCostLogger",
    "RunConfigLogger",
    "WeightLogger",
]
