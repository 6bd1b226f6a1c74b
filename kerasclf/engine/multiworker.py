"""Training across worker processes with `tf.distribute.MultiWorkerMirroredStrategy`.

Keras 3's `model.fit` fails under this strategy (keras-team/keras#20585:
"Attempt to convert a value (PerReplica:...) with an unsupported type"), so
this module runs its own loop, the one TensorFlow's multi-worker tutorial
describes: the model and the Keras optimizer are built under
`strategy.scope()`, each worker reads only its share of every minibatch
(`distribute_datasets_from_function`), one `@tf.function` step runs under
`strategy.run`, and the Keras optimizer sums the gradients of all workers
(a collective all-reduce) before every update. The updates are therefore those
of one process on the same global minibatch.

Every worker runs the same command with its own `TF_CONFIG`, for example

    TF_CONFIG='{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]},
                "task": {"type": "worker", "index": 0}}' kerasclf train --strategy multiworker

Worker 0 (or the task of type "chief") is the chief: only it runs the
callbacks and writes the run directory. Every worker checks for divergence
itself, from the same synchronized weights, so all stop at the same epoch.
"""

from __future__ import annotations

import math
import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.engine.cluster import parse_tf_config
from kerasclf.engine.evaluation import ModelEvaluator
from kerasclf.engine.losses import model_task, per_sample_cost
from kerasclf.pipeline import epoch_stream, num_minibatches


def make_multiworker_strategy() -> tf.distribute.MultiWorkerMirroredStrategy:
    """The strategy; TF_CONFIG must be valid, and no TensorFlow op may have run."""
    parse_tf_config(os.environ.get("TF_CONFIG"))
    return tf.distribute.MultiWorkerMirroredStrategy()


def replica_minibatches(features, labels, batch_size, seed, epochs, input_context):
    """This replica's share of every global minibatch, padded to equal shares.

    Every worker draws the same epoch order; global minibatch i is padded to a
    multiple of the number of replicas with weight-0 rows, and replica r takes
    the r-th equal slice. Each element is `(x, y, weight, global_count)`.
    """
    replicas = input_context.num_replicas_in_sync
    replica = input_context.input_pipeline_id
    share = math.ceil(batch_size / replicas)
    features, labels = tf.constant(features), tf.constant(labels)
    num_samples = int(features.shape[0])

    def minibatch(order, index):
        first = tf.cast(index, tf.int32) * batch_size
        count = tf.minimum(batch_size, num_samples - first)
        positions = replica * share + tf.range(share)
        real = positions < count
        rows = tf.gather(order, first + tf.minimum(positions, count - 1))
        weight = tf.cast(real, tf.float32)
        return tf.gather(features, rows), tf.gather(labels, rows), weight, count

    steps = num_minibatches(num_samples, batch_size)
    return epoch_stream(num_samples, seed, 0, epochs, steps, minibatch)


def fit_multiworker(
    model,
    strategy,
    training,
    batch_size: int,
    seed: int,
    epochs: int,
    reduction: str,
    callbacks: list,
    chief: bool,
) -> dict:
    """Trains `model` (built and compiled under `strategy.scope()`) on all workers.

    Args:
        model: The compiled model.
        strategy: The `MultiWorkerMirroredStrategy`.
        training: The training `Data` (the same on every worker).
        batch_size: The global minibatch size.
        seed: The run's seed, for the epoch order.
        epochs: Number of epochs.
        reduction: "sum" or "mean", the cost's reduction.
        callbacks: Keras callbacks, run on the chief only.
        chief: Whether this worker is the chief.

    Returns:
        `{"epochs": completed epochs, "diverged_epoch": epoch or None}`.
    """
    dataset = strategy.distribute_datasets_from_function(
        lambda context: replica_minibatches(
            training.features, training.labels, batch_size, seed, epochs, context
        )
    )
    optimizer = model.optimizer
    replicas = strategy.num_replicas_in_sync

    def replica_step(x, y, weight, global_count):
        with tf.GradientTape() as tape:
            probabilities = model(x, training=True)
            cost = tf.reduce_sum(per_sample_cost(model_task(model))(y, probabilities) * weight)
            if reduction == "mean":
                cost /= tf.cast(global_count, cost.dtype)
            if model.losses:  # Regularization, counted once across the replicas.
                cost += tf.add_n(model.losses) / replicas
        gradients = tape.gradient(cost, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))

    @tf.function
    def distributed_step(iterator):
        strategy.run(replica_step, args=next(iterator))

    steps = num_minibatches(training.num_samples, batch_size)
    callback_list = keras.callbacks.CallbackList(
        callbacks if chief else [], add_history=chief, model=model
    )
    callback_list.set_params({"epochs": epochs, "steps": steps, "verbose": 0})
    # Every worker evaluates the same synchronized weights on the same data, so
    # every worker takes the same decision to stop.
    evaluator = ModelEvaluator(model, training, reduction)
    iterator = iter(dataset)
    model.stop_training = False
    completed, diverged_epoch = 0, None
    with strategy.scope():  # The optimizer's variables are mirrored too.
        optimizer.build(model.trainable_variables)
    callback_list.on_train_begin()
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        for _ in range(steps):
            distributed_step(iterator)
        completed = epoch + 1
        callback_list.on_epoch_end(epoch, {})
        finite_cost = math.isfinite(evaluator()["cost"])
        if not finite_cost or not all(np.isfinite(w).all() for w in model.get_weights()):
            diverged_epoch = completed
            break
    callback_list.on_train_end()
    return {"epochs": completed, "diverged_epoch": diverged_epoch}
