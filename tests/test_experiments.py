"""Each experiment, cut short with --quick, shows what it exists to show."""

import csv
import math
import os
import shlex

import keras
import matplotlib
import numpy as np
import pytest
import scipy.optimize
import tensorflow as tf
from conftest import file_times, numpy_cost
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
from experiments._experiment import Outcome, Run, mark_epochs_to_settle
from experiments._paths import paths_figure
from kerasclf.experiments import experiment_names
from kerasclf.cli.main import main as cli_main
from kerasclf.cli.tensorboard_command import program_command
from kerasclf.data import make_dataset
from kerasclf.run.preparation import load_training_data


# Runs that end other than completed; every other run of every experiment completes.
EXPECTED_STATUS = {"diverging": "diverged"}


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("experiments"))


def _run(name, logdir):
    import importlib

    outcomes = importlib.import_module(f"experiments.{name}").main(["--quick", "--logdir", logdir])
    outcomes = {outcome.run.name: outcome for outcome in outcomes}
    # The divergence rule fires on the run meant to diverge and on no other (momentum's and
    # the too-big step's overshoots included).
    statuses = {run: outcome.result.summary["status"] for run, outcome in outcomes.items()}
    assert statuses == {run: EXPECTED_STATUS.get(run, "completed") for run in outcomes}
    return outcomes


def _final_logged_cost(run_dir):
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return float(tf.make_ndarray(events.Tensors("cost")[-1].tensor_proto))


def _logged_scalars(run_dir, tag):
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return {e.step: float(tf.make_ndarray(e.tensor_proto)) for e in events.Tensors(tag)}


def _check_summary_against_events(logdir, experiment, outcomes):
    with open(os.path.join(logdir, experiment, "summary.csv")) as file:
        rows = list(csv.DictReader(file))
    assert [row["run"] for row in rows] == list(outcomes)
    for row in rows:
        if row["status"] == "diverged":
            continue
        assert float(row["final cost"]) == pytest.approx(
            _final_logged_cost(row["run_dir"]), rel=1e-5
        )
    assert os.path.isfile(os.path.join(logdir, experiment, "summary.md"))


def test_step_size(logdir):
    outcomes = _run("step_size", logdir)
    cost = {name: outcome.result.summary["cost"] for name, outcome in outcomes.items()}
    curve = {name: np.array(outcome.costs) for name, outcome in outcomes.items()}
    assert cost["too_small"] > cost["good"]
    assert np.all(np.diff(curve["too_small"]) < 0)  # Creeps down, never up.
    assert cost["too_big"] > cost["good"]
    assert np.any(np.diff(curve["too_big"]) > 0)  # Overshoots: the cost goes up too.
    diverging = outcomes["diverging"].result.summary
    assert diverging["status"] == "diverged" and diverging["accuracy"] is None
    assert outcomes["decay"].result.summary["status"] == "completed"  # Carried on.
    with open(os.path.join(logdir, "step_size", "summary.csv")) as file:
        rows = {row["run"]: row for row in csv.DictReader(file)}
    assert rows["diverging"]["final cost"] == "nan"  # Its summary's null, not Python's None.
    # The decaying step: alpha / (n sqrt(i)) at update i (full batch: one per epoch),
    # a first step that overshoots, then a cost that only goes down.
    rates = _logged_scalars(outcomes["decay"].result.run_dir, "learning_rate")
    for step in range(1, 31):
        assert rates[step] == pytest.approx(4.0 / (200 * np.sqrt(step)), rel=1e-6)
    assert curve["decay"][0] > 5 * cost["good"] and np.all(np.diff(curve["decay"]) < 0)
    _check_summary_against_events(logdir, "step_size", outcomes)


