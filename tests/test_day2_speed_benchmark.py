"""Smoke test of `benchmarks.day2_speed`: its printed tables and the engines' agreement.

One tiny run (200 fonts images, 2 epochs, batch 32, no dropout, so that the
engines' random draws cannot differ) is shared by the tests. No timing is
asserted: speed is reported by the benchmark, never tested.
"""

from __future__ import annotations

import pytest
from conftest import table_rows

from benchmarks import day2_speed

TINY = ["--epochs", "2", "--repeats", "1", "--num-samples", "200", "--batch-sizes", "32"]


@pytest.fixture(scope="module")
def report():
    return day2_speed.main([*TINY, "--dropout", "0"])


def test_the_speed_table_has_a_row_per_engine(report):
    rows = table_rows(report, ["batch", "engine", "median epoch s (epochs 2..E)"])
    assert [(row[0], row[1]) for row in rows] == [
        ("32", day2_speed.ENGINE_LABELS[engine]) for engine in day2_speed.ENGINES
    ]
    for row in rows:
        assert float(row[2]) > 0 and float(row[4]) > 0
        assert row[3].endswith("x") and float(row[3][:-1]) > 0
    assert rows[0][3] == "1.00x"  # Stock fit against itself.
    assert report.startswith(day2_speed.SECTION_TITLE)
    assert "- batch 32: fused / stock fit = " in report


def test_all_engines_train_alike(report):
    rows = {row[1]: row for row in table_rows(report, ["batch", "engine", "last epoch loss"])}
    assert set(rows) == set(day2_speed.ENGINES)
    for engine, row in rows.items():
        # The loss and weight gaps to stock fit and to the fused engine: rounding only.
        assert [float(gap) for gap in row[3:]] == pytest.approx([0.0] * 4, abs=1e-4), engine
    assert float(rows["stock"][2]) < 1.6  # Trained: log 5 = 1.609 at chance.


def test_the_defaults_are_the_issues_settings():
    arguments = day2_speed.parse_arguments([])
    assert (arguments.epochs, arguments.repeats) == (5, 3)
    assert tuple(arguments.batch_sizes) == (32, 128)
    assert arguments.num_samples is None and arguments.dropout is None


def test_bad_arguments_raise_one_line():
    with pytest.raises(ValueError, match="epochs"):
        day2_speed.parse_arguments(["--epochs", "1"])
    with pytest.raises(ValueError, match="dropout"):
        day2_speed.parse_arguments(["--dropout", "1.5"])
