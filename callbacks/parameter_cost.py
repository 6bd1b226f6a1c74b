"""The cost J at many weight vectors at once, for any model, over a sample of the points.

The error surface evaluates the cost at thousands of weight vectors per
image. `ParameterCost` does it in one vectorized pass of the model;
`surface_sample` bounds the points it runs over, and `cost_scale` turns the
sum over that sample into the cost of all the points. `forward_cost` counts
what one sample's forward pass costs (its multiply-adds and its widest
activation), so that the landscape can fit its work to the model
(`callbacks.landscape_surface`).
"""

from __future__ import annotations

import dataclasses

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.callbacks.requirements import has_recurrent_layer
from kerasclf.callbacks.surface_plot import GRID_POINTS
from kerasclf.data import Data
from kerasclf.engine.losses import model_task, per_sample_cost

# Largest number of activations one vectorized chunk may hold (128 MB of float32).
MAX_CHUNK_VALUES = 2**25
MAX_SURFACE_SAMPLES = 4096
# Most vectors per chunk without XLA (`compiled=False`): larger chunks run no
# faster per vector, and the path's last chunk is padded up to it.
LARGE_MODEL_CHUNK = 32
# Most weights in one chunk of vectors without XLA: 32 MB of float32 (8 vectors
# of a million-weight network), as vectorizing the model copies them.
MAX_CHUNK_WEIGHTS = 2**23
# Graph operations that run their body function again and again: a recurrent layer's loop.
_LOOPS = ("While", "StatelessWhile")
# Graph operations that compute nothing.
_FREE = ("Placeholder", "Const", "ReadVariableOp", "Identity", "NoOp")
# Graph operations whose cost is a contraction (multiply-adds), not one per output value.
_CONVOLUTIONS = ("Conv2D", "Conv3D", "DepthwiseConv2dNative")
_MATRIX_PRODUCTS = ("MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")


def vectorizes(model: keras.Model) -> bool:
    """Whether `ParameterCost` runs the model's vectors as one vectorized pass: not a recurrent one.

    Example:
        >>> vectorizes(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
        True
    """
    return not has_recurrent_layer(model)


