"""The `kerasclf evaluate` and `kerasclf predict` commands: their flags, checks and output.

    kerasclf evaluate --weights W1 W2 --bias B [--dataset NAME [--seed S] | --data FILE] [--json]
    kerasclf evaluate --run RUN_DIR --data FILE [--json]
    kerasclf predict --run RUN_DIR --data FILE.csv [--out FILE.csv [--overwrite]]

`kerasclf.cli.main` dispatches to `evaluate_command` and `predict_command`, which
raise `ValueError` or `TypeError` for bad input (the CLI prints one line and
exits with 2). Every flag, path and data file is checked before TensorFlow is
imported, so bad input answers at once.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys

from kerasclf.data import load_data, make_dataset, read_csv_values
from kerasclf.data.csv_files import csv_column_count
from kerasclf.data.loading import is_text_file
from kerasclf.engine.hand_set_line_checks import check_line_inputs
from kerasclf.json_text import json_safe
from kerasclf.run.config_fields import parse_integer, parse_number
from kerasclf.run.model_file import check_model_file
from kerasclf.run.prediction_paths import check_prediction_paths
from kerasclf.run.run_data import load_run_data, run_vocabulary

HAND_SET_FLAGS = ("--weights", "--bias")


def add_evaluate_parser(commands) -> argparse.ArgumentParser:
    """Adds `evaluate` and its flags to the CLI's subcommands (`add_subparsers()`'s action)."""
    evaluate = commands.add_parser(
        "evaluate",
        help="cost and accuracy of a hand-set linear classifier or of a trained run "
        "(a regression's squared error)",
        allow_abbrev=False,
    )
    evaluate.add_argument(
        "--weights",
        nargs="+",
        metavar="W",
        help="one weight per feature, e.g. 1.23 1.0 (or 1.23,1.0)",
    )
    evaluate.add_argument("--bias", help="the bias b, e.g. -0.55")
    evaluate.add_argument(
        "--run",
        metavar="RUN_DIR",
        help="a trained run's directory, instead of --weights and --bias (needs --data)",
    )
    evaluate.add_argument("--dataset", help="named dataset (default: seminar_blobs)")
    evaluate.add_argument("--data", help="CSV or NPZ file instead of --dataset")
    evaluate.add_argument("--seed", help="seed of the named dataset (default: 0)")
    evaluate.add_argument("--json", action="store_true", help="print the result as JSON last")
    return evaluate


def add_predict_parser(commands) -> argparse.ArgumentParser:
    """Adds `predict` and its flags to the CLI's subcommands."""
    predict = commands.add_parser(
        "predict",
        help="a trained run's predictions for new points: class probabilities and class, or "
        "a regression's values",
        allow_abbrev=False,
    )
    predict.add_argument("--run", required=True, help="run directory holding model.keras")
    predict.add_argument(
        "--data", required=True, help="CSV of points (features only, or with labels or targets)"
    )
    predict.add_argument(
        "--out", help="write the predictions to this new CSV file instead of stdout"
    )
    predict.add_argument(
        "--overwrite",
        action="store_true",
        help="let --out replace an existing file (never the data, nor a run's own file)",
    )
    return predict


def evaluate_command(arguments: argparse.Namespace) -> int:
    """`kerasclf evaluate`: a hand-set line (--weights, --bias) or a trained run (--run)."""
    check_evaluate_form(arguments)
    if arguments.run is not None:
        return _evaluate_run(arguments)
    return _evaluate_linear(arguments)


def check_evaluate_form(arguments: argparse.Namespace) -> None:
    """`evaluate` takes --weights and --bias, or --run and --data: one line if neither or both."""
    given = [flag for flag in HAND_SET_FLAGS if getattr(arguments, flag[2:]) is not None]
    run = arguments.run
    if run is None:
        missing = [flag for flag in HAND_SET_FLAGS if flag not in given]
        if missing:
            raise ValueError(
                f"the following arguments are required: {', '.join(missing)} (a hand-set line), "
                "or --run RUN_DIR --data FILE (a trained run). See `kerasclf evaluate --help`."
            )
        return
    if given:
        hand_set = " and ".join(given)
        raise ValueError(
            f"`--run` evaluates a trained run and {hand_set} a hand-set line; give one of them. "
            f"Received: --run {run} with {hand_set}. Drop {hand_set} to evaluate the run, "
            "or drop --run."
        )
    named = " and ".join(
        f"--{key}" for key in ("dataset", "seed") if getattr(arguments, key) is not None
    )
    if named:
        raise ValueError(
            f"`--run` evaluates on a data file, not a named dataset. Received: --run {run} with "
            f"{named}. Drop {named} and give --data FILE (CSV or .npz, label last)."
        )
    if arguments.data is None:
        raise ValueError(
            f"`--run` needs the labelled points to evaluate on. Received: --run {run} without "
            "--data. Add --data FILE (CSV or .npz, label last)."
        )


