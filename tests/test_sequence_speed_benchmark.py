"""Smoke test of `benchmarks.sequence_speed`: its printed tables and the engines' agreement.

One tiny run (160 `long_dependency` sequences, 2 epochs, batch 32: 5
minibatches, fewer than one execution of `steps_per_execution=32`) is shared
by the tests. No timing is asserted: speed is reported by the benchmark,
never tested.
"""

from __future__ import annotations

import pytest
from conftest import table_rows

from benchmarks import sequence_speed
from benchmarks.day2_speed import largest_gap

TINY = ["--epochs", "2", "--repeats", "1", "--num-samples", "200", "--batch-sizes", "32"]


@pytest.fixture(scope="module")
def report():
    return sequence_speed.main([*TINY, "--datasets", "long_dependency"])


def test_the_speed_table_has_a_row_per_engine(report):
    rows = table_rows(report, ["dataset", "batch", "engine", "median epoch s (epochs 2..E)"])
    assert [tuple(row[:3]) for row in rows] == [
        ("long_dependency", "32", sequence_speed.ENGINE_LABELS[engine])
        for engine in sequence_speed.ENGINES
    ]
    for row in rows:
        assert float(row[3]) > 0 and float(row[5]) > 0
        assert row[4].endswith("x") and float(row[4][:-1]) > 0
    assert rows[0][4] == "1.00x"  # Stock fit against itself.
    assert report.startswith(sequence_speed.SECTION_TITLE)
    assert "- long_dependency, batch 32: fused / stock fit = " in report
    assert "fused / stock_spe = " in report


def test_all_engines_train_alike(report):
    rows = {
        row[2]: row for row in table_rows(report, ["dataset", "batch", "engine", "last epoch loss"])
    }
    assert set(rows) == set(sequence_speed.ENGINES)
    for engine, row in rows.items():
        # The loss and weight gaps to stock fit and to the fused engine: rounding only.
        assert [float(gap) for gap in row[4:]] == pytest.approx([0.0] * 4, abs=1e-4), engine
        assert 0.5 < float(row[3]) < 0.8, engine  # Near log 2 = 0.693 after 10 steps.


def test_the_fused_engine_trains_token_ids_as_stock_fit_does():
    """The grammar's Embedding path: 180 windows of 40 character ids, 2 epochs of batch 64."""
    data = sequence_speed.training_set("grammar", 240)
    assert data.feature_shape == (40,) and data.num_classes == data.vocabulary_size == 24
    weights = sequence_speed.lstm(data).get_weights()
    stock = sequence_speed.train_once("stock", data, 64, 2, weights)
    fused = sequence_speed.train_once("fused", data, 64, 2, weights)
    assert largest_gap(fused, stock) == pytest.approx((0.0, 0.0), abs=1e-4)
    assert stock.losses[1] < stock.losses[0]  # It trains.
    assert any(abs(a - b).max() > 1e-3 for a, b in zip(stock.weights, weights))


def test_the_defaults_are_the_issues_settings():
    arguments = sequence_speed.parse_arguments([])
    assert arguments.repeats == 3
    assert tuple(arguments.batch_sizes) == (32, 128)
    assert tuple(arguments.datasets) == ("grammar", "long_dependency")
    assert arguments.num_samples is None


def test_bad_arguments_raise_one_line():
    with pytest.raises(ValueError, match="epochs"):
        sequence_speed.parse_arguments(["--epochs", "1"])
    with pytest.raises(ValueError, match="long_dependency"):
        sequence_speed.parse_arguments(["--datasets", "long_dependancy"])
