"""The CLI's process ends without the interpreter's teardown, and loses nothing by it."""

import json
import os
import subprocess
import sys

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

# `kerasclf train` as the console script runs it (`entry_point`, which ends
# in `exit_process`), and the same `main` ended by the ordinary `sys.exit`.
FAST_EXIT = "from kerasclf.cli.main import entry_point; entry_point()"
ORDINARY_EXIT = "import sys; from kerasclf.cli.main import main; sys.exit(main())"


def run_process(program, *arguments, **keywords):
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-c", program, *arguments],
        capture_output=True,
        text=True,
        env=environment,
        **keywords,
    )


def logged_records(run_dir):
    """Every scalar and tensor record of every event folder: {(folder, tag): [(step, value)]}."""
    records = {}
    for folder, _, names in os.walk(run_dir):
        if not any(name.startswith("events.out") for name in names):
            continue
        accumulator = EventAccumulator(folder, size_guidance={"tensors": 0, "scalars": 0})
        accumulator.Reload()
        relative = os.path.relpath(folder, run_dir)
        for tag in accumulator.Tags()["tensors"]:
            records[relative, tag] = [
                (event.step, event.tensor_proto.SerializeToString())
                for event in accumulator.Tensors(tag)
            ]
        for tag in accumulator.Tags()["scalars"]:
            records[relative, tag] = [(e.step, e.value) for e in accumulator.Scalars(tag)]
    return records


def test_a_run_ended_without_teardown_writes_what_an_ordinary_exit_writes(tmp_path):
    flags = ["train", "--epochs", "4", "--run-name", "run"]
    fast = run_process(FAST_EXIT, *flags, "--logdir", str(tmp_path / "fast"), check=True)
    ordinary_logdir = str(tmp_path / "ordinary")
    ordinary = run_process(ORDINARY_EXIT, *flags, "--logdir", ordinary_logdir, check=True)
    assert fast.stdout.splitlines()[-1] == ordinary.stdout.splitlines()[-1]
    fast_run, ordinary_run = tmp_path / "fast" / "run", tmp_path / "ordinary" / "run"

    def files(run_dir):
        return sorted(
            os.path.relpath(os.path.join(folder, name), run_dir)
            for folder, _, names in os.walk(run_dir)
            for name in names
            if not name.startswith("events.out")
        )

    assert files(fast_run) == files(ordinary_run)
    fast_records, ordinary_records = logged_records(fast_run), logged_records(ordinary_run)
    assert ("train", "cost") in fast_records and len(fast_records["train", "cost"]) == 5
    assert fast_records == ordinary_records
    fast_summary = json.loads((fast_run / "summary.json").read_text())
    ordinary_summary = json.loads((ordinary_run / "summary.json").read_text())
    for key in ("status", "cost", "weights", "bias", "iterations"):
        np.testing.assert_array_equal(fast_summary[key], ordinary_summary[key])
    assert (fast_run / "weights.json").read_text() == (ordinary_run / "weights.json").read_text()
    for name in ("decision_boundary.png", "error_surface.png"):
        assert (fast_run / name).read_bytes() == (ordinary_run / name).read_bytes()


def test_exit_process_runs_atexit_hooks_flushes_output_and_keeps_the_status(tmp_path):
    marker = tmp_path / "atexit.txt"
    program = (
        "import atexit, sys, tensorflow\n"
        "from kerasclf.cli.process_exit import exit_process\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
        "print('buffered line', end='')\n"
        "exit_process(3)\n"
    )
    finished = run_process(program)
    assert finished.returncode == 3
    assert finished.stdout == "buffered line"
    assert marker.read_text() == "ran"


def test_exit_process_waits_for_a_thread_still_writing(tmp_path):
    marker = tmp_path / "thread.txt"
    program = (
        "import threading, time, tensorflow\n"
        "from kerasclf.cli.process_exit import exit_process\n"
        "def write():\n"
        "    time.sleep(0.5)\n"
        f"    open({str(marker)!r}, 'w').write('written')\n"
        "threading.Thread(target=write).start()\n"
        "exit_process(0)\n"
    )
    assert run_process(program).returncode == 0
    assert marker.read_text() == "written"
