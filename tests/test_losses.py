import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import numpy_cost

from kerasclf.data import Data
from kerasclf.engine import evaluation
from kerasclf.engine.evaluation import (
    CHUNK_SAMPLES,
    XLA_ABOVE_SAMPLES,
    ModelEvaluator,
    evaluate_model,
)
from kerasclf.engine.hand_set_line import evaluate_linear
from kerasclf.engine.losses import CrossEntropy, SquaredError
from kerasclf.models.registry import build_model


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_cross_entropy_matches_numpy(reduction):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 50)
    logits = rng.normal(0, 3, 50)
    probabilities = 1 / (1 + np.exp(-logits))
    expected = -np.sum(labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities))
    if reduction == "mean":
        expected /= 50
    loss = CrossEntropy(reduction)(labels, probabilities[:, None].astype("float32"))
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


# (kerasclf's cost, Keras's own loss for the same output) with its default reduction.
KERAS_LOSSES = {
    "two classes": (CrossEntropy, keras.losses.BinaryCrossentropy, 2),
    "three classes": (CrossEntropy, keras.losses.SparseCategoricalCrossentropy, 3),
    "regression": (SquaredError, keras.losses.MeanSquaredError, 0),
}


@pytest.mark.parametrize("case", sorted(KERAS_LOSSES))
def test_weighted_mean_cost_divides_by_the_samples_as_keras_does(case):
    """`fit(class_weight=...)` weighs each sample's term; the mean is still over the n samples."""
    cost, keras_loss, num_classes = KERAS_LOSSES[case]
    rng = np.random.default_rng(1)
    weights = rng.choice([0.5, 1.0, 3.0], 40).astype("float32")
    if num_classes == 0:
        targets, outputs = rng.normal(size=(40, 1)), rng.normal(size=(40, 1))
    else:
        targets = rng.integers(0, num_classes, 40)
        logits = rng.normal(0, 2, (40, max(num_classes, 1) if num_classes > 2 else 1))
        outputs = keras.ops.softmax(logits) if num_classes > 2 else keras.ops.sigmoid(logits)
        targets = targets[:, None] if num_classes == 2 else targets
    outputs = np.asarray(outputs, "float32")
    ours = float(cost("mean")(targets, outputs, sample_weight=weights))
    summed = float(cost("sum")(targets, outputs, sample_weight=weights))
    np.testing.assert_allclose(ours, float(keras_loss()(targets, outputs, weights)), rtol=1e-5)
    np.testing.assert_allclose(ours, summed / 40, rtol=1e-6)
    assert abs(ours - summed / weights.sum()) > 1e-3  # Not divided by the weights' sum.


SIGMOIDS = {"keras": keras.ops.sigmoid, "tensorflow": tf.sigmoid}


@pytest.mark.parametrize(
    "mode, sigmoid",
    [("eager", "keras"), ("graph", "keras"), ("xla", "keras"), ("graph", "tensorflow")],
)
def test_two_class_gradient_is_exact_where_p_saturates(mode, sigmoid):
    """dJ/dz = p - l from the recovered logit, to float32 precision even where p is 0 or 1.

    At z = 30 with label 1, p - 1 is -9.4e-14: computed from a rounded p it
    would be 0, and through clipped probabilities the gradient would vanish.
    """
    logits = np.array([-80, -30, -2, 0, 2, 30, 80] * 2, "float32")
    labels = np.repeat([0, 1], 7)
    z = tf.Variable(logits[:, None])

    def cost_and_gradient():
        with tf.GradientTape() as tape:
            cost = CrossEntropy("sum")(labels, SIGMOIDS[sigmoid](z))
        return cost, tape.gradient(cost, z)

    if mode != "eager":
        cost_and_gradient = tf.function(cost_and_gradient, jit_compile=mode == "xla")
    cost, gradient = cost_and_gradient()
    exact_logits = logits.astype(np.float64)
    probabilities = 1 / (1 + np.exp(-exact_logits))
    exact_gradient = np.where(labels == 1, -1 / (1 + np.exp(exact_logits)), probabilities)
    np.testing.assert_allclose(gradient.numpy()[:, 0], exact_gradient, rtol=1e-6)
    exact_cost = np.sum(np.logaddexp(0, exact_logits) - labels * exact_logits)
    assert float(cost) == pytest.approx(exact_cost, rel=1e-6)


def test_hand_set_evaluation_equals_float64_numpy(blobs):
    result = evaluate_linear([1.23, 1.0], -0.55, blobs)
    expected = numpy_cost([1.23, 1.0], -0.55, blobs.features, blobs.labels)
    assert result["cost"] == pytest.approx(expected, rel=1e-6)
    assert result["mean_cost"] == pytest.approx(expected / 200, rel=1e-6)
    logits = blobs.features.astype(float) @ [1.23, 1.0] - 0.55
    assert result["accuracy"] == pytest.approx(np.mean((logits > 0) == blobs.labels))


@pytest.mark.parametrize("weights", [[1000.0, 1000.0], [-1000.0, -1000.0], [1000.0, -1000.0]])
def test_saturated_cost_is_finite_and_exact(blobs, weights):
    """p is exactly 0 or 1 in float32 here; the cost must come from the logit."""
    result = evaluate_linear(weights, 0.0, blobs)
    expected = numpy_cost(weights, 0.0, blobs.features, blobs.labels)
    assert np.isfinite(result["cost"])
    assert result["cost"] == pytest.approx(expected, rel=1e-5)


