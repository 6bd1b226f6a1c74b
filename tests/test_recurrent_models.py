"""The recurrent models (rnn, lstm, gru) and the regression read-out of every built-in model.

Each recurrent model is checked against stock Keras: its layers, its parameter
count against the formulas, its forward pass against a `keras.Sequential` of
the same layers with the same weights (and the rnn's against numpy), on
sequences of numbers and on token ids, at time lengths other than the one it
was built for. Every built-in and user model can end in a linear
Dense(num_targets) for a regression; every bad option is one line.
"""

import keras
import numpy as np
import pytest

from kerasclf.models.architecture import (
    MODEL_DEFAULTS,
    MODEL_OPTIONS,
    MODELS,
    RECURRENT_MODELS,
    Architecture,
)
from kerasclf.models.recurrent_architecture import (
    RecurrentArchitecture,
    check_recurrent_architecture,
)
from kerasclf.models.features import FeatureMap
from kerasclf.models.inspection import check_regression_output, model_task
from kerasclf.models.registry import build_model
from kerasclf.models.user import user_model
from kerasclf.run.config import TrainConfig
from kerasclf.run.model_defaults import check_options_apply, fill_model_defaults

STOCK_LAYERS = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
# Gates per cell, and the biases per unit of each gate (GRU's reset_after: two).
GATES = {"rnn": (1, 1), "lstm": (4, 1), "gru": (3, 2)}
STEPS, FEATURES, VOCABULARY, EMBEDDING, UNITS = 6, 3, 11, 4, 5
INPUTS = ("numbers", "tokens")


def sample_shape(inputs: str) -> tuple[int, ...]:
    return (STEPS, FEATURES) if inputs == "numbers" else (STEPS,)


def batch(inputs: str, steps: int = STEPS, size: int = 4, seed: int = 0) -> np.ndarray:
    """Sequences of numbers (size, steps, F), or token ids (size, steps) held as float32."""
    generator = np.random.default_rng(seed)
    if inputs == "numbers":
        return generator.normal(size=(size, steps, FEATURES)).astype(np.float32)
    return generator.integers(0, VOCABULARY, size=(size, steps)).astype(np.float32)


def two_layer_model(kind: str, inputs: str, num_classes: int = 3) -> keras.Model:
    tokens = inputs == "tokens"
    # Only the rnn takes an activation; the LSTM's and GRU's gates have their own.
    activation = {"activation": "relu"} if kind == "rnn" else {}
    return build_model(
        kind,
        sample_shape(inputs),
        num_classes,
        seed=2,
        architecture=Architecture(dropout=0.3, **activation),
        recurrent=RecurrentArchitecture(UNITS, 2, EMBEDDING if tokens else None),
        vocabulary_size=VOCABULARY if tokens else None,
    )


def stock_model(kind: str, inputs: str, num_classes: int = 3) -> keras.Sequential:
    """The same layers, straight from Keras with its defaults."""
    activation = {"activation": "relu"} if kind == "rnn" else {}
    layers = [keras.Input((None,) if inputs == "tokens" else (None, FEATURES))]
    if inputs == "tokens":
        layers.append(keras.layers.Embedding(VOCABULARY, EMBEDDING))
    layers += [
        STOCK_LAYERS[kind](UNITS, return_sequences=True, **activation),
        keras.layers.Dropout(0.3),
        STOCK_LAYERS[kind](UNITS, **activation),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(num_classes, activation="softmax"),
    ]
    return keras.Sequential(layers)


@pytest.fixture(scope="module", params=[(k, i) for k in RECURRENT_MODELS for i in INPUTS])
def built(request):
    kind, inputs = request.param
    return kind, inputs, two_layer_model(kind, inputs)


def forward(model: keras.Model, data: np.ndarray) -> np.ndarray:
    """The model's outputs in inference (dropout off), eagerly: no graph traced per length."""
    return keras.ops.convert_to_numpy(model(data, training=False))


