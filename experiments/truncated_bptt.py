"""Day 3: truncated backpropagation through time, and what the window's length lets a model learn.

What it shows: a recurrent network is trained on windows of T steps, so the
gradient flows back at most T steps (backpropagation through time, truncated
at T). The same character LSTM reads the `grammar` text in windows of 2, 4 and 16
characters. With 2 it sees only the previous two letters and cannot even
finish a word; with 4 it spells most words; with 16 it sees the determiner
when it writes the noun and the noun when it writes the verb ("two cats see"
but "one cat sees"). The held-out cost per
character (the mean cross-entropy, in nats) falls as the window grows. In
TensorBoard, compare the runs' `test/mean_cost` curves and their
`generated_text`.

Run it:

    python -m experiments.truncated_bptt [--quick]
"""

import os

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings: one LSTM of 128 units; only the window changes.
COMMON = {"dataset": "grammar", "model": "lstm", "units": 128, "epochs": 10, "seed": 0}
WINDOWS = [2, 4, 16]
# Quick: the shortest and longest windows, a shorter text and fewer epochs, no generated
# text nor error surface (the cost tells the story).
QUICK_WINDOWS = [2, 16]
QUICK = {
    "num_samples": 4000,
    "epochs": 3,
    "units": 64,
    "callbacks_off": ["generated_text", "hidden_state", "projector", "surface"],
}


def cost_table(costs: dict[int, float]) -> str:
    """A Markdown table: the held-out mean cost of each window length.

    Example:
        >>> print(cost_table({2: 1.5}))
        | window T | held-out cost per character |
        |---|---|
        | 2 | 1.5000 |
    """
    lines = ["| window T | held-out cost per character |", "|---|---|"]
    lines += [f"| {window} | {cost:.4f} |" for window, cost in costs.items()]
    return "\n".join(lines)


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    windows = QUICK_WINDOWS if arguments.quick else WINDOWS
    runs = [Run(f"T{window}", {**common, "sequence_length": window}) for window in windows]
    directory = experiment_directory(arguments.logdir, "truncated_bptt")
    outcomes = run_experiment(directory, runs)
    costs = {
        window: outcome.result.summary["test_mean_cost"]
        for window, outcome in zip(windows, outcomes)
    }
    table = cost_table(costs)
    print("held-out cost per character by window length:\n" + table)
    with open(os.path.join(directory, "costs.md"), "w") as file:
        file.write(table + "\n")
    for outcome in outcomes:
        outcome.costs_by_window = costs
    return outcomes


if __name__ == "__main__":
    main_guard(main)
