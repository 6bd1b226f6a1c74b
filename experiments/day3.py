"""Every experiment of the seminar's Day 3 (sequences), one after the other.

What it does: runs recurrent, char_lm, forecast and truncated_bptt, so that a
teacher can produce Day 3's TensorBoard logs before class with one command.

Run it:

    python -m experiments.day3 [--quick]
"""

from ._script import main_guard, parse_arguments, run_sequence

# Settings: the order of the day.
EXPERIMENTS = ["recurrent", "char_lm", "forecast", "truncated_bptt"]


def main(argv=None):
    return run_sequence(EXPERIMENTS, parse_arguments(__doc__, argv))


if __name__ == "__main__":
    main_guard(main)
