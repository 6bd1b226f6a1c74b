"""Each model's default initializer: zeros for logistic regression, Keras's own for the rest."""

import io
import json
import os

import numpy as np
import pytest

import kerasclf
from kerasclf.models.architecture import DEFAULT_INITS, INITS, MODELS, default_init
from kerasclf.models.registry import BUILDERS, build_model
from kerasclf.models.layers import INITIALIZERS


def test_every_model_and_init_name_has_a_builder_and_a_default():
    assert set(BUILDERS) == set(MODELS) == set(DEFAULT_INITS)
    assert set(INITIALIZERS) == set(INITS) and set(DEFAULT_INITS.values()) <= set(INITS)


@pytest.mark.parametrize("model", list(MODELS))
def test_default_initializer_of_each_model(model):
    built = build_model(model, 2, seed=3)
    kernels = [w for w in built.get_weights() if w.ndim == 2]
    if default_init(model) == "zeros":
        assert model == "logistic" and all(not kernel.any() for kernel in kernels)
    else:  # Glorot uniform, as Keras's Dense has by default: U(-r, r), r = sqrt(6/(in + out)).
        for kernel in kernels:
            limit = np.sqrt(6 / sum(kernel.shape))
            assert np.abs(kernel).max() <= limit and np.unique(kernel).size == kernel.size
        reference = build_model(model, 2, seed=3, init="random").get_weights()
        for ours, theirs in zip(built.get_weights(), reference):
            np.testing.assert_array_equal(ours, theirs)


def test_mlp_learns_xor_with_its_defaults(tmp_path):
    # With zeros it would stay at chance (0.55 measured): the hidden units never differ.
    stream = io.StringIO()
    settings = {"model": "mlp", "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32}
    result = kerasclf.train(
        logdir=str(tmp_path), dataset="xor", epochs=150, images=False, stream=stream, **settings
    )
    assert result.summary["accuracy"] > 0.95
    assert "init=zeros" not in stream.getvalue()  # No symmetry note.
    saved = json.load(open(os.path.join(result.run_dir, "config.json")))
    assert saved["init"] == "random"


def test_mlp_from_zeros_still_works_with_its_note(tmp_path):
    stream = io.StringIO()
    result = kerasclf.train(
        logdir=str(tmp_path), model="mlp", init="zeros", epochs=3, images=False, stream=stream
    )
    assert "init=zeros starts every hidden unit the same" in stream.getvalue()
    hidden = result.model.get_weights()[0]
    assert np.all(hidden == hidden[:, :1])  # Every hidden unit is still the same.
