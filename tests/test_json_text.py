"""json_text writes what json.dumps writes, a list of numbers to a line."""

import json

import keras
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kerasclf.atomic_files import read_json
from kerasclf.json_text import json_safe, json_text
from kerasclf.run.export import write_weights_json

NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6))
SCALARS = st.one_of(NUMBERS, st.booleans(), st.none(), st.text(max_size=5))
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
ARRAYS = st.one_of(
    hnp.arrays(np.float32, SHAPES, elements=st.floats(width=32)),
    hnp.arrays(np.int64, SHAPES),
    hnp.arrays(np.str_, SHAPES, elements=st.text("abc", max_size=3)),
)
VALUES = st.recursive(
    st.one_of(SCALARS, ARRAYS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=5), st.integers(), st.booleans()), inner),
    ),
    max_leaves=12,
)


def _reference(value):
    """What json.dumps makes of `value`: arrays as nested lists, then `json_safe`."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        return json.loads(json.dumps({key: _reference(item) for key, item in value.items()}))
    if isinstance(value, list):
        return [_reference(item) for item in value]
    return json_safe(value)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_json_text_reads_back_as_json_dumps_of_the_safe_value(value):
    text = json_text(value)
    assert text.endswith("\n")
    assert json.loads(text) == _reference(value)


def test_each_row_of_numbers_is_one_line_and_nan_and_infinity_are_spelled_out():
    text = json_text({"kernel": np.array([[1.5, np.nan], [np.inf, -np.inf]]), "empty": []})
    assert text.splitlines() == [
        "{",
        '  "kernel": [',
        "    [1.5, null],",
        '    ["inf", "-inf"]',
        "  ],",
        '  "empty": []',
        "}",
    ]


def test_weights_json_holds_every_weight_of_the_model_a_row_a_line(tmp_path):
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(5, name="hidden"), keras.layers.Dense(3)]
    )
    path = str(tmp_path / "weights.json")
    write_weights_json(model, path)
    weights = read_json(path)
    assert list(weights) == [layer.name for layer in model.layers]
    for layer in model.layers:
        for weight in layer.weights:
            expected = keras.ops.convert_to_numpy(weight)
            np.testing.assert_array_equal(np.array(weights[layer.name][weight.name]), expected)
    # The outer braces; per layer its name and closing brace; per kernel its name, its rows
    # and closing bracket; per bias one line.
    assert len(open(path).read().splitlines()) == 2 + 2 * 2 + (2 + 6) + 1 + (2 + 5) + 1
