"""Kerasclf's scalar callbacks, checked by reading the event files back."""

import io
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import numpy_cost
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

import kerasclf
from kerasclf.callbacks import (
    CostLogger,
    DecisionBoundaryLogger,
    EpochPrinter,
    ErrorSurfaceLogger,
    GradientNorms,
    MinibatchCostLogger,
    RunConfigLogger,
    WeightLogger,
)
from kerasclf.callbacks.scalar_descriptions import (
    scalar_descriptions,
    scalar_metadata,
    write_scalar,
)
from kerasclf.callbacks.weights import histogram_summary
from kerasclf.engine.classifier import Classifier
from kerasclf.engine.step_settings import StepSettings
from kerasclf import pipeline
from kerasclf.engine.losses import CrossEntropy
from kerasclf.models.architecture import ACTIVATIONS, Architecture
from kerasclf.models.registry import build_model
from kerasclf.engine.optimizers import make_optimizer


class WeightRecorder(keras.callbacks.Callback):
    """The model's weights at the start and after each epoch: the reference."""

    def on_train_begin(self, logs=None):
        self.weights = [self.model.get_weights()]

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def read_scalars(directory):
    events = EventAccumulator(str(directory), size_guidance={"tensors": 0, "histograms": 0})
    events.Reload()
    return events, {
        tag: {
            event.step: float(tf.make_ndarray(event.tensor_proto)) for event in events.Tensors(tag)
        }
        for tag in events.Tags()["tensors"]
        if events.SummaryMetadata(tag).plugin_data.plugin_name == "scalars"
    }


def _fit(tmp_path, blobs, callbacks, optimizer="gd", batch_size=200, epochs=6, learning_rate=0.001):
    model = build_model("logistic", 2)
    model.compile(optimizer=make_optimizer(optimizer, 200, learning_rate), loss=CrossEntropy("sum"))
    recorder = WeightRecorder()
    model.fit(
        blobs.features,
        blobs.labels,
        batch_size=batch_size,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=[*callbacks, recorder],
    )
    return model, recorder


def test_cost_and_weight_scalars_equal_numpy_at_each_epochs_weights(tmp_path, blobs):
    callbacks = [
        CostLogger(str(tmp_path), blobs.features, blobs.labels),
        WeightLogger(str(tmp_path), blobs.features, blobs.labels, gradient_norm=False),
    ]
    _, recorder = _fit(tmp_path, blobs, callbacks, optimizer="momentum", batch_size=16)
    _, scalars = read_scalars(tmp_path / "train")
    assert sorted(scalars["cost"]) == list(range(7))
    for step, (kernel, bias) in enumerate(recorder.weights):
        weights = kernel[:, 0].astype(np.float64)
        expected = numpy_cost(weights, bias[0], blobs.features, blobs.labels)
        assert scalars["cost"][step] == pytest.approx(expected, rel=1e-5)
        assert scalars["mean_cost"][step] == pytest.approx(expected / 200, rel=1e-5)
        logits = blobs.features @ weights + bias[0]
        assert scalars["accuracy"][step] == pytest.approx(np.mean((logits > 0) == blobs.labels))
        assert scalars["weights/w1"][step] == pytest.approx(kernel[0, 0], abs=1e-7)
        assert scalars["weights/w2"][step] == pytest.approx(kernel[1, 0], abs=1e-7)
        assert scalars["weights/b"][step] == pytest.approx(bias[0], abs=1e-7)
        probabilities = 1 / (1 + np.exp(-logits))
        error = probabilities - blobs.labels
        gradient = np.concatenate([blobs.features.T @ error, [error.sum()]])
        assert scalars["gradient_norm"][step] == pytest.approx(np.linalg.norm(gradient), rel=1e-4)


def _descriptions_by_step(directory, tags):
    """Each tag's description in each event, by step: what TensorBoard's reader keeps of each."""
    described = {tag: {} for tag in tags}
    for name in os.listdir(directory):
        for event in EventFileLoader(os.path.join(directory, name)).Load():
            for value in event.summary.value:
                if value.tag in described:
                    described[value.tag][event.step] = value.metadata.summary_description
    return described


