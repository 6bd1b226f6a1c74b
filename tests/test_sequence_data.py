"""Day 3's data: regression targets, vocabularies, text corpora and sequence files."""

import json
import os

import numpy as np
import pytest

from kerasclf.data import (
    Data,
    load_data,
    load_data_splits,
    make_dataset,
    make_dataset_splits,
    split_stratified,
    split_validation,
)
from kerasclf.cli.main import main as cli_main
from kerasclf.data.splits import split_tail
from kerasclf.data.text_corpus import character_windows, read_text, readable_names
from kerasclf.data.vocabulary import VOCABULARY_FILE, Vocabulary

RNG = np.random.default_rng(0)


def one_line(error) -> str:
    message = str(error.value)
    assert message and "\n" not in message
    return message


def saved(tmp_path, name="data.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return str(path)


# Regression targets.


@pytest.mark.parametrize("shape", [(30,), (30, 3), (30, 1)])
def test_regression_targets_are_float32_and_count_their_columns(shape):
    targets = RNG.normal(size=shape)
    data = Data(RNG.normal(size=(30, 4, 2)), targets, task="regression")
    assert data.labels.dtype == np.float32 and data.labels.shape == shape
    np.testing.assert_array_equal(data.labels, targets.astype(np.float32))
    assert data.num_targets == (1 if len(shape) == 1 else shape[1])
    assert data.num_classes is None and data.class_names is None and data.label_names == ()
    part = data.subset(np.arange(5), "part")
    assert part.task == "regression" and part.num_classes is None
    np.testing.assert_array_equal(part.labels, targets[:5].astype(np.float32))


def test_classification_is_the_default_and_has_no_targets():
    data = Data(np.zeros((4, 2)), [0, 1, 1, 0])
    assert data.task == "classification" and data.num_targets is None
    assert data.labels.dtype == np.int32 and data.vocabulary is None


@pytest.mark.parametrize(
    "labels, kwargs, error, message",
    [
        ([0.5, np.nan, 1.0, 2.0], {}, ValueError, "NaN or infinity in row 1"),
        ([0.5, 1.0, 1e39, 2.0], {}, ValueError, "finite float32"),
        (["a", "b", "c", "d"], {}, TypeError, "finite numbers"),
        ([True, False, True, False], {}, TypeError, "finite numbers"),
        (np.zeros((4, 2, 2)), {}, ValueError, r"\(num_samples,\) or \(num_samples, k\)"),
        ([0.5, 1.5, 2.5], {}, ValueError, r"different numbers of samples: \[4, 3\]"),
        (
            np.array([0, 1, 2, 1]),
            {},
            ValueError,
            "all whole numbers with only 3 distinct values, which look like class labels; "
            "use task='classification'",
        ),
        ([0.5, 1.5, 2.5, 3.5], {"num_classes": 2}, ValueError, "`num_classes` is for class"),
        ([0.5, 1.5, 2.5, 3.5], {"class_names": ("a",)}, ValueError, "`class_names` is for"),
    ],
)
def test_bad_regression_targets_fail_in_one_line(labels, kwargs, error, message):
    with pytest.raises(error, match=message) as raised:
        Data(np.zeros((4, 2)), labels, task="regression", **kwargs)
    one_line(raised)


def test_task_is_checked_with_the_closest_name():
    with pytest.raises(ValueError, match="Did you mean 'regression'") as raised:
        Data(np.zeros((4, 2)), [0.5, 1.5, 2.5, 3.5], task="regresion")
    one_line(raised)


def test_integer_targets_with_many_values_and_whole_floats_are_targets():
    counts = np.arange(100, 130)  # 30 distinct whole numbers: counts, not classes.
    assert Data(np.zeros((30, 1)), counts, task="regression").labels[-1] == 129.0
    whole = Data(np.zeros((4, 1)), [1.0, 2.0, 1.0, 2.0], task="regression")
    assert whole.labels.tolist() == [1.0, 2.0, 1.0, 2.0]


def regression_data(num_samples=20):
    return Data(
        np.arange(num_samples * 2.0).reshape(num_samples, 2),
        np.arange(num_samples) * 0.5,
        "series",
        task="regression",
    )


def test_split_stratified_draws_a_seeded_random_part_of_regression_data():
    data = regression_data(20)
    training, test = split_stratified(data, 0.25, seed=3)
    again = split_stratified(data, 0.25, seed=3)[1]
    expected = np.sort(np.random.default_rng(3).choice(20, 5, replace=False))
    np.testing.assert_array_equal(test.labels, data.labels[expected])
    np.testing.assert_array_equal(again.labels, test.labels)
    assert training.num_samples == 15 and training.task == test.task == "regression"
    together = np.sort(np.concatenate([training.labels, test.labels]))
    np.testing.assert_array_equal(together, data.labels)


def test_split_validation_of_regression_data_keeps_every_sample_once():
    data = regression_data(20)
    training, validation = split_validation(data, 0.2, seed=0)
    assert (training.num_samples, validation.num_samples) == (16, 4)
    together = np.sort(np.concatenate([training.labels, validation.labels]))
    np.testing.assert_array_equal(together, data.labels)


@pytest.mark.parametrize("seed", range(5))
def test_a_texts_validation_split_may_take_characters_that_end_few_windows(seed):
    # A stride of 4 leaves some characters ending no window, and the final newline ends
    # one: the model has an output for each all the same, so no split is refused for them.
    text = "hello world, the quick brown fox jumps over the lazy dog. the end\n" * 6
    data = character_windows(text, 20, 4, source="corpus.txt")
    assert len(np.unique(data.labels)) < data.num_classes  # Characters ending no window.
    training, validation = split_validation(data, 0.2, seed=seed)
    assert training.num_classes == validation.num_classes == data.num_classes
    together = np.sort(np.concatenate([training.labels, validation.labels]))
    np.testing.assert_array_equal(together, np.sort(data.labels))


def test_a_class_with_no_points_at_all_does_not_fail_a_split():
    # Labels 0 and 2 of num_classes=3: only the classes the data has must keep a point.
    data = Data(np.arange(40.0).reshape(20, 2), np.arange(20) % 2 * 2, num_classes=3)
    training, _ = split_validation(data, 0.25, seed=0)
    assert sorted(np.unique(training.labels).tolist()) == [0, 2]


@pytest.mark.parametrize("fraction, num_held_out", [(0.25, 5), (0.05, 1), (0.5, 10)])
def test_split_tail_holds_out_the_last_stretch_in_order(fraction, num_held_out):
    data = regression_data(20)
    training, held_out = split_tail(data, fraction)
    np.testing.assert_array_equal(training.labels, data.labels[: 20 - num_held_out])
    np.testing.assert_array_equal(held_out.labels, data.labels[20 - num_held_out :])
    np.testing.assert_array_equal(held_out.features, data.features[20 - num_held_out :])


def test_split_tail_keeps_the_classes_of_classification_data():
    data = Data(np.zeros((6, 1)), [0, 0, 0, 1, 2, 2], class_names=("a", "b", "c"))
    training, held_out = split_tail(data, 1 / 3)
    assert training.labels.tolist() == [0, 0, 0, 1] and held_out.labels.tolist() == [2, 2]
    assert held_out.num_classes == 3 and held_out.class_names == ("a", "b", "c")


@pytest.mark.parametrize("fraction, message", [(0.01, "leaves 0 held-out"), (0.99, "and 0")])
def test_split_tail_refuses_an_empty_side(fraction, message):
    with pytest.raises(ValueError, match=message) as raised:
        split_tail(regression_data(20), fraction)
    one_line(raised)


# Vocabulary.


def test_vocabulary_round_trips_text_json_and_file(tmp_path):
    text = "To be, or not to be:\nthat is the question."
    vocabulary = Vocabulary.from_text(text)
    assert vocabulary.tokens == tuple(sorted(set(text))) and vocabulary.size == len(set(text))
    ids = vocabulary.encode(text)
    assert ids.dtype == np.int32
    np.testing.assert_array_equal(ids, [sorted(set(text)).index(c) for c in text])
    assert vocabulary.decode(ids) == text
    assert Vocabulary.from_json(json.loads(json.dumps(vocabulary.to_json()))) == vocabulary
    path = str(tmp_path / VOCABULARY_FILE)
    vocabulary.save(path)
    assert json.load(open(path, encoding="utf-8")) == {"tokens": list(vocabulary.tokens)}
    assert Vocabulary.load(path) == vocabulary
    assert [name for name in os.listdir(tmp_path)] == [VOCABULARY_FILE]  # No temporary left.


def test_encode_names_the_characters_outside_the_vocabulary():
    vocabulary = Vocabulary(("a", "b", "\n"))
    with pytest.raises(ValueError) as raised:
        vocabulary.encode("Qzab", key="prompt")
    assert one_line(raised) == (
        "`prompt` has characters outside the run's vocabulary: 'Q', 'z'. Received: "
        "prompt='Qzab'. Expected characters among: 'a', 'b', '\\n'."
    )


@pytest.mark.parametrize(
    "tokens, error, message",
    [
        (("a", "a"), ValueError, "unique"),
        (("a", ""), ValueError, "non-empty"),
        ((), ValueError, "at least one"),
        (("a", 1), TypeError, "strings"),
        ("ab", TypeError, "tuple of strings"),
    ],
)
def test_bad_vocabularies_fail_in_one_line(tokens, error, message):
    with pytest.raises(error, match=message) as raised:
        Vocabulary(tokens)
    one_line(raised)


def test_decode_refuses_ids_outside_the_vocabulary():
    with pytest.raises(ValueError, match="token id 2 at position 1 is outside") as raised:
        Vocabulary(("a", "b")).decode([0, 2])
    one_line(raised)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "vocabulary file does not exist or is not a file. Received: path="),
        (b"{not json", "not a readable vocabulary file (Expecting property name"),
        (b'{"tokens": "ab"}', "a list of strings. Received: {'tokens': 'ab'}"),
        (b'{"tokens": [1]}', "`tokens` must be strings, one per token id. Received 1 of type int"),
    ],
)
def test_loading_a_missing_or_corrupt_vocabulary_fails_in_one_line(tmp_path, content, message):
    path = tmp_path / VOCABULARY_FILE
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError) as raised:
        Vocabulary.load(str(path))
    assert message in str(raised.value)
    one_line(raised)


