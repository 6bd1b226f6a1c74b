"""The built-in `cnn`: the seminar's small CNN by default, checked against stock Keras.

Its layers equal a hand-built keras.Sequential's and, with the same weights,
so do its outputs; every block and pooling choice has the expected shapes; bad
images are one line; and it trains on the fused engine as stock `fit` does.
"""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasclf import pipeline
from kerasclf.engine.classifier import Classifier
from kerasclf.engine.losses import CrossEntropy
from kerasclf.models.architecture import (
    Architecture,
    ConvArchitecture,
    check_conv_architecture,
    check_feature_map,
)
from kerasclf.models.features import FeatureMap
from kerasclf.models.registry import build_model
from kerasclf.run.config_making import make_config
from kerasclf.run.model import conv_architecture

STOCK_POOLINGS = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D}


def stock_cnn(image_shape, conv, hidden, dropout, activation, num_classes):
    """The same network as stock Keras layers with Keras's own defaults."""
    layers = [keras.Input(image_shape)]
    for filters in conv.filters:
        layers.append(
            keras.layers.Conv2D(filters, conv.kernel_size, padding="same", activation=activation)
        )
        if conv.pooling != "none":
            layers.append(STOCK_POOLINGS[conv.pooling](conv.pool_size))
    layers.append(keras.layers.Flatten())
    for units in hidden:
        layers.append(keras.layers.Dense(units, activation=activation))
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(num_classes, activation="softmax"))
    return keras.Sequential(layers)


def _images(shape, num_samples=6, seed=0):
    return np.random.default_rng(seed).uniform(size=(num_samples, *shape)).astype(np.float32)


def test_the_default_cnn_is_the_seminars_small_cnn():
    model = build_model("cnn", (36, 36), num_classes=5)
    layers = {layer.name: layer for layer in model.layers}
    assert list(layers) == [
        "x", "channels", "conv_1", "pool_1", "flatten", "dense_1", "dropout_1", "output"
    ]  # fmt: skip
    conv = layers["conv_1"]
    assert isinstance(conv, keras.layers.Conv2D)
    assert (conv.filters, conv.kernel_size, conv.padding) == (4, (5, 5), "same")
    assert conv.activation.__name__ == "relu" and conv.strides == (1, 1)
    pool = layers["pool_1"]
    assert isinstance(pool, keras.layers.MaxPooling2D)
    assert pool.pool_size == (2, 2) and pool.strides == (2, 2)
    assert layers["dense_1"].units == 32 and layers["dense_1"].activation.__name__ == "relu"
    assert layers["dropout_1"].rate == 0.25  # Keep 0.75.
    assert layers["output"].units == 5 and layers["output"].activation.__name__ == "softmax"
    # The TF1 notebook's parameters: 5*5*4 + 4, 18*18*4*32 + 32, 32*5 + 5.
    assert model.count_params() == 104 + 41504 + 165


@pytest.mark.parametrize(
    "conv, hidden, activation",
    [
        (ConvArchitecture(), (32,), "relu"),  # The seminar's, on 36x36 fonts.
        (ConvArchitecture((3, 2), 3, 2, "average"), (6, 5), "tanh"),
        (ConvArchitecture((2,), 3, 3, "none"), (4,), "sigmoid"),
    ],
)
def test_outputs_equal_stock_keras_layers_with_the_same_weights(conv, hidden, activation):
    architecture = Architecture(hidden=hidden, activation=activation, dropout=0.25)
    ours = build_model("cnn", (36, 36), 5, seed=4, architecture=architecture, conv=conv)
    stock = stock_cnn((36, 36, 1), conv, hidden, 0.25, activation, 5)
    weights = ours.get_weights()
    assert [w.shape for w in weights] == [w.shape for w in stock.get_weights()]
    stock.set_weights(weights)
    images = _images((36, 36))
    expected = stock.predict(images[..., None], verbose=0)
    np.testing.assert_allclose(ours.predict(images, verbose=0), expected, rtol=1e-5, atol=1e-7)
    # The weights are not all zeros (Glorot, seeded), so the comparison can fail.
    assert np.ptp(expected) > 1e-3 and np.unique(weights[0]).size == weights[0].size


def test_average_pooling_averages_each_window():
    conv = ConvArchitecture(filters=(1,), kernel_size=1, pool_size=3, pooling="average")
    architecture = Architecture(hidden=(2,), activation="linear")
    model = build_model("cnn", (6, 6), 3, architecture=architecture, conv=conv)
    kernel, bias = model.get_layer("conv_1").get_weights()
    model.get_layer("conv_1").set_weights([np.ones_like(kernel), np.zeros_like(bias)])
    images = _images((6, 6), num_samples=2)
    pooled = keras.Model(model.inputs, model.get_layer("pool_1").output)(images).numpy()
    # A 1x1 convolution of weight 1, then the mean of each 3x3 window.
    expected = images.reshape(2, 2, 3, 2, 3).mean(axis=(2, 4))
    np.testing.assert_allclose(pooled[..., 0], expected, rtol=1e-6)


