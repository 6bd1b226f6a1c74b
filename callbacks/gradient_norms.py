"""`GradientNorms`: how large the cost's gradient is at each layer, per epoch.

Backpropagation multiplies the error signal by each layer's activation
derivative on its way back to the input. A sigmoid's derivative is at most
1/4, so in a deep sigmoid network the first layers get a gradient many times
smaller than the last ones (vanishing gradients) and learn slowly; with ReLU
the derivative is 0 or 1 and the gradient reaches the first layers. This
callback shows it: at each epoch's final weights, for every layer with
trainable weights, the L2 norm of the gradient of the cost with respect to
that layer's weights, kernel and bias together:

    gradient_norm/<layer> = sqrt(sum over the layer's weights w of (dJ/dw)^2)

J is the model's compiled loss averaged over a fixed sample of at most
`max_samples` training examples, drawn once with `seed` (a loss compiled to
sum over the samples is divided by their number), so that the norms do not
depend on how many examples there are. Regularization penalties are left
out: they are not backpropagated. Dropout is off (`training=False`).

Scalars `gradient_norm/<layer name>` under `<logdir>/train`, at step 0 (the
initial weights) and at step = epochs completed: the steps of the cost
(`CostLogger`, whose `gradient_norm` is the whole model's, over all the
data). One traced `tf.function` computes and writes them all.
"""

from __future__ import annotations


import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.callbacks.requirements import noted_skip_reason, one_input
from kerasclf.models.inspection import check_sample_shape
from kerasclf.callbacks.scalar_descriptions import DESCRIPTIONS, write_scalar
from kerasclf.callbacks.writers import EVENTS, SummaryWriters
from kerasclf.validation import check_directory_path, check_integer, suggests_keywords
from kerasclf.data.checks import check_feature_array, check_finite_samples

TAG_PREFIX = "gradient_norm/"


def weighted_layers(model) -> list:
    """The layers with trainable weights, in order, nested models' layers in their place.

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, name="hidden"),
        ...                           keras.layers.Dropout(0.5), keras.layers.Dense(1, name="out")])
        >>> [layer.name for layer in weighted_layers(model)]
        ['hidden', 'out']
    """
    layers = []
    for layer in getattr(model, "layers", []):
        if getattr(layer, "layers", None):
            layers.extend(weighted_layers(layer))
        elif layer.trainable_weights:
            layers.append(layer)
    return layers


def trainable_weights_reason(model: keras.Model) -> str | None:
    """None if the model has trainable weights, else why it cannot be logged."""
    if weighted_layers(model):
        return None
    return "it needs layers with trainable weights, and this model has none"


def mean_loss(model: keras.Model, labels, predictions):
    """The model's compiled loss of `predictions`, averaged over the samples.

    A `keras.losses.Loss` is called as compiled; if it sums over the samples
    (reduction "sum", kerasclf's `CrossEntropy("sum")`), the sum is divided by
    their number. A loss given by name or as a function gives one value per
    sample, averaged here.

    Raises:
        ValueError: If the model is not compiled with a loss.
    """
    loss = getattr(model, "loss", None)
    if loss is None:
        raise ValueError(
            "GradientNorms needs a model compiled with a loss. Received: a model with loss=None. "
            "Call model.compile(loss=...) first."
        )
    if isinstance(loss, str):
        loss = keras.losses.get(loss)
    if isinstance(loss, keras.losses.Loss):
        value = loss(labels, predictions)
        if loss.reduction == "sum":
            value = value / tf.cast(tf.shape(predictions)[0], value.dtype)
        elif loss.reduction in (None, "none"):
            value = tf.reduce_mean(value)
        return value
    if predictions.shape[-1] == 1 and len(labels.shape) == len(predictions.shape) - 1:
        labels = tf.expand_dims(labels, -1)  # As Keras's compiled loss does: (n,) for (n, 1).
    value = loss(labels, predictions)
    return tf.reduce_mean(value)