def test_cost_scalars_say_what_they_are_once_per_fit(tmp_path, blobs):
    test_set = (blobs.features[:40], blobs.labels[:40])
    logger = CostLogger(str(tmp_path), blobs.features, blobs.labels, test_data=test_set)
    _fit(tmp_path, blobs, [logger], epochs=3)
    events, scalars = read_scalars(tmp_path / "train")
    shown = {tag: events.SummaryMetadata(tag).summary_description for tag in scalars}
    assert shown["cost"].startswith("J: the cross-entropy summed over the training set (200 ")
    assert "compare sets by `mean_cost`" in shown["cost"]
    assert "per sample, J / n, over the test set (40 samples)" in shown["test/mean_cost"]
    assert "share of the training set (200 samples) classified right" in shown["accuracy"]
    assert "gradient of the summed cost over the training set" in shown["gradient_norm"]
    assert set(shown) == {
        "cost",
        "mean_cost",
        "accuracy",
        "gradient_norm",
        "test/cost",
        "test/mean_cost",
        "test/accuracy",
    }
    assert all(shown.values())
    # Written with the fit's first values only (TensorBoard shows the first): not every epoch.
    described = _descriptions_by_step(tmp_path / "train", shown)
    for tag, by_step in described.items():
        assert sorted(by_step) == [0, 1, 2, 3] and by_step[0] == shown[tag], tag
        assert not any(by_step[step] for step in (1, 2, 3)), tag


def test_every_scalar_chart_of_a_run_says_what_it_is_in_its_first_event(tmp_path, blobs):
    run = kerasclf.train(
        epochs=3,
        batch_size=50,
        batch_cost=True,
        images=False,
        logdir=str(tmp_path),
        stream=io.StringIO(),
    )
    model, _ = _fit(
        tmp_path / "fit",
        blobs,
        [GradientNorms(str(tmp_path / "fit"), blobs.features, blobs.labels)],
        epochs=2,
    )
    for directory in (os.path.join(run.run_dir, "train"), tmp_path / "fit" / "train"):
        events, scalars = read_scalars(directory)
        described = _descriptions_by_step(directory, scalars)
        for tag, by_step in described.items():
            first = min(by_step)
            assert by_step[first] == events.SummaryMetadata(tag).summary_description != "", tag
            assert not any(text for step, text in by_step.items() if step != first), tag
        if directory == tmp_path / "fit" / "train":
            assert scalars and all(tag.startswith("gradient_norm/") for tag in scalars)
            for tag in scalars:
                layer = tag.split("/", 1)[1]
                assert f"weights of layer `{layer}`" in described[tag][0]
        else:
            assert {"cost", "weights/w1", "weights/b", "learning_rate", "minibatch_cost"} <= set(
                scalars
            )
            assert "parameter `w1`" in events.SummaryMetadata("weights/w1").summary_description
            assert described["minibatch_cost"][1].startswith("The cost of each minibatch")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: scalar_descriptions("clasification", "sum", {}), "Did you mean 'classification'"),
        (lambda: scalar_descriptions("classification", "summ", {}), "Did you mean 'sum'"),
        (lambda: scalar_descriptions("classification", "sum", {"val": 3}), "Did you mean 'val_'"),
        (lambda: scalar_descriptions("classification", "sum", [("", 3)]), "must be a dict"),
        (lambda: scalar_descriptions("classification", "sum", {"": -1}), "size in set_sizes"),
        (lambda: scalar_metadata(None), "`description` must be a string"),
        (lambda: write_scalar("", 1.0, 0, True, "J"), "`tag` must be a non-empty string"),
    ],
)
def test_the_descriptions_refuse_bad_input_in_one_line(call, message):
    with pytest.raises((TypeError, ValueError), match=message) as error:
        call()
    assert "\n" not in str(error.value)


