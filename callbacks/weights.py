"""`WeightLogger`: the weights, the step size and the gradient norm per epoch.

- Each parameter as its own scalar (`weights/w1`, `weights/w2`, `weights/b`)
  for models with at most 16 parameters, so W and b can be watched moving.
- A histogram of every weight of every layer (`histograms/<layer>/<weight>`),
  every `histogram_every` epochs and at the final epoch.
- `learning_rate`: the step size the optimizer actually applied in the
  epoch's last update, so the decaying schedule is visible (at step 0: the
  rate of the first update).
- `gradient_norm`: the norm of the gradient of the cost over the whole
  training set at the epoch's final weights (optional: `CostLogger` logs it
  too, from the same pass as the cost).

All at step = epochs completed, under `<logdir>/train`; step 0 is the start.
Each scalar's first event of a fit carries its description
(`kerasclf.callbacks.scalar_descriptions`).
"""

from __future__ import annotations

import math

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf
from tensorboard.compat.proto import summary_pb2
from tensorboard.plugins.histogram import metadata as histogram_metadata
from tensorboard.util import tensor_util

from kerasclf.callbacks.requirements import first_reason, one_input, trainable_weights
from kerasclf.callbacks.scalar_descriptions import DESCRIPTIONS, scalar_descriptions, write_scalar
from kerasclf.callbacks.writers import SummaryWriters
from kerasclf.data import Data
from kerasclf.engine.evaluation import ModelEvaluator
from kerasclf.engine.losses import REDUCTIONS
from kerasclf.models.inspection import linear_parameters
from kerasclf.engine.optimizers import current_learning_rate
from kerasclf.validation import check_choice, check_directory_path, check_integer, suggests_keywords

MAX_SCALAR_PARAMETERS = 16
HISTOGRAM_BUCKETS = 30  # TensorBoard's default.


def parameter_names(model: keras.Model) -> list[str]:
    """Scalar names of every parameter: w1, w2, ..., b for one Dense unit.

    Example:
        >>> from kerasclf.models.registry import build_model
        >>> parameter_names(build_model("logistic", 2))
        ['w1', 'w2', 'b']
    """
    linear = linear_parameters(model)
    if linear is not None:
        return [f"w{index + 1}" for index in range(len(linear[0]))] + ["b"]
    names = []
    for weight in model.weights:
        path = weight.path.replace("/", ".")
        names += [f"{path}_{index}" for index in range(int(np.prod(weight.shape)))]
    return names


def histogram_summary(tag: str, values, buckets: int = HISTOGRAM_BUCKETS) -> bytes:
    """A serialized TensorBoard histogram summary of `values`, built with numpy.

    The buckets are those of `tf.summary.histogram`: `buckets` equal widths
    from the smallest to the largest value, the last one closed; if all
    values are equal, every edge is that value and the last bucket holds them
    all. Only finite values count (a diverged weight is inf or NaN).

    Args:
        tag: The summary tag.
        values: An array of any shape.
        buckets: The number of buckets.

    Returns:
        A serialized `Summary` protocol buffer for `tf.summary.experimental.write_raw_pb`.

    Example:
        >>> summary = histogram_summary("histograms/w", np.arange(4.0), buckets=2)
        >>> isinstance(summary, bytes)
        True
    """
    buckets = check_integer("buckets", buckets)
    values = np.asarray(values, np.float64).ravel()
    values = values[np.isfinite(values)]
    counts = np.zeros(buckets)
    if values.size == 0:
        edges = np.zeros(buckets + 1)
    elif values.min() == values.max():
        edges = np.full(buckets + 1, values.min())
        counts[-1] = values.size
    else:
        low, high = values.min(), values.max()
        edges = np.linspace(low, high, buckets + 1)
        indices = np.floor((values - low) / ((high - low) / buckets)).astype(np.int64)
        counts = np.bincount(np.minimum(indices, buckets - 1), minlength=buckets).astype(float)
    table = np.stack([edges[:-1], edges[1:], counts], axis=1)
    summary = summary_pb2.Summary()
    summary.value.add(
        tag=tag,
        metadata=histogram_metadata.create_summary_metadata(display_name=None, description=None),
        tensor=tensor_util.make_tensor_proto(table, dtype=np.float64),
    )
    return summary.SerializeToString()