def test_momentum(logdir):
    outcomes = _run("momentum", logdir)
    settle = {name: outcome.epochs_to_settle or math.inf for name, outcome in outcomes.items()}
    assert settle["momentum_0.9"] < settle["gd"]  # Far fewer epochs than plain GD,
    assert settle["nesterov_0.9"] < settle["momentum_0.9"]  # and Nesterov damps the overshoot.
    _check_summary_against_events(logdir, "momentum", outcomes)
    # One picture of every path: the file, and the same pixels in TensorBoard's Images tab.
    directory = os.path.join(logdir, "momentum")
    picture = tf.io.decode_png(tf.io.read_file(os.path.join(directory, "paths.png")), 3).numpy()
    events = EventAccumulator(os.path.join(directory, "paths"), size_guidance={"tensors": 0})
    events.Reload()
    _, _, png = tf.make_ndarray(events.Tensors("optimizer_paths")[-1].tensor_proto)
    np.testing.assert_array_equal(tf.io.decode_png(png, 3).numpy(), picture)
    # Each run's path in its own tab10 colour, and no fifth colour (there are four runs).
    colours = np.round(np.array(matplotlib.colormaps["tab10"].colors[:5]) * 255).astype(int)
    counts = [(np.abs(picture.astype(int) - colour).max(axis=2) <= 3).sum() for colour in colours]
    assert len(outcomes) == 4 and min(counts[:4]) >= 50 and counts[4] == 0, counts
    _check_the_minimum_is_marked(picture, outcomes)


def _check_the_minimum_is_marked(picture, outcomes):
    """A black cross outlined in white at scipy's minimum of J(w1, w2) at the last run's b."""
    reference = list(outcomes.values())[-1].result
    figure, marked = paths_figure(reference, {name: run.path for name, run in outcomes.items()})
    training, _, _ = load_training_data(reference.config)
    features, labels = training.features.astype(float), training.labels.astype(float)

    def cost(weights):
        logits = features @ weights + float(reference.bias)
        return np.sum(np.logaddexp(0.0, logits) - labels * logits)

    minimum = scipy.optimize.minimize(cost, np.zeros(2), method="BFGS").x
    axes = figure.axes[0]
    grid_step = np.array([np.ptp(axes.get_xlim()), np.ptp(axes.get_ylim())]) / 159
    np.testing.assert_array_less(np.abs(np.array(marked) - minimum), 1.5 * grid_step)
    column, row_from_bottom = axes.transData.transform(marked)
    row, column = round(picture.shape[0] - row_from_bottom), round(column)
    centre = picture[row - 1 : row + 2, column - 1 : column + 2].astype(int)
    assert centre.max() <= 40, centre  # Black at the cross's centre,
    ring = picture[row - 9 : row + 10, column - 9 : column + 10].astype(int)
    assert (ring.min(axis=2) >= 230).sum() >= 10  # outlined in white over the dark bands.


def test_initialization(logdir):
    outcomes = _run("initialization", logdir)
    logistic = [o.result.summary["cost"] for o in outcomes.values() if o.run.group == "logistic"]
    assert len(logistic) == 4 and max(logistic) - min(logistic) < 1e-3
    random_mlp = [
        o.result.summary["cost"] for name, o in outcomes.items() if name.startswith("mlp_random")
    ]
    assert len(random_mlp) == 3 and max(random_mlp) - min(random_mlp) > 1.0  # Different minima.
    # From zeros every hidden unit stays the same: the MLP is stuck near n log 2.
    assert outcomes["mlp_zeros"].result.summary["cost"] > max(random_mlp)
    _check_summary_against_events(logdir, "initialization", outcomes)


def test_nonlinear(logdir):
    outcomes = _run("nonlinear", logdir)
    accuracy = {name: o.result.summary["accuracy"] for name, o in outcomes.items()}
    for dataset in ("circle", "xor"):  # No line separates them; phi(x) and an MLP do.
        assert accuracy[f"{dataset}_linear"] < 0.7
        assert accuracy[f"{dataset}_features"] >= 0.98 and accuracy[f"{dataset}_mlp"] >= 0.98
    assert accuracy["spiral_linear"] < 0.7 and accuracy["spiral_mlp"] > 0.95
    _check_summary_against_events(logdir, "nonlinear", outcomes)


