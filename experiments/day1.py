"""Every experiment of the seminar's Day 1 (logistic regression), one after the other.

What it does: runs hand_line, gradient_descent, batch_size, step_size,
momentum, initialization and nonlinear in the order of the slides.

Run it:

    python -m experiments.day1 [--quick]
"""

from ._script import main_guard, parse_arguments, run_sequence

# Settings: the order of the slides.
EXPERIMENTS = [
    "hand_line",
    "gradient_descent",
    "batch_size",
    "step_size",
    "momentum",
    "initialization",
    "nonlinear",
]


def main(argv=None):
    return run_sequence(EXPERIMENTS, parse_arguments(__doc__, argv))


if __name__ == "__main__":
    main_guard(main)
