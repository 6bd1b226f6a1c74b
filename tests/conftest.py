"""Shared test set-up: quiet TensorFlow, small seeded data."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest


@pytest.fixture
def blobs():
    """The seminar's blobs, drawn as the issue's reference draw does."""
    from kerasclf.data import make_dataset

    return make_dataset("seminar_blobs", seed=0)


def numpy_cost(weights, bias, features, labels):
    """Summed cross-entropy in float64 from the logit: the independent reference."""
    logits = features.astype(np.float64) @ np.asarray(weights, np.float64) + bias
    # -[l log p + (1-l) log(1-p)] = log(1 + exp(z)) - l z, computed stably.
    return float(np.sum(np.logaddexp(0.0, logits) - labels * logits))