def test_a_regression_costs_description_names_the_squared_error():
    descriptions = scalar_descriptions("regression", "mean", {"": None, "val_": 30})
    assert descriptions["mean_cost"].startswith("The squared error per sample, J / n, over the ")
    assert "training set," in descriptions["mean_cost"]  # A stream's size is not known.
    assert "validation set (30 samples)" in descriptions["validation/cost"]
    assert "gradient of the mean cost" in descriptions["gradient_norm"]


# The activations of kerasclf.models.ACTIVATIONS, written in numpy: the reference.
NUMPY_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "linear": lambda z: z,
}


def test_numpy_activations_cover_every_model_activation():
    assert sorted(NUMPY_ACTIVATIONS) == sorted(ACTIVATIONS)


# Every activation once, each cost reduction twice: a fit per pair keeps the test fast.
@pytest.mark.parametrize(
    "activation, cost",
    [("relu", "sum"), ("tanh", "mean"), ("sigmoid", "sum"), ("linear", "mean")],
)
def test_cost_logger_sets_the_loss_at_the_epochs_weights(tmp_path, blobs, activation, cost):
    """`loss` and `val_loss`: the cost in the model's reduction plus the L2 penalty."""
    l2 = 0.01
    architecture = Architecture(hidden=(3,), activation=activation, l2=l2)
    model = Classifier.from_model(build_model("mlp", 2, init="random", architecture=architecture))
    model.compile(optimizer=make_optimizer("momentum", 160, 0.01), loss=CrossEntropy(cost))
    model.configure_step(StepSettings(step_metrics=False))
    training, validation = (blobs.features[:160], blobs.labels[:160]), blobs.features[160:]
    logger = CostLogger(str(tmp_path), *training, (validation, blobs.labels[160:]), cost=cost)
    recorder = WeightRecorder()
    history = model.fit(*training, batch_size=16, epochs=2, verbose=0, callbacks=[logger, recorder])

    def summed_cross_entropy(weights, features, labels):
        hidden = NUMPY_ACTIVATIONS[activation](
            features.astype(np.float64) @ weights[0] + weights[1]
        )
        logits = (hidden @ weights[2] + weights[3])[:, 0]
        return np.sum(np.logaddexp(0.0, logits) - labels * logits)

    def numpy_loss(weights, features, labels):
        cross_entropy = summed_cross_entropy(weights, features, labels)
        if cost == "mean":
            cross_entropy /= len(labels)
        return cross_entropy + l2 * (np.sum(weights[0] ** 2) + np.sum(weights[2] ** 2))

    for epoch, weights in enumerate(recorder.weights[1:]):
        expected = numpy_loss(weights, *training)
        assert history.history["loss"][epoch] == pytest.approx(expected, rel=1e-5)
        expected = numpy_loss(weights, validation, blobs.labels[160:])
        assert history.history["val_loss"][epoch] == pytest.approx(expected, rel=1e-5)
    # The validation split's scalars, read back: the cross-entropy at each epoch's weights.
    events = EventAccumulator(str(tmp_path / "train"), size_guidance={"tensors": 0})
    events.Reload()
    for tag, divisor in (("validation/cost", 1), ("validation/mean_cost", 40)):
        logged = events.Tensors(tag)
        assert [event.step for event in logged] == [0, 1, 2]
        for event, weights in zip(logged, recorder.weights):
            expected = summed_cross_entropy(weights, validation, blobs.labels[160:]) / divisor
            assert float(tf.make_ndarray(event.tensor_proto)) == pytest.approx(expected, rel=1e-5)