def test_hand_line_runs_and_summarizes(logdir):
    outcomes = _run("hand_line", logdir)
    assert all(o.result.summary["status"] == "completed" for o in outcomes.values())
    _check_summary_against_events(logdir, "hand_line", outcomes)
    # The slide's hand-set line separates its points perfectly.
    data = make_dataset("hand_line", seed=0)
    slide_line = os.path.join(logdir, "hand_line", "slide_line")
    expected = numpy_cost([1.23, 1.0], -0.55, data.features, data.labels)
    assert _logged_scalars(slide_line, "cost")[0] == pytest.approx(expected, rel=1e-6)
    assert _logged_scalars(slide_line, "accuracy")[0] == 1.0


def test_gradient_descent_runs_and_a_second_invocation_writes_beside_the_first(tmp_path):
    """Run again, an experiment gets its own folder: the first one's files stay as they were."""
    logdir = str(tmp_path)
    first_outcomes = _run("gradient_descent", logdir)
    assert all(o.result.summary["status"] == "completed" for o in first_outcomes.values())
    _check_summary_against_events(logdir, "gradient_descent", first_outcomes)
    # The slide's run reaches the optimum, 56.555.
    assert first_outcomes["slide"].result.summary["cost"] == pytest.approx(56.555, abs=0.1)
    first = os.path.join(logdir, "gradient_descent")
    assert first_outcomes["slide"].result.run_dir == os.path.join(first, "slide")
    before = file_times(first)
    outcomes = _run("gradient_descent", logdir)
    second = os.path.join(logdir, "gradient_descent-2")
    assert outcomes["slide"].result.run_dir == os.path.join(second, "slide")  # Not slide-2.
    assert file_times(first) == before and "summary.csv" in before
    with open(os.path.join(second, "summary.csv")) as file:
        rows = list(csv.DictReader(file))
    assert [(row["run"], row["run_dir"]) for row in rows] == [
        ("slide", outcomes["slide"].result.run_dir)
    ]


def test_batch_size_sgd_gets_further_per_epoch(logdir):
    outcomes = _run("batch_size", logdir)
    first_epoch = {name: o.result.history["cost"][0] for name, o in outcomes.items()}
    assert first_epoch["sgd_1"] < first_epoch["minibatch_40"] < first_epoch["full_batch"]
    _check_summary_against_events(logdir, "batch_size", outcomes)
    events = EventAccumulator(os.path.join(outcomes["sgd_1"].result.run_dir, "train"))
    events.Reload()
    for tag, words in (("cost_by_samples_seen", "samples seen"), ("cost_by_wall_", "millisec")):
        (tag,) = [name for name in events.Tags()["tensors"] if name.startswith(tag)]
        assert words in events.SummaryMetadata(tag).summary_description


def test_every_experiment_is_listed_and_run_by_all(capsys, monkeypatch, tmp_path):
    from kerasclf.experiments.all import EXPERIMENTS

    assert sorted([*EXPERIMENTS, "all", "day1", "day2", "day3"]) == experiment_names()
    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert cli_main(["experiments"]) == 0
    *rows, command = capsys.readouterr().out.splitlines()
    assert [row.split()[0] for row in rows] == experiment_names()
    assert command.startswith("run one with: ") and " -m experiments.NAME " in command
    monkeypatch.chdir(tmp_path)  # Away from the checkout: the installed package's name.
    assert cli_main(["experiments"]) == 0
    assert " -m kerasclf.experiments.NAME " in capsys.readouterr().out.splitlines()[-1]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--logdri", "logs"], "unknown argument '--logdri'. Did you mean '--logdir'? See `"),
        (["--quick", "extra"], "unknown argument 'extra'. See `"),
        (["--logdir"], "argument --logdir: expected one argument. See `"),
        (["--logdir", __file__], "is a file. Received: logdir="),
    ],
)
def test_an_experiments_bad_arguments_are_one_line_exit_2(capsys, argv, message):
    from kerasclf.experiments._script import main_guard, parse_arguments

    with pytest.raises(SystemExit) as exit_status:
        main_guard(lambda: parse_arguments("An experiment.", argv))
    assert exit_status.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1 and message in error


