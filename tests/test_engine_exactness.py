"""The fused engine trains exactly as stock Keras `fit`, whatever the model and N.

Both sides start from the same weights and see the same minibatches in the
same order: the fused side its blocks, the stock side the minibatches those
blocks hold (`pipeline.block_minibatches`), one `train_step` each. After two
epochs every weight, every non-trainable variable (BatchNormalization's
moving statistics) and every compiled metric must agree.

The cases cross the losses Keras users compile with (kerasclf's summed
cross-entropy and Keras's own losses in their default reduction, label
smoothing, mse) with BatchNormalization, kernel and activity regularizers,
unweighted and class-weighted metrics, N a multiple of the batch size or not,
and in-memory or streamed data.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasclf import pipeline
from kerasclf.engine.classifier import Classifier, check_parts_trainable
from kerasclf.engine.losses import CrossEntropy
from kerasclf.data.csv_streams import open_csv_file

NUM_EPOCHS, BATCH_SIZE = 2, 4
LOSSES = {
    "kerasclf_sum": lambda classes: CrossEntropy("sum"),
    "keras_default": lambda classes: (
        "binary_crossentropy" if classes == 2 else "sparse_categorical_crossentropy"
    ),
    "keras_sum": lambda classes: keras.losses.BinaryCrossentropy(reduction="sum"),
    "label_smoothing": lambda classes: keras.losses.BinaryCrossentropy(label_smoothing=0.1),
    "mse": lambda classes: "mse",
}


def _data(num_samples, num_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(num_samples) % num_classes
    features = rng.normal(size=(num_samples, 3)) + labels[:, None]
    return features.astype(np.float32), labels.astype(np.int32)


def _model(num_classes, batch_norm, regularizers, fused):
    keras.utils.set_random_seed(1)
    regularizer = keras.regularizers.L2(0.01) if regularizers else None
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(
        5,
        kernel_regularizer=regularizer,
        activity_regularizer=keras.regularizers.L1(0.01) if regularizers else None,
    )(inputs)
    if batch_norm:
        hidden = keras.layers.BatchNormalization(momentum=0.5)(hidden)
    hidden = keras.layers.Activation("tanh")(hidden)
    units, activation = (1, "sigmoid") if num_classes == 2 else (num_classes, "softmax")
    outputs = keras.layers.Dense(units, activation=activation, kernel_regularizer=regularizer)(
        hidden
    )
    return (Classifier if fused else keras.Model)(inputs, outputs)


def _compile(model, loss, num_classes, class_weighted, fused):
    accuracy = "binary_accuracy" if num_classes == 2 else "sparse_categorical_accuracy"
    model.compile(
        optimizer=keras.optimizers.SGD(0.1, momentum=0.5),
        loss=LOSSES[loss](num_classes),
        metrics=[accuracy],
        weighted_metrics=[keras.metrics.get(accuracy)] if class_weighted else None,
        jit_compile=fused,
    )


def _train_both(fused_dataset, steps, loss, num_classes, batch_norm, regularizers, class_weight):
    """Trains the fused model on `fused_dataset`, stock fit on its minibatches."""
    fused = _model(num_classes, batch_norm, regularizers, fused=True)
    stock = _model(num_classes, batch_norm, regularizers, fused=False)
    stock.set_weights(fused.get_weights())
    _compile(fused, loss, num_classes, class_weight is not None, fused=True)
    _compile(stock, loss, num_classes, class_weight is not None, fused=False)
    # The minibatches, read from the very blocks the fused side trains on.
    minibatches = [
        batch[:2] for block in fused_dataset for batch in pipeline.block_minibatches(block)
    ]
    fused_history = fused.fit(
        fused_dataset, epochs=NUM_EPOCHS, steps_per_epoch=steps, verbose=0, shuffle=False
    ).history

    stock_dataset = tf.data.Dataset.from_generator(
        lambda: iter(minibatches),
        output_signature=(
            tf.TensorSpec([None, 3], tf.float32),
            tf.TensorSpec([None], tf.int32),
        ),
    )
    stock_history = stock.fit(
        stock_dataset.repeat(),
        epochs=NUM_EPOCHS,
        steps_per_epoch=len(minibatches) // NUM_EPOCHS,
        class_weight=class_weight,
        verbose=0,
        shuffle=False,
    ).history
    return fused, stock, fused_history, stock_history


def _assert_same_training(fused, stock, fused_history, stock_history):
    assert int(fused.optimizer.iterations) == int(stock.optimizer.iterations)
    for fused_variable, stock_variable in zip(fused.variables, stock.variables):
        assert fused_variable.name == stock_variable.name
        np.testing.assert_allclose(
            np.asarray(fused_variable),
            np.asarray(stock_variable),
            rtol=2e-5,
            atol=2e-6,
            err_msg=fused_variable.path,
        )
    assert set(fused_history) == set(stock_history)
    for key, values in stock_history.items():
        np.testing.assert_allclose(fused_history[key], values, rtol=2e-5, err_msg=key)


CASES = [
    # (loss, num_samples, batch_norm, regularizers, class_weight, num_classes)
    ("kerasclf_sum", 22, True, True, None, 2),
    ("kerasclf_sum", 24, False, False, None, 2),
    ("keras_default", 22, True, True, None, 2),
    ("keras_default", 24, True, True, None, 2),
    ("keras_default", 22, False, True, None, 3),
    ("keras_default", 23, True, False, {0: 1.0, 1: 3.0, 2: 0.5}, 3),
    ("keras_sum", 22, True, True, None, 2),
    ("label_smoothing", 22, True, False, None, 2),
    ("mse", 22, False, True, None, 2),
    ("mse", 21, True, True, {0: 2.0, 1: 0.5}, 2),
]


@pytest.mark.parametrize(
    "loss, num_samples, batch_norm, regularizers, class_weight, num_classes", CASES
)
def test_fused_blocks_train_as_stock_fit(
    loss, num_samples, batch_norm, regularizers, class_weight, num_classes
):
    features, labels = _data(num_samples, num_classes)
    weights = None
    if class_weight is not None:
        weights = np.array([class_weight[label] for label in range(num_classes)], np.float32)
    dataset = pipeline.blocks(
        features, labels, BATCH_SIZE, 3, NUM_EPOCHS, max_block_samples=8, class_weights=weights
    )
    steps = pipeline.block_layout(num_samples, BATCH_SIZE, max_block_samples=8)[1]
    results = _train_both(dataset, steps, loss, num_classes, batch_norm, regularizers, class_weight)
    _assert_same_training(*results)


@pytest.mark.parametrize(
    "loss, num_samples, class_weight",
    [("keras_default", 22, None), ("kerasclf_sum", 24, None), ("mse", 23, {0: 2.0, 1: 0.5})],
)
def test_fused_stream_blocks_train_as_stock_fit(tmp_path, loss, num_samples, class_weight):
    features, labels = _data(num_samples)
    path = tmp_path / "points.csv"
    np.savetxt(path, np.column_stack([features, labels]), delimiter=",", fmt="%.9g")
    stream = open_csv_file(str(path), chunk_lines=5)
    weights = None if class_weight is None else np.array([2.0, 0.5], np.float32)
    dataset = pipeline.stream_blocks(
        stream, BATCH_SIZE, 3, NUM_EPOCHS, max_block_samples=8, class_weights=weights
    )
    steps = pipeline.stream_layout(num_samples, BATCH_SIZE, max_block_samples=8)[1]
    results = _train_both(dataset, steps, loss, 2, True, True, class_weight)
    _assert_same_training(*results)


def test_no_padded_row_reaches_a_layer():
    """Every minibatch the model sees is whole: the last one at its real size."""
    features, labels = _data(22)
    seen = []

    class Recorder(keras.layers.Layer):
        def call(self, inputs):
            tf.py_function(lambda x: seen.append(x.numpy().copy()) or 0, [inputs], tf.int32)
            return inputs

    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(1, "sigmoid")(Recorder()(inputs))
    model = Classifier(inputs, outputs)
    model.compile(optimizer="sgd", loss="binary_crossentropy", run_eagerly=False)
    dataset = pipeline.blocks(features, labels, BATCH_SIZE, 0, 1, max_block_samples=8)
    model.fit(dataset, steps_per_epoch=3, verbose=0, shuffle=False)
    assert [len(batch) for batch in seen] == [4, 4, 4, 4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(seen), axis=0), np.sort(features, axis=0))


def test_parts_refuse_what_they_cannot_train_exactly():
    model = _model(2, batch_norm=True, regularizers=False, fused=True)
    model.compile(loss=CrossEntropy("sum"))
    with pytest.raises(ValueError, match="layer 'batch_normalization.*' is a BatchNormalization"):
        check_parts_trainable(model)
    model.compile(loss="binary_crossentropy")
    with pytest.raises(ValueError, match="needs kerasclf's CrossEntropy or SquaredError cost"):
        check_parts_trainable(model)
    plain = _model(2, batch_norm=False, regularizers=False, fused=True)
    plain.compile(loss=CrossEntropy("mean"))
    check_parts_trainable(plain)  # Accepted: nothing raised.