# 200 points are one pass; 2**16 + 300 are XLA loops of chunks and the rest.
@pytest.mark.parametrize("num_samples", [200, 2**16 + 300])
def test_cost_logger_loss_counts_activity_penalties_as_keras_evaluate(tmp_path, num_samples):
    """An activity regularizer's penalty joins `loss`, as in Keras's own full-batch evaluate."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(num_samples, 2)).astype("float32")
    labels = (features[:, 0] + rng.normal(size=num_samples) > 0).astype("int32")
    inputs = keras.Input((2,))
    hidden = keras.layers.Dense(
        4,
        activation="tanh",
        activity_regularizer=keras.regularizers.L1(0.05),
        kernel_regularizer=keras.regularizers.L2(0.01),
    )(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    split = num_samples * 3 // 4
    training, validation = (features[:split], labels[:split]), (features[split:], labels[split:])
    logger = CostLogger(str(tmp_path), *training, validation)
    history = model.fit(*training, batch_size=64, epochs=2, verbose=0, callbacks=[logger])
    for key, (x, y) in (("loss", training), ("val_loss", validation)):
        expected = model.evaluate(x, y, batch_size=len(x), verbose=0)
        assert history.history[key][-1] == pytest.approx(expected, rel=1e-5)
        probabilities = model.predict(x, verbose=0)
        cross_entropy = np.mean(keras.losses.binary_crossentropy(y[:, None], probabilities))
        assert expected - cross_entropy > 1e-3  # The penalties are a real part of the loss.


def test_cost_logger_takes_the_reduction_of_a_stock_keras_models_loss(tmp_path, blobs):
    """Without `cost`, `loss` stays Keras's mean loss, now at the epoch's final weights."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="binary_crossentropy")
    logger = CostLogger(str(tmp_path), blobs.features, blobs.labels)
    recorder = WeightRecorder()
    history = model.fit(
        blobs.features,
        blobs.labels,
        batch_size=50,
        epochs=2,
        verbose=0,
        callbacks=[logger, recorder],
    )
    for epoch, (kernel, bias) in enumerate(recorder.weights[1:]):
        expected = numpy_cost(kernel[:, 0], bias[0], blobs.features, blobs.labels) / 200
        assert history.history["loss"][epoch] == pytest.approx(expected, rel=1e-5)
    probabilities = model.predict(blobs.features, verbose=0)[:, 0].astype(np.float64)
    error = (probabilities - blobs.labels) / 200  # The mean cost's gradient.
    gradient = np.concatenate([blobs.features.T @ error, [error.sum()]])
    _, scalars = read_scalars(tmp_path / "train")
    assert scalars["gradient_norm"][2] == pytest.approx(np.linalg.norm(gradient), rel=1e-4)


def test_callbacks_refuse_a_model_that_outputs_logits(tmp_path, blobs):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    for callback in [
        CostLogger(str(tmp_path), blobs.features, blobs.labels),
        WeightLogger(str(tmp_path), blobs.features, blobs.labels),
        DecisionBoundaryLogger(str(tmp_path), blobs.features, blobs.labels),
        ErrorSurfaceLogger(str(tmp_path), blobs.features, blobs.labels),
    ]:
        with pytest.raises(ValueError, match="has activation 'linear'. Give it activation="):
            model.fit(blobs.features, blobs.labels, epochs=1, verbose=0, callbacks=[callback])
    assert model.optimizer.iterations.numpy() == 0  # Refused before the first step.


def test_learning_rate_and_gradient_norm_of_a_weight_logger_alone(tmp_path, blobs):
    _, recorder = _fit(
        tmp_path,
        blobs,
        [WeightLogger(str(tmp_path), blobs.features, blobs.labels)],
        optimizer="decay",
        learning_rate=0.5,
        epochs=5,
    )
    _, scalars = read_scalars(tmp_path / "train")
    kernel, bias = recorder.weights[-1]
    probabilities = 1 / (1 + np.exp(-(blobs.features @ kernel[:, 0].astype(float) + bias[0])))
    error = probabilities - blobs.labels
    gradient = np.concatenate([blobs.features.T @ error, [error.sum()]])
    assert scalars["gradient_norm"][5] == pytest.approx(np.linalg.norm(gradient), rel=1e-4)
    for iteration in range(1, 6):  # Full batch: one update per epoch.
        expected = 0.5 / (200 * np.sqrt(iteration))
        assert scalars["learning_rate"][iteration] == pytest.approx(expected, rel=1e-6)


def _two_input_model():
    first, second = keras.Input((2,)), keras.Input((3,))
    joined = keras.layers.Concatenate()([first, second])
    return keras.Model([first, second], keras.layers.Dense(1, activation="sigmoid")(joined))


