"""Each experiment, cut short with --quick, shows what it exists to show."""

import csv
import math
import os

import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from experiments import experiment_names
from kerasclf.cli import main as cli_main


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("experiments"))


def _run(name, logdir):
    import importlib

    outcomes = importlib.import_module(f"experiments.{name}").main(["--quick", "--logdir", logdir])
    return {outcome.run.name: outcome for outcome in outcomes}


def _final_logged_cost(run_dir):
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return float(tf.make_ndarray(events.Tensors("cost")[-1].tensor_proto))


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
    assert cost["too_small"] > cost["good"]
    assert cost["too_big"] > cost["good"]
    assert outcomes["diverging"].result.summary["status"] == "diverged"
    assert outcomes["decay"].result.summary["status"] == "completed"  # Carried on.
    _check_summary_against_events(logdir, "step_size", outcomes)


def test_momentum(logdir):
    outcomes = _run("momentum", logdir)
    assert outcomes["momentum_0.9"].epochs_to_best is not None
    plain = outcomes["gd"].epochs_to_best or math.inf
    assert outcomes["momentum_0.9"].epochs_to_best < plain
    assert os.path.isfile(os.path.join(logdir, "momentum", "paths.png"))
    _check_summary_against_events(logdir, "momentum", outcomes)


def test_initialization(logdir):
    outcomes = _run("initialization", logdir)
    logistic = [o.result.summary["cost"] for o in outcomes.values() if o.run.group == "logistic"]
    assert len(logistic) == 4 and max(logistic) - min(logistic) < 1e-3
    mlp = [o.result.summary["cost"] for o in outcomes.values() if o.run.group == "mlp"]
    assert max(mlp) - min(mlp) > 1.0  # Different starts, different minima.
    _check_summary_against_events(logdir, "initialization", outcomes)


def test_nonlinear(logdir):
    outcomes = _run("nonlinear", logdir)
    accuracy = {name: o.result.summary["accuracy"] for name, o in outcomes.items()}
    assert accuracy["circle_mlp"] > accuracy["circle_linear"] + 0.2
    assert accuracy["circle_features"] > accuracy["circle_linear"] + 0.2
    _check_summary_against_events(logdir, "nonlinear", outcomes)


@pytest.mark.parametrize("name", ["hand_line", "gradient_descent"])
def test_other_experiments_run_and_summarize(logdir, name):
    outcomes = _run(name, logdir)
    assert all(o.result.summary["status"] == "completed" for o in outcomes.values())
    _check_summary_against_events(logdir, name, outcomes)


def test_batch_size_sgd_gets_further_per_epoch(logdir):
    outcomes = _run("batch_size", logdir)
    first_epoch = {name: o.result.history["cost"][0] for name, o in outcomes.items()}
    assert first_epoch["sgd_1"] < first_epoch["minibatch_40"] < first_epoch["full_batch"]
    _check_summary_against_events(logdir, "batch_size", outcomes)


def test_every_experiment_is_listed_and_run_by_all(capsys):
    from experiments.all import EXPERIMENTS

    assert sorted([*EXPERIMENTS, "all"]) == experiment_names()
    assert cli_main(["experiments"]) == 0
    listing = capsys.readouterr().out
    for name in experiment_names():
        assert f"python -m experiments.{name}" in listing
