"""kerasclf: a Keras 3 training framework for the Day-1 deep-learning seminar.

From a hand-set linear decision function to logistic regression trained by
gradient descent, to feature maps and MLPs, with TensorBoard showing the cost,
the weights, the decision boundary and the error surface.

Example:
    >>> import kerasclf
    >>> result = kerasclf.train(optimizer="momentum", epochs=50)  # doctest: +SKIP
"""

# First, before anything imports TensorFlow: its start-up lines silenced.
import kerasclf.quiet_tensorflow  # noqa: F401
from kerasclf.classifier import Classifier
from kerasclf.config import TrainConfig, make_config
from kerasclf.data import DATASETS, Data, load_data, make_dataset, split_validation
from kerasclf.evaluation import evaluate_linear, evaluate_model
from kerasclf.features import FeatureMap
from kerasclf.losses import CrossEntropy
from kerasclf.models import MODELS, Architecture, build_model
from kerasclf.optimizers import PRESETS, InverseSqrtDecay, make_optimizer
from kerasclf.training import TrainResult, train

__all__ = [
    "DATASETS",
    "MODELS",
    "PRESETS",
    "Architecture",
    "Classifier",
    "CrossEntropy",
    "Data",
    "FeatureMap",
    "InverseSqrtDecay",
    "TrainConfig",
    "TrainResult",
    "build_model",
    "evaluate_linear",
    "evaluate_model",
    "load_data",
    "make_config",
    "make_dataset",
    "make_optimizer",
    "split_validation",
    "train",
]
