"""Every experiment of the seminar, Days 1, 2 and 3, one after the other.

What it does: runs `day1` (hand_line, gradient_descent, batch_size,
step_size, momentum, initialization, nonlinear), `day2` (fonts,
vanishing_gradients, overfitting, optimizers) and `day3` (recurrent, char_lm,
forecast, truncated_bptt), so that a teacher can produce
all the TensorBoard logs before class with one command, then open them with
`.venv/bin/tensorboard --logdir logs --samples_per_plugin images=1000,text=1000`.
Each experiment runs in a process of its own, which gives its memory back
when it ends; one that fails or is interrupted stops the rest.

Run it:

    python -m experiments.all [--quick]
"""

from . import day1, day2, day3
from ._script import main_guard, parse_arguments, run_sequence

# Settings: the days in order.
EXPERIMENTS = [*day1.EXPERIMENTS, *day2.EXPERIMENTS, *day3.EXPERIMENTS]


def main(argv=None):
    return run_sequence(EXPERIMENTS, parse_arguments(__doc__, argv))


if __name__ == "__main__":
    main_guard(main)
