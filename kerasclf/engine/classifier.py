"""`Classifier`: a Keras functional model whose `fit` also trains on blocks.

Stock `model.fit` pays about 1 ms of Python and runtime overhead per step,
whatever the batch size, so SGD with batch size 1 crawls. A *block* packs many
minibatches into one tensor; one call of the XLA-compiled train step then runs
all of them in a `tf.while_loop`, with the model's own layers, loss, metrics
and optimizer, one update per minibatch, exactly as stock `fit`'s
`train_step` would make them.

A block is a dict made by `kerasclf.pipeline`:

    {"x": (num_slots, batch_size, *features), "y": (num_slots, batch_size),
     "num_batches": ()}
    + "sample_weight": (num_slots, batch_size)          with class weights
    + "last_x": (remainder, *features), "last_y": (remainder,),
      "has_last": (), ["last_sample_weight": (remainder,)]
                                  when the data is not a multiple of the batch

Only the first `num_batches` slots hold minibatches, all of them whole; the
slots after them pad the block to a fixed shape so that XLA compiles once,
and the loop never reaches them. The epoch's last, partial minibatch is not
padded: it travels in `last_x`, with its own static shape, and runs (when
`has_last`) after the loop, through the same step (one function of any
minibatch size, traced once, that XLA inlines at each size). So no padded row ever
reaches a layer, a loss or a metric: BatchNormalization's statistics, Keras's
default loss reduction (divided by the real rows), activity regularizers and
unweighted metrics all see what stock `fit` sees. Anything that is not a
block goes to Keras's own `train_step`.

A minibatch too large for one block (full batch over streamed data) arrives
as *parts*: blocks of one slot with two more keys, `"ends_batch"` (a bool) and
`"batch_samples"` (the minibatch's real size). The step adds each part's
gradient to a running sum and updates the weights once, on the part that ends
the minibatch: the same update as one step over the whole minibatch, for the
models `check_parts_trainable` accepts.

How the step runs is set by a `kerasclf.engine.step_settings.StepSettings`
(`Classifier.configure_step`).
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

from kerasclf.engine.losses import (
    CrossEntropy,
    SquaredError,
    model_reduction,
    model_task,
    per_sample_cost,
)
from kerasclf.engine.metric_calls import MetricCalls
from kerasclf.engine.step_settings import StepSettings
from kerasclf.engine.unrolling import minibatches_per_iteration
from kerasclf.models.inspection import all_layers
from kerasclf.validation import shown

# The keys every block has; a block of parts has PART_KEYS too.
BLOCK_KEYS = frozenset({"x", "y", "num_batches"})
OPTIONAL_BLOCK_KEYS = frozenset(
    {"sample_weight", "last_x", "last_y", "has_last", "last_sample_weight"}
)
PART_KEYS = frozenset({"ends_batch", "batch_samples"})


def is_block(data) -> bool:
    """Whether one element of a dataset is a block of minibatches (or a part)."""
    if not isinstance(data, dict) or not BLOCK_KEYS <= set(data):
        return False
    return set(data) <= BLOCK_KEYS | OPTIONAL_BLOCK_KEYS | PART_KEYS


@keras.saving.register_keras_serializable(package="kerasclf")
class Classifier(keras.Model):
    """A functional Keras model that trains on blocks of minibatches too.

    Build it like any functional model, `Classifier(inputs, outputs)`, or
    from a user's model with `Classifier.from_model`. It behaves
    as a `keras.Model` in every way; only `train_step` differs, and only when
    it receives a block.

    Example:
        >>> inputs = keras.Input((2,))
        >>> outputs = keras.layers.Dense(1, activation="sigmoid")(inputs)
        >>> model = Classifier(inputs, outputs)
        >>> model.step_settings.step_metrics
        True
    """

    step_settings = StepSettings()

    @classmethod
    def from_model(cls, model: keras.Model, input_shape=None) -> Classifier:
        """The fused-engine model of any Keras model, sharing its layers and weights.

        A functional or Sequential model is rebuilt on its own graph; a
        subclassed one is called on a new `keras.Input(input_shape)`. Either
        way the layers are the user's own objects, so training the result
        trains `model`.

        Example:
            >>> user = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, "softmax")])
            >>> fused = Classifier.from_model(user)
            >>> fused.layers[-1] is user.layers[-1]
            True
        """
        if isinstance(model, Classifier):
            return model
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"`model` must be a keras.Model. Received: model={shown(model)} of type "
                f"{type(model).__name__}."
            )
        inputs = getattr(model, "inputs", None)
        if inputs is not None and getattr(model, "outputs", None) is not None:
            return cls(inputs, model.outputs, name=model.name)
        if input_shape is None:
            raise ValueError(
                f"A subclassed model ({type(model).__name__}) has no input shape of its own. "
                "Pass input_shape, the shape of one sample."
            )
        inputs = keras.Input(tuple(input_shape))
        return cls(inputs, model(inputs), name=model.name)

    def configure_step(self, settings: StepSettings) -> None:
        """Sets how the train step runs; it is traced again at the next `fit`."""
        if not isinstance(settings, StepSettings):
            raise TypeError(f"`settings` must be a StepSettings. Received: settings={settings!r}.")
        if settings != self.step_settings:
            self.step_settings = settings
            self.train_function = None  # Keras traces it again with the new settings.

    def train_step(self, data):
        if not is_block(data):
            if not self.step_settings.record_minibatch_costs:
                return super().train_step(data)
            data = _as_block(data)
        if "ends_batch" in data:
            return self._train_part(data)
        x, y, weights = data["x"], data["y"], data.get("sample_weight")
        # Variables of the compiled loss, metrics and optimizer must exist
        # before the loop: they cannot be created inside a tf.while_loop.
        self._symbolic_build(data_batch=(x[0], y[0], None if weights is None else weights[0]))
        record = self.step_settings.record_minibatch_costs
        update = self._traced_update(x, y, weights)

        def one_minibatch(index, costs):
            minibatch = (x[index], y[index]) + (() if weights is None else (weights[index],))
            cost = update(*minibatch)
            return index + 1, _recorded(costs, index, cost) if record else costs

        num_batches = tf.cast(data["num_batches"], tf.int32)
        slots = tf.shape(x)[0] + 1 if record else 0
        state = (tf.constant(0), tf.zeros([slots], tf.float32))
        unroll = self.step_settings.minibatches_per_iteration or minibatches_per_iteration(
            self, batch_size=x.shape[1], num_slots=x.shape[0]
        )
        if unroll > 1:  # Whole groups of `unroll` minibatches, then one at a time.

            def several_minibatches(index, costs):
                for _ in range(unroll):
                    index, costs = one_minibatch(index, costs)
                return index, costs

            state = tf.while_loop(
                lambda index, costs: index + unroll <= num_batches, several_minibatches, state
            )
        _, costs = tf.while_loop(lambda index, costs: index < num_batches, one_minibatch, state)
        count = num_batches
        if "last_x" in data:
            costs, count = self._last_minibatch(data, update, num_batches, costs, record)
        logs = self._step_logs()
        if record:
            logs["minibatch_costs"] = costs[:count]
        return logs

    def _traced_update(self, x, y, weights):
        """`_minibatch_update` as a function of any minibatch size, traced once.

        The loop's minibatches (`unroll` of them per iteration) and the epoch's
        last, partial one all call it: Keras's step is traced once, not once
        per call site. XLA inlines each call at its own static size.
        """

        def spec(block):
            return tf.TensorSpec([None, *block.shape[2:]], block.dtype)

        signature = [spec(x), spec(y)] + ([] if weights is None else [spec(weights)])
        return tf.function(self._minibatch_update, input_signature=signature, autograph=False)

    def _last_minibatch(self, data, update, num_batches, costs, record):
        """Runs the epoch's partial minibatch, at its real size, if this block has it."""

        def run():
            weight = data.get("last_sample_weight")
            cost = update(data["last_x"], data["last_y"], *(() if weight is None else (weight,)))
            return _recorded(costs, num_batches, cost) if record else costs

        has_last = data["has_last"]
        costs = tf.cond(has_last, run, lambda: costs)
        return costs, num_batches + tf.cast(has_last, tf.int32)

    def _minibatch_update(self, x, y, sample_weight=None):
        """Stock `train_step` on one minibatch; returns its loss (before the update)."""
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
            )
            scaled_loss = self.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        if self.step_settings.step_metrics:
            self._loss_tracker.update_state(loss, sample_weight=tf.shape(x)[0])
            self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
        return loss

    def _step_logs(self) -> dict:
        """The running means; without them, the optimizer's iteration count.

        (Keras's `fit` needs at least one value from every step.)
        """
        if self.step_settings.step_metrics:
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
            # In float32, as a Keras loss computes (under mixed_float16 y_pred is float16).
            probabilities = tf.cast(y_pred, weight.dtype)
            cost = tf.reduce_sum(per_sample_cost(model_task(self))(y, probabilities) * weight)
            if model_reduction(self) == "mean":
                cost = cost / data["batch_samples"]
            loss = cost
            if self.losses:  # Regularization counts once per minibatch.
                loss += tf.cast(ends_batch, cost.dtype) * tf.add_n(self.losses)
            # The sums hold scaled gradients; the optimizer unscales them once.
            scaled_loss = self.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, self.trainable_weights)
        for total, gradient in zip(sums, [loss, *gradients]):
            total.assign_add(tf.cast(gradient, total.dtype))

        def update():
            self.optimizer.apply_gradients(
                zip([total.read_value() for total in sums[1:]], self.trainable_weights)
            )
            minibatch_cost = sums[0].read_value()
            for total in sums:
                total.assign(tf.zeros_like(total))
            return tf.reshape(minibatch_cost, [1])

        minibatch_costs = tf.cond(ends_batch, update, lambda: tf.zeros([0], tf.float32))
        if self.step_settings.step_metrics:
            self._loss_tracker.update_state(loss, sample_weight=tf.reduce_sum(weight))
            self.compute_metrics(x, y, y_pred, sample_weight=weight)
        logs = self._step_logs()
        if self.step_settings.record_minibatch_costs:
            logs["minibatch_costs"] = minibatch_costs
        return logs

    def reset_metrics(self):
        """Keras's reset of every metric, in one compiled call where it can (`MetricCalls`)."""
        if not self._metric_calls().reset(self.metrics):
            super().reset_metrics()

    def get_metrics_result(self):
        """Keras's read of every metric, in one compiled call where it can (`MetricCalls`)."""
        results = self._metric_calls().results(self.metrics)
        return super().get_metrics_result() if results is None else results

    def _metric_calls(self) -> MetricCalls:
        if getattr(self, "_compiled_metric_calls", None) is None:
            # Set past Keras's tracking, as `_sums`: a cache, not state to save.
            object.__setattr__(self, "_compiled_metric_calls", MetricCalls())
        return self._compiled_metric_calls

    def fit(self, *args, **kwargs):
        # A fit stopped mid-minibatch (a second Ctrl-C) may leave parts summed.
        for total in getattr(self, "_sums", None) or []:
            total.assign(tf.zeros_like(total))
        data = kwargs["x"] if "x" in kwargs else args[0] if args else None
        if isinstance(data, tf.data.Dataset):
            self._build_before_tracing(data.element_spec)
        return super().fit(*args, **kwargs)

    def _build_before_tracing(self, element_spec) -> None:
        """Creates the optimizer's, metrics' and loss's variables now, before `fit` traces.

        Without a distribution strategy Keras creates them while it traces the
        train function, and `tf.function` then traces that function a second
        time, since its first trace made variables: every minibatch update of
        the block traced twice, for nothing. (A strategy's `fit` builds them
        itself, in its scope.)
        """
        if self._distribute_strategy is not None:
            return
        if is_block(element_spec):  # One minibatch's spec: a slot of the block.
            if PART_KEYS <= set(element_spec):
                self._gradient_sums()
            element_spec = tuple(
                tf.TensorSpec(element_spec[name].shape[1:], element_spec[name].dtype)
                if name in element_spec
                else None
                for name in ("x", "y", "sample_weight")
            )
        self._symbolic_build(data_batch=element_spec)

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


