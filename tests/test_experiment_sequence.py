"""`day1`, `day2`, `day3` and `all` run their experiments one after the other, each in a process."""

import argparse
import os
import sys

import pytest

from experiments import _script
from experiments._script import run_in_child_process, run_sequence

CHILD = """\
import os, sys
print("argv", sys.argv[1:], "cwd", os.getcwd(), flush=True)
sys.exit(int(os.environ.get("PROBE_STATUS", "0")))
"""


@pytest.fixture
def probe_package(tmp_path, monkeypatch):
    """A package `sequence_probe` with a module `child`, importable here, as `experiments` is."""
    package = tmp_path / "packages" / "sequence_probe"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "child.py").write_text(CHILD)
    monkeypatch.syspath_prepend(str(package.parent))
    import sequence_probe  # noqa: F401 (run_in_child_process finds its folder in sys.modules)

    yield "sequence_probe"
    sys.modules.pop("sequence_probe", None)


@pytest.mark.parametrize("status", [0, 3])
def test_a_child_gets_the_arguments_and_its_status_comes_back(
    probe_package, tmp_path, monkeypatch, capfd, status
):
    """From another folder, no PYTHONPATH: the child finds the package where this process did."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("PROBE_STATUS", str(status))
    assert run_in_child_process(f"{probe_package}.child", ["--logdir", "x y", "--quick"]) == status
    assert capfd.readouterr().out == f"argv ['--logdir', 'x y', '--quick'] cwd {elsewhere}\n"


def test_the_sequence_runs_each_experiment_in_order_with_the_same_flags(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(_script, "run_in_child_process", lambda *call: calls.append(call) or 0)
    arguments = argparse.Namespace(logdir="logs/seminar", quick=True)
    timings = run_sequence(["hand_line", "momentum"], arguments)
    package = _script.__package__
    assert calls == [
        (f"{package}.hand_line", ["--logdir", "logs/seminar", "--quick"]),
        (f"{package}.momentum", ["--logdir", "logs/seminar", "--quick"]),
    ]
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["=== hand_line ===", "=== momentum ==="]
    assert [line.split()[0] for line in lines[2:]] == ["hand_line", "momentum", "all"]
    assert list(timings) == ["hand_line", "momentum"]
    assert all(seconds >= 0 for seconds in timings.values())


def test_a_failed_experiment_stops_the_sequence_with_its_status(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(
        _script, "run_in_child_process", lambda module, argv: calls.append(module) or 4
    )
    with pytest.raises(SystemExit) as exit_status:
        run_sequence(["fonts", "optimizers"], argparse.Namespace(logdir="logs", quick=False))
    assert exit_status.value.code == 4
    assert [module.rsplit(".", 1)[1] for module in calls] == ["fonts"]
    error = capsys.readouterr().err
    assert error == "fonts failed (exit status 4); the ones after it did not run\n"


def test_the_sequence_loads_no_tensorflow():
    """A day's parent process only waits for its children: TensorFlow would be 500 MB idle."""
    code = "import sys, experiments.all; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    import subprocess

    printed = subprocess.run(
        [sys.executable, "-c", code], cwd=root, check=True, capture_output=True, text=True
    ).stdout
    assert printed == "False False\n"