def _frozen_model():
    dense = keras.layers.Dense(1, activation="sigmoid", trainable=False)
    return keras.Sequential([keras.Input((2,)), dense])


@pytest.mark.parametrize(
    "make_model, reason",
    [
        (_two_input_model, "it feeds the model one array of samples, and this one takes 2 inputs"),
        (_frozen_model, "it needs trainable weights for a gradient, and this model has none"),
    ],
    ids=["two inputs", "no trainable weights"],
)
def test_a_weight_logger_leaves_out_a_gradient_norm_it_cannot_take(
    tmp_path, blobs, capsys, make_model, reason
):
    """Its weights are logged still; before, the gradient's evaluation failed inside fit."""
    model = make_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = (
        blobs.features
        if len(model.inputs) == 1
        else [blobs.features, blobs.features[:, :1].repeat(3, 1)]
    )
    logger = WeightLogger(str(tmp_path), blobs.features, blobs.labels)
    model.fit(x, blobs.labels, epochs=2, verbose=0, callbacks=[logger])
    assert (
        capsys.readouterr().out
        == f"note: WeightLogger logs no gradient_norm for this model: {reason}.\n"
    )
    _, scalars = read_scalars(tmp_path / "train")
    assert "gradient_norm" not in scalars and sorted(scalars["learning_rate"]) == [0, 1, 2]
    assert scalars["weights/w1"][2] == pytest.approx(float(model.weights[0].numpy()[0, 0]))


def test_histograms_for_every_layer_of_an_mlp(tmp_path, blobs):
    model = build_model("mlp", 2, init="random", architecture=kerasclf.Architecture(hidden=(3,)))
    model.compile(optimizer="sgd", loss=CrossEntropy())
    recorder = WeightRecorder()
    model.fit(
        blobs.features,
        blobs.labels,
        epochs=5,
        verbose=0,
        callbacks=[
            WeightLogger(str(tmp_path), blobs.features, blobs.labels, histogram_every=2),
            recorder,
        ],
    )
    events = EventAccumulator(str(tmp_path / "train"), size_guidance={"tensors": 0})
    events.Reload()
    histograms = [tag for tag in events.Tags()["tensors"] if tag.startswith("histograms/")]
    assert sorted(histograms) == [
        "histograms/hidden_1/bias",
        "histograms/hidden_1/kernel",
        "histograms/output/bias",
        "histograms/output/kernel",
    ]
    # Every 2 epochs, and the final epoch's as the images have it.
    assert [event.step for event in events.Tensors("histograms/hidden_1/kernel")] == [0, 2, 4, 5]
    # Each histogram is numpy's of that epoch's weights: 30 equal buckets from min to max.
    for event in events.Tensors("histograms/hidden_1/kernel"):
        kernel = recorder.weights[event.step][0].astype(np.float64)
        table = tf.make_ndarray(event.tensor_proto)
        counts, edges = np.histogram(kernel, bins=30, range=(kernel.min(), kernel.max()))
        np.testing.assert_allclose(table[:, 0], edges[:-1], rtol=1e-12)
        np.testing.assert_allclose(table[:, 1], edges[1:], rtol=1e-12)
        np.testing.assert_array_equal(table[:, 2], counts)
    output_bias = tf.make_ndarray(events.Tensors("histograms/output/bias")[0].tensor_proto)
    assert output_bias.shape == (30, 3) and output_bias[-1, 2] == 1  # One value: last bucket.
    # 2*3 + 3 + 3 + 1 = 13 parameters <= 16: each is a scalar, named after its layer.
    parameters = [tag for tag in events.Tags()["tensors"] if tag.startswith("weights/")]
    assert len(parameters) == 13 and "weights/hidden_1.kernel_0" in parameters


