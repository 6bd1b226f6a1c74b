"""Day 2: vanishing gradients, a deep sigmoid network against the same one with ReLU.

What it shows: backpropagation multiplies each layer's gradient by the
derivative of its activation, and the sigmoid's is at most 1/4. Through six
hidden sigmoid layers the gradient that reaches the first layer is orders of
magnitude smaller than at the last one, so the first layers barely learn;
with ReLU (derivative 1 where active) it stays of the same order. Both
networks start from the same seeded weights and train on the same `fonts`
minibatches. The table printed at the end (`gradient_norms.md`) sets each
layer's gradient norm after the first epoch side by side, read back from the
`gradient_norm/<layer>` scalars that TensorBoard shows.

Run it:

    python -m experiments.vanishing_gradients [--quick]
"""

import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings: six hidden layers of 32 units, plain minibatch gradient descent.
DEPTH = 6
COMMON = {
    "dataset": "fonts",
    "model": "mlp",
    "hidden": [32] * DEPTH,
    "optimizer": "gd",
    "learning_rate": 0.1,
    "batch_size": 32,
    "cost": "mean",
    "epochs": 10,
    "seed": 0,
}
RUNS = [
    Run("sigmoid", {"activation": "sigmoid"}),
    Run("relu", {"activation": "relu"}),
]
# Quick: fewer images and epochs, and no images drawn (the gradient norms tell the story).
QUICK = {"num_samples": 600, "epochs": 2, "images": False}
# The layers compared, from the first hidden layer to the output.
LAYERS = [f"hidden_{index}" for index in range(1, DEPTH + 1)] + ["output"]


def gradient_norms(run_dir: str, step: int = 1) -> dict[str, float]:
    """Each layer's `gradient_norm/<layer>` scalar at `step`, read back from the run's events.

    Example:
        >>> gradient_norms("logs/vanishing_gradients/sigmoid")["output"]  # doctest: +SKIP
        0.41
    """
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    norms = {}
    for layer in LAYERS:
        logged = {event.step: event for event in events.Tensors(f"gradient_norm/{layer}")}
        norms[layer] = float(tf.make_ndarray(logged[step].tensor_proto))
    return norms


def norms_table(norms: dict[str, dict[str, float]]) -> str:
    """A Markdown table: a row per layer, a column of gradient norms per run."""
    runs = list(norms)
    lines = ["| layer | " + " | ".join(runs) + " |", "|---" * (len(runs) + 1) + "|"]
    for layer in LAYERS:
        cells = " | ".join(f"{norms[run][layer]:.3g}" for run in runs)
        lines.append(f"| {layer} | {cells} |")
    return "\n".join(lines)


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    runs = [Run(run.name, {**common, **run.settings}) for run in RUNS]
    directory = experiment_directory(arguments.logdir, "vanishing_gradients")
    outcomes = run_experiment(directory, runs)
    norms = {outcome.run.name: gradient_norms(outcome.result.run_dir) for outcome in outcomes}
    table = norms_table(norms)
    print("gradient norm of each layer after the first epoch:\n" + table)
    with open(os.path.join(directory, "gradient_norms.md"), "w") as file:
        file.write(table + "\n")
    for outcome in outcomes:
        outcome.gradient_norms = norms[outcome.run.name]
    return outcomes


if __name__ == "__main__":
    main_guard(main)