class GradientNorms(keras.callbacks.Callback):
    """Logs the norm of the cost's gradient for each layer, `gradient_norm/<layer name>`.

    Args:
        logdir: The run directory.
        x: Training features (the first axis is the samples).
        y: Training labels, as the model is trained with.
        max_samples: The most examples the cost is averaged over, drawn once.
        seed: Seed of the draw.

    Example:
        >>> callback = GradientNorms("logs/run", x_train, y_train)  # doctest: +SKIP
        >>> model.fit(x_train, y_train, epochs=10, callbacks=[callback])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot log for `model` (`callbacks.requirements`), or None: trainable weights."""
        return one_input(model) or trainable_weights_reason(model)

    @suggests_keywords
    def __init__(self, logdir: str, x, y, *, max_samples: int = 512, seed: int = 0):
        super().__init__()
        self.logdir = check_directory_path("logdir", logdir)
        self.max_samples = check_integer("max_samples", max_samples)
        self.seed = check_integer("seed", seed, minimum=0)
        # Numbers, finite, a sample per row, as the other callbacks check theirs; `y` as
        # the model is trained with (class ids, one-hot rows or targets).
        x, y = np.asarray(x), np.asarray(y)
        labels = y.reshape(len(y), -1) if y.ndim else y
        for name, values in (("x", x), ("y", labels)):
            check_feature_array(values, f"GradientNorms {name}")
            with np.errstate(invalid="ignore"):
                finite = np.isfinite(values.reshape(len(values), -1)).all(axis=1)
            check_finite_samples(finite, f"GradientNorms {name}")
        if len(x) != len(y):
            raise ValueError(
                "`x` and `y` must hold the same number of samples, at least one. "
                f"Received: x of shape {x.shape} and y of shape {y.shape}."
            )
        if len(x) > self.max_samples:
            rng = np.random.default_rng(self.seed)
            chosen = np.sort(rng.choice(len(x), self.max_samples, replace=False))
            x, y = x[chosen], y[chosen]
        self.x, self.y = x, y
        self._writers = SummaryWriters(logdir)
        self._write = None
        self._skip_reason = None

    def _build(self) -> None:
        check_sample_shape(self.model, self.x.shape[1:], "GradientNorms x")
        layers = weighted_layers(self.model)
        features, labels = tf.constant(self.x), tf.constant(self.y)
        tags = [TAG_PREFIX + layer.name for layer in layers]

        descriptions = {
            tag: DESCRIPTIONS["layer_gradient_norm"].format(layer=layer.name)
            for tag, layer in zip(tags, layers)
        }

        def write(step, described):
            weights = [layer.trainable_weights for layer in layers]
            with tf.GradientTape() as tape:
                predictions = self.model(features, training=False)
                loss = mean_loss(self.model, labels, predictions)
            gradients = tape.gradient(loss, weights)
            norms = {}
            for tag, layer_weights, layer_gradients in zip(tags, weights, gradients):
                squares = [
                    tf.reduce_sum(tf.square(tf.cast(gradient, tf.float64)))
                    for gradient in layer_gradients
                    if gradient is not None  # A weight the loss does not reach.
                ]
                norms[tag] = tf.sqrt(tf.add_n(squares)) if squares else tf.constant(0.0, tf.float64)
                write_scalar(tag, norms[tag], step, described, descriptions[tag])
            return norms

        self._write = tf.function(write)

    def norms(self, step: int) -> dict[str, float]:
        """Computes and writes the norms at `step`; returns them by tag."""
        described = self._write is None  # The fit's first call: see scalar_descriptions.
        if described:
            self._build()
        with self._writers[EVENTS].as_default():
            values = self._write(tf.constant(step, tf.int64), tf.constant(described))
        return {tag: float(value) for tag, value in values.items()}

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._write is None and self._skip_reason is None:
            self._skip_reason = noted_skip_reason(self, self.model)
            if self._skip_reason is not None:
                return
        if self._skip_reason is None and int(self.model.optimizer.iterations.numpy()) == 0:
            self.norms(step=0)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._skip_reason is None:
            self.norms(step=epoch + 1)

    def on_train_end(self, logs=None):
        logs = logs or {}
        self._writers.close()
        self._write = None  # The traced graph holds the closed writer.