def test_blocks_shape_the_feature_maps_and_kernels():
    conv = check_conv_architecture([2, 3, 5], kernel_size=3, pool_size=2, pooling="max")
    architecture = Architecture(hidden=(6, 4), activation="relu", dropout=0.5)
    model = build_model("cnn", (20, 12, 3), 4, architecture=architecture, conv=conv)
    shapes = {layer.name: layer.output.shape[1:] for layer in model.layers[1:]}
    assert shapes == {
        "conv_1": (20, 12, 2), "pool_1": (10, 6, 2),
        "conv_2": (10, 6, 3), "pool_2": (5, 3, 3),
        "conv_3": (5, 3, 5), "pool_3": (2, 1, 5),
        "flatten": (10,), "dense_1": (6,), "dropout_1": (6,),
        "dense_2": (4,), "dropout_2": (4,), "output": (4,),
    }  # fmt: skip
    kernels = [model.get_layer(f"conv_{i}").kernel.shape for i in (1, 2, 3)]
    assert kernels == [(3, 3, 3, 2), (3, 3, 2, 3), (3, 3, 3, 5)]
    none = build_model("cnn", (5, 4, 2), 2, conv=ConvArchitecture((3, 3), 3, 2, "none"))
    assert [layer.name for layer in none.layers if "pool" in layer.name] == []
    assert none.get_layer("flatten").output.shape[1:] == (5 * 4 * 3,)
    assert none.output_shape == (None, 1)  # Two classes: one sigmoid unit.


def test_grey_images_with_and_without_a_channel_axis_are_the_same_model():
    flat = build_model("cnn", (12, 12), 3, seed=2)
    channel = build_model("cnn", (12, 12, 1), 3, seed=2)
    assert "channels" not in [layer.name for layer in channel.layers]
    for ours, theirs in zip(flat.get_weights(), channel.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    images = _images((12, 12))
    np.testing.assert_allclose(
        flat.predict(images, verbose=0), channel.predict(images[..., None], verbose=0), rtol=1e-6
    )


def test_logistic_on_images_is_softmax_regression_on_the_pixels():
    model = build_model("logistic", (6, 6), 5, init="random", seed=1)
    kernel, bias = model.get_weights()
    assert kernel.shape == (36, 5)
    images = _images((6, 6))
    scores = images.reshape(6, 36) @ kernel + bias
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(images, verbose=0), expected, rtol=1e-5)
    assert build_model("mlp", (6, 6, 1), 5).get_weights()[0].shape == (36, 8)  # Flattened.


def test_as_many_pools_as_fit_build_and_one_more_is_refused():
    five = build_model("cnn", (32, 32), 5, conv=ConvArchitecture(filters=(1,) * 5))
    assert tuple(five.get_layer("pool_5").output.shape) == (None, 1, 1, 1)  # 32 -> ... -> 1.
    with pytest.raises(ValueError, match="At most 5 pools fit"):
        build_model("cnn", (32, 32), 5, conv=ConvArchitecture(filters=(1,) * 6))
    unpooled = build_model("cnn", (32, 32), 5, conv=ConvArchitecture((1,) * 6, pooling="none"))
    assert tuple(unpooled.get_layer("flatten").output.shape) == (None, 32 * 32)
    assert check_feature_map(ConvArchitecture((1,) * 2, pool_size=3), (9, 9)) is None  # 9, 3, 1.
    with pytest.raises(ValueError, match="At most 2 pools fit"):
        check_feature_map(ConvArchitecture((1,) * 3, pool_size=3), (9, 9))


BAD_IMAGES = [
    ((36, 36), ConvArchitecture(filters=(4,) * 6), re.escape("6 pooling layers of 2x2 shrink "
     "the 36x36 images to an empty feature map (36x36 -> 18x18 -> 9x9 -> 4x4 -> 2x2 -> 1x1 -> "
     "0x0). Received: filters=[4, 4, 4, 4, 4, 4], pool_size=2. At most 5 pools fit")),
    ((36, 4, 3), ConvArchitecture(filters=(2, 2, 2)), r"36x4 -> 18x2 -> 9x1 -> 4x0\). .*"
     "At most 2 pools fit: use at most 2 blocks, a smaller pool_size, or pooling='none'"),
    ((8, 8), ConvArchitecture((2,), pool_size=9), "At most 0 pools fit"),
    ((2,), ConvArchitecture(), r"takes images, .*Received: input_shape=\(2,\)"),
    ((4, 4, 4, 1), ConvArchitecture(), r"Received: input_shape=\(4, 4, 4, 1\)"),
]  # fmt: skip


