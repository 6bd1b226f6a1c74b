"""Day 3's generated sequence tasks and their entries in the datasets' table."""

import math
import re

import numpy as np
import pytest

from kerasclf.data.datasets import (
    DATASETS,
    MAX_SEQUENCE_VALUES,
    check_dataset_arguments,
    sequence_datasets,
)
from kerasclf.data.sequence_tasks import (
    grammar_text,
    grammar_words,
    long_dependency,
    series,
)


def test_long_dependency_marks_one_step_whose_sign_is_the_class():
    features, labels = long_dependency(3001, 1.0, np.random.default_rng(0), 20)
    assert features.shape == (3001, 20, 2) and features.dtype == np.float32
    assert labels.dtype == np.int32 and np.bincount(labels).tolist() == [1501, 1500]
    marker = features[:, :, 1]
    assert set(np.unique(marker)) == {0.0, 1.0}
    np.testing.assert_array_equal(marker.sum(axis=1), np.ones(3001))
    marked = marker == 1
    np.testing.assert_array_equal(features[:, :, 0][marked], 2.0 * labels - 1.0)
    # The marked step is uniform over the 20 steps: about 150 sequences each.
    counts = np.bincount(np.argmax(marker, axis=1), minlength=20)
    assert counts.min() > 100 and counts.max() < 200
    # The other values are N(0, 1): mean and standard deviation within 5 standard errors.
    others = features[:, :, 0][~marked].astype(np.float64)
    assert abs(others.mean()) < 5 / math.sqrt(others.size)
    assert abs(others.std() - 1.0) < 5 / math.sqrt(2 * others.size)


def test_long_dependency_defeats_a_memory_that_only_adds_its_inputs():
    """The sign of the sum of the values, a linear RNN's best guess, is near chance at T = 50.

    With 49 N(0, 1) steps around the +-1 step, P(correct) = Phi(1 / 7) = 0.557;
    without noise the same rule is exact.
    """
    features, labels = long_dependency(4000, 1.0, np.random.default_rng(1), 50)
    guess = (features[:, :, 0].sum(axis=1) > 0).astype(int)
    expected = 0.5 * (1 + math.erf(1 / 7 / math.sqrt(2)))
    assert abs(np.mean(guess == labels) - expected) < 0.03
    quiet, quiet_labels = long_dependency(100, 0.0, np.random.default_rng(1), 50)
    np.testing.assert_array_equal(quiet[:, :, 0].sum(axis=1) > 0, quiet_labels == 1)


def test_long_dependency_is_seeded():
    first = long_dependency(50, 1.0, np.random.default_rng(3), 10)
    again = long_dependency(50, 1.0, np.random.default_rng(3), 10)
    other = long_dependency(50, 1.0, np.random.default_rng(4), 10)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def sines(length, seed):
    """The noiseless series from its formula, with the phases drawn first from `seed`."""
    phases = np.random.default_rng(seed).uniform(0.0, 2 * math.pi, 3)
    steps = np.arange(length)
    return sum(
        amplitude * np.sin(2 * math.pi * steps / period + phase)
        for period, amplitude, phase in zip((40, 13, 5), (1.0, 0.5, 0.25), phases)
    )


def test_series_windows_slide_by_one_step_and_target_the_next_value():
    features, targets = series(100, 0.0, np.random.default_rng(5), 12)
    assert features.shape == (100, 12, 1) and targets.shape == (100,)
    assert features.dtype == np.float32 and targets.dtype == np.float32
    expected = sines(112, 5)
    for index in (0, 1, 57, 99):
        np.testing.assert_allclose(features[index, :, 0], expected[index : index + 12], atol=1e-6)
        np.testing.assert_allclose(targets[index], expected[index + 12], atol=1e-6)


def test_series_noise_is_gaussian_with_the_given_deviation():
    clean, clean_targets = series(5000, 0.0, np.random.default_rng(2), 4)
    noisy, noisy_targets = series(5000, 0.3, np.random.default_rng(2), 4)
    difference = (noisy_targets - clean_targets).astype(np.float64)
    assert abs(difference.std() - 0.3) < 5 * 0.3 / math.sqrt(2 * 5000)
    assert abs(difference.mean()) < 5 * 0.3 / math.sqrt(5000)


def test_series_last_tenth_is_forecast_better_than_by_the_mean():
    """A linear autoregression fitted on the first 90% beats the mean on the last 10%."""
    features, targets = series(2000, 0.1, np.random.default_rng(0), 30)
    windows = np.concatenate([features[:, :, 0], np.ones((2000, 1))], axis=1).astype(np.float64)
    cut = 1800
    weights = np.linalg.lstsq(windows[:cut], targets[:cut], rcond=None)[0]
    model_error = np.mean((windows[cut:] @ weights - targets[cut:]) ** 2)
    mean_error = np.mean((targets[:cut].mean() - targets[cut:]) ** 2)
    # The noise's variance 0.01 is the best any forecast can do.
    assert model_error < 0.02 < 0.3 < mean_error