class WeightLogger(keras.callbacks.Callback):
    """Logs parameters, histograms, the applied step size and the gradient norm.

    Args:
        logdir: The run directory.
        x: Training features, for the gradient norm.
        y: Training labels.
        cost: "sum" or "mean", the reduction the model is trained with (for
            the gradient norm); None to read it from the model's compiled loss.
        histogram_every: Log weight histograms every this many epochs (and
            at step 0 and the final epoch); 0 for none. A histogram changes little from one
            epoch to the next, so not every epoch by default.
        gradient_norm: Whether to log `gradient_norm`; off where a
            `CostLogger` already logs it.
        task: "classification" (integer labels) or "regression" (float targets).
        num_classes: The number of classes, when the labels may lack one; None to count them.

    Example:
        >>> model.fit(x, y, callbacks=[WeightLogger("logs/run", x, y)])  # doctest: +SKIP
    """

    @suggests_keywords
    def __init__(
        self,
        logdir: str,
        x,
        y,
        cost: str | None = None,
        histogram_every: int = 5,
        gradient_norm: bool = True,
        task: str = "classification",
        num_classes: int | None = None,
    ):
        super().__init__()
        if not isinstance(gradient_norm, bool):
            raise TypeError(
                "`gradient_norm` must be True or False. Received: "
                f"gradient_norm={gradient_norm!r} of type {type(gradient_norm).__name__}."
            )
        self.gradient_norm = gradient_norm
        self.logdir = check_directory_path("logdir", logdir)
        self.training = Data(
            x, y, source="WeightLogger training data", task=task, num_classes=num_classes
        )
        self.cost = None if cost is None else check_choice("cost", cost, REDUCTIONS)
        self.histogram_every = check_integer("histogram_every", histogram_every, minimum=0)
        self._writers = SummaryWriters(logdir)
        self._write_scalars = None
        self._last_step = self._histogram_step = None

    def _build(self) -> None:
        gradient_norm = self.gradient_norm and self._gradient_norm_fits()
        if gradient_norm:
            evaluator = ModelEvaluator(self.model, self.training, self.cost)  # None: the model's.
        # One scalar chart per parameter only for small models; a large one's
        # names are not even made (a million strings, every run).
        num_parameters = sum(math.prod(weight.shape) for weight in self.model.weights)
        names = parameter_names(self.model) if num_parameters <= MAX_SCALAR_PARAMETERS else []

        descriptions = {
            f"weights/{name}": DESCRIPTIONS["weight"].format(name=name) for name in names
        }
        descriptions["learning_rate"] = DESCRIPTIONS["learning_rate"]
        if gradient_norm:
            descriptions["gradient_norm"] = scalar_descriptions(
                self.training.task, evaluator.reduction, {"": self.training.num_samples}
            )["gradient_norm"]

        def write_scalars(step, learning_rate, described):
            # One graph writes every scalar of a step: eager summary ops cost
            # about a millisecond each, which would dwarf an epoch of training.
            scalars = {}
            if names:
                values = tf.concat([tf.reshape(w, [-1]) for w in self.model.weights], axis=0)
                scalars = {f"weights/{name}": values[index] for index, name in enumerate(names)}
            scalars["learning_rate"] = learning_rate
            if gradient_norm:
                scalars["gradient_norm"] = evaluator.compiled()["gradient_norm"]
            for tag, value in scalars.items():
                write_scalar(tag, value, step, described, descriptions[tag])

        self._write_scalars = tf.function(write_scalars, autograph=False)

    def _gradient_norm_fits(self) -> bool:
        """Whether the model has a gradient norm to log; if not, a note says why, once.

        A model of several inputs or without trainable weights has none; a
        classifier that outputs logits is refused by the evaluation, with the fix.
        """
        reason = first_reason(self.model, trainable_weights, one_input)
        if reason is not None:
            print(f"note: WeightLogger logs no gradient_norm for this model: {reason}.")
        return reason is None

    def _log(self, step: int) -> None:
        described = self._write_scalars is None  # The fit's first call: see scalar_descriptions.
        if described:
            self._build()
        # At step 0 this is the rate the first update will use.
        rate = current_learning_rate(self.model.optimizer)
        with self._writers["train"].as_default():
            step_tensor, described = tf.constant(step, tf.int64), tf.constant(described)
            self._write_scalars(step_tensor, tf.constant(rate, tf.float32), described)
            if self.histogram_every and step % self.histogram_every == 0:
                self._log_histograms(step)
        self._last_step = step

    def _log_histograms(self, step: int) -> None:
        # Bucketed with numpy and written by one op: a traced
        # `tf.summary.histogram` costs about 0.25 s of tracing per weight.
        summaries = [
            histogram_summary(
                f"histograms/{layer.name}/{weight.name}", keras.ops.convert_to_numpy(weight)
            )
            for layer in self.model.layers
            for weight in layer.weights
        ]
        if summaries:
            tf.summary.experimental.write_raw_pb(tf.constant(summaries), step=step)
        self._histogram_step = step

    def on_train_begin(self, logs=None):
        if int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def on_epoch_end(self, epoch, logs=None):
        self._log(step=epoch + 1)

    def on_train_end(self, logs=None):
        # The final epoch always gets histograms, as it gets images.
        if self.histogram_every and self._last_step not in (None, self._histogram_step):
            with self._writers["train"].as_default():
                self._log_histograms(self._last_step)
        self._writers.close()
        self._write_scalars = None  # It holds the closed writer.
