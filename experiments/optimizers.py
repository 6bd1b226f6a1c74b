"""Day 2: SGD, momentum, Nesterov, RMSprop and Adam on the CNN.

What it shows: the seminar's CNN on the `fonts` images, from the same start
and on the same minibatches of 32, trained by five optimizers. Plain SGD
crawls at its step size; momentum and Nesterov gather speed along the
consistent directions; RMSprop and Adam scale each weight's step by its own
gradient history and get furthest in the same epochs. Compare the `cost`
curves in TensorBoard's Scalars tab (one chart, a line per run).

Run it:

    python -m experiments.optimizers [--quick]
"""

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings: the step sizes usual for each family (SGD's 0.01, the adaptive ones' 0.001).
COMMON = {
    "dataset": "fonts",
    "model": "cnn",
    "batch_size": 32,
    "cost": "mean",
    "epochs": 10,
    "seed": 0,
}
RUNS = [
    Run("sgd", {"optimizer": "gd", "learning_rate": 0.01}),
    Run("momentum", {"optimizer": "momentum", "learning_rate": 0.01, "momentum": 0.9}),
    Run("nesterov", {"optimizer": "nesterov", "learning_rate": 0.01, "momentum": 0.9}),
    Run("rmsprop", {"optimizer": "rmsprop", "learning_rate": 0.001}),
    Run("adam", {"optimizer": "adam", "learning_rate": 0.001}),
]
# Quick: fewer images and epochs, and no images drawn nor per-layer gradient norms computed
# (the costs tell the story).
QUICK = {"num_samples": 1000, "epochs": 3, "images": False, "callbacks_off": ["gradient_norms"]}


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    runs = [Run(run.name, {**common, **run.settings}, group="all") for run in RUNS]
    directory = experiment_directory(arguments.logdir, "optimizers")
    return run_experiment(directory, runs)


if __name__ == "__main__":
    main_guard(main)
