"""The cost J and the accuracy of a model at its current weights.

Keras's own epoch "loss" is a running mean over the epoch's minibatches, taken
while the weights move. The seminar plots J(W, b) at a given W, b over the
whole training set, which is what `evaluate_model` computes: one compiled
forward pass over the data in chunks, with the summed cost accumulated in
float64.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from kerasclf.data import Data
from kerasclf.losses import per_sample_cross_entropy
from kerasclf.models import build_model
from kerasclf.validation import check_number

CHUNK_SAMPLES = 2**16


class ModelEvaluator:
    """Computes the cost, accuracy and gradient norm of one model on fixed data.

    The data is converted once and the pass is traced once, so per-epoch
    callbacks can afford to call it every epoch. `compiled()` returns the
    values as tensors and can be called inside a `tf.function`, to evaluate
    (XLA-compiled where that pays) and write summaries in one graph.

    Args:
        model: A classifier with a sigmoid (1 unit) or softmax (k units) output.
        data: The points to evaluate on: a `Data`, a `kerasclf.streaming.Stream`,
            or a `tf.data.Dataset` of `(features, labels)` chunks (streamed
            through, in bounded memory).
        reduction: "sum" or "mean": which cost the gradient norm is of.

    Example:
        >>> evaluator = ModelEvaluator(model, training_data)  # doctest: +SKIP
        >>> evaluator()  # doctest: +SKIP
        {'cost': 56.55, 'mean_cost': 0.2828, 'accuracy': 0.875, 'gradient_norm': 0.61}
    """

    KEYS = ("cost", "mean_cost", "accuracy", "gradient_norm")

    def __init__(self, model: keras.Model, data, reduction: str = "sum"):
        self.model = model
        self.reduction = reduction
        self._dataset = None
        self._chunks = []
        if isinstance(data, Data):
            self._chunks = [
                (
                    tf.constant(data.features[start : start + CHUNK_SAMPLES]),
                    tf.constant(data.labels[start : start + CHUNK_SAMPLES]),
                )
                for start in range(0, data.num_samples, CHUNK_SAMPLES)
            ]
        elif isinstance(data, tf.data.Dataset):
            self._dataset = data
        elif hasattr(data, "chunks"):  # A kerasclf.streaming.Stream.
            self._dataset = data.chunks()
        else:
            raise TypeError(
                "`data` must be a kerasclf Data, Stream or tf.data.Dataset of (features, labels). "
                f"Received a {type(data).__name__}."
            )
        # Small data: graph mode, which traces in a fraction of XLA's compile
        # time. Large data: XLA, which runs the pass about twice as fast. A
        # dataset is read by tf.data ops, which XLA cannot compile.
        self.compiled = tf.function(self.tensors, jit_compile=len(self._chunks) > 1)

    def tensors(self) -> dict[str, tf.Tensor]:
        """The values as scalar tensors; one forward and backward pass."""
        zero = tf.constant(0.0, tf.float64)
        gradients = tuple(tf.zeros(w.shape, w.dtype) for w in self.model.trainable_weights)
        totals = (zero, zero, zero, gradients)  # cost, correct, count, gradient
        if self._dataset is not None:  # A graph loop that reads one chunk at a time.
            totals = self._dataset.reduce(totals, self._add_chunk)
        for chunk in self._chunks:  # Unrolled over the in-memory chunks.
            totals = self._add_chunk(totals, chunk)
        cost, correct, count, gradients = totals
        scale = 1.0 / tf.cast(count, tf.float32) if self.reduction == "mean" else 1.0
        norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in gradients])) * scale
        return {
            "cost": cost,
            "mean_cost": cost / count,
            "accuracy": correct / count,
            "gradient_norm": tf.cast(norm, tf.float64),
        }

    def _add_chunk(self, totals, chunk):
        """Adds one chunk's summed cost, number correct, size and gradient to the totals."""
        cost, correct, count, gradients = totals
        features, labels = chunk
        with tf.GradientTape() as tape:
            probabilities = self.model(features, training=False)
            chunk_cost = tf.reduce_sum(per_sample_cross_entropy(labels, probabilities))
        chunk_gradients = tape.gradient(chunk_cost, self.model.trainable_weights)
        if probabilities.shape[-1] == 1:
            predicted = tf.cast(probabilities[:, 0] > 0.5, tf.int32)
        else:
            predicted = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        return (
            # Accumulated in float64, so a million float32 costs add up exactly enough.
            cost + tf.cast(chunk_cost, tf.float64),
            correct + tf.reduce_sum(tf.cast(tf.equal(predicted, labels), tf.float64)),
            count + tf.cast(tf.shape(labels)[0], tf.float64),
            tuple(total + chunk for total, chunk in zip(gradients, chunk_gradients)),
        )

    def __call__(self) -> dict[str, float]:
        """Returns `{"cost": summed, "mean_cost", "accuracy", "gradient_norm"}` as floats."""
        return {key: float(value) for key, value in self.compiled().items()}


def evaluate_model(model: keras.Model, data) -> dict[str, float]:
    """The summed and mean cost, the accuracy and the gradient norm of `model` on `data`.

    `data` is a `Data`, a `kerasclf.streaming.Stream` or a dataset of chunks.
    """
    return ModelEvaluator(model, data)()


def evaluate_linear(weights, bias: float, data: Data) -> dict[str, float]:
    """Cost and accuracy of the hand-set decision function y = x^T w + b.

    The slide's check: p = sigmoid(x^T w + b), classify 1 where p > 0.5.

    Args:
        weights: One weight per feature.
        bias: The bias b.
        data: Labelled points with two classes.

    Example:
        >>> from kerasclf.data import make_dataset
        >>> result = evaluate_linear([1.23, 1.0], -0.55, make_dataset("hand_line"))
        >>> result["accuracy"]
        1.0
    """
    weights = _check_weights(weights, data.num_features)
    bias = check_number("bias", bias)
    if data.num_classes != 2:
        raise ValueError(
            f"A hand-set linear classifier needs two classes. Received data with "
            f"{data.num_classes} classes from {data.source}."
        )
    model = build_model("logistic", data.num_features)
    model.set_weights([weights.reshape(-1, 1), np.array([bias], dtype=np.float32)])
    return evaluate_model(model, data)


def _check_weights(weights, num_features: int) -> np.ndarray:
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"`weights` must be a list of numbers. Received: weights={weights!r}.")
    if array.ndim != 1 or len(array) != num_features:
        raise ValueError(
            f"`weights` must hold one number per feature ({num_features}). "
            f"Received {array.size} value(s): weights={np.asarray(weights).tolist()!r}."
        )
    if not all(math.isfinite(value) and abs(value) < 3e38 for value in array):
        raise ValueError(f"`weights` must be finite numbers. Received: weights={array.tolist()!r}.")
    return array.astype(np.float32)