def check_parts_trainable(
    model: keras.Model, fix: str = "Use a --batch-size of at most 1048576 (2**20)."
) -> None:
    """Refuses, in one line, a model whose minibatch cannot be trained in parts.

    A part's gradient adds up to the minibatch's only when the cost is a sum
    over independent samples: kerasclf's `CrossEntropy` or `SquaredError`, with no layer that
    looks across the batch (BatchNormalization) and no activity regularizer.

    Args:
        model: The compiled model.
        fix: The error's last sentence: how the run can avoid minibatches in parts.

    Example:
        >>> inputs = keras.Input((2,))
        >>> model = Classifier(inputs, keras.layers.Dense(1, "sigmoid")(inputs))
        >>> model.compile(loss="binary_crossentropy")
        >>> check_parts_trainable(model)
        Traceback (most recent call last):
        ...
        ValueError: A minibatch larger than a block (2**20 samples) trains in parts, which needs kerasclf's CrossEntropy or SquaredError cost. Received a model compiled with loss 'binary_crossentropy'. Use a --batch-size of at most 1048576 (2**20).
    """  # noqa: E501
    what = "A minibatch larger than a block (2**20 samples) trains in parts, which needs"
    if not isinstance(model.loss, (CrossEntropy, SquaredError)):
        raise ValueError(
            f"{what} kerasclf's CrossEntropy or SquaredError cost. Received a model compiled "
            f"with loss {model.loss!r}. {fix}"
        )
    for layer in all_layers(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            reason = "is a BatchNormalization layer, whose statistics span the whole minibatch"
        elif getattr(layer, "activity_regularizer", None) is not None:
            reason = "has an activity regularizer, which sums over the whole minibatch"
        else:
            continue
        raise ValueError(f"{what} per-sample layers, but layer {layer.name!r} {reason}. {fix}")


def _recorded(costs, index, cost):
    """`costs` with `cost` at `index`."""
    return tf.tensor_scatter_nd_update(costs, [[index]], [tf.cast(cost, costs.dtype)])


def _as_block(data) -> dict:
    """One plain `(x, y[, sample_weight])` minibatch as a block of one."""
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    block = {"x": x[None], "y": y[None], "num_batches": tf.constant(1, tf.int32)}
    if sample_weight is not None:
        block["sample_weight"] = sample_weight[None]
    return block
