"""`class_weight`: balanced or explicit, the same on the fused and the plain (stock) engine."""

import json
import os

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_class_weight

import kerasclf
from kerasclf.cli.main import main
from kerasclf.run.config_making import make_config
from kerasclf.run.model import resolve_class_weights


def test_balanced_weights_are_scikit_learns():
    labels = np.array([0] * 7 + [1] * 2 + [2] * 3)
    expected = compute_class_weight("balanced", classes=np.arange(3), y=labels)
    np.testing.assert_allclose(resolve_class_weights("balanced", labels, 3), expected, rtol=1e-6)


@pytest.mark.parametrize("class_weight", ["balanced", [1.0, 4.0, 0.5]])
def test_fused_and_stock_fit_weigh_classes_alike(tmp_path, class_weight):
    common = dict(
        dataset="blobs",
        num_samples=61,  # Not a multiple of the batch size: a partial last minibatch.
        model="mlp",
        hidden=[4],
        batch_size=8,
        optimizer="momentum",
        epochs=3,
        class_weight=class_weight,
        images=False,
        logdir=str(tmp_path),
    )
    fused = kerasclf.train(engine="fused", **common)
    plain = kerasclf.train(engine="plain", **common)
    unweighted = kerasclf.train(engine="fused", **{**common, "class_weight": None})
    for fused_weight, plain_weight in zip(fused.model.get_weights(), plain.model.get_weights()):
        np.testing.assert_allclose(fused_weight, plain_weight, rtol=1e-5, atol=1e-6)
    assert not np.allclose(fused.model.get_weights()[0], unweighted.model.get_weights()[0])
    config = json.load(open(os.path.join(fused.run_dir, "config.json")))
    assert config["class_weight"] == class_weight and len(config["class_weight_used"]) == 3


def test_bad_class_weights_are_one_line_exit_2(tmp_path, capsys):
    logdir = tmp_path / "logs"
    cases = [
        (["--class-weight", "1,x"], "`class_weight` must be 'balanced' or a list"),
        (["--class-weight", "1,0"], "Received 0 for class 1"),
        (["--class-weight", "1,2,3"], "one weight per class, 2 here. Received 3"),
    ]
    for flags, message in cases:
        assert main(["train", *flags, "--logdir", str(logdir)]) == 2
        error = capsys.readouterr().err.strip().splitlines()
        assert len(error) == 1 and message in error[0], error
    assert not logdir.exists()


def test_a_numpy_array_of_weights_is_a_list_of_weights():
    config = make_config(class_weight=np.array([1.0, 2.0]))
    assert config.class_weight == [1.0, 2.0] and type(config.class_weight[0]) is float
    with pytest.raises(TypeError, match=r"Received: class_weight=\[\[1.0, 2.0\]\] of type list"):
        make_config(class_weight=np.array([[1.0, 2.0]]))
