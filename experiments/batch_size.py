"""Batch size: full-batch gradient descent against SGD and minibatches.

What it shows: with the same step size on the mean cost, SGD (batch 1) and
small minibatches (8, and the notebook's 40) make many updates per epoch where
full-batch GD makes one, so for the same computation they get much closer to
the optimum: the slides' "converge much faster (in terms of total
computation)". SGD's path is noisy (`minibatch_cost` shows every step's cost). Besides the usual
per-epoch `cost`, each run logs the same cost against the number of samples
seen (`cost_by_samples_seen`) and against wall-clock milliseconds
(`cost_by_wall_milliseconds`); switch TensorBoard's Scalars tab to those tags
to compare equal computation. With `--quick` the runs are shorter.

Run it:

    python -m experiments.batch_size [--quick]
"""

import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

from kerasclf.callbacks.writers import SummaryWriters
from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings: one step size for every batch size, on the mean cost.
COMMON = {
    "dataset": "seminar_blobs",
    "optimizer": "gd",
    "cost": "mean",
    "learning_rate": 0.02,
    "epochs": 50,
    "seed": 0,
    "batch_cost": True,
}
RUNS = [
    Run("full_batch", {"batch_size": "full"}),
    Run("minibatch_40", {"batch_size": 40}),
    Run("minibatch_8", {"batch_size": 8}),
    Run("sgd_1", {"batch_size": 1}),
]
QUICK = {"epochs": 10, "images": False}
# What the two extra charts show, under their (i) in TensorBoard.
SAMPLES_DESCRIPTION = (
    "The epoch's cost against the training samples seen so far: equal computation at equal "
    "steps, so the batch sizes compare by work done, not by epochs."
)
WALL_DESCRIPTION = (
    "The epoch's cost against milliseconds since training began: what each batch size buys "
    "per second on this machine."
)


class ComputationAxes(keras.callbacks.Callback):
    """Logs each epoch's cost against samples seen and against wall time.

    Args:
        logdir: The run directory.
        num_samples: Training points per epoch.
    """

    def __init__(self, logdir: str, num_samples: int):
        super().__init__()
        self.logdir = logdir
        self.num_samples = num_samples
        self._writers = SummaryWriters(logdir)

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        milliseconds = int(1000 * (time.perf_counter() - self._started))
        first = epoch == 0  # TensorBoard shows a tag's first description: written once.
        with self._writers["train"].as_default():
            tf.summary.scalar(
                "cost_by_samples_seen",
                logs["cost"],
                step=(epoch + 1) * self.num_samples,
                description=SAMPLES_DESCRIPTION if first else None,
            )
            tf.summary.scalar(
                "cost_by_wall_milliseconds",
                logs["cost"],
                step=milliseconds,
                description=WALL_DESCRIPTION if first else None,
            )

    def on_train_end(self, logs=None):
        self._writers.close()


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    runs = [Run(run.name, {**common, **run.settings}, group="all") for run in RUNS]
    return run_experiment(
        experiment_directory(arguments.logdir, "batch_size"),
        runs,
        run_callbacks=lambda run_dir: [ComputationAxes(run_dir, num_samples=200)],
    )


if __name__ == "__main__":
    main_guard(main)
