"""Day 3: a plain RNN against LSTM and GRU on a long dependency, at growing sequence lengths.

What it shows: on `long_dependency` the class is the sign of one marked step
somewhere among T noisy steps, so a model must keep that one value until the
sequence ends. All three models learn it in short sequences. As T grows, the
plain RNN's gradient through T steps of tanh vanishes (or its state forgets)
and it falls to chance, while LSTM and GRU, whose gates can hold a value
unchanged, still learn it. The table printed at the end (`accuracy.md`) gives
each model's held-out accuracy per length. In TensorBoard, compare the runs'
`test/accuracy` curves and the `hidden_state` images: a gated unit switches
at the marked step and holds.

Run it:

    python -m experiments.recurrent [--quick]
"""

import os

from ._experiment import Run, experiment_directory, held_out_accuracy, run_experiment
from ._script import main_guard, parse_arguments

# Settings: one recurrent layer of 32 units, the models' defaults (Adam on minibatches of 32).
COMMON = {"dataset": "long_dependency", "epochs": 10, "seed": 0}
MODELS = ["rnn", "lstm", "gru"]
LENGTHS = [5, 25, 50, 100]
# Quick: fewer sequences, epochs and lengths, and no images drawn.
QUICK = {"num_samples": 1200, "epochs": 8, "images": False}
QUICK_LENGTHS = [5, 40]


def accuracy_table(accuracy: dict[str, dict[int, float]], lengths: list[int]) -> str:
    """A Markdown table: a row per model, a column of held-out accuracy per sequence length.

    Example:
        >>> print(accuracy_table({"rnn": {5: 1.0}}, [5]))
        | model | T = 5 |
        |---|---|
        | rnn | 1.000 |
    """
    lines = ["| model | " + " | ".join(f"T = {length}" for length in lengths) + " |"]
    lines.append("|---" * (len(lengths) + 1) + "|")
    for model, by_length in accuracy.items():
        cells = " | ".join(f"{by_length[length]:.3f}" for length in lengths)
        lines.append(f"| {model} | {cells} |")
    return "\n".join(lines)


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    common = {**COMMON, **(QUICK if arguments.quick else {})}
    lengths = QUICK_LENGTHS if arguments.quick else LENGTHS
    runs = [
        Run(f"{model}_T{length}", {**common, "model": model, "sequence_length": length})
        for length in lengths
        for model in MODELS
    ]
    directory = experiment_directory(arguments.logdir, "recurrent")
    outcomes = run_experiment(directory, runs)
    accuracy = {
        model: {
            length: held_out_accuracy(
                next(o for o in outcomes if o.run.name == f"{model}_T{length}").result.summary
            )
            for length in lengths
        }
        for model in MODELS
    }
    table = accuracy_table(accuracy, lengths)
    print("held-out accuracy by sequence length T:\n" + table)
    with open(os.path.join(directory, "accuracy.md"), "w") as file:
        file.write(table + "\n")
    for outcome in outcomes:
        outcome.accuracy_by_length = accuracy
    return outcomes


if __name__ == "__main__":
    main_guard(main)