def test_more_than_16_parameters_get_histograms_but_no_scalar_each(tmp_path, blobs):
    architecture = Architecture(hidden=(8,), activation="tanh")  # 2*8 + 8 + 8 + 1 = 33.
    model = build_model("mlp", 2, init="random", architecture=architecture)
    model.compile(optimizer="sgd", loss=CrossEntropy())
    logger = WeightLogger(str(tmp_path), blobs.features, blobs.labels, histogram_every=1)
    model.fit(blobs.features, blobs.labels, epochs=1, verbose=0, callbacks=[logger])
    events = EventAccumulator(str(tmp_path / "train"), size_guidance={"tensors": 0})
    events.Reload()
    tags = events.Tags()["tensors"]
    assert not [tag for tag in tags if tag.startswith("weights/")]
    assert len([tag for tag in tags if tag.startswith("histograms/")]) == 4
    assert {"gradient_norm", "learning_rate"} <= set(tags)


def test_full_batch_minibatch_cost_is_the_cost_before_each_update(tmp_path, blobs):
    recorder = WeightRecorder()
    result = kerasclf.train(
        epochs=4,
        batch_cost=True,
        images=False,
        logdir=str(tmp_path),
        run_name="run",
        callbacks=[recorder],
        stream=io.StringIO(),
    )
    _, scalars = read_scalars(os.path.join(result.run_dir, "train"))
    assert sorted(scalars["minibatch_cost"]) == [1, 2, 3, 4]
    for iteration in range(1, 5):
        # Update i starts from the weights after epoch i - 1.
        kernel, bias = recorder.weights[iteration - 1]
        expected = numpy_cost(kernel[:, 0], bias[0], blobs.features, blobs.labels)
        assert scalars["minibatch_cost"][iteration] == pytest.approx(expected, rel=1e-5)
        assert scalars["minibatch_cost"][iteration] == pytest.approx(
            scalars["cost"][iteration - 1], rel=1e-5
        )


def numpy_sgd(features, labels, batch_size, learning_rate, epochs, seed=0):
    """Plain SGD on the summed cost from zeros, in float64: the reference.

    Returns each minibatch's cost at the weights before its update, and the
    final weights and bias. The minibatches follow `kerasclf.pipeline`'s
    documented order: epoch e visits the points in `epoch_permutation(seed, e)`,
    cut into consecutive minibatches.
    """
    weights, bias, costs = np.zeros(features.shape[1]), 0.0, []
    for epoch in range(epochs):
        order = pipeline.epoch_permutation(seed, epoch, len(labels)).numpy()
        for first in range(0, len(labels), batch_size):
            rows = order[first : first + batch_size]
            batch_features, batch_labels = features[rows].astype(np.float64), labels[rows]
            costs.append(numpy_cost(weights, bias, batch_features, batch_labels))
            error = 1 / (1 + np.exp(-(batch_features @ weights + bias))) - batch_labels
            weights = weights - learning_rate * batch_features.T @ error
            bias = bias - learning_rate * error.sum()
    return costs, weights, bias


@pytest.mark.parametrize("engine", ["fused", "plain"])
def test_sgd_logs_one_minibatch_cost_per_update(tmp_path, blobs, engine):
    result = kerasclf.train(
        epochs=2,
        batch_size=16,
        batch_cost=True,
        images=False,
        engine=engine,
        logdir=str(tmp_path),
        stream=io.StringIO(),
    )
    _, scalars = read_scalars(os.path.join(result.run_dir, "train"))
    assert sorted(scalars["minibatch_cost"]) == list(range(1, 2 * 13 + 1))
    costs, weights, bias = numpy_sgd(blobs.features, blobs.labels, 16, 0.001, epochs=2)
    logged = [scalars["minibatch_cost"][iteration] for iteration in range(1, 2 * 13 + 1)]
    np.testing.assert_allclose(logged, costs, rtol=1e-5)
    kernel, final_bias = result.model.get_weights()
    np.testing.assert_allclose(kernel[:, 0], weights, rtol=1e-5)
    assert final_bias[0] == pytest.approx(bias, rel=1e-5)