@pytest.mark.parametrize(
    "value, quick, message",
    [
        ("1", True, None),
        ("0", False, None),
        ("", False, None),
        ("yes", None, "KERASCLF_QUICK='yes'. Did you mean '1'?"),
        ("maybe", None, "KERASCLF_QUICK must be 1 (a smoke run) or 0. Received: KERASCLF_QUICK="),
    ],
)
def test_the_quick_environment_variable_is_1_or_0(capsys, monkeypatch, value, quick, message):
    """Another value would start the full runs (hours for `all`) where a smoke run was meant."""
    from kerasclf.experiments._script import main_guard, parse_arguments

    monkeypatch.setenv("KERASCLF_QUICK", value)
    if message is None:
        assert parse_arguments("An experiment.", []).quick is quick
        return
    with pytest.raises(SystemExit) as exit_status:
        main_guard(lambda: parse_arguments("An experiment.", ["--quick"]))
    assert exit_status.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error


@pytest.mark.parametrize("module", ["experiments.momentum", "kerasclf.experiments.momentum"])
def test_an_experiments_error_names_the_command_the_student_ran(capsys, monkeypatch, module):
    import importlib.machinery
    import sys

    from kerasclf.experiments._script import main_guard, parse_arguments

    spec = importlib.machinery.ModuleSpec(module, None)
    monkeypatch.setattr(sys.modules["__main__"], "__spec__", spec, raising=False)
    with pytest.raises(SystemExit):
        main_guard(lambda: parse_arguments("An experiment.", ["--qiuck"]))
    error = capsys.readouterr().err
    assert f"Did you mean '--quick'? See `python -m {module} --help`." in error


def _held_out_accuracy(outcome):
    summary = outcome.result.summary
    return summary.get("val_accuracy", summary.get("test_accuracy"))


def test_fonts_cnn_beats_feed_forward_beats_logistic(logdir):
    outcomes = _run("fonts", logdir)
    accuracy = {name: _held_out_accuracy(outcome) for name, outcome in outcomes.items()}
    assert accuracy["logistic"] < accuracy["feed_forward"] < accuracy["cnn"], accuracy
    # The table shows the held-out accuracy the summaries hold.
    with open(os.path.join(logdir, "fonts", "summary.csv")) as file:
        rows = {row["run"]: row for row in csv.DictReader(file)}
    for name, value in accuracy.items():
        assert float(rows[name]["held-out accuracy"]) == pytest.approx(value, abs=1e-4)
    _check_summary_against_events(logdir, "fonts", outcomes)


def test_vanishing_gradients_sigmoid_first_layer_learns_least(logdir):
    outcomes = _run("vanishing_gradients", logdir)
    ratio = {
        name: outcome.gradient_norms["hidden_1"] / outcome.gradient_norms["output"]
        for name, outcome in outcomes.items()
    }
    # Six sigmoid layers shrink the gradient by orders of magnitude; ReLU much less.
    assert ratio["sigmoid"] < 0.05 and ratio["relu"] > 10 * ratio["sigmoid"], ratio
    with open(os.path.join(logdir, "vanishing_gradients", "gradient_norms.md")) as file:
        assert file.read().count("| hidden_") == 6


def test_overfitting_dropout_and_l2_keep_validation_cost_lower(logdir):
    outcomes = _run("overfitting", logdir)
    plain = outcomes["plain"].result
    assert plain.summary["accuracy"] > 0.99  # Memorised its training set...
    assert plain.summary["val_accuracy"] < plain.summary["accuracy"] - 0.1  # ...not the task.
    validation_cost = plain.history["val_mean_cost"]
    # It turned and climbed: its lowest point lies in the first half of the epochs.
    assert validation_cost[-1] > 1.1 * min(validation_cost)
    assert np.argmin(validation_cost) < len(validation_cost) / 2
    for cure in ("dropout", "l2"):
        assert outcomes[cure].result.summary["val_mean_cost"] < plain.summary["val_mean_cost"]
    _check_summary_against_events(logdir, "overfitting", outcomes)


