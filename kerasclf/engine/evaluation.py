"""The cost J and the accuracy of a model at its current weights.

Keras's own epoch "loss" is a running mean over the epoch's minibatches, taken
while the weights move. The seminar plots J(W, b) at a given W, b over the
whole training set, which is what `evaluate_model` computes: one compiled
forward and backward pass over the data in chunks, with the summed cost
accumulated in float64.

On large in-memory data the chunks are split into one group per CPU core,
and each group is an XLA-compiled loop; the groups run at the same time and
their totals are added. On 2 cores that halves the pass, which callbacks
make every epoch.
"""

from __future__ import annotations

import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.models.xla import xla_is_faster

from kerasclf.data import Data
from kerasclf.data.labelled import check_data
from kerasclf.engine.losses import REDUCTIONS, model_reduction, model_task, per_sample_cost
from kerasclf.models.inspection import check_probability_output, check_sample_shape
from kerasclf.validation import check_choice, shown, suggests_keywords

# The pass reads the data this many samples at a time.
CHUNK_SAMPLES = 2**14
# Data up to this size is evaluated in one graph-mode pass, which traces in a
# fraction of XLA's compile time; larger data by XLA-compiled loops, which run
# about twice as fast.
XLA_ABOVE_SAMPLES = 2**16
# At most this many loops run at the same time.
MAX_PARALLEL_PARTS = 8
# A recurrent model's pass keeps every step's activations for the gradient: its
# chunks hold at most this many of those values (128 MiB of float32), so that
# `char_lm`'s 19,960 windows are not one 2.5 GB chunk (`recurrent_chunk_samples`).
RECURRENT_CHUNK_VALUES = 2**25
# Values one step of a recurrent layer keeps per unit: an LSTM's four gates,
# its cell and output states and the cell's tanh, about 8.
RECURRENT_VALUES_PER_UNIT = 8
# What a classifier's evaluation gives, and a regression model's: no accuracy.
CLASSIFICATION_KEYS = ("cost", "mean_cost", "accuracy", "gradient_norm")
REGRESSION_KEYS = ("cost", "mean_cost", "gradient_norm")


def value_keys(task: str, gradient: bool = True) -> tuple[str, ...]:
    """The values an evaluation gives: no accuracy for a regression, no norm without the gradient.

    Example:
        >>> value_keys("classification"), value_keys("regression", gradient=False)
        (('cost', 'mean_cost', 'accuracy', 'gradient_norm'), ('cost', 'mean_cost'))
    """
    keys = CLASSIFICATION_KEYS if task == "classification" else REGRESSION_KEYS
    return keys if gradient else tuple(key for key in keys if key != "gradient_norm")


