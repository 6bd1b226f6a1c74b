"""Day 3: forecasting a series, with a plain RNN, an LSTM and a GRU.

What it shows: `series` is a noisy sum of three sines, cut into windows of 30
steps, each with the next value as its target (`--task regression`: the
summed squared error is the cost). The test part is the series' last stretch
in time. Each model's held-out mean squared error is set against two
baselines a student should beat: predicting the training mean, and repeating
the window's last value. In TensorBoard, the `forecast` image shows the
predicted series against the truth on the held-out stretch, epoch by epoch.

Run it:

    python -m experiments.forecast [--quick]
"""

import os

import numpy as np

from kerasclf.data import make_dataset_splits

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings: the models' defaults (32 units, Adam on minibatches of 32, the mean cost).
COMMON = {"dataset": "series", "epochs": 20, "seed": 0}
RUNS = [Run("rnn", {"model": "rnn"}), Run("lstm", {"model": "lstm"}), Run("gru", {"model": "gru"})]
# Quick: a shorter series and fewer epochs, and no images drawn.
QUICK = {"num_samples": 800, "epochs": 6, "images": False}


def baselines(settings: dict) -> dict[str, float]:
    """The held-out mean squared error of predicting the training mean, and the last value.

    Example:
        >>> sorted(baselines({"dataset": "series", "num_samples": 100, "seed": 0}))
        ['last value', 'mean']
    """
    training, test = make_dataset_splits(
        settings["dataset"], settings.get("num_samples"), None, settings["seed"]
    )
    mean = float(np.mean(training.labels))
    last = test.features[:, -1, 0]
    return {
        "mean": float(np.mean((test.labels - mean) ** 2)),
        "last value": float(np.mean((test.labels - last) ** 2)),
    }


def error_table(errors: dict[str, float]) -> str:
    """A Markdown table of held-out mean squared errors, best first.

    Example:
        >>> print(error_table({"mean": 0.5}))
        | forecast | held-out mean squared error |
        |---|---|
        | mean | 0.5000 |
    """
    lines = ["| forecast | held-out mean squared error |", "|---|---|"]
    for name, error in sorted(errors.items(), key=lambda item: item[1]):
        lines.append(f"| {name} | {error:.4f} |")
    return "\n".join(lines)


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    runs = [Run(run.name, {**common, **run.settings}) for run in RUNS]
    directory = experiment_directory(arguments.logdir, "forecast")
    outcomes = run_experiment(directory, runs)
    errors = {o.run.name: o.result.summary["test_mean_cost"] for o in outcomes}
    errors.update({f"baseline: {name}": e for name, e in baselines(common).items()})
    table = error_table(errors)
    print("held-out mean squared error:\n" + table)
    with open(os.path.join(directory, "errors.md"), "w") as file:
        file.write(table + "\n")
    for outcome in outcomes:
        outcome.errors = errors
    return outcomes


if __name__ == "__main__":
    main_guard(main)
