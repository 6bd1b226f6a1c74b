"""Day 2: overfitting, and two cures: dropout and an L2 penalty.

What it shows: a large feed-forward network (two hidden layers of 512) on few
`fonts` images (200 for training, 200 held out for validation) learns its
training set perfectly while its validation cost turns and climbs: it
memorises. Dropping half of the hidden units at each step (dropout 0.5), or
penalising large weights (L2), keeps the validation cost lower. Compare
`cost` against `validation/cost` (one Custom Scalars chart per run) in
TensorBoard.

Run it:

    python -m experiments.overfitting [--quick]
"""

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings: few points, many weights.
COMMON = {
    "dataset": "fonts",
    "num_samples": 400,
    "validation_split": 0.5,
    "model": "mlp",
    "hidden": [512, 512],
    "activation": "relu",
    "optimizer": "adam",
    "learning_rate": 0.001,
    "batch_size": 32,
    "cost": "mean",
    "epochs": 60,
    "seed": 0,
}
RUNS = [
    Run("plain", {}),
    Run("dropout", {"dropout": 0.5}),
    Run("l2", {"l2": 0.005}),
]
# Quick: fewer epochs, and no images drawn nor per-layer gradient norms computed (the costs
# tell the story).
QUICK = {"epochs": 20, "images": False, "callbacks_off": ["gradient_norms"]}


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    runs = [Run(run.name, {**common, **run.settings}) for run in RUNS]
    directory = experiment_directory(arguments.logdir, "overfitting")
    return run_experiment(directory, runs)


if __name__ == "__main__":
    main_guard(main)