# Token ids with a vocabulary.


def test_data_with_a_vocabulary_checks_its_ids():
    vocabulary = Vocabulary(tuple("abcde"))
    data = Data(np.array([[0, 4], [1, 2]]), [0, 1], vocabulary=vocabulary)
    assert data.vocabulary_size == 5 and data.subset([1], "part").vocabulary is vocabulary
    ids = np.zeros((5, 3), np.int64)
    ids[3, 2] = 57
    with pytest.raises(ValueError, match="token id 57 at sample 3 .* vocabulary of 5 tokens"):
        Data(ids, [0, 1, 0, 1, 0], vocabulary=vocabulary)
    with pytest.raises(ValueError, match="must match the vocabulary's 5"):
        Data(np.zeros((2, 2), int), [0, 1], vocabulary=vocabulary, vocabulary_size=6)
    with pytest.raises(ValueError, match=r"2-D array \(num_samples, steps\)"):
        Data(np.zeros((2, 2, 1), int), [0, 1], vocabulary=vocabulary)


def test_vocabulary_size_is_given_inferred_or_none():
    ids = np.array([[3, 1], [0, 2]])
    assert Data(ids, [0, 1]).vocabulary_size == 4
    assert Data(ids, [0, 1], vocabulary_size=10).vocabulary_size == 10
    assert Data(ids.astype(float), [0, 1]).vocabulary_size is None  # Float features.
    assert Data(np.zeros((2, 2, 2), int), [0, 1]).vocabulary_size is None  # Not (N, T).
    assert Data(-ids, [0, 1]).vocabulary_size is None  # Negative: not ids.
    with pytest.raises(ValueError, match="token id 3 at sample 0"):
        Data(ids, [0, 1], vocabulary_size=3)