def test_layers_shapes_and_parameter_counts_follow_the_formulas(built):
    kind, inputs, model = built
    layers = model.layers[1:]
    embedding = [keras.layers.Embedding] if inputs == "tokens" else []
    recurrent, dropout = STOCK_LAYERS[kind], keras.layers.Dropout
    expected = [*embedding, recurrent, dropout, recurrent, dropout, keras.layers.Dense]
    assert [type(layer) for layer in layers] == expected
    assert model.input_shape == ((None, None) if inputs == "tokens" else (None, None, FEATURES))
    cells = [layer for layer in layers if isinstance(layer, recurrent)]
    assert [cell.return_sequences for cell in cells] == [True, False]
    assert [cell.output.shape for cell in cells] == [(None, None, UNITS), (None, UNITS)]
    gates, biases = GATES[kind]
    width = EMBEDDING if inputs == "tokens" else FEATURES
    first = gates * UNITS * (width + UNITS + biases)
    second = gates * UNITS * (UNITS + UNITS + biases)
    assert [cell.count_params() for cell in cells] == [first, second]
    vocabulary = VOCABULARY * EMBEDDING if inputs == "tokens" else 0
    assert model.count_params() == vocabulary + first + second + UNITS * 3 + 3
    assert model.output_shape == (None, 3) and layers[-1].name == "output"
    assert layers[-1].activation.__name__ == "softmax"
    if kind == "rnn":
        assert all(cell.activation.__name__ == "relu" for cell in cells)


def test_forward_pass_equals_stock_keras_at_any_length(built):
    kind, inputs, model = built
    stock = stock_model(kind, inputs)
    stock.set_weights(model.get_weights())
    for steps in (2, 13):  # Built on windows of STEPS; any length reads.
        data = batch(inputs, steps, seed=steps)
        ours = forward(model, data)
        np.testing.assert_allclose(ours, forward(stock, data), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ours.sum(axis=1), 1.0, rtol=1e-5)
        assert np.ptp(ours, axis=0).max() > 1e-4  # The samples' outputs differ.
    if inputs == "tokens":  # Token ids as int32 or as Data's float32 give the same.
        np.testing.assert_array_equal(ours, forward(model, data.astype(np.int32)))


