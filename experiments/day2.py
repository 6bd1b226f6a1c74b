"""Every experiment of the seminar's Day 2 (image classification), one after the other.

What it does: runs fonts, vanishing_gradients, overfitting and optimizers, so
that a teacher can produce Day 2's TensorBoard logs before class with one
command.

Run it:

    python -m experiments.day2 [--quick]
"""

from ._script import main_guard, parse_arguments, run_sequence

# Settings: the order of the day.
EXPERIMENTS = ["fonts", "vanishing_gradients", "overfitting", "optimizers"]


def main(argv=None):
    return run_sequence(EXPERIMENTS, parse_arguments(__doc__, argv))


if __name__ == "__main__":
    main_guard(main)