def test_optimizers_momentum_and_adaptive_beat_sgd(logdir):
    outcomes = _run("optimizers", logdir)
    cost = {name: outcome.result.summary["mean_cost"] for name, outcome in outcomes.items()}
    for name in ("momentum", "nesterov", "rmsprop", "adam"):
        assert cost[name] < cost["sgd"], cost
    _check_summary_against_events(logdir, "optimizers", outcomes)


def test_recurrent_lstm_and_gru_hold_the_long_dependency_the_rnn_loses(logdir):
    outcomes = _run("recurrent", logdir)
    accuracy = next(iter(outcomes.values())).accuracy_by_length
    short, long = sorted(accuracy["rnn"])
    for model in ("rnn", "lstm", "gru"):  # Short sequences: every model learns the sign.
        assert accuracy[model][short] > 0.95, accuracy
    assert accuracy["rnn"][long] < 0.65, accuracy  # Near chance (0.5).
    assert accuracy["lstm"][long] > 0.9 and accuracy["gru"][long] > 0.9, accuracy
    # The table holds the summaries' held-out accuracies.
    with open(os.path.join(logdir, "recurrent", "accuracy.md")) as file:
        assert f"| lstm | {accuracy['lstm'][short]:.3f} | {accuracy['lstm'][long]:.3f} |" in (
            file.read()
        )
    _check_summary_against_events(logdir, "recurrent", outcomes)


def test_char_lm_writes_more_real_words_as_it_learns(logdir, capsys):
    from kerasclf.experiments.char_lm import word_share

    outcomes = _run("char_lm", logdir)
    outcome = outcomes["lstm"]
    shares = outcome.word_shares
    steps = sorted(shares)
    assert steps[0] == 0 and len(steps) == outcome.result.config.epochs + 1
    assert shares[steps[-1]] > 0.9 > 0.5 > shares[0], shares
    # The run generates again from its saved files, as the command it prints does (that
    # command's own tests: tests/test_generate.py).
    assert word_share(outcome.generated) > 0.8
    command = [program_command("kerasclf"), "generate", "--run", outcome.result.run_dir]
    assert shlex.join(command) + " --prompt" in capsys.readouterr().out


def test_forecast_beats_the_mean_and_the_last_value(logdir):
    outcomes = _run("forecast", logdir)
    errors = next(iter(outcomes.values())).errors
    for model in ("rnn", "lstm", "gru"):
        assert errors[model] < errors["baseline: last value"] < errors["baseline: mean"], errors
        summary = outcomes[model].result.summary
        assert "accuracy" not in summary and "test_accuracy" not in summary
    # The held-out error is the mean squared error of the saved model, recomputed here.
    from kerasclf.data import make_dataset_splits
    from kerasclf.run.evaluation import evaluate_run
    from kerasclf.run.prediction import load_run_model

    outcome = outcomes["lstm"]
    config = outcome.result.config
    _, test = make_dataset_splits("series", config.num_samples, None, config.seed)
    model = load_run_model(outcome.result.run_dir)
    predicted = np.asarray(model.predict(test.features, verbose=0))[:, 0]
    assert np.mean((predicted - test.labels) ** 2) == pytest.approx(errors["lstm"], rel=1e-4)
    # `kerasclf evaluate --run` scores the saved model on the same windows alike.
    path = os.path.join(logdir, "forecast_test.npz")
    np.savez(path, X=test.features, y=test.labels)
    scores = evaluate_run(outcome.result.run_dir, path)
    assert scores["mean_cost"] == pytest.approx(errors["lstm"], rel=1e-4)
    _check_summary_against_events(logdir, "forecast", outcomes)


def test_truncated_bptt_longer_windows_predict_better(logdir):
    outcomes = _run("truncated_bptt", logdir)
    costs = next(iter(outcomes.values())).costs_by_window
    windows = sorted(costs)
    for shorter, longer in zip(windows, windows[1:]):
        assert costs[longer] < 0.98 * costs[shorter], costs
    _check_summary_against_events(logdir, "truncated_bptt", outcomes)