# Text corpora.


def windows_by_hand(text, sequence_length, stride):
    tokens = sorted(set(text))
    starts = range(0, len(text) - sequence_length, stride)
    features = [[tokens.index(c) for c in text[s : s + sequence_length]] for s in starts]
    labels = [tokens.index(text[s + sequence_length]) for s in starts]
    return features, labels


@pytest.mark.parametrize("sequence_length, stride", [(1, 1), (5, 1), (5, 3), (10, 7), (23, 1)])
def test_character_windows_match_a_window_cut_by_hand(sequence_length, stride):
    text = "the cat sat\non the mat. "
    data = character_windows(text, sequence_length, stride, source="cat.txt")
    features, labels = windows_by_hand(text, sequence_length, stride)
    np.testing.assert_array_equal(data.features, features)
    np.testing.assert_array_equal(data.labels, labels)
    assert data.num_classes == data.vocabulary.size == data.vocabulary_size == len(set(text))
    assert data.vocabulary.decode(data.features[0]) == text[:sequence_length]
    assert "⏎" in data.class_names and "␣" in data.class_names
    assert len(set(data.class_names)) == data.num_classes


def test_readable_names_stay_unique_when_the_sign_is_in_the_text():
    names = readable_names(Vocabulary.from_text("a ␣\n⏎\t\x00").tokens)
    assert len(set(names)) == len(names) == 7
    assert names == ("\\x00", "⇥", "'\\n'", "' '", "a", "⏎", "␣")