@pytest.mark.parametrize("input_shape, conv, message", BAD_IMAGES)
def test_images_that_do_not_fit_are_one_line(input_shape, conv, message):
    with pytest.raises(ValueError, match=message) as error:
        build_model("cnn", input_shape, 5, conv=conv)
    assert "\n" not in str(error.value)


BAD_OPTIONS = [
    ({"filters": []}, TypeError, r"`filters` must be a non-empty list .*Received: filters=\[\]"),
    ({"filters": "4"}, TypeError, "`filters` must be a non-empty list"),
    ({"filters": [4, 0]}, ValueError, "`filters` must be an integer >= 1"),
    ({"kernel_size": 0}, ValueError, "`kernel_size` must be an integer >= 1"),
    ({"kernel_size": 2.5}, TypeError, "`kernel_size` must be an integer"),
    ({"pool_size": 0}, ValueError, "`pool_size` must be an integer >= 1"),
    ({"pooling": "maxx"}, ValueError, "`pooling` must be one of .*Did you mean 'max'"),
]


@pytest.mark.parametrize("options, error, message", BAD_OPTIONS)
def test_bad_conv_options_are_one_line(options, error, message):
    settings = {"filters": [4], "kernel_size": 5, "pool_size": 2, "pooling": "max", **options}
    with pytest.raises(error, match=message) as raised:
        check_conv_architecture(**settings)
    assert "\n" not in str(raised.value)


def test_options_of_other_models_are_refused():
    with pytest.raises(ValueError, match="`conv` shapes only the 'cnn' model, not the 'mlp'"):
        build_model("mlp", (8, 8), 3, conv=ConvArchitecture())
    with pytest.raises(ValueError, match="the 'cnn' model takes images"):
        build_model("cnn", (8, 8), 3, feature_map=FeatureMap("x1,x2"))
    with pytest.raises(TypeError, match="`conv` must be a ConvArchitecture"):
        build_model("cnn", (8, 8), 3, conv=(4,))


def test_the_cnn_trains_on_the_fused_engine_as_stock_fit():
    rng = np.random.default_rng(3)
    features = rng.uniform(size=(20, 12, 12)).astype(np.float32)  # 20: a partial last batch.
    labels = (np.arange(20) % 5).astype(np.int32)
    model = build_model("cnn", (12, 12), 5, seed=1)  # The defaults, dropout included.
    stock = keras.models.clone_model(model)
    stock.set_weights(model.get_weights())
    fused = Classifier.from_model(model)
    for each in (fused, stock):
        each.compile(
            optimizer=keras.optimizers.SGD(0.5),
            loss=CrossEntropy("mean"),
            metrics=["accuracy"],
            # Both compiled by XLA: TensorFlow draws other dropout masks without it.
            jit_compile=True,
        )
    blocks = pipeline.blocks(features, labels, 8, 0, 1, max_block_samples=16)
    steps = pipeline.block_layout(len(labels), 8, max_block_samples=16)[1]
    minibatches = [batch for block in blocks for batch in pipeline.block_minibatches(block)]
    assert [len(batch_x) for batch_x, _ in minibatches] == [8, 8, 4]
    before = [weight.copy() for weight in stock.get_weights()]
    fused_history = fused.fit(blocks, epochs=1, steps_per_epoch=steps, verbose=0).history
    stock_dataset = tf.data.Dataset.from_generator(
        lambda: iter(minibatches),
        output_signature=(
            tf.TensorSpec((None, 12, 12), tf.float32),
            tf.TensorSpec([None], tf.int32),
        ),
    )
    stock_history = stock.fit(stock_dataset, epochs=1, verbose=0).history
    stock_weights = stock.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before, stock_weights))  # All moved.
    for ours, theirs in zip(fused.get_weights(), stock_weights):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    for key, values in stock_history.items():
        np.testing.assert_allclose(fused_history[key], values, rtol=1e-4)


def test_pooling_none_is_a_setting_as_the_too_many_pools_error_suggests():
    pooled = conv_architecture(make_config(model="cnn", dataset="fonts", filters=[1] * 6))
    with pytest.raises(ValueError, match="or pooling='none'"):
        check_feature_map(pooled, (36, 36))
    config = make_config(model="cnn", dataset="fonts", filters=[1] * 6, pooling="none")
    assert config.pool_size is None  # No window to size: the cnn's 2 is not filled in.
    assert conv_architecture(config) == ConvArchitecture((1,) * 6, pooling="none")
    assert check_feature_map(conv_architecture(config), (36, 36)) is None
    with pytest.raises(ValueError, match="so pool_size would be ignored. Received: pool_size=3"):
        make_config(model="cnn", dataset="fonts", pooling="none", pool_size=3)