def test_a_run_settles_within_1_percent_of_its_groups_best_or_its_own():
    def outcome(name, costs, group=None):
        result = kerasclf.TrainResult(None, {"cost": costs}, {}, None, None)
        return Outcome(Run(name, {}, group), result)

    outcomes = [
        outcome("fast", [9.0, 1.0, 1.0, 1.0], group="same problem"),
        outcome("slow", [9.0, 5.0, 1.5, 1.01], group="same problem"),
        outcome("short", [9.0, 3.0, 2.0, 2.0], group="same problem"),  # Never reaches 1.01.
        # Another model, alone: it settles at its own best (2.0) though the group's is 1.0.
        outcome("other model", [9.0, 3.0, 2.0, 2.0]),
        outcome("overshoots", [9.0, 1.0, 4.0, 1.0]),  # Settles only once it stays.
        outcome("diverged", [9.0, math.inf, math.nan]),
    ]
    mark_epochs_to_settle(outcomes)
    settled = {outcome.run.name: outcome.epochs_to_settle for outcome in outcomes}
    assert settled == {
        "fast": 2,
        "slow": 4,
        "short": None,
        "other model": 3,
        "overshoots": 4,
        "diverged": None,
    }


@pytest.mark.parametrize("hidden, recorded", [((), True), ((400,), False)])
def test_the_path_is_kept_for_the_weight_plane_not_for_a_large_network(hidden, recorded):
    """momentum's picture needs (w1, w2, b); a network's every weight at every epoch is memory."""
    from experiments._experiment import MAX_PATH_PARAMETERS, PathRecorder
    from kerasclf.models.architecture import Architecture

    architecture = Architecture(hidden=hidden) if hidden else None
    model = kerasclf.build_model("mlp" if hidden else "logistic", 2, architecture=architecture)
    assert (model.count_params() <= MAX_PATH_PARAMETERS) == recorded
    recorder = PathRecorder()
    recorder.set_model(model)
    recorder.on_train_begin()
    recorder.on_epoch_end(0)
    if recorded:
        expected = np.concatenate([np.ravel(weight) for weight in model.get_weights()])
        np.testing.assert_array_equal(np.array(recorder.path), [expected, expected])
    else:
        assert recorder.path is None


class CtrlC(keras.callbacks.Callback):
    """Ctrl-C as the second epoch ends: a `KeyboardInterrupt` raised from a callback."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt


def test_ctrl_c_stops_the_experiment_after_summarizing_its_runs(tmp_path, capsys):
    """As in a terminal: the run in progress is saved as interrupted, and no other run starts."""
    from experiments._experiment import run_experiment
    from experiments._script import main_guard

    runs = [Run("first", {"epochs": 5, "images": False}), Run("second", {"epochs": 5})]
    directory = str(tmp_path / "experiment")
    with pytest.raises(SystemExit) as exit_status:
        main_guard(lambda: run_experiment(directory, runs, run_callbacks=lambda _: [CtrlC()]))
    assert exit_status.value.code == 130
    error = capsys.readouterr().err
    assert error.startswith("interrupted: ") and error.count("\n") == 1
    with open(os.path.join(directory, "summary.csv")) as file:
        rows = list(csv.DictReader(file))
    assert [(row["run"], row["status"]) for row in rows] == [("first", "interrupted")]
    assert not os.path.exists(os.path.join(directory, "second"))


def test_ctrl_c_in_the_slides_run_exits_130_after_its_summary(tmp_path, monkeypatch, capsys):
    """The slide's experiment trains outside `run_experiment`; Ctrl-C stops it there too."""
    from experiments import gradient_descent
    from experiments._script import main_guard

    train = kerasclf.train
    monkeypatch.setattr(kerasclf, "train", lambda **values: train(callbacks=[CtrlC()], **values))
    with pytest.raises(SystemExit) as exit_status:
        main_guard(lambda: gradient_descent.main(["--quick", "--logdir", str(tmp_path)]))
    assert exit_status.value.code == 130
    with open(os.path.join(tmp_path, "gradient_descent", "summary.csv")) as file:
        rows = list(csv.DictReader(file))
    assert [(row["run"], row["status"]) for row in rows] == [("slide", "interrupted")]
    assert capsys.readouterr().err.startswith("interrupted: ")
