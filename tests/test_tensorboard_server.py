"""What users open in the browser: a real `tensorboard` server over a finished run."""

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import numpy as np
import pytest

import kerasclf
from kerasclf.cli.tensorboard_command import TENSORBOARD_ARGUMENTS


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(base, path, data=None):
    request = urllib.request.Request(
        base + path,
        data=data,
        headers={"Content-Type": "application/json", "X-TensorBoard-Feature-Flags": "{}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return body if path.startswith("/data/plugin/images/individualImage") else json.loads(body)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("logs")
    result = kerasclf.train(
        epochs=12,
        batch_cost=True,
        boundary_every=1,
        logdir=str(logdir),
        run_name="seminar",
        stream=io.StringIO(),
    )
    # A second run, with a validation split, for what only such a run shows.
    held_out = kerasclf.train(
        epochs=3,
        model="mlp",
        validation_split=0.25,
        images=False,
        logdir=str(logdir),
        run_name="held_out",
        stream=io.StringIO(),
    )
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            str(logdir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--load_fast",
            "false",
            "--reload_interval",
            "1",
            *TENSORBOARD_ARGUMENTS,  # As `kerasclf train` says to open it.
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                if {"seminar/train", "held_out/train"} <= set(
                    _get(base, "/data/plugin/scalars/tags")
                ):
                    break
            except OSError:
                pass
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError("tensorboard did not serve the run within 90 s")
            time.sleep(0.5)
        yield base, result, held_out
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_scalars_are_served_with_the_run_values(server):
    base, result, _ = server
    tags = _get(base, "/data/plugin/scalars/tags")
    assert {"cost", "accuracy", "weights/w1", "weights/b", "gradient_norm"} <= set(
        tags["seminar/train"]
    )
    query = urllib.parse.urlencode({"run": "seminar/train", "tag": "cost"})
    points = _get(base, f"/data/plugin/scalars/scalars?{query}")
    assert [step for _, step, _ in points] == list(range(13))
    assert points[-1][2] == pytest.approx(result.summary["cost"], rel=1e-6)


def test_minibatch_costs_are_served_as_scalars(server):
    base, _, _ = server
    costs = _served(base, "scalars", "scalars", "minibatch_cost")
    # Full batch: update i's cost is the cost at the weights after epoch i - 1.
    epoch_costs = _served(base, "scalars", "scalars", "cost")
    assert [step for _, step, _ in costs] == list(range(1, 13))
    for (_, _, cost), (_, _, before) in zip(costs, epoch_costs[:12]):
        assert cost == pytest.approx(before, rel=1e-5)


def _served(base, plugin: str, route: str, tag: str):
    """What a plugin serves for one tag of the run's training logs, once it lists the tag."""
    assert tag in _get(base, f"/data/plugin/{plugin}/tags")["seminar/train"]
    query = urllib.parse.urlencode({"run": "seminar/train", "tag": tag})
    return _get(base, f"/data/plugin/{plugin}/{route}?{query}")


def test_every_image_is_served_as_png(server):
    base, result, _ = server
    images = _served(base, "images", "images", "decision_boundary")
    # Every epoch's frame: TensorBoard's default would keep a sample of 10.
    assert [image["step"] for image in images] == list(range(13))
    png = _get(base, "/data/plugin/images/individualImage?" + images[-1]["query"])
    saved = os.path.join(result.run_dir, "decision_boundary.png")
    with open(saved, "rb") as file:
        assert png == file.read()  # The final frame, as saved beside the run.


def test_weight_histograms_are_served_with_the_final_weights(server):
    base, result, _ = server
    points = _served(base, "histograms", "histograms", "histograms/output/kernel")
    assert [step for _, step, _ in points] == [0, 5, 10, 12]  # Every 5 epochs, and the last.
    buckets = np.array(points[-1][2])
    weights = np.ravel(result.weights)
    assert buckets[0, 0] == pytest.approx(weights.min()) and buckets[-1, 1] == pytest.approx(
        weights.max()
    )
    assert buckets[:, 2].sum() == weights.size


def test_each_run_is_one_row_of_the_run_list(server):
    base, _, _ = server
    assert sorted(_get(base, "/data/runs")) == ["held_out/train", "seminar/train"]


def _hparams(base, route: str, **request):
    request = {"experimentName": "", **request}
    return _get(base, f"/data/plugin/hparams/{route}", data=json.dumps(request).encode())


def _sessions(base) -> dict:
    """The HParams sessions, by run, as the dashboard's table gets them."""
    groups = _hparams(
        base,
        "session_groups",
        allowedStatuses=["STATUS_UNKNOWN", "STATUS_SUCCESS"],
        colParams=[],
        startIndex=0,
        sliceSize=10,
    )["sessionGroups"]
    return {
        session["name"]: (
            group["hparams"],
            {m["name"]["tag"]: m["value"] for m in session["metricValues"]},
        )
        for group in groups
        for session in group["sessions"]
    }


def test_hparams_sessions_are_served_with_the_final_values(server):
    base, result, held_out = server
    experiment = _hparams(base, "experiment")
    infos = {info["name"]: info for info in experiment["hparamInfos"]}
    assert {"model", "optimizer", "learning_rate", "batch_size", "epochs", "seed"} <= set(infos)
    assert infos["hidden"]["type"] == "DATA_TYPE_STRING"  # Only the mlp run has it.
    assert infos["learning_rate"]["type"] == "DATA_TYPE_FLOAT64"
    metrics = {(m["name"]["group"], m["name"]["tag"]) for m in experiment["metricInfos"]}
    assert {("", "cost"), ("", "accuracy"), ("", "validation/cost")} <= metrics
    sessions = _sessions(base)
    assert set(sessions) == {"seminar/train", "held_out/train"}
    hparams, values = sessions["seminar/train"]
    assert hparams["optimizer"] == "gd" and hparams["model"] == "logistic"
    # Only what applies to logistic regression without a validation split.
    assert not {"hidden", "activation", "dropout", "momentum", "validation_split"} & set(hparams)
    assert "validation/cost" not in values
    for tag in ("cost", "accuracy"):
        assert values[tag] == pytest.approx(result.summary[tag], rel=1e-6)
    hparams, values = sessions["held_out/train"]
    assert hparams["hidden"] == "8,8" and hparams["validation_split"] == 0.25
    for tag in ("cost", "accuracy"):
        assert values[tag] == pytest.approx(held_out.summary[tag], rel=1e-6)
        assert values[f"validation/{tag}"] == pytest.approx(
            held_out.summary[f"val_{tag}"], rel=1e-6
        )


def test_config_is_served_as_a_table_of_what_applies(server):
    base, _, _ = server
    text = _served(base, "text", "text", "config")
    assert len(text) == 1 and text[0]["step"] == 0
    keys = re.findall(r"<tr>\s*<td>(.*?)</td>", text[0]["text"])
    assert keys[:5] == ["model", "optimizer", "learning_rate", "batch_size", "epochs"]
    assert "hidden" not in keys and "activation" not in keys


def test_the_cost_charts_say_what_they_are(server):
    base, _, _ = server
    tags = _get(base, "/data/plugin/scalars/tags")["held_out/train"]
    assert "summed over the training set (150 samples)" in tags["cost"]["description"]
    assert "over the validation set (50 samples)" in tags["validation/mean_cost"]["description"]
    assert "classified right" in tags["accuracy"]["description"]


def test_train_and_validation_share_a_custom_scalars_chart(server):
    base, _, held_out = server
    layout = _get(base, "/data/plugin/custom_scalars/layout")
    charts = {chart["title"]: chart for c in layout["category"] for chart in c["chart"]}
    assert set(charts) == {"mean_cost", "accuracy"}  # Once, though both runs wrote it.
    for tag in ("mean_cost", "accuracy"):
        (regex,) = charts[tag]["multiline"]["tag"]
        query = urllib.parse.urlencode({"run": "held_out/train", "tag": regex})
        served = _get(base, f"/data/plugin/custom_scalars/scalars?{query}")["tag_to_events"]
        assert set(served) == {tag, f"validation/{tag}"}
        for name, key in ((tag, tag), (f"validation/{tag}", f"val_{tag}")):
            assert [step for _, step, _ in served[name]] == [0, 1, 2, 3]
            assert served[name][-1][2] == pytest.approx(held_out.summary[key], rel=1e-6)