def test_run_config_as_markdown_and_hparams(tmp_path):
    config = {"model": "mlp", "optimizer": "gd", "learning_rate": 0.001, "hidden": [8, 8]}
    model = build_model("logistic", 2)
    model.compile(optimizer="sgd", loss=CrossEntropy())
    model.fit(
        np.zeros((4, 2)),
        np.array([0, 1, 0, 1]),
        epochs=1,
        verbose=0,
        callbacks=[RunConfigLogger(str(tmp_path), config)],
    )
    events = EventAccumulator(str(tmp_path / "train"), size_guidance={"tensors": 0})
    events.Reload()
    text = tf.make_ndarray(events.Tensors("config")[0].tensor_proto).item().decode()
    assert "| optimizer | gd |" in text and "| hidden | 8,8 |" in text
    assert "_hparams_/session_start_info" in events.Tags()["tensors"]
    from tensorboard.plugins.hparams import plugin_data_pb2

    content = events.SummaryMetadata("_hparams_/session_start_info").plugin_data.content
    session = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    assert session.hparams["optimizer"].string_value == "gd"
    assert session.hparams["learning_rate"].number_value == 0.001


def test_run_config_is_written_once_per_run_directory(tmp_path):
    model = build_model("logistic", 2)
    model.compile(optimizer="sgd", loss=CrossEntropy())
    for _ in range(2):  # As a resumed run does: a second fit into the same directory.
        model.fit(
            np.zeros((4, 2)),
            np.array([0, 1, 0, 1]),
            epochs=1,
            verbose=0,
            callbacks=[RunConfigLogger(str(tmp_path), {"optimizer": "gd"})],
        )
    events = EventAccumulator(str(tmp_path / "train"), size_guidance={"tensors": 0})
    events.Reload()
    assert len(events.Tensors("config")) == 1
    assert len(events.Tensors("_hparams_/session_start_info")) == 1


def test_epoch_printer_line(tmp_path, blobs):
    stream = io.StringIO()
    model = build_model("logistic", 2)
    model.compile(optimizer=keras.optimizers.SGD(0.001), loss=CrossEntropy())
    model.fit(
        blobs.features,
        blobs.labels,
        batch_size=200,
        epochs=2,
        verbose=0,
        shuffle=False,
        callbacks=[
            CostLogger(str(tmp_path), blobs.features, blobs.labels),
            EpochPrinter(stream),
        ],
    )
    lines = stream.getvalue().splitlines()
    kernel, bias = model.get_weights()
    assert lines[0].startswith("Epoch 0/2  cost 138.6294  accuracy 0.5000")  # From zeros.
    assert lines[2].startswith("Epoch 2/2  cost ")
    assert f"W [{kernel[0, 0]:.4f}, {kernel[1, 0]:.4f}]  b {bias[0]:.4f}" in lines[2]


def test_callbacks_validate_their_input(tmp_path, blobs):
    with pytest.raises(ValueError, match="different numbers of samples"):
        CostLogger(str(tmp_path), blobs.features, blobs.labels[:-1])
    with pytest.raises(ValueError, match="`buckets` must be an integer >= 1. Received: buckets=0"):
        histogram_summary("histograms/w", [1.0, 2.0], buckets=0)
    with pytest.raises(TypeError, match="kerasclf.Classifier.* In kerasclf.train, set batch_cost"):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss=CrossEntropy())
        model.fit(
            blobs.features,
            blobs.labels,
            epochs=1,
            verbose=0,
            callbacks=[MinibatchCostLogger(str(tmp_path))],
        )


def test_cost_logger_refuses_more_classes_than_the_model_tells_apart(tmp_path):
    """num_classes=3 for one sigmoid unit trained and logged the cost of 2 classes."""
    model = build_model("logistic", 2)
    model.compile(optimizer="sgd", loss=CrossEntropy("sum"))
    data = kerasclf.make_dataset("seminar_blobs")
    callback = CostLogger(str(tmp_path), data.features, data.labels, num_classes=3)
    with pytest.raises(ValueError) as raised:
        model.fit(data.features, data.labels, epochs=1, verbose=0, callbacks=[callback])
    message = str(raised.value)
    assert "`model` tells 2 classes apart (1 output unit(s)), and the data has 3." in message
    assert "\n" not in message