def recurrent_chunk_samples(model: keras.Model, steps: int) -> int:
    """Samples per chunk of the pass: `CHUNK_SAMPLES`, fewer for a recurrent model.

    Each recurrent layer keeps about `RECURRENT_VALUES_PER_UNIT` values per
    unit and step of every sample for the backward pass; a chunk holds at
    most `RECURRENT_CHUNK_VALUES` of them.

    Args:
        model: The model.
        steps: The steps of one sample (its first axis: the data's, as a
            model may take sequences of any length).

    Example:
        >>> inputs = keras.Input((None,))
        >>> hidden = keras.layers.LSTM(128)(keras.layers.Embedding(30, 16)(inputs))
        >>> recurrent_chunk_samples(keras.Model(inputs, keras.layers.Dense(30)(hidden)), 40)
        819
    """
    per_sample = sum(
        RECURRENT_VALUES_PER_UNIT * steps * int(getattr(layer.cell, "units", 0) or 0)
        for layer in model._flatten_layers()
        if isinstance(layer, keras.layers.RNN)
    )
    return int(np.clip(RECURRENT_CHUNK_VALUES // max(per_sample, 1), 1, CHUNK_SAMPLES))


def parallel_parts() -> int:
    """How many XLA loops the pass runs at the same time: one per CPU core, or 1 on a GPU."""
    if tf.config.list_logical_devices("GPU"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_PARALLEL_PARTS))


class ModelEvaluator:
    """Computes the cost, accuracy and gradient norm of one model on fixed data.

    A classifier's cost is the cross-entropy; a regression model's (one
    compiled with `SquaredError`, see `kerasclf.engine.losses.model_task`)
    is the squared error, and it has no accuracy.

    The data is converted once and the pass is traced once, so per-epoch
    callbacks can afford to call it every epoch. `compiled()` returns the
    values as tensors and can be called inside a `tf.function`, to evaluate
    (XLA-compiled where that pays) and write summaries in one graph.

    Args:
        model: A classifier with a sigmoid (1 unit) or softmax (k units)
            output, or a regression model with a linear output.
        data: The points to evaluate on: a `Data`, a `kerasclf.data.streaming.Stream`,
            or a `tf.data.Dataset` of `(features, labels)` chunks (streamed
            through, in bounded memory).
        reduction: "sum" or "mean": which cost the gradient norm is of;
            None for the one the model is compiled with (`model_reduction`).
        gradient: Whether to compute the gradient norm. Without it (a
            held-out set's, which is never logged) the pass is forward only:
            no backward pass to trace or run.

    Example:
        >>> evaluator = ModelEvaluator(model, training_data)  # doctest: +SKIP
        >>> evaluator()  # doctest: +SKIP
        {'cost': 56.55, 'mean_cost': 0.2828, 'accuracy': 0.875, 'gradient_norm': 0.61}
    """

    def __init__(
        self, model: keras.Model, data, reduction: str | None = None, gradient: bool = True
    ):
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"`model` must be a keras.Model. Received: model={shown(model)} of type "
                f"{type(model).__name__}."
            )
        if isinstance(data, Data):
            check_input_shape(model, data)
        self.task = model_task(model)
        if self.task == "classification":
            check_probability_output(model)
        if not isinstance(gradient, bool):
            raise TypeError(
                f"`gradient` must be True or False. Received: gradient={shown(gradient)}."
            )
        self.gradient = gradient
        self.keys = value_keys(self.task, gradient)
        self._cost = per_sample_cost(self.task)
        self.model = model
        if reduction is None:
            reduction = model_reduction(model)
        self.reduction = check_choice("reduction", reduction, REDUCTIONS)
        self._dataset = None
        self._parts = []  # (features, labels) stacks of whole chunks, one loop each.
        self._rest = None  # The samples after the last whole chunk, or small data.
        if isinstance(data, Data):
            self._split(data.features, data.labels)
        elif isinstance(data, tf.data.Dataset):
            self._dataset = data
        elif hasattr(data, "chunks"):  # A kerasclf.data.streaming.Stream.
            self._dataset = data.chunks()
        else:
            raise TypeError(
                "`data` must be a kerasclf Data, Stream or tf.data.Dataset of (features, labels). "
                f"Received a {type(data).__name__}."
            )
        # No AutoGraph: the passes' loops are explicit TensorFlow loops, and
        # converting the model's Python for nothing cost ~0.3-0.8 s a run.
        self._loop = tf.function(
            self._loop_totals, jit_compile=xla_is_faster(model), autograph=False
        )
        # Graph mode: it runs the parts' loops concurrently. (A dataset is
        # read by tf.data ops, which XLA cannot compile anyway.)
        self.compiled = tf.function(self.tensors, autograph=False)

    def _split(self, features: np.ndarray, labels: np.ndarray) -> None:
        """Cuts in-memory data into parts of whole chunks and the rest."""
        num_samples = len(features)
        chunk = recurrent_chunk_samples(self.model, features.shape[1] if features.ndim > 1 else 1)
        looped = num_samples > XLA_ABOVE_SAMPLES or num_samples > chunk < CHUNK_SAMPLES
        num_chunks = num_samples // chunk if looped else 0
        whole = num_chunks * chunk
        if num_chunks:
            chunked = (num_chunks, chunk)
            stacked_features = features[:whole].reshape(*chunked, *features.shape[1:])
            stacked_labels = labels[:whole].reshape(*chunked, *labels.shape[1:])
            bounds = np.linspace(0, num_chunks, min(parallel_parts(), num_chunks) + 1).astype(int)
            for start, stop in zip(bounds[:-1], bounds[1:]):
                part = stacked_features[start:stop], stacked_labels[start:stop]
                self._parts.append(tuple(tf.constant(array) for array in part))
        if whole < num_samples:
            self._rest = (tf.constant(features[whole:]), tf.constant(labels[whole:]))

    def _zeros(self) -> tuple:
        """The totals before any chunk: cost, number correct, count, activity penalty, gradient."""
        zero = tf.constant(0.0, tf.float64)
        weights = self.model.trainable_weights if self.gradient else []
        return zero, zero, zero, zero, tuple(tf.zeros(w.shape, w.dtype) for w in weights)

    def _loop_totals(self, features: tf.Tensor, labels: tf.Tensor) -> tuple:
        """The totals of a stack of chunks, shape (num_chunks, CHUNK_SAMPLES, ...)."""

        def add_next(index, totals):
            return index + 1, self._add_chunk(totals, (features[index], labels[index]))

        num_chunks = features.shape[0]
        _, totals = tf.while_loop(
            lambda index, totals: index < num_chunks, add_next, (tf.constant(0), self._zeros())
        )
        return totals

    def tensors(self, regularization: bool = False) -> dict[str, tf.Tensor]:
        """The values as scalar tensors; one forward and backward pass.

        Args:
            regularization: Whether to add `"regularization"`: the weights'
                penalties plus the activity penalties of the pass (Keras
                divides those by the minibatch's size, so here they are per
                sample over all the data). A loss in Keras's sense is the
                cost in the model's reduction plus this.
        """
        # The loops do not depend on each other, so TensorFlow runs them at once.
        part_totals = [self._loop(features, labels) for features, labels in self._parts]
        if self._rest is not None:
            part_totals.append(self._add_chunk(self._zeros(), self._rest))
        if self._dataset is not None:  # A graph loop that reads one chunk at a time.
            part_totals.append(self._dataset.reduce(self._zeros(), self._add_chunk))
        cost, correct, count, activity, gradients = tf.nest.map_structure(
            lambda *values: tf.add_n(values), *part_totals
        )
        values = {"cost": cost, "mean_cost": cost / count}
        if self.task == "classification":
            # At weights that diverged (an infinite or NaN cost) an accuracy means nothing.
            values["accuracy"] = tf.where(
                tf.math.is_finite(cost), correct / count, tf.constant(np.nan, tf.float64)
            )
        if self.gradient:
            scale = 1.0 / tf.cast(count, tf.float32) if self.reduction == "mean" else 1.0
            norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in gradients])) * scale
            values["gradient_norm"] = tf.cast(norm, tf.float64)
        if regularization:
            penalties = [tf.cast(penalty, tf.float64) for penalty in weight_penalties(self.model)]
            values["regularization"] = tf.add_n([activity / count, *penalties])
        return values

    def _add_chunk(self, totals, chunk):
        """Adds one chunk's summed cost, number correct, size, activity penalty and gradient."""
        cost, correct, count, activity, gradients = totals
        features, labels = chunk
        with tf.GradientTape(watch_accessed_variables=self.gradient) as tape:
            outputs = self.model(features, training=False)
            chunk_cost = tf.reduce_sum(self._cost(labels, outputs))
        weights = self.model.trainable_weights if self.gradient else []
        chunk_gradients = tape.gradient(chunk_cost, weights) if weights else ()
        chunk_size = tf.cast(tf.shape(labels)[0], tf.float64)
        return (
            # Accumulated in float64, so a million float32 costs add up exactly enough.
            cost + tf.cast(chunk_cost, tf.float64),
            correct + self._num_correct(outputs, labels),
            count + chunk_size,
            # Keras divides a chunk's activity penalty by its size; summed back.
            activity + chunk_size * activity_penalty(self.model),
            tuple(total + chunk for total, chunk in zip(gradients, chunk_gradients)),
        )

    def _num_correct(self, outputs, labels) -> tf.Tensor:
        """How many samples a classifier labels right (0 for a regression)."""
        if self.task == "regression":
            return tf.constant(0.0, tf.float64)
        if outputs.shape[-1] == 1:
            predicted = tf.cast(outputs[:, 0] > 0.5, tf.int32)
        else:
            predicted = tf.argmax(outputs, axis=-1, output_type=tf.int32)
        labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
        return tf.reduce_sum(tf.cast(tf.equal(predicted, labels), tf.float64))

    def __call__(self) -> dict[str, float]:
        """Returns `{"cost": summed, "mean_cost", "accuracy", "gradient_norm"}` as floats.

        A regression model's values have no "accuracy".
        """
        return {key: float(value) for key, value in self.compiled().items()}


