"""Step size: too small, good, too big, diverging, and the decaying alpha/(n sqrt(i)).

What it shows, on the seminar's blobs with full-batch gradient descent on the
summed cost:
- too small (1e-5): the cost creeps down and is still far from the optimum;
- good (1e-3): the slide's rate converges;
- too big (0.05): the steps overshoot, the cost jumps around and stays high;
- diverging (1e38): the cost overflows; the run stops at that epoch and is
  marked `diverged` in the table, and the experiment carries on;
- decay: alpha_i = alpha / (n sqrt(i)) with alpha = 4. The first step, 0.02,
  overshoots as a too-big step does; as the steps shrink the cost settles, at
  the optimum, lower than the good constant step gets in 100 epochs.
Compare the `cost` curves in TensorBoard's Scalars tab and `learning_rate`
for the decaying schedule.

Run it:

    python -m experiments.step_size [--quick]
"""

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings.
COMMON = {"dataset": "seminar_blobs", "batch_size": "full", "epochs": 100, "seed": 0}
RUNS = [
    Run("too_small", {"optimizer": "gd", "learning_rate": 1e-5}),
    Run("good", {"optimizer": "gd", "learning_rate": 1e-3}),
    Run("too_big", {"optimizer": "gd", "learning_rate": 0.05}),
    Run("diverging", {"optimizer": "gd", "learning_rate": 1e38}),
    Run("decay", {"optimizer": "decay", "learning_rate": 4.0}),
]
QUICK = {"epochs": 30, "images": False}


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    return run_experiment(
        experiment_directory(arguments.logdir, "step_size"),
        [Run(run.name, {**common, **run.settings}, group="all") for run in RUNS],
    )


if __name__ == "__main__":
    main_guard(main)
