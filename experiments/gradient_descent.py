"""The slide's run: full-batch gradient descent from zeros on the summed cost.

What it shows: logistic regression on the seminar's two blobs, zeros init,
full-batch GD with learning rate 0.001 on the summed cross-entropy, 100
epochs, printing Epoch / Cost / W / b every epoch as the slide does. In
TensorBoard: the cost falling, W and b moving, the decision line turning into
place and the error surface with the path gradient descent took.

Run it:

    python -m experiments.gradient_descent [--quick]
"""

import kerasclf
from ._experiment import (
    Outcome,
    Run,
    experiment_directory,
    format_table,
    mark_epochs_to_settle,
    write_summary,
)
from ._script import main_guard, parse_arguments

# Settings: the slide's.
SETTINGS = {
    "dataset": "seminar_blobs",
    "model": "logistic",
    "init": "zeros",
    "optimizer": "gd",
    "learning_rate": 0.001,
    "cost": "sum",
    "batch_size": "full",
    "epochs": 100,
    "seed": 0,
    "boundary_every": 5,
    "surface_every": 5,
}
QUICK = {"epochs": 20, "images": False}


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    settings = {**SETTINGS, **(QUICK if arguments.quick else {})}
    # Train: the per-epoch lines go to the terminal, as on the slide.
    directory = experiment_directory(arguments.logdir, "gradient_descent")
    result = kerasclf.train(logdir=directory, run_name="slide", **settings)
    # Results.
    outcome = Outcome(Run("slide", settings), result)
    mark_epochs_to_settle([outcome])
    write_summary(directory, [outcome])
    print(format_table([outcome]))
    if result.summary.get("status") == "interrupted":  # Ctrl-C: saved and summarized.
        raise KeyboardInterrupt
    return [outcome]


if __name__ == "__main__":
    main_guard(main)