def weight_penalties(model: keras.Model) -> list[tf.Tensor]:
    """The penalties of the model's weight regularizers, at its current weights.

    Example:
        >>> layer = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.5))
        >>> model = keras.Sequential([keras.Input((1,)), layer])
        >>> _ = layer.kernel.assign([[2.0]])
        >>> [float(penalty) for penalty in weight_penalties(model)]
        [2.0]
    """
    return [
        weight.regularizer(weight)
        for weight in model.trainable_weights
        if weight.regularizer is not None
    ]


def activity_penalty(model: keras.Model) -> tf.Tensor:
    """The penalties the model's last call added (activity regularizers, `add_loss`).

    Read in the graph of that call, right after it. Keras lists them before
    the weights' penalties in `model.losses`.
    """
    losses = model.losses
    regularized = [weight for weight in model.trainable_weights if weight.regularizer is not None]
    added = losses[: len(losses) - len(regularized)]
    if not added:
        return tf.constant(0.0, tf.float64)
    return tf.cast(tf.add_n([tf.cast(loss, tf.float64) for loss in added]), tf.float64)


def check_input_shape(model: keras.Model, data: Data, what: str = "model") -> None:
    """Raises one line unless `data`'s samples have `model`'s input shape.

    A size the model leaves open (None) matches any size; a model without
    known inputs (subclassed, not built) matches any data.

    Example:
        >>> from kerasclf.models.registry import build_model
        >>> check_input_shape(build_model("logistic", 3), Data(np.zeros((4, 2)), [0, 1, 0, 1]))
        Traceback (most recent call last):
        ...
        ValueError: data: the model takes samples of shape (3,), but the data's samples have shape (2,). Give it data with the features it was built for.
    """  # noqa: E501
    check_data(data)
    check_sample_shape(model, data.features.shape[1:], data.source, what)


