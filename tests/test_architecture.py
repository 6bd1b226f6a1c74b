"""Each model's default initializer: zeros for logistic regression, Keras's own for the rest."""

import io
import json
import os

import numpy as np
import pytest

import kerasclf
from kerasclf.models.architecture import (
    DEFAULT_INITS,
    INITS,
    MODEL_DEFAULTS,
    MODEL_OPTIONS,
    MODELS,
    Architecture,
    ConvArchitecture,
    check_architecture,
    check_conv_architecture,
    default_architecture,
    default_init,
)
from kerasclf.models.registry import BUILDERS, build_model
from kerasclf.models.layers import INITIALIZERS


def test_every_model_and_init_name_has_a_builder_and_a_default():
    assert set(BUILDERS) == set(MODELS) == set(DEFAULT_INITS)
    assert set(INITIALIZERS) == set(INITS) and set(DEFAULT_INITS.values()) <= set(INITS)


# A sample each model takes: two features, a small grey image for the cnn, or a
# sequence of 5 steps of 2 numbers for the recurrent models.
SAMPLE_SHAPES = {"cnn": (6, 6), "rnn": (5, 2), "lstm": (5, 2), "gru": (5, 2)}


@pytest.mark.parametrize("model", list(MODELS))
def test_default_initializer_of_each_model(model):
    shape = SAMPLE_SHAPES.get(model, 2)
    built = build_model(model, shape, seed=3)
    # The kernels W; a recurrent U starts orthogonal, as Keras's (tests/test_recurrent_models.py).
    kernels = [w.numpy() for w in built.weights if w.path.endswith("/kernel")]
    if default_init(model) == "zeros":
        assert model == "logistic" and all(not kernel.any() for kernel in kernels)
    else:  # Glorot uniform, as Keras's Dense has by default: U(-r, r), r = sqrt(6/(in + out)).
        for kernel in kernels:  # A k x k convolution's fans count k*k per input/output.
            window = np.prod(kernel.shape[:-2])
            limit = np.sqrt(6 / (window * (kernel.shape[-2] + kernel.shape[-1])))
            assert np.abs(kernel).max() <= limit and np.unique(kernel).size == kernel.size
        reference = build_model(model, shape, seed=3, init="random").get_weights()
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


def test_every_model_has_its_options_and_their_defaults():
    assert set(MODEL_OPTIONS) == set(MODEL_DEFAULTS) == set(MODELS)
    for model, options in MODEL_OPTIONS.items():
        assert set(MODEL_DEFAULTS[model]) == set(options)
    # The mlp's defaults are Architecture's; the cnn's are the seminar's small CNN.
    assert default_architecture("mlp") == Architecture()
    assert default_architecture("logistic") == Architecture()
    cnn = MODEL_DEFAULTS["cnn"]
    assert default_architecture("cnn") == Architecture(
        hidden=(32,), activation="relu", dropout=0.25
    )
    conv = check_conv_architecture(
        cnn["filters"], cnn["kernel_size"], cnn["pool_size"], cnn["pooling"]
    )
    assert conv == ConvArchitecture(filters=(4,), kernel_size=5, pool_size=2, pooling="max")
    check_architecture(cnn["hidden"], cnn["activation"], 0.0, 0.0, cnn["dropout"])


# Every built-in model, with an input it takes and an Architecture option it has no layer for.
_UNUSED_OPTIONS = [
    (model, option, value)
    for model in MODELS
    for option, value in (("hidden", (16,)), ("activation", "relu"), ("dropout", 0.5))
    if option not in MODEL_OPTIONS[model]
]


@pytest.mark.parametrize("model, option, value", _UNUSED_OPTIONS)
def test_build_model_refuses_an_architecture_option_its_model_ignores(model, option, value):
    shape = (5,) if model in ("rnn", "lstm", "gru") else 2
    with pytest.raises(ValueError) as raised:
        build_model(model, shape, architecture=Architecture(**{option: value}), vocabulary_size=9)
    message = str(raised.value)
    assert message.startswith(f"`architecture.{option}` does not shape the {model!r} model")
    assert f"Received: {option}={value!r}." in message and "\n" not in message


@pytest.mark.parametrize("model", MODELS)
def test_build_model_takes_the_penalties_for_every_model(model):
    """l1 and l2 apply to every model's kernels: the cost grows by l2 * sum of w^2."""
    shape = (5,) if model in ("rnn", "lstm", "gru") else (12, 12) if model == "cnn" else 2
    built = build_model(model, shape, architecture=Architecture(l2=0.5), vocabulary_size=9)
    expected = 0.5 * sum(
        float(np.sum(np.square(weight))) for weight in built.weights if "kernel" in weight.path
    )
    assert float(sum(built.losses)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("shape", [np.int64(3), np.array([3]), (np.int32(3),)])
def test_build_model_takes_numpy_numbers_for_the_input_shape(shape):
    assert build_model("logistic", shape).input_shape == (None, 3)


@pytest.mark.parametrize("model, hidden", [("logistic", ()), ("mlp", (8,))])
def test_a_first_layer_beyond_memory_is_one_line_naming_the_samples_shape(model, hidden):
    """Two axes of a million: the data's shape given for one sample's, weights of terabytes."""
    architecture = Architecture(hidden=hidden) if hidden else None
    with pytest.raises(ValueError) as raised:
        build_model(model, (10**6, 10**6), architecture=architecture)
    message = str(raised.value)
    units = 8 if hidden else 1
    assert f"is 1000000000000 features a sample, and the first layer's {units} unit" in message
    assert f"need {4 * 10**12 * units} bytes" in message and "\n" not in message
    assert "not the data's (samples, features)" in message


def test_num_targets_is_refused_for_a_classifier():
    with pytest.raises(ValueError) as raised:
        build_model("logistic", 2, num_targets=3)
    assert "Received: num_targets=3 with task='classification'. Pass task='regression'" in str(
        raised.value
    )
    assert build_model("logistic", 2, task="regression", num_targets=3).output_shape == (None, 3)


def test_an_unknown_model_has_no_default_architecture():
    with pytest.raises(ValueError, match="Did you mean 'cnn'"):
        default_architecture("cnnn")
