"""Beyond the line: a linear model, hand-made features phi(x), and a learned phi.

What it shows, on `circle`, `xor` and `spiral`: logistic regression on
(x1, x2) draws a line and fails; the same logistic regression on hand-made
features phi(x) ("a linear model of transformed inputs") separates circle and
xor; an MLP learns its own phi in its hidden layers and separates all three.
Compare the decision-boundary images of the runs in TensorBoard.

Run it:

    python -m experiments.nonlinear [--quick]
"""

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings: Adam on the mean cost, so every model trains at one step size.
COMMON = {
    "optimizer": "adam",
    "learning_rate": 0.02,
    "cost": "mean",
    "epochs": 200,
    "seed": 0,
    "boundary_every": 20,
    "surface_every": 50,
}
FEATURES = {"circle": "x1^2,x2^2", "xor": "x1*x2", "spiral": "poly3"}
MLP = {"model": "mlp", "init": "random", "activation": "tanh"}
HIDDEN = {"circle": [8, 8], "xor": [8, 8], "spiral": [16, 16, 16]}
EPOCHS = {"spiral": 400}
QUICK = {"epochs": 80, "images": False}


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    runs = []
    for dataset, features in FEATURES.items():
        common = {**COMMON, "dataset": dataset, "epochs": EPOCHS.get(dataset, COMMON["epochs"])}
        if dataset == "spiral":
            common["batch_size"] = 32
        if arguments.quick:
            common.update(QUICK)
        runs += [
            Run(f"{dataset}_linear", common, group=dataset),
            Run(f"{dataset}_features", {**common, "features": features}, group=dataset),
            Run(f"{dataset}_mlp", {**common, **MLP, "hidden": HIDDEN[dataset]}, group=dataset),
        ]
    directory = experiment_directory(arguments.logdir, "nonlinear")
    return run_experiment(directory, runs)


if __name__ == "__main__":
    main_guard(main)
