"""Every benchmark's bad input is one line and exit status 2, before anything is measured.

Each case calls the script's `main(argv)` in this process, its parse step
(`parse_arguments`, or `parse_repeats`) wrapped so that input it accepts
fails the test instead of starting a measurement.
"""

from __future__ import annotations

import importlib
import os

import pytest

from benchmarks import arguments

# (module, argv, text the line must hold: the received value, "Did you mean 'x'?" for a typo).
# "{tmp}" is a fresh folder holding victim.csv (not Markdown) and notes.md (no "# " title).
CASES = [
    ("training_speed", ["--min-seconds", "inf"], ["'inf'", "finite"]),
    ("training_speed", ["--min-seconds", "nan"], ["'nan'"]),
    ("training_speed", ["--min-seconds", "0"], ["'0'"]),
    ("training_speed", ["--repeats", "0"], ["'0'", ">= 1"]),
    ("training_speed", ["--output", "{tmp}"], ["directory"]),
    ("training_speed", ["--output", "{tmp}/victim.csv"], ["victim.csv", ".md"]),
    ("training_speed", ["--output", "{tmp}/victim.csv/report.md"], ["under a file"]),
    ("training_speed", ["--output", "{tmp}/missing/report.md"], ["does not exist"]),
    ("training_speed", ["--output", "{tmp}/notes.md"], ["notes.md", "section title"]),
    ("training_speed", ["--quik"], ["'--quik'", "Did you mean '--quick'?"]),
    ("training_speed", ["--bogus"], ["'--bogus'"]),
    ("training_speed", ["--quick", "stray"], ["'stray'"]),
    ("training_speed", ["--paths", "kerasclf,sklarn"], ["'sklarn'", "Did you mean 'sklearn'?"]),
    ("training_speed", ["--batch-sizes", "64"], ["'64'", "1,32,1024"]),
    ("day2_speed", ["--epochs", "1"], ["'1'", ">= 2"]),
    ("day2_speed", ["--repeats", "0"], ["'0'"]),
    ("day2_speed", ["--batch-sizes", "0"], ["'0'"]),
    ("day2_speed", ["--batch-sizes", "x"], ["'x'", "comma-separated integers"]),
    ("day2_speed", ["--dropout", "2"], ["'2'", "[0, 1)"]),
    ("day2_speed", ["--num-samples", "-5"], ["'-5'"]),
    ("day2_speed", ["--output", "{tmp}/victim.csv"], ["victim.csv"]),
    ("day2_speed", ["--epoch", "3"], ["'--epoch'", "Did you mean '--epochs'?"]),
    ("sequence_speed", ["--epochs", "1"], ["'1'"]),
    (
        "sequence_speed",
        ["--datasets", "long_dependancy"],
        ["'long_dependancy'", "Did you mean 'long_dependency'?"],
    ),
    ("fit_teardown", ["--batch-size", "0", "--runs", "1", "--epochs", "2"], ["'0'"]),
    ("fit_teardown", ["--runs", "0"], ["'0'"]),
    ("fit_teardown", ["--epochs", "1"], ["'1'", ">= 2"]),
    ("fit_teardown", ["--pipelines", "fusd"], ["'fusd'", "Did you mean 'fused'?"]),
    ("surface_cost", ["--models", "logistc"], ["'logistc'", "Did you mean 'logistic'?"]),
    ("surface_cost", ["--models", "typo"], ["'typo'", "cnn, mlp, logistic"]),
    ("surface_cost", ["--repeats", "0"], ["'0'"]),
    ("surface_cost", ["--samples", "0"], ["'0'"]),
    ("surface_memory", ["--epochs", "0"], ["'0'"]),
    ("image_cost", ["--repeats", "0"], ["'0'"]),
    ("image_cost", ["--encode-repeats", "x"], ["'x'"]),
    ("image_cost", ["--epochs", "0"], ["'0'"]),
    ("cli_latency", ["--repeats", "0"], ["'0'"]),
    ("cli_latency", ["--wirte"], ["'--wirte'", "Did you mean '--write'?"]),
    ("checkpoint_cost", ["--runs", "0"], ["'0'"]),
    ("checkpoint_cost", ["--models", "cnn-font"], ["'cnn-font'", "Did you mean 'cnn-fonts'?"]),
    ("run_overhead", ["--repeats", "-1"], ["'-1'", ">= 0"]),
    ("experiments_memory", ["--sequence", "dya1"], ["'dya1'", "Did you mean 'day1'?"]),
    ("experiments_memory", ["--repeats", "0"], ["'0'"]),
    ("streaming", ["--rss-samples", "0", "10"], ["'0'"]),
    ("streaming", ["--output", "{tmp}"], ["directory"]),
    ("speed.permutation", ["--num-samples", "10"], ["'10'", ">= 1024"]),
    ("speed.pipeline_overlap", ["--epochs", "2"], ["'2'", ">= 3"]),
    ("block_trace", ["--repeats", "0"], ["'0'"]),
    ("block_trace", ["--repaets", "3"], ["'--repaets'", "Did you mean '--repeats'?"]),
    ("epoch_stream", ["--repeats", "0"], ["'0'"]),
    ("epoch_stream", ["--repaets", "3"], ["'--repaets'", "Did you mean '--repeats'?"]),
    ("isolation_cost", ["--repeats", "0"], ["'0'"]),
    ("fit_restart", ["--repeats", "0"], ["'0'"]),
    ("cross_entropy_gradient", ["--repeats", "x"], ["'x'"]),
    ("loop_unroll", ["--repeats", "0"], ["'0'"]),
    ("text_generation", ["--repeats", "-2"], ["'-2'"]),
    ("train_trace", ["--repeats", "1.5"], ["'1.5'"]),
    ("step_trace", ["--repeats", "0"], ["'0'"]),
    ("unroll_cost", ["stray"], ["'stray'"]),
]