def _evaluate_run(arguments: argparse.Namespace) -> int:
    """`kerasclf evaluate --run RUN_DIR --data FILE`: the paths and the data checked first."""
    check_model_file(arguments.run)
    data = load_run_data(arguments.run, arguments.data)
    # TensorFlow loads here, after the checks.
    from kerasclf.run.evaluation import describe_run_evaluation, evaluate_run

    result = evaluate_run(arguments.run, data)
    print(describe_run_evaluation(result))
    if arguments.json:
        print(json.dumps(json_safe(result), allow_nan=False))
    return 0


def _parse_number(name: str, text: str) -> float:
    number = parse_number(name, text, from_text=True)
    if not math.isfinite(number):
        raise ValueError(f"`{name}` must be a finite number. Received: {name}={text!r}.")
    return number


def _evaluate_linear(arguments: argparse.Namespace) -> int:
    """`kerasclf evaluate --weights W1 W2 --bias B`: the slide's hand-set line."""
    # Separated by spaces or, as --hidden's sizes are, by commas: 1.23 1.0 or 1.23,1.0.
    weights = [
        _parse_number("weights", piece) for text in arguments.weights for piece in text.split(",")
    ]
    bias = _parse_number("bias", arguments.bias)
    if arguments.data is not None:
        ignored = [f"--{key}" for key in ("dataset", "seed") if getattr(arguments, key) is not None]
        if ignored:
            raise ValueError(
                f"`--data` replaces the named dataset, so {' and '.join(ignored)} would be "
                f"ignored. Received: --data {arguments.data}. Remove {' and '.join(ignored)}."
            )
        _check_label_column(arguments.data, len(weights))
        data = load_data(arguments.data)
    else:
        seed = 0 if arguments.seed is None else parse_integer("seed", arguments.seed, True)
        data = make_dataset(arguments.dataset or "seminar_blobs", seed=seed)
    check_line_inputs(weights, data)  # Before TensorFlow loads.
    # TensorFlow loads here, after the checks.
    from kerasclf.engine.hand_set_line import evaluate_linear

    result = evaluate_linear(weights, bias, data)
    sign = "-" if math.copysign(1.0, bias) < 0 else "+"
    print(
        f"y = x^T {weights} {sign} {abs(bias):g} on {data.source}: "
        f"cost (summed) {result['cost']:.6f}  mean cost {result['mean_cost']:.6f}  "
        f"accuracy {result['accuracy']:.4f}"
    )
    if arguments.json:
        print(json.dumps({"weights": weights, "bias": bias, **result}))
    return 0


def _check_label_column(path: str, num_weights: int) -> None:
    """Refuses a CSV file of features alone: its last feature would pass for labels."""
    columns = csv_column_count(path)
    if columns == num_weights:
        raise ValueError(
            f"{path}: evaluating a line needs each point's label in a last column, and this "
            f"file has {columns} columns, as many as the line's {num_weights} weights. Received: "
            f"data={path!r}. Add the labels (0 or 1) as a last column."
        )


def predict_command(arguments: argparse.Namespace) -> int:
    """`kerasclf predict`: each point's probabilities and class (a regression's values), as CSV."""
    check_prediction_paths(arguments.run, arguments.out, arguments.data, arguments.overwrite)
    _check_not_a_text_for_a_text_run(arguments.run, arguments.data)
    values = read_csv_values(arguments.data)  # Bad points are reported before TensorFlow loads.
    from kerasclf.run.prediction import predict_run  # TensorFlow loads here.

    rows = predict_run(arguments.run, arguments.data, arguments.out, values, arguments.overwrite)
    if arguments.out is None:
        sys.stdout.write(rows)
    else:
        print(f"wrote the predictions to {arguments.out}")
    return 0


def _check_not_a_text_for_a_text_run(run: str, data: str) -> None:
    """Points a text given to a character model's run to the commands that read texts."""
    if run_vocabulary(run) is None or not is_text_file(data):
        return
    quoted = shlex.quote(run)
    raise ValueError(
        f"`predict` writes the class probabilities of a CSV's points, and a character model's "
        f"run reads texts. Received: run={run!r}, data={data!r}. Score it on the text with "
        f"`kerasclf evaluate --run {quoted} --data {shlex.quote(data)}`, or write text with "
        f"`kerasclf generate --run {quoted} --prompt TEXT`."
    )
