"""Momentum: plain gradient descent against momentum 0.5, 0.9 and Nesterov.

What it shows: on the same data, from the same start and with the same step
size, momentum reaches the optimum in far fewer epochs than plain GD, and
Nesterov's look-ahead damps momentum's overshoot. The paths of all four are
drawn on one error surface (`logs/momentum/paths.png`, and the image
`optimizer_paths` in TensorBoard's Images tab under `logs/momentum/paths`).

Run it:

    python -m experiments.momentum [--quick]
"""

import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments
from ._paths import draw_paths

# Settings: a step size small enough that plain GD visibly crawls.
COMMON = {
    "dataset": "seminar_blobs",
    "learning_rate": 1e-4,
    "epochs": 100,
    "seed": 0,
    "surface_every": 10,
}
RUNS = [
    Run("gd", {"optimizer": "gd"}),
    Run("momentum_0.5", {"optimizer": "momentum", "momentum": 0.5}),
    Run("momentum_0.9", {"optimizer": "momentum", "momentum": 0.9}),
    Run("nesterov_0.9", {"optimizer": "nesterov", "momentum": 0.9}),
]
QUICK = {"epochs": 40, "images": False}


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    runs = [Run(run.name, {**common, **run.settings}, group="all") for run in RUNS]
    directory = experiment_directory(arguments.logdir, "momentum")
    outcomes = run_experiment(directory, runs)
    # Results: every path on one error surface.
    paths = {outcome.run.name: outcome.path for outcome in outcomes}
    image = draw_paths(outcomes[-1].result, paths)
    tf.io.write_file(os.path.join(directory, "paths.png"), tf.io.encode_png(image))
    with tf.summary.create_file_writer(os.path.join(directory, "paths")).as_default():
        tf.summary.image("optimizer_paths", image[None], step=common["epochs"])
    return outcomes


if __name__ == "__main__":
    main_guard(main)
