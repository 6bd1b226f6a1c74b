"""`Classifier`: a Keras functional model whose `fit` also trains on blocks.

Stock `model.fit` pays about 1 ms of Python and runtime overhead per step,
whatever the batch size, so SGD with batch size 1 crawls. A *block* packs many
minibatches into one tensor; one call of the XLA-compiled train step then runs
all of them in a `tf.while_loop`, with the model's own layers and the Keras
optimizer, one update per minibatch, exactly as per-step training would.

A block is a dict made by `kerasclf.pipeline`:

    {"x": (num_slots, batch_size, *features), "y": (num_slots, batch_size),
     "sample_weight": (num_slots, batch_size), "num_batches": ()}

Only the first `num_batches` slots hold minibatches; the rest pad the block to
a fixed shape so XLA compiles once. Padded rows inside the last, partial
minibatch have sample weight 0, so they add nothing to the cost, its gradient
or the metrics. Anything that is not a block goes to Keras's own `train_step`.

With `record_minibatch_costs = True`, the step also returns the cost of every
minibatch it ran, computed inside the compiled loop, as the vector
`logs["minibatch_costs"]` (see `callbacks.MinibatchCostLogger`).
"""

from __future__ import annotations

import keras
import tensorflow as tf

BLOCK_KEYS = frozenset({"x", "y", "sample_weight", "num_batches"})


def is_block(data) -> bool:
    """Whether one element of a dataset is a block of minibatches."""
    return isinstance(data, dict) and set(data) == BLOCK_KEYS


@keras.saving.register_keras_serializable(package="kerasclf")
class Classifier(keras.Model):
    """A functional Keras model that trains on blocks of minibatches too.

    Build it like any functional model, `Classifier(inputs, outputs)`. It
    behaves as a `keras.Model` in every way; only `train_step` differs, and
    only when it receives a block.

    Example:
        >>> inputs = keras.Input((2,))
        >>> outputs = keras.layers.Dense(1, activation="sigmoid")(inputs)
        >>> model = Classifier(inputs, outputs)
    """

    record_minibatch_costs = False

    def train_step(self, data):
        if not is_block(data):
            if not self.record_minibatch_costs:
                return super().train_step(data)
            data = _as_block(data)
        x, y = data["x"], data["y"]
        sample_weight = data["sample_weight"]
        # Variables of the compiled loss, metrics and optimizer must exist
        # before the loop: they cannot be created inside a tf.while_loop.
        self._symbolic_build(data_batch=(x[0], y[0], sample_weight[0]))

        def one_minibatch(index, costs):
            batch_x, batch_y = x[index], y[index]
            batch_weight = sample_weight[index]
            with tf.GradientTape() as tape:
                y_pred = self(batch_x, training=True)
                loss = self.compute_loss(
                    x=batch_x,
                    y=batch_y,
                    y_pred=y_pred,
                    sample_weight=batch_weight,
                    training=True,
                )
                scaled_loss = self.optimizer.scale_loss(loss)
            gradients = tape.gradient(scaled_loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
            # As Keras does per step: a running mean weighted by the number of
            # real samples in the minibatch.
            self._loss_tracker.update_state(loss, sample_weight=tf.reduce_sum(batch_weight))
            self.compute_metrics(batch_x, batch_y, y_pred, sample_weight=batch_weight)
            costs = tf.tensor_scatter_nd_update(costs, [[index]], [tf.cast(loss, costs.dtype)])
            return index + 1, costs

        num_batches = tf.cast(data["num_batches"], tf.int32)
        _, costs = tf.while_loop(
            lambda index, costs: index < num_batches,
            one_minibatch,
            (tf.constant(0), tf.zeros([tf.shape(x)[0]], tf.float32)),
        )
        logs = self.get_metrics_result()
        if self.record_minibatch_costs:
            logs["minibatch_costs"] = costs[:num_batches]
        return logs


def _as_block(data) -> dict:
    """One plain `(x, y[, sample_weight])` minibatch as a block of one."""
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    if sample_weight is None:
        sample_weight = tf.ones(tf.shape(y)[:1], tf.float32)
    return {
        "x": x[None],
        "y": y[None],
        "sample_weight": sample_weight[None],
        "num_batches": tf.constant(1, tf.int32),
    }
