"""kerasclf: a Keras 3 training framework for the deep-learning seminar.

From a hand-set linear decision function to logistic regression trained by
gradient descent, to feature maps and MLPs, with TensorBoard showing the cost,
the weights, the decision boundary and the error surface.

`import kerasclf` is instant: each public name is imported on first use, and
only the names that train or evaluate import TensorFlow (without its start-up
lines, see `kerasclf.quiet_tensorflow`). So the CLI answers `--help`, the
listings and bad input without waiting for TensorFlow.

Example:
    >>> import kerasclf
    >>> result = kerasclf.train(optimizer="momentum", epochs=50)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

# Sets TensorFlow's log level before anything imports TensorFlow; a level the user chose is kept.
from kerasclf import tensorflow_log  # noqa: F401

# Each public name and the module that defines it, imported on first use.
_PUBLIC_NAMES = {
    "DATASETS": "kerasclf.data",
    "Data": "kerasclf.data",
    "load_data": "kerasclf.data",
    "load_data_splits": "kerasclf.data",
    "make_dataset": "kerasclf.data",
    "split_validation": "kerasclf.data",
    "MODELS": "kerasclf.models.architecture",
    "Architecture": "kerasclf.models.architecture",
    "PRESETS": "kerasclf.engine.presets",
    "TrainConfig": "kerasclf.run.config",
    "make_config": "kerasclf.run.config_making",
    "Classifier": "kerasclf.engine.classifier",
    "CrossEntropy": "kerasclf.engine.losses",
    "FeatureMap": "kerasclf.models.features",
    "InverseSqrtDecay": "kerasclf.engine.optimizers",
    "make_optimizer": "kerasclf.engine.optimizers",
    "build_model": "kerasclf.models.registry",
    "evaluate_linear": "kerasclf.engine.hand_set_line",
    "evaluate_model": "kerasclf.engine.evaluation",
    "TrainResult": "kerasclf.run.training",
    "train": "kerasclf.run.training",
    "resume": "kerasclf.run.resuming",
}
__all__ = list(_PUBLIC_NAMES)
# The modules above that import no TensorFlow.
_WITHOUT_TENSORFLOW = {
    "kerasclf.data",
    "kerasclf.models.architecture",
    "kerasclf.engine.presets",
    "kerasclf.run.config",
    "kerasclf.run.config_making",
}


def __getattr__(name: str):
    module = _PUBLIC_NAMES.get(name)
    if module is None:
        # Loaded only for the message: `import kerasclf` stays instant.
        suggest = importlib.import_module("kerasclf.validation").did_you_mean
        hint = "" if name.startswith("__") else suggest(name, _PUBLIC_NAMES)
        raise AttributeError(f"module 'kerasclf' has no attribute {name!r}.{hint}")
    if module not in _WITHOUT_TENSORFLOW:  # Silenced before any module imports it.
        importlib.import_module("kerasclf.quiet_tensorflow")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # Looked up once.
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