@pytest.mark.parametrize(
    "text, kwargs, error, message",
    [
        ("abc", {"sequence_length": 3}, ValueError, "has 3 characters.* need at least 4"),
        ("aaaa", {"sequence_length": 2}, ValueError, "only 1 distinct character"),
        ("abcd", {"sequence_length": 0}, ValueError, "sequence_length"),
        ("abcd", {"sequence_length": 2, "stride": 0}, ValueError, "stride"),
        (b"abcd", {"sequence_length": 2}, TypeError, "must be a string"),
    ],
)
def test_bad_character_windows_fail_in_one_line(text, kwargs, error, message):
    with pytest.raises(error, match=message) as raised:
        character_windows(text, **kwargs)
    one_line(raised)


def test_read_text_names_a_bad_byte_and_refuses_an_empty_file(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes("\ufeffÄpfel\r\nund Birnen".encode())
    assert read_text(str(good)) == "Äpfel\r\nund Birnen"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait")
    with pytest.raises(ValueError, match="byte 0xe9 at byte offset 3") as raised:
        read_text(str(bad))
    one_line(raised)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty") as raised:
        read_text(str(empty))
    one_line(raised)


def test_load_data_reads_a_text_file_as_character_windows(tmp_path):
    text = "hello world, hello day 3\n" * 5
    path = tmp_path / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    data = load_data(str(path), sequence_length=8, stride=2)
    features, labels = windows_by_hand(text, 8, 2)
    np.testing.assert_array_equal(data.features, features)
    np.testing.assert_array_equal(data.labels, labels)
    assert load_data_splits(str(path), sequence_length=8)[1] is None
    assert load_data(str(path)).num_samples == len(text) - 100  # Default sequence_length.
    with pytest.raises(ValueError, match="classification"):
        load_data(str(path), task="regression")


# Sequences from .npz files.


def test_npz_token_ids_with_a_vocabulary_size(tmp_path):
    ids = RNG.integers(0, 45, size=(12, 7))
    labels = np.arange(12) % 3
    data = load_data(saved(tmp_path, X=ids, y=labels, vocabulary_size=np.int64(50)))
    assert data.vocabulary_size == 50 and data.vocabulary is None
    np.testing.assert_array_equal(data.features, ids)
    ids[3, 4] = 60
    with pytest.raises(ValueError, match="token id 60 at sample 3 .* vocabulary of 50") as raised:
        load_data(saved(tmp_path, X=ids, y=labels, vocabulary_size=50))
    one_line(raised)
    with pytest.raises(ValueError, match="one integer >= 1") as raised:
        load_data(saved(tmp_path, X=ids, y=labels, vocabulary_size=[50, 60]))
    one_line(raised)


@pytest.mark.parametrize(
    "value, why", [(-2, "is negative"), (0.75, "is not a whole number")], ids=["negative", "float"]
)
def test_a_sample_that_is_no_token_id_without_a_vocabulary_size_is_named(
    tmp_path, capsys, value, why
):
    ids = RNG.integers(0, 9, size=(12, 7)).astype(type(value))
    ids[3, 4] = value
    path = saved(tmp_path, X=ids, y=np.arange(12) % 2)
    logdir = tmp_path / "logs"
    assert cli_main(["train", "--data", path, "--model", "lstm", "--logdir", str(logdir)]) == 2
    error = capsys.readouterr().err
    assert f"value {value:g} at sample 3 (step 4) {why}" in error
    assert "X[..., None] makes each sample (7, 1)" in error  # Sequences of numbers.
    assert "vocabulary_size" not in error and error.count("\n") == 1  # No key gives one.
    assert not logdir.exists()


def test_npz_keras_layout_shares_the_vocabulary_size(tmp_path):
    path = saved(
        tmp_path,
        x_train=RNG.integers(0, 9, (6, 4)),
        y_train=np.arange(6) % 2,
        x_test=np.full((2, 4), 9),
        y_test=[0, 1],
        vocabulary_size=10,
    )
    training, test = load_data_splits(path)
    assert training.vocabulary_size == test.vocabulary_size == 10
    np.testing.assert_array_equal(test.features, np.full((2, 4), 9))


def test_npz_ragged_sequences_fail_in_one_line(tmp_path):
    ragged = np.empty(3, object)
    ragged[:] = [[1, 2], [3], [4, 5, 6]]
    match = "array 'X' holds Python objects .dtype object: ragged sequences"
    with pytest.raises(ValueError, match=match) as raised:
        load_data(saved(tmp_path, X=ragged, y=[0, 1, 0]))
    one_line(raised)
    with pytest.raises(ValueError, match="ragged sequences") as raised:
        Data([[1, 2], [3], [4, 5, 6]], [0, 1, 0])
    one_line(raised)
    with pytest.raises(ValueError, match="ragged sequences") as raised:
        Data(ragged, [0, 1, 0])
    one_line(raised)


def test_npz_float_sequences_with_regression_targets(tmp_path):
    sequences = RNG.normal(size=(10, 6, 2))
    targets = RNG.normal(size=(10, 2))
    path = saved(tmp_path, X=sequences, y=targets)
    data = load_data(path, task="regression")
    assert data.task == "regression" and data.num_targets == 2
    np.testing.assert_array_equal(data.labels, targets.astype(np.float32))
    np.testing.assert_array_equal(data.features, sequences.astype(np.float32))
    with pytest.raises(ValueError, match="task='regression'"):
        load_data(path)  # Float targets are not classes.
    with pytest.raises(ValueError, match="task='regression'"):
        load_data(saved(tmp_path, "one.npz", X=sequences, y=targets[:, 0]))
    keras_layout = saved(
        tmp_path,
        "keras.npz",
        x_train=sequences,
        y_train=targets[:, 0],
        x_test=sequences[:3],
        y_test=targets[:3, 0],
    )
    training, test = load_data_splits(keras_layout, task="regression")
    assert test.task == "regression" and test.num_targets == 1
    np.testing.assert_array_equal(test.labels, targets[:3, 0].astype(np.float32))


def test_csv_with_regression_targets(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("x,y\n0.0,0.25\n1.0,1.5\n2.0,2.75\n")
    data = load_data(str(path), task="regression")
    assert data.labels.tolist() == [0.25, 1.5, 2.75] and data.num_targets == 1


# Named sequence sets.


@pytest.mark.parametrize("name", ["series", "grammar"])
def test_named_sequence_sets_hold_out_their_last_stretch(name):
    whole = make_dataset(name, num_samples=300, seed=2, sequence_length=10)
    training, test = make_dataset_splits(name, num_samples=300, seed=2, sequence_length=10)
    num_test = int(round(0.1 * whole.num_samples))
    np.testing.assert_array_equal(test.features, whole.features[-num_test:])
    np.testing.assert_array_equal(test.labels, whole.labels[-num_test:])
    np.testing.assert_array_equal(training.labels, whole.labels[:-num_test])
    assert training.task == test.task == whole.task
    assert test.vocabulary == whole.vocabulary and test.num_classes == whole.num_classes