def test_simple_rnn_equals_the_recurrence_in_numpy():
    model = build_model("rnn", (STEPS, FEATURES), 2, recurrent=RecurrentArchitecture(UNITS), seed=1)
    kernel, recurrent_kernel, bias, output_kernel, output_bias = model.get_weights()
    data = batch("numbers", steps=9, size=3)
    state = np.zeros((3, UNITS))
    for step in range(9):  # h_t = tanh(W x_t + U h_{t-1} + b)
        state = np.tanh(data[:, step] @ kernel + state @ recurrent_kernel + bias)
    probability = 1 / (1 + np.exp(-(state @ output_kernel + output_bias)))
    np.testing.assert_allclose(forward(model, data), probability, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", RECURRENT_MODELS)
def test_initializers_are_seeded_keras_defaults_or_zeros(kind):
    model = build_model(kind, (STEPS,), 2, seed=5, vocabulary_size=VOCABULARY)
    again = build_model(kind, (STEPS,), 2, seed=5, vocabulary_size=VOCABULARY)
    for ours, theirs in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    embeddings, kernel, recurrent_kernel = model.get_weights()[:3]
    assert embeddings.shape == (VOCABULARY, 16) and np.abs(embeddings).max() <= 0.05
    limit = np.sqrt(6 / sum(kernel.shape))  # Glorot uniform W.
    assert np.abs(kernel).max() <= limit and np.unique(kernel).size == kernel.size
    # Orthogonal U: its rows (units of them, gates * units long) are orthonormal.
    np.testing.assert_allclose(recurrent_kernel @ recurrent_kernel.T, np.eye(32), atol=1e-5)
    zeros = build_model(kind, (STEPS, 2), 2, init="zeros").get_weights()
    if kind == "lstm":  # Keras's unit_forget_bias: the forget gate's bias starts at 1.
        np.testing.assert_array_equal(zeros.pop(2), np.repeat([0.0, 1.0, 0.0, 0.0], 32))
    assert not any(weight.any() for weight in zeros)


@pytest.mark.parametrize("name", list(MODELS))
def test_every_built_in_model_has_a_linear_read_out_for_a_regression(name):
    shape = {"cnn": (6, 6)}.get(name, (STEPS, FEATURES) if name in RECURRENT_MODELS else (4,))
    model = build_model(name, shape, num_classes=None, task="regression", num_targets=2)
    output = model.layers[-1]
    assert output.name == "output" and output.activation.__name__ == "linear"
    assert model.output_shape == (None, 2) and model_task(model) == "regression"
    check_regression_output(model)
    data = np.random.default_rng(0).normal(size=(3, *shape)).astype(np.float32)
    # The read-out is x W + b of what the layers before it give.
    hidden = forward(keras.Model(model.input, output.input), data)
    kernel, bias = output.get_weights()
    np.testing.assert_allclose(forward(model, data), hidden @ kernel + bias, rtol=1e-5, atol=1e-6)
    classifier = build_model(name, shape, num_classes=3, vocabulary_size=None)
    assert model_task(classifier) == "classification"
    with pytest.raises(ValueError, match="a regression model needs a linear output"):
        check_regression_output(classifier)


def test_logistic_regression_becomes_linear_regression():
    model = build_model("logistic", 3, task="regression", init="zeros")
    assert [weight.shape for weight in model.weights] == [(3, 1), (1,)]
    assert model.layers[-1].activation.__name__ == "linear"


def test_user_regression_models_are_linear_with_one_unit_per_target():
    def linear(input_shape, num_targets):
        inputs = keras.Input(input_shape)
        flat = keras.layers.Flatten()(inputs)
        return keras.Model(inputs, keras.layers.Dense(num_targets, name="read_out")(flat))

    def squashed(input_shape, num_targets):
        inputs = keras.Input(input_shape)
        outputs = keras.layers.Dense(num_targets, activation="sigmoid", name="read_out")(inputs)
        return keras.Model(inputs, outputs)

    model = user_model(linear, (5, 2), None, task="regression", num_targets=3)
    assert model.output_shape == (None, 3)
    with pytest.raises(
        ValueError, match=r"^`model` 'functional\w*' outputs shape \(None, 3\), but a"
    ):
        user_model(linear(input_shape=(5, 2), num_targets=3), (5, 2), None, "regression", 2)
    with pytest.raises(ValueError, match="needs a linear output .* 'read_out' has activation"):
        user_model(squashed, (4,), None, task="regression", num_targets=1)
    with pytest.raises(ValueError, match="need probabilities"):  # Classification unchanged.
        user_model(linear(input_shape=(4,), num_targets=1), (4,), 2)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: check_recurrent_architecture(0, 1), "`units` must be an integer >= 1"),
        (lambda: check_recurrent_architecture(4, 0), "`layers` must be an integer >= 1"),
        (lambda: check_recurrent_architecture(4, 1, 0), "`embedding_dim` must be an integer"),
        (
            lambda: build_model("gru", (STEPS,)),
            r"reads samples of shape \(time,\) as token ids, which need `vocabulary_size`",
        ),
        (
            lambda: build_model("lstm", (STEPS, 2), recurrent=RecurrentArchitecture(4, 1, 8)),
            r"`embedding_dim` applies to token ids .* Received: embedding_dim=8",
        ),
        (
            lambda: build_model("rnn", (STEPS, 2), vocabulary_size=7),
            r"`vocabulary_size` applies to token ids .* Received: vocabulary_size=7",
        ),
        (lambda: build_model("rnn", (4, 4, 1)), r"reads sequences: .* input_shape=\(4, 4, 1\)"),
        (lambda: build_model("mlp", 3, recurrent=RecurrentArchitecture()), "`recurrent` shapes"),
        (
            lambda: build_model("lstm", (STEPS, 2), feature_map=FeatureMap("x1,x2")),
            "reads sequences. Received: feature_map",
        ),
        (lambda: build_model("rnn", (STEPS, 2), recurrent=(4, 1)), "must be a Recurrent"),
        (lambda: build_model("mlp", 3, task="regresion"), "Did you mean 'regression'"),
        (lambda: build_model("mlp", 3, task="regression", num_targets=0), "`num_targets`"),
    ],
)
def test_bad_options_are_one_line(build, message):
    with pytest.raises((ValueError, TypeError), match=message) as error:
        build()
    assert "\n" not in str(error.value)


def test_options_and_training_defaults_of_the_recurrent_models():
    assert set(MODEL_OPTIONS["rnn"]) == set(MODEL_OPTIONS["lstm"]) | {"activation"}
    assert MODEL_DEFAULTS["gru"] == {
        "units": 32,
        "layers": 1,
        "embedding_dim": None,
        "dropout": 0.0,
    }
    filled = fill_model_defaults(TrainConfig(model="lstm"))
    assert (filled.units, filled.layers, filled.embedding_dim, filled.hidden) == (32, 1, None, None)
    assert (filled.optimizer, filled.batch_size, filled.epochs, filled.cost) == (
        "adam", 32, 20, "mean",
    )  # fmt: skip
    assert fill_model_defaults(TrainConfig(model="rnn")).activation == "tanh"
    check_options_apply(TrainConfig(model="gru", units=8, layers=2, embedding_dim=4))
    with pytest.raises(ValueError, match="It applies to: rnn, lstm, gru"):
        check_options_apply(TrainConfig(model="cnn", layers=2))
    with pytest.raises(ValueError, match="`activation` does not shape the 'lstm' model"):
        check_options_apply(TrainConfig(model="lstm", activation="relu"))
