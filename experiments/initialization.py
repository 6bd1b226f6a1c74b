"""Initialization: zeros against random starts, and local minima.

What it shows:
- Logistic regression reaches the same optimum from any start, because its
  cost is convex: zeros and three random starts end at the same cost.
- An MLP on `xor` is not convex: from different random starts it ends in
  different minima, shown by the spread of its final costs (and a start from
  zeros cannot break the symmetry of its hidden units at all).
The data is the same for every run (`data_seed`); only the start changes.

Run it:

    python -m experiments.initialization [--quick]
"""

import numpy as np

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings.
LOGISTIC = {
    "dataset": "seminar_blobs",
    "optimizer": "nesterov",
    "learning_rate": 0.003,
    "epochs": 300,
    "data_seed": 0,
    "surface_every": 30,
}
MLP = {
    "dataset": "xor",
    "model": "mlp",
    "hidden": [4],
    "activation": "tanh",
    "optimizer": "adam",
    "learning_rate": 0.02,
    "cost": "mean",
    "epochs": 300,
    "data_seed": 0,
    "surface_every": 30,
    "num_samples": 200,
}
SEEDS = [1, 2, 3]
QUICK = {"epochs": 60, "images": False}


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    quick = QUICK if arguments.quick else {}
    runs = [Run("logistic_zeros", {**LOGISTIC, **quick, "init": "zeros"}, group="logistic")]
    runs += [
        Run(
            f"logistic_random_{seed}",
            {**LOGISTIC, **quick, "init": "random", "seed": seed},
            group="logistic",
        )
        for seed in SEEDS
    ]
    runs += [Run("mlp_zeros", {**MLP, **quick, "init": "zeros"}, group="mlp")]
    runs += [
        Run(f"mlp_random_{seed}", {**MLP, **quick, "init": "random", "seed": seed}, group="mlp")
        for seed in SEEDS
    ]
    directory = experiment_directory(arguments.logdir, "initialization")
    outcomes = run_experiment(directory, runs)
    for group in ("logistic", "mlp"):
        costs = [o.result.summary["cost"] for o in outcomes if o.run.group == group]
        print(
            f"{group}: final costs {np.round(costs, 4).tolist()}, "
            f"spread {max(costs) - min(costs):.4g}"
        )
    return outcomes


if __name__ == "__main__":
    main_guard(main)
