"""What each scalar chart shows, in the words under its (i) in TensorBoard.

TensorBoard shows the description of a tag's first event only, so the
callbacks write it with the first values of a fit (`write_scalar`'s
`described`) and bare metadata after: a description on every epoch's event
would make a long run's event file several times larger.

`DESCRIPTIONS` has one text per kind of scalar. `{set}` is a set's name and
size, `{cost}` the task's cost, `{reduction}` "summed" or "mean", `{layer}` a
layer's name.

Example:
    >>> scalar_descriptions("classification", "sum", {"test_": 40})["test/mean_cost"]
    'The cross-entropy per sample, J / n, over the test set (40 samples), at the weights the epoch ended with (step 0: the initial weights). Comparable between sets and runs.'
"""  # noqa: E501

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf
from tensorboard.plugins.scalar import metadata as scalars_plugin

from kerasclf.engine.losses import REDUCTIONS, TASKS
from kerasclf.validation import check_choice, check_integer

DESCRIPTIONS = {
    "cost": (
        "J: the {cost} summed over the {set}, at the weights the epoch ended with (step 0: the "
        "initial weights). A sum grows with the set's size: compare sets by `mean_cost`."
    ),
    "mean_cost": (
        "The {cost} per sample, J / n, over the {set}, at the weights the epoch ended with "
        "(step 0: the initial weights). Comparable between sets and runs."
    ),
    "accuracy": (
        "The share of the {set} classified right at the weights the epoch ended with "
        "(step 0: the initial weights). With k classes of equal size, 1 / k is chance."
    ),
    "gradient_norm": (
        "The length of the gradient of the {reduction} cost over the {set}, at the weights the "
        "epoch ended with: large while the weights still move, near 0 at a minimum."
    ),
    "layer_gradient_norm": (
        "The length of the mean cost's gradient with respect to the weights of layer `{layer}` "
        "(kernel and bias together), on a fixed sample of the training set (all of it when "
        "small). Much smaller than the last layer's: the layer learns slowly (vanishing "
        "gradients)."
    ),
    "learning_rate": (
        "The step size the optimizer used in the epoch's last update (step 0: the first "
        "update's); it falls over the run under a decaying schedule."
    ),
    "weight": (
        "The parameter `{name}` at the end of each epoch (step 0: its initial value): watch "
        "W and b move into place."
    ),
    "minibatch_cost": (
        "The cost of each minibatch at the weights just before its update, at step = the "
        "update's number: noisy under SGD, where the epoch's `cost` is smooth."
    ),
}
# The cost each task's `cost` sums.
TASK_COSTS = {"classification": "cross-entropy", "regression": "squared error"}
# The tag prefix and name of each set, by its prefix in the logs.
SETS = {"": ("", "training"), "val_": ("validation/", "validation"), "test_": ("test/", "test")}
# The scalars of each set.
SET_SCALARS = ("cost", "mean_cost", "accuracy", "gradient_norm")


def scalar_metadata(description: str) -> bytes:
    """A scalar summary's serialized metadata, as `tf.summary.scalar` writes it.

    Example:
        >>> from tensorboard.compat.proto import summary_pb2
        >>> summary_pb2.SummaryMetadata.FromString(scalar_metadata("J")).summary_description
        'J'
    """
    if not isinstance(description, str):
        raise TypeError(
            f"`description` must be a string (Markdown; '' for none). Received: "
            f"description={description!r} of type {type(description).__name__}."
        )
    return scalars_plugin.create_summary_metadata(
        display_name=None, description=description
    ).SerializeToString()


def scalar_descriptions(task: str, reduction: str, set_sizes: dict[str, int | None]) -> dict:
    """The description of each set's cost scalars, by tag.

    Args:
        task: "classification" or "regression": which cost `cost` sums.
        reduction: "sum" or "mean": the cost the model trains on.
        set_sizes: Each set's size (None if not known, a stream's), by its
            prefix in the logs: "" training, "val_" validation, "test_" test.

    Example:
        >>> scalar_descriptions("regression", "mean", {"": None})["mean_cost"][:60]
        'The squared error per sample, J / n, over the training set, '
    """
    task = check_choice("task", task, TASKS)
    reduction = check_choice("reduction", reduction, REDUCTIONS)
    if not isinstance(set_sizes, dict):
        raise TypeError(
            "`set_sizes` must be a dict of each set's size by its prefix, e.g. {'': 200}. "
            f"Received: set_sizes={set_sizes!r} of type {type(set_sizes).__name__}."
        )
    for size in (size for size in set_sizes.values() if size is not None):
        check_integer("a set's size in set_sizes", size, minimum=0)
    words = {"cost": TASK_COSTS[task], "reduction": "summed" if reduction == "sum" else "mean"}
    descriptions = {}
    for prefix, size in set_sizes.items():
        tag_prefix, name = SETS[check_choice("set_sizes key", prefix, SETS)]
        named = f"{name} set" + ("" if size is None else f" ({size} samples)")
        for key in SET_SCALARS:
            descriptions[tag_prefix + key] = DESCRIPTIONS[key].format(set=named, **words)
    return descriptions


def write_scalar(tag: str, value, step, described, description: str) -> None:
    """Writes a scalar as `tf.summary.scalar` does, with `description` where `described`.

    For use inside a traced function: `described` is a boolean tensor, so one
    trace writes both the fit's first, described events and the bare ones.

    Args:
        tag: The scalar's tag, kept as given (no name scope added).
        value: Its value, a scalar tensor.
        step: The step.
        described: A boolean scalar tensor: whether to attach `description`.
        description: What the chart shows (Markdown).
    """
    if not isinstance(tag, str) or not tag:
        raise TypeError(f"`tag` must be a non-empty string. Received: tag={tag!r}.")
    metadata = tf.where(described, scalar_metadata(description), scalar_metadata(""))
    tf.summary.write(tag, tf.cast(value, tf.float32), step=step, metadata=metadata)
