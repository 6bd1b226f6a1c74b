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

A minibatch too large for one block (full batch over streamed data) arrives
as *parts*: blocks of one slot with two more keys, `"ends_batch"` (a bool) and
`"batch_samples"` (the minibatch's real size). The step adds each part's
gradient to a running sum and updates the weights once, on the part that ends
the minibatch: the same update as one step over the whole minibatch.

With `record_minibatch_costs = True`, the step also returns the cost of every
minibatch it ran, computed inside the compiled loop, as the vector
`logs["minibatch_costs"]` (see `callbacks.MinibatchCostLogger`).

With `step_metrics = False`, the block step skips Keras's running means of the
loss and the compiled metrics (`logs["loss"]`, ...). They take about a third
of the step at batch 1024 and a sixth at batch 1: without them the step never
needs the loss's value, only its gradient, and XLA drops the logarithms. The
step's logs then hold only `iterations`, the optimizer's iteration count.
`kerasclf.train` turns them off because `callbacks.CostLogger` puts the loss
and the accuracy at each epoch's final weights into the logs instead. Set
either attribute before the first `fit`: the step reads them when it is traced.
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

from kerasclf.losses import model_reduction, per_sample_cross_entropy

BLOCK_KEYS = frozenset({"x", "y", "sample_weight", "num_batches"})
PART_KEYS = BLOCK_KEYS | {"ends_batch", "batch_samples"}


def is_block(data) -> bool:
    """Whether one element of a dataset is a block of minibatches (or a part)."""
    return isinstance(data, dict) and set(data) in (BLOCK_KEYS, PART_KEYS)


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
    step_metrics = True

    def train_step(self, data):
        if not is_block(data):
            if not self.record_minibatch_costs:
                return super().train_step(data)
            data = _as_block(data)
        if "ends_batch" in data:
            return self._train_part(data)
        x, y = data["x"], data["y"]
        sample_weight = data["sample_weight"]
        # Variables of the compiled loss, metrics and optimizer must exist
        # before the loop: they cannot be created inside a tf.while_loop.
        self._symbolic_build(data_batch=(x[0], y[0], sample_weight[0]))
        record = self.record_minibatch_costs

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
            self._update_step_metrics(loss, batch_x, batch_y, y_pred, batch_weight)
            if record:
                costs = tf.tensor_scatter_nd_update(costs, [[index]], [tf.cast(loss, costs.dtype)])
            return index + 1, costs

        num_batches = tf.cast(data["num_batches"], tf.int32)
        _, costs = tf.while_loop(
            lambda index, costs: index < num_batches,
            one_minibatch,
            (tf.constant(0), tf.zeros([tf.shape(x)[0] if record else 0], tf.float32)),
        )
        logs = self._step_logs()
        if record:
            logs["minibatch_costs"] = costs[:num_batches]
        return logs

    def _update_step_metrics(self, loss, x, y, y_pred, sample_weight) -> None:
        """As Keras does per step: running means weighted by the real samples."""
        if self.step_metrics:
            self._loss_tracker.update_state(loss, sample_weight=tf.reduce_sum(sample_weight))
            self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def _step_logs(self) -> dict:
        """The running means; without them, the optimizer's iteration count.

        (Keras's `fit` needs at least one value from every step.)
        """
        if self.step_metrics:
            return self.get_metrics_result()
        return {"iterations": self.optimizer.iterations}

    def _train_part(self, data):
        """Adds one part's gradient; updates on the part that ends the minibatch."""
        x, y, weight = data["x"][0], data["y"][0], data["sample_weight"][0]
        self._symbolic_build(data_batch=(x, y, weight))
        sums = self._gradient_sums()
        ends_batch = data["ends_batch"]
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            cost = tf.reduce_sum(per_sample_cross_entropy(y, y_pred) * weight)
            if model_reduction(self) == "mean":
                cost = cost / data["batch_samples"]
            loss = cost
            if self.losses:  # Regularization counts once per minibatch.
                loss += tf.cast(ends_batch, cost.dtype) * tf.add_n(self.losses)
        gradients = tape.gradient(loss, self.trainable_weights)
        for total, gradient in zip(sums, [loss, *gradients]):
            total.assign_add(gradient)

        def update():
            self.optimizer.apply_gradients(
                zip([total.read_value() for total in sums[1:]], self.trainable_weights)
            )
            minibatch_cost = sums[0].read_value()
            for total in sums:
                total.assign(tf.zeros_like(total))
            return tf.reshape(minibatch_cost, [1])

        minibatch_costs = tf.cond(ends_batch, update, lambda: tf.zeros([0], loss.dtype))
        self._update_step_metrics(loss, x, y, y_pred, weight)
        logs = self._step_logs()
        if self.record_minibatch_costs:
            logs["minibatch_costs"] = minibatch_costs
        return logs

    def fit(self, *args, **kwargs):
        # A fit stopped mid-minibatch (a second Ctrl-C) may leave parts summed.
        for total in getattr(self, "_sums", None) or []:
            total.assign(tf.zeros_like(total))
        return super().fit(*args, **kwargs)

    def _gradient_sums(self) -> list[tf.Variable]:
        """The running sums of a minibatch's parts: its cost, then each gradient."""
        if getattr(self, "_sums", None) is None:
            with tf.init_scope():
                sums = [tf.Variable(0.0, trainable=False)] + [
                    tf.Variable(tf.zeros(weight.shape, weight.dtype), trainable=False)
                    for weight in self.trainable_weights
                ]
            # Set past Keras's tracking: the sums are scratch space, not weights to save.
            object.__setattr__(self, "_sums", sums)
        return self._sums


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
