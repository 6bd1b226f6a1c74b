"""Keras's scikit-learn wrappers, loaded on first use instead of with Keras.

`import keras` imports `keras.wrappers` (`SKLearnClassifier` and its
siblings), and with it scikit-learn and SciPy whenever they are installed, as
they are with kerasclf's test extras. That costs about 0.8 s of every process
that trains (`python -m benchmarks.run_overhead`), for classes that no
kerasclf run uses.

`defer_keras_wrappers`, called before TensorFlow (and so Keras) is imported,
has Python create `keras.wrappers` as a lazy module
(`importlib.util.LazyLoader`): `keras.wrappers` and
`from keras.wrappers import SKLearnClassifier` still work, and load
scikit-learn at that moment. Where Keras is already imported, or has no
`keras/wrappers` package, nothing changes.

Example:
    >>> import keras
    >>> from keras.wrappers import SKLearnClassifier
    >>> SKLearnClassifier.__name__
    'SKLearnClassifier'
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys

DEFERRED_MODULE = "keras.wrappers"


class _LazyKerasWrappers(importlib.abc.MetaPathFinder):
    """Finds `keras.wrappers` as Python would, with a loader that runs it on first use."""

    def find_spec(self, name, path, target=None):
        if name != DEFERRED_MODULE:
            return None
        sys.meta_path.remove(self)  # Needed once: the module stays in sys.modules.
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def defer_keras_wrappers() -> bool:
    """Makes the next `import keras` leave `keras.wrappers` unloaded until it is used.

    Returns:
        Whether it was deferred: False once Keras or its wrappers are
        imported, or while scikit-learn is already loaded (nothing to save).
    """
    if "keras" in sys.modules or DEFERRED_MODULE in sys.modules or "sklearn" in sys.modules:
        return False
    if not any(isinstance(finder, _LazyKerasWrappers) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LazyKerasWrappers())
    return True