def test_training_loss_is_finite_when_saturated(blobs):
    """The compiled training step recovers the logit too (graph mode)."""
    model = build_model("logistic", 2)
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=CrossEntropy("sum"), jit_compile=True)
    model.set_weights([np.array([[-1000.0], [-1000.0]]), np.array([0.0])])
    history = model.fit(blobs.features, blobs.labels, batch_size=200, epochs=1, verbose=0)
    expected = numpy_cost([-1000, -1000], 0.0, blobs.features, blobs.labels)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert evaluate_model(model, blobs)["cost"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("num_classes, reduction", [(2, "sum"), (3, "mean")])
def test_large_data_evaluates_in_parallel_parts_as_numpy(num_classes, reduction):
    """Above XLA_ABOVE_SAMPLES the pass runs as concurrent loops over whole chunks plus a rest."""
    rng = np.random.default_rng(1)
    num_samples = XLA_ABOVE_SAMPLES + 2 * CHUNK_SAMPLES + 5
    features = rng.normal(0, 3, (num_samples, 2)).astype("float32")
    labels = rng.integers(0, num_classes, num_samples).astype("int32")
    model = build_model("logistic", 2, num_classes)
    kernel = rng.normal(0, 1, model.weights[0].shape).astype("float32")
    bias = rng.normal(0, 1, model.weights[1].shape).astype("float32")
    model.set_weights([kernel, bias])
    evaluator = ModelEvaluator(model, Data(features, labels), reduction)
    assert evaluator._parts and evaluator._rest is not None  # Both paths run.
    result = evaluator()

    logits = features.astype(np.float64) @ kernel + bias
    if num_classes == 2:  # One sigmoid unit: the second class's logit is 0.
        logits = np.concatenate([np.zeros_like(logits), logits], axis=1)
    log_normalizer = np.logaddexp.reduce(logits, axis=1)
    picked = logits[np.arange(num_samples), labels]
    expected_cost = np.sum(log_normalizer - picked)
    error = np.exp(logits - log_normalizer[:, None]) - np.eye(logits.shape[1])[labels]
    if num_classes == 2:
        error = error[:, 1:]
    gradient = np.concatenate([(features.T @ error).ravel(), error.sum(axis=0)])
    expected_norm = np.linalg.norm(gradient) / (num_samples if reduction == "mean" else 1)
    assert result["cost"] == pytest.approx(expected_cost, rel=1e-5)
    assert result["mean_cost"] == pytest.approx(expected_cost / num_samples, rel=1e-5)
    assert result["accuracy"] == pytest.approx(np.mean(np.argmax(logits, axis=1) == labels))
    assert result["gradient_norm"] == pytest.approx(expected_norm, rel=1e-4)
    # A held-out set's pass (CostLogger's) is forward only: the same values, no gradient.
    forward = ModelEvaluator(model, Data(features, labels), reduction, gradient=False)
    assert forward.keys == ("cost", "mean_cost", "accuracy")
    assert forward() == {key: result[key] for key in forward.keys}


def test_a_recurrent_model_is_evaluated_in_chunks_as_in_one_pass(monkeypatch):
    """Chunks sized by the steps' activations (char_lm held 2.5 GB in one) add up as one pass."""
    steps, units = 12, 8
    monkeypatch.setattr(evaluation, "RECURRENT_CHUNK_VALUES", 8 * steps * units * 64)
    rng = np.random.default_rng(2)
    features = rng.integers(0, 10, (300, steps)).astype("float32")
    labels = rng.integers(0, 3, 300).astype("int32")
    inputs = keras.Input((None,))
    hidden = keras.layers.LSTM(units)(keras.layers.Embedding(10, 4)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    model.compile(loss=CrossEntropy("sum"))
    evaluator = ModelEvaluator(model, Data(features, labels))
    assert [part[0].shape[1] for part in evaluator._parts] == [64] * len(evaluator._parts)
    assert sum(part[0].shape[0] for part in evaluator._parts) == 4 and evaluator._rest is not None
    result = evaluator()

    with tf.GradientTape() as tape:  # One pass over all 300 sequences.
        probabilities = model(features)
        cost = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(labels, probabilities))
    gradients = tape.gradient(cost, model.trainable_weights)
    picked = probabilities.numpy().astype(np.float64)[np.arange(300), labels]
    assert result["cost"] == pytest.approx(-np.sum(np.log(picked)), rel=1e-5)
    predicted = np.argmax(probabilities.numpy(), axis=1)
    assert result["accuracy"] == pytest.approx(np.mean(predicted == labels))
    dense = [tf.convert_to_tensor(gradient).numpy().astype(np.float64) for gradient in gradients]
    norm = np.sqrt(sum(np.sum(np.square(gradient)) for gradient in dense))
    assert result["gradient_norm"] == pytest.approx(norm, rel=1e-4)


def test_cross_entropy_config_round_trip():
    loss = CrossEntropy("mean")
    again = CrossEntropy.from_config(loss.get_config())
    assert again.get_config() == loss.get_config() == {"reduction": "mean", "name": "cross_entropy"}


def test_unknown_reduction_names_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'mean'"):
        CrossEntropy("maen")


def test_an_evaluators_gradient_switch_is_a_bool(blobs):
    with pytest.raises(TypeError, match=r"must be True or False. Received: gradient='no'"):
        ModelEvaluator(build_model("logistic", 2), blobs, gradient="no")


def test_hand_set_weights_of_wrong_length(blobs):
    with pytest.raises(ValueError, match="one number per feature \\(2\\). Received 3"):
        evaluate_linear([1.0, 2.0, 3.0], 0.0, blobs)
