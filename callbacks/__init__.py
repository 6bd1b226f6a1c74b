"""TensorBoard callbacks for kerasclf: cost, weights, images, classifier panels and run config.

Each is a `keras.callbacks.Callback` that works with any `model.fit`.
"""

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
from kerasclf.callbacks.activations import ActivationImages
from kerasclf.callbacks.boundary import DecisionBoundaryLogger
from kerasclf.callbacks.classification_panels import ClassificationPanels
from kerasclf.callbacks.cost import CostLogger
from kerasclf.callbacks.divergence import DivergenceStop
from kerasclf.callbacks.embedding_projector import EmbeddingProjector
from kerasclf.callbacks.error_surface import ErrorSurfaceLogger
from kerasclf.callbacks.first_layer import FirstLayerImages
from kerasclf.callbacks.forecast import ForecastLogger
from kerasclf.callbacks.generated_text import GeneratedTextLogger
from kerasclf.callbacks.gradient_norms import GradientNorms
from kerasclf.callbacks.hidden_state import HiddenStateLogger
from kerasclf.callbacks.hparams import RunConfigLogger
from kerasclf.callbacks.minibatch_cost import MinibatchCostLogger
from kerasclf.callbacks.progress import EpochPrinter
from kerasclf.callbacks.weights import WeightLogger

__all__ = [
    "ActivationImages",
    "ClassificationPanels",
    "CostLogger",
    "DecisionBoundaryLogger",
    "DivergenceStop",
    "EmbeddingProjector",
    "EpochPrinter",
    "ErrorSurfaceLogger",
    "FirstLayerImages",
    "ForecastLogger",
    "GeneratedTextLogger",
    "GradientNorms",
    "HiddenStateLogger",
    "MinibatchCostLogger",
    "RunConfigLogger",
    "WeightLogger",
]