class ParameterCost:
    """The cost J at many flattened parameter vectors at once.

    The model runs with each vector's weights through `stateless_call`,
    vectorized over the vectors with `tf.vectorized_map` and, by default,
    compiled with XLA, so a whole grid is one call. A recurrent model runs
    its vectors through `tf.map_fn` (ten at a time) and without XLA:
    vectorizing its loop over the time steps makes TensorLists that XLA
    cannot compile ("TensorListReserve"), and without XLA the vectorized
    loop runs no faster than `tf.map_fn` and takes longer to trace (0.7-1.9
    against 0.2-1.0 s for Day 3's models). The model's own weights are not
    touched. Only the cross-entropy counts, no regularization penalty.

    Args:
        model: The model; its trainable weights, flattened and concatenated in
            order, make a parameter vector.
        data: The training points.
        reduction: `"sum"` or `"mean"`.
        represented_samples: How many points `data` stands for, when it is a
            sample of them (`surface_sample`); by default its own.
        compiled: Compile with XLA (True), or run TensorFlow's own kernels:
            on the CPU its convolutions run about 3 times faster than XLA's,
            and need no compiling. A recurrent model runs without XLA.
        activations: The most values one sample's forward pass holds at once
            (`forward_cost`), to size the chunks of vectors; by default the
            widest of the features and the weights' last axes.

    Example:
        >>> cost = ParameterCost(build_model("logistic", 2), data, "sum")  # doctest: +SKIP
        >>> cost(np.zeros((1, 3)))  # 200 log 2 for 200 points  # doctest: +SKIP
        array([138.62943611])
    """

    def __init__(
        self,
        model: keras.Model,
        data: Data,
        reduction: str,
        represented_samples: int | None = None,
        compiled: bool = True,
        activations: int | None = None,
    ):
        self.model = model
        self._task = model_task(model)
        self._shapes = [tuple(weight.shape) for weight in model.trainable_weights]
        self._sizes = [int(np.prod(shape)) for shape in self._shapes]
        self.num_parameters = sum(self._sizes)
        self.num_samples = data.num_samples
        self._features = tf.constant(data.features)
        self._labels = tf.constant(data.labels)
        self._scale = cost_scale(data, reduction, represented_samples)
        widest = activations or max(
            [data.num_features] + [shape[-1] for shape in self._shapes if shape]
        )
        self._chunk = int(
            np.clip(MAX_CHUNK_VALUES // (data.num_samples * widest), 1, GRID_POINTS**2)
        )
        if not compiled:
            # A power of two up to LARGE_MODEL_CHUNK, and of at most
            # MAX_CHUNK_WEIGHTS weights in all (each vector's weights are copied
            # as the model runs): it divides every grid's points, so only the
            # path's last chunk is padded.
            most = min(self._chunk, LARGE_MODEL_CHUNK, MAX_CHUNK_WEIGHTS // self.num_parameters)
            self._chunk = 2 ** int(np.log2(max(most, 1)))
        self._vectorized = vectorizes(model)
        self._costs = tf.function(self._chunk_costs, jit_compile=compiled and self._vectorized)

    @property
    def chunk_size(self) -> int:
        """How many vectors one call of the vectorized model evaluates."""
        return self._chunk

    def _chunk_costs(self, parameters, non_trainable):
        def cost(vector):
            pieces = tf.split(vector, self._sizes)
            weights = [tf.reshape(piece, shape) for piece, shape in zip(pieces, self._shapes)]
            probabilities, _ = self.model.stateless_call(
                weights, non_trainable, self._features, training=False
            )
            return tf.reduce_sum(per_sample_cost(self._task)(self._labels, probabilities))

        if self._vectorized:
            return tf.vectorized_map(cost, parameters)
        return tf.map_fn(cost, parameters, fn_output_signature=tf.float32)

    def __call__(self, parameters: np.ndarray, non_trainable: list | None = None) -> np.ndarray:
        """The costs of `parameters` `(num_vectors, num_parameters)`, as float64.

        `non_trainable` holds the values of the model's non-trainable
        variables (a dropout's seed state too) to use; by default their
        current values.
        """
        parameters = np.asarray(parameters, dtype=np.float32)
        if non_trainable is None:
            non_trainable = [weight.value for weight in self.model.non_trainable_variables]
        costs = []
        for start in range(0, len(parameters), self._chunk):
            chunk = parameters[start : start + self._chunk]
            # Every chunk has the same shape, so the function is traced only once.
            padded = np.resize(chunk, (self._chunk, self.num_parameters))
            costs.append(self._costs(padded, non_trainable).numpy()[: len(chunk)])
        return np.concatenate(costs).astype(np.float64) * self._scale


def surface_sample(data: Data, seed: int = 0, size: int = MAX_SURFACE_SAMPLES) -> Data:
    """At most `size` of the points, a seeded sample drawn once per run, in their order.

    The surface evaluates the cost at thousands of weight vectors per image;
    over a seeded sample of the points it costs the same for any data size,
    and `cost_scale` scales the summed cost up to stand for all the points.
    A large model's landscape takes a smaller sample of that one
    (`callbacks.landscape_surface.landscape_resolution`).

    Example:
        >>> ten = Data(np.arange(20.0).reshape(10, 2), np.arange(10) % 2)
        >>> surface_sample(ten, size=4).num_samples, surface_sample(ten).num_samples
        (4, 10)
    """
    if data.num_samples <= size:
        return data
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(data.num_samples, size, replace=False))
    return data.subset(rows, f"{data.source} (a sample for the error surface)")


def cost_scale(data: Data, reduction: str, represented_samples: int | None) -> float:
    """Turns a sum over `data` into the summed or mean cost of all the points.

    Example:
        >>> four_points = Data(np.zeros((4, 2), np.float32), np.array([0, 1, 0, 1]))
        >>> cost_scale(four_points, "sum", 400), cost_scale(four_points, "mean", 400)
        (100.0, 0.25)
    """
    if reduction == "mean":
        return 1.0 / data.num_samples
    return (represented_samples or data.num_samples) / data.num_samples


@dataclasses.dataclass(frozen=True)
class ForwardCost:
    """What one sample's forward pass costs.

    Attributes:
        multiply_adds: Its multiply-adds: those of matrix products and
            convolutions, plus one per value every other operation computes.
        activations: The most values one operation computes for it (the
            widest activation).
    """

    multiply_adds: int
    activations: int


def forward_cost(model: keras.Model, feature_shape: tuple, dtype="float32") -> ForwardCost:
    """The cost of one sample's forward pass, counted on the model's traced graph.

    The model is traced once, on a batch of one, through `stateless_call`
    (its variables are not touched); each graph operation is counted from
    its static shapes, so any model is counted, whatever its layers. A loop
    (a recurrent layer's) counts its body once per step of the samples'
    first axis, their time steps.

    Example:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        >>> forward_cost(model, (3,))  # 3 x 4 products, 4 bias additions.
        ForwardCost(multiply_adds=16, activations=4)
    """
    trainable = [weight.value for weight in model.trainable_variables]
    non_trainable = [weight.value for weight in model.non_trainable_variables]
    function = tf.function(
        lambda inputs, trainable, non_trainable: model.stateless_call(
            trainable, non_trainable, inputs, training=False
        )
    )
    inputs = tf.TensorSpec((1, *feature_shape), dtype)
    graph = function.get_concrete_function(inputs, trainable, non_trainable).graph
    steps = (feature_shape[0] or 1) if feature_shape else 1
    return _graph_cost(graph, steps)


def _graph_cost(graph, steps: int) -> ForwardCost:
    """The `ForwardCost` of a traced graph, each loop's body counted `steps` times."""
    multiply_adds, activations = 0, 1
    for operation in graph.get_operations():
        if operation.type in _FREE:
            continue
        for output in operation.outputs:
            activations = max(activations, _num_values(output.shape))
        if operation.type in _LOOPS:
            body = graph._get_function(operation.get_attr("body").name).graph
            body_cost = _graph_cost(body, steps)
            multiply_adds += steps * body_cost.multiply_adds
            activations = max(activations, body_cost.activations)
        else:
            multiply_adds += _operation_multiply_adds(operation)
    return ForwardCost(int(multiply_adds), int(activations))


def _num_values(shape) -> int:
    """The number of values of a static shape (unknown axes count as 1; a scalar is 1)."""
    if shape.rank is None:
        return 1
    return int(np.prod([size or 1 for size in shape.as_list()], dtype=np.int64))


def _operation_multiply_adds(operation) -> int:
    """Multiply-adds of one graph operation, from its static shapes."""
    values = sum(_num_values(output.shape) for output in operation.outputs)
    if operation.type in _CONVOLUTIONS:  # Each output: a kernel window (all input channels).
        kernel = operation.inputs[1].shape.as_list()
        window = kernel[:-2] if operation.type == "DepthwiseConv2dNative" else kernel[:-1]
        return values * int(np.prod([size or 1 for size in window]))
    if operation.type in _MATRIX_PRODUCTS:  # Each output: a dot product over the shared axis.
        left = operation.inputs[0].shape.as_list()
        transposed = operation.get_attr("transpose_a" if operation.type == "MatMul" else "adj_x")
        return values * ((left[-2] if transposed else left[-1]) or 1)
    return values