def parse_sentence(words):
    """Whether `words` follow the grammar, written out here independently of the module."""
    singular_nouns = "cat dog bird fox horse mouse child farmer".split()
    plural_nouns = "cats dogs birds foxes horses mice children farmers".split()
    adjectives = "small big old young red lazy happy quick".split()
    determiners = {
        "singular": {"the", "a", "every", "one"},
        "plural": {"the", "some", "two", "many"},
    }

    def phrase(start):
        determiner = words[start]
        noun_at = start + 2 if words[start + 1] in adjectives else start + 1
        noun = words[noun_at]
        number = (
            "singular" if noun in singular_nouns else "plural" if noun in plural_nouns else None
        )
        assert number and determiner in determiners[number], words
        return number, noun_at + 1

    number, verb_at = phrase(0)
    verb = words[verb_at]
    verbs = "see chase like follow watch find".split()
    expected = (
        [v + ("es" if v.endswith("h") else "s") for v in verbs] if number == "singular" else verbs
    )
    assert verb in expected, words
    assert phrase(verb_at + 1)[1] == len(words), words


def test_grammar_text_follows_its_grammar_and_length():
    text = grammar_text(5000, 0.0, np.random.default_rng(0))
    assert isinstance(text, str) and len(text) == 5000
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyz .")
    sentences = text.split(". ")[:-1]
    assert len(sentences) > 100
    for sentence in sentences:
        parse_sentence(sentence.split(" "))
    assert grammar_text(5000, 0.0, np.random.default_rng(0)) == text
    assert grammar_text(5000, 0.0, np.random.default_rng(1)) != text


def test_grammar_noise_replaces_that_fraction_of_words():
    clean = grammar_text(20_000, 0.0, np.random.default_rng(0))
    noisy = grammar_text(20_000, 0.2, np.random.default_rng(0))
    words = re.findall(r"[a-z]+", noisy)
    assert set(words) <= set(grammar_words())
    broken = 0
    for sentence in noisy.split(". ")[:-1]:
        try:
            parse_sentence(sentence.split(" "))
        except (AssertionError, IndexError):
            broken += 1
    # Each of the 5-7 words of a sentence is replaced with probability 0.2, by
    # one of 43 words (sometimes a fitting one): most sentences break, not all.
    assert 0.5 < broken / len(noisy.split(". ")) < 0.9
    assert clean != noisy


def test_sequence_datasets_are_registered_with_their_tasks_and_splits():
    assert sequence_datasets() == ("long_dependency", "series", "grammar")
    long = DATASETS["long_dependency"]
    assert (long.kind, long.task, long.test_split, long.sequence_length) == (
        "sequences",
        "classification",
        "stratified",
        50,
    )
    assert (DATASETS["series"].task, DATASETS["series"].test_split) == ("regression", "tail")
    assert (DATASETS["grammar"].kind, DATASETS["grammar"].test_split) == ("text", "tail")
    assert DATASETS["fonts"].kind == "images" and DATASETS["xor"].kind == "points"
    assert all(DATASETS[name].sequence_length is None for name in ("xor", "fonts"))


def test_check_dataset_arguments_fills_in_and_draws_the_sequence_length():
    spec, num_samples, noise, seed = check_dataset_arguments("long_dependency", 64, None, 2)
    assert (spec.sequence_length, num_samples, noise, seed) == (50, 64, 1.0, 2)
    spec = check_dataset_arguments("series", 40, 0.1, 0, sequence_length=7)[0]
    features, targets = spec.draw(40, 0.1, np.random.default_rng(0))
    assert features.shape == (40, 7, 1) and targets.shape == (40,)
    text = check_dataset_arguments("grammar", 100, None, 0)[0].draw(
        100, 0.0, np.random.default_rng(0)
    )
    assert text == grammar_text(100, 0.0, np.random.default_rng(0))
    spec = check_dataset_arguments("xor", None, None, 0)[0]
    assert spec.draw(10, 0.0, np.random.default_rng(0))[0].shape == (10, 2)


@pytest.mark.parametrize(
    "name, num_samples, length, message",
    [
        (
            "xor",
            None,
            10,
            r"`sequence_length` applies to the sequence and text datasets .*'series'",
        ),
        (
            "long_dependency",
            None,
            0,
            r"dataset 'long_dependency' must be an integer in \[1, 10000\]",
        ),
        ("series", None, 2.5, r"Received: sequence_length=2.5"),
        ("grammar", 40, None, r"must exceed sequence_length=40. Received: num_samples=40"),
        ("series", MAX_SEQUENCE_VALUES, 2, rf"at most {MAX_SEQUENCE_VALUES}"),
    ],
)
def test_bad_sequence_lengths_fail_in_one_line(name, num_samples, length, message):
    # A length that is not an integer is a TypeError, as for every integer setting.
    with pytest.raises((ValueError, TypeError), match=message) as error:
        check_dataset_arguments(name, num_samples, None, 0, sequence_length=length)
    assert "\n" not in str(error.value)