@suggests_keywords
def evaluate_model(
    model: keras.Model, data, reduction: str | None = None, gradient: bool = True
) -> dict[str, float]:
    """The summed and mean cost, the accuracy and the gradient norm of `model` on `data`.

    Args:
        model: A classifier with a sigmoid (1 unit) or softmax (k units) output.
        data: A `Data`, a `kerasclf.data.streaming.Stream` or a dataset of chunks.
        reduction: "sum" or "mean": which cost the gradient norm is of; None
            for the one the model is compiled with ("sum" if it is not).
        gradient: Whether to compute the gradient norm (a forward pass only
            without it).

    Returns:
        `{"cost": summed, "mean_cost", "accuracy", "gradient_norm"}` as floats
        (no "gradient_norm" without `gradient`).

    Example:
        >>> from kerasclf.data import make_dataset
        >>> from kerasclf.models.registry import build_model
        >>> model = build_model("logistic", 2)  # Zero weights: p = 0.5 everywhere.
        >>> result = evaluate_model(model, make_dataset("seminar_blobs"))
        >>> round(result["mean_cost"], 4), result["accuracy"]  # log 2; p > 0.5 is never true.
        (0.6931, 0.5)
    """
    if not isinstance(model, keras.Model):
        return ModelEvaluator(model, data, reduction, gradient)()  # Says what `model` must be.
    task, data_task = model_task(model), getattr(data, "task", None)
    if data_task is not None and task != data_task:
        gives = "probabilities" if task == "classification" else "numbers (a linear output)"
        raise ValueError(
            f"`model` gives {gives}, a {task} model, and the data is for {data_task}. "
            f"Received: model={model.name!r}, data={getattr(data, 'source', 'data')!r}. End "
            "a classifier in sigmoid or softmax, or evaluate data of the model's task."
        )
    if task == "classification":
        check_probability_output(model)
        check_classes_fit(model, data)
    return ModelEvaluator(model, data, reduction, gradient)()


def check_classes_fit(model: keras.Model, data) -> None:
    """Refuses data of more classes than the model tells apart (one sigmoid unit: two).

    Fewer is fine: a test set may lack a class.
    """
    outputs, num_classes = getattr(model, "outputs", None), getattr(data, "num_classes", None)
    if not outputs or num_classes is None or outputs[0].shape[-1] is None:
        return
    units = int(outputs[0].shape[-1])
    if num_classes > max(units, 2):
        raise ValueError(
            f"`model` tells {max(units, 2)} classes apart ({units} output unit(s)), and the "
            f"data has {num_classes}. Received: model={model.name!r}, "
            f"data={getattr(data, 'source', 'data')!r}. Evaluate it on data of its classes."
        )
