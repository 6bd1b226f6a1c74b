"""scikit-learn's `SGDClassifier`: batch 1, no momentum, one epoch per `fit`."""

from __future__ import annotations

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier

from benchmarks.speed.settings import LEARNING_RATE, SEED, Settings, hand_line
from benchmarks.speed.timing import Runner, time_epochs


def sklearn_runner(num_samples: int, batch_size: int, settings: Settings, logdir: str) -> Runner:
    """`SGDClassifier`, one epoch (`max_iter=1`) per `fit`, continuing from the last.

    Args:
        num_samples: Points per epoch.
        batch_size: Unused: scikit-learn's SGD is always batch 1.
        settings: Sizes and repeats (`min_seconds` is used).
        logdir: Unused; every runner maker takes it.

    Returns:
        A runner: each call times whole epochs after a warm-up epoch.

    Example:
        >>> from benchmarks.speed.settings import QUICK_SETTINGS
        >>> sklearn_runner(256, 1, QUICK_SETTINGS, "")().samples_per_second > 0
        True
    """
    data = hand_line(num_samples)
    features = data.features.astype("float64")  # What sklearn would convert to anyway.
    classifier = SGDClassifier(
        loss="log_loss",
        penalty=None,
        learning_rate="constant",
        eta0=LEARNING_RATE,
        max_iter=1,
        tol=None,
        shuffle=True,
        random_state=SEED,
        warm_start=True,
    )

    def run_epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            classifier.fit(features, data.labels)

    return lambda: time_epochs(run_epoch, num_samples, settings.min_seconds)