@pytest.fixture
def folder(tmp_path):
    """A folder with a CSV file and a Markdown file that is no report, to refuse writing to."""
    (tmp_path / "victim.csv").write_text("x1,x2\n1,2\n")
    (tmp_path / "notes.md").write_text("Notes, not a report.\n")
    return tmp_path


def refusing_acceptance(module, monkeypatch):
    """Wraps the module's parse step: input it accepts raises instead of starting a measurement."""
    name = "parse_repeats" if hasattr(module, "parse_repeats") else "parse_arguments"
    parse = getattr(module, name)

    def accepted_fails(*args, **kwargs):
        raise AssertionError(f"accepted: {parse(*args, **kwargs)}")

    monkeypatch.setattr(module, name, accepted_fails)


@pytest.mark.parametrize(
    ("name", "argv", "expected"), CASES, ids=[f"{c[0]} {' '.join(c[1])}" for c in CASES]
)
def test_bad_input_is_one_line_and_exit_2(name, argv, expected, folder, monkeypatch, capsys):
    module = importlib.import_module(f"benchmarks.{name}")
    refusing_acceptance(module, monkeypatch)
    argv = [argument.replace("{tmp}", str(folder)) for argument in argv]
    with pytest.raises(SystemExit) as exited:
        module.main(argv)
    assert exited.value.code == 2
    output = capsys.readouterr()
    assert output.out == ""
    assert output.err.startswith(f"python -m benchmarks.{name}: error: ")
    assert output.err.count("\n") == 1 and output.err.endswith("\n"), output.err
    for text in expected:
        assert text in output.err, output.err
    # Nothing written before is lost.
    assert (folder / "victim.csv").read_text() == "x1,x2\n1,2\n"
    assert (folder / "notes.md").read_text() == "Notes, not a report.\n"
    assert sorted(os.listdir(folder)) == ["notes.md", "victim.csv"]


def test_good_input_parses():
    from benchmarks import checkpoint_cost, surface_cost, training_speed

    assert checkpoint_cost.parse_arguments(["--models", "logistic-batch1", "cnn-fonts"]).models == [
        "logistic-batch1",
        "cnn-fonts",
    ]
    assert surface_cost.parse_arguments(["--models", "gru, lstm"]).models == ["gru", "lstm"]
    parsed = training_speed.parse_arguments(["--quick", "--min-seconds", "0.5", "--paths", "numpy"])
    assert (parsed.min_seconds, parsed.paths, parsed.output) == (0.5, ["numpy"], None)


def test_an_existing_report_may_be_rewritten(tmp_path):
    report = tmp_path / "report.md"
    report.write_text("# Training speed\n\nold\n")
    assert arguments.check_markdown_output("--output", str(report)) == str(report)
    assert arguments.check_markdown_output("--output", str(tmp_path / "new.md"))


def test_help_lists_the_typeable_names(capsys):
    from benchmarks import checkpoint_cost

    with pytest.raises(SystemExit) as exited:
        checkpoint_cost.parse_arguments(["--help"])
    assert exited.value.code == 0
    assert "logistic-batch1cnn-fonts" in "".join(capsys.readouterr().out.split())
