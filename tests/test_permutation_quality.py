"""The epoch's permutation (`kerasclf.pipeline.feistel`) against a true uniform shuffle.

Each criterion is a statistic whose distribution under a uniform random
permutation is known, with a threshold that a uniform shuffle fails with
probability at most about 1e-3 (the thresholds are stated next to each).
Every criterion runs on three sources:

- kerasclf's keyed Feistel permutation, keyed as training keys it, by
  `(seed, epoch)` (must pass);
- numpy's `Generator.permutation`, a true uniform shuffle (must pass: the
  thresholds are fair);
- deliberately weak permutations (each must fail a criterion, so that the
  criterion can fail): `tf.random.experimental.index_shuffle`, rejected for
  kerasclf's order, fails criteria 1 and 4 (on TensorFlow 2.21, keyed by
  (seed, epoch, 0), its orders for consecutive epochs did not correlate
  measurably at 1000 points);
  a Feistel network of 1 round fails criterion 1; one of 2 rounds passes
  criterion 1 but fails 2, 3 and 4.

The criteria:

1. Uniformity of each position: over many keys, the value at each position
   of a small range is uniform. Pearson's chi-square per position (N - 1
   degrees of freedom), each p-value above 1e-3 / N (Bonferroni).
2. No correlation between consecutive epochs' permutations, (s, e) and
   (s, e + 1); 3. nor between neighbouring seeds', (s, e) and (s + 1, e);
   4. nor between consecutive positions of one permutation (lag 1).
   For 2 to 4, each pair of 1000-point permutations (as rank vectors, so
   Pearson's r is Spearman's) gives z = r sqrt(n): standard normal under
   independence. Over K = 200 pairs: every |z| < 4.5 (a uniform shuffle
   exceeds it with probability 200 * 6.8e-6 = 1.4e-3), and the sum of z^2
   inside chi-square(K)'s central 0.999 interval (both too large, dependence,
   and too small, a structure that decorrelates too well, fail).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
import tensorflow as tf

from kerasclf import pipeline
from kerasclf.pipeline.feistel import ROUNDS, permuted_index

PAIRS = 200  # K: pairs of permutations (criteria 2 to 4).
LENGTH = 1000  # Points per permutation (criteria 2 to 4).
SMALL = (10, 13, 16)  # Ranges for uniformity: square grid, cycle walking, power of two.
KEYS = 6000  # Permutations per range for uniformity: 600 per cell of a 10-point range.
MAX_ABS_Z = 4.5


def feistel_orders(seeds, epochs, num_samples: int, rounds: int = ROUNDS) -> np.ndarray:
    """Permutations [keys, num_samples] keyed by (seeds[k], epochs[k]), as training keys them."""
    key = tf.stack([tf.constant(seeds, tf.int64)[:, None], tf.constant(epochs, tf.int64)[:, None]])
    return permuted_index(tf.range(num_samples)[None], num_samples, key, rounds).numpy()


def index_shuffle_orders(seeds, epochs, num_samples: int) -> np.ndarray:
    """`tf.random.experimental.index_shuffle`'s op, keyed by (seed, epoch, 0), all keys at once."""
    keys = np.stack([seeds, epochs, np.zeros_like(seeds)], axis=1)
    keys = np.repeat(keys, num_samples, axis=0).astype("int64")
    index = np.tile(np.arange(num_samples, dtype="int64"), len(seeds))
    orders = tf.raw_ops.RandomIndexShuffle(
        index=index, seed=keys, max_index=np.full_like(index, num_samples - 1)
    )
    return orders.numpy().reshape(len(seeds), num_samples)


def numpy_orders(seeds, epochs, num_samples: int) -> np.ndarray:
    """True uniform shuffles, one numpy generator per key."""
    return np.stack(
        [
            np.random.default_rng([seed, epoch, 12345]).permutation(num_samples)
            for seed, epoch in zip(seeds, epochs)
        ]
    )


SOURCES = {
    "feistel": feistel_orders,
    "numpy": numpy_orders,
    "index_shuffle": index_shuffle_orders,
    "feistel_1_round": lambda seeds, epochs, size: feistel_orders(seeds, epochs, size, 1),
    "feistel_2_rounds": lambda seeds, epochs, size: feistel_orders(seeds, epochs, size, 2),
}


def position_p_values(orders: np.ndarray) -> np.ndarray:
    """Chi-square p-value of the values' uniformity at each position."""
    num_samples = orders.shape[1]
    counts = np.stack([np.bincount(column, minlength=num_samples) for column in orders.T])
    return scipy.stats.chisquare(counts, axis=1).pvalue


def uniform_positions(orders: np.ndarray) -> bool:
    """Criterion 1: every position's p-value above 1e-3 / N."""
    return bool(position_p_values(orders).min() > 1e-3 / orders.shape[1])


def independent(first: np.ndarray, second: np.ndarray) -> bool:
    """Criteria 2 to 4: the z = r sqrt(n) of each pair of rows look standard normal."""
    first = first - first.mean(axis=1, keepdims=True)
    second = second - second.mean(axis=1, keepdims=True)
    correlations = (first * second).sum(axis=1) / np.sqrt(
        (first**2).sum(axis=1) * (second**2).sum(axis=1)
    )
    z = correlations * np.sqrt(first.shape[1])
    low, high = scipy.stats.chi2.ppf([5e-4, 1 - 5e-4], len(z))
    return bool(np.abs(z).max() < MAX_ABS_Z and low < (z**2).sum() < high)


def uniformity_keys(count: int):
    """(seed, epoch) keys as a run's epochs draw them: 60 seeds, 100 epochs each."""
    seeds, epochs = np.divmod(np.arange(count), 100)
    return seeds, epochs


def consecutive_epochs(source) -> bool:
    seeds, epochs = np.full(PAIRS + 1, 3), np.arange(PAIRS + 1)
    orders = source(seeds, epochs, LENGTH)
    return independent(orders[:-1], orders[1:])


def neighbouring_seeds(source) -> bool:
    seeds, epochs = np.arange(PAIRS + 1), np.full(PAIRS + 1, 5)
    orders = source(seeds, epochs, LENGTH)
    return independent(orders[:-1], orders[1:])


def lag_one(source) -> bool:
    orders = source(np.arange(PAIRS), np.arange(PAIRS), LENGTH)
    return independent(orders[:, :-1], orders[:, 1:])


@pytest.mark.parametrize("num_samples", SMALL)
@pytest.mark.parametrize("name", ["feistel", "numpy"])
def test_each_position_is_uniform(name, num_samples):
    assert uniform_positions(SOURCES[name](*uniformity_keys(KEYS), num_samples))


@pytest.mark.parametrize("name", ["feistel", "numpy"])
def test_consecutive_epochs_and_neighbouring_seeds_are_uncorrelated(name):
    assert consecutive_epochs(SOURCES[name])
    assert neighbouring_seeds(SOURCES[name])


@pytest.mark.parametrize("name", ["feistel", "numpy"])
def test_consecutive_positions_are_uncorrelated(name):
    assert lag_one(SOURCES[name])


def test_the_criteria_reject_weak_permutations():
    keys = uniformity_keys(KEYS)
    # (index_shuffle's op spends about 1 ms per distinct key: fewer keys.)
    assert not uniform_positions(SOURCES["index_shuffle"](*uniformity_keys(2000), 16))
    assert not lag_one(SOURCES["index_shuffle"])
    # One Feistel round leaves the low half of each index where it was.
    assert not uniform_positions(SOURCES["feistel_1_round"](*keys, 16))
    # Two rounds spread each position's values, but orders stay related.
    two_rounds = SOURCES["feistel_2_rounds"]
    assert uniform_positions(two_rounds(*keys, 16))
    assert not consecutive_epochs(two_rounds)
    assert not neighbouring_seeds(two_rounds)
    assert not lag_one(two_rounds)


def test_training_visits_points_in_the_tested_order():
    """The order the tests judge is the order blocks and minibatches train in."""
    expected = feistel_orders([4], [2], 37)[0]
    np.testing.assert_array_equal(pipeline.epoch_permutation(4, 2, 37).numpy(), expected)
    features = np.arange(37, dtype="float32")[:, None]
    labels = np.zeros(37, "int32")
    blocks = pipeline.blocks(features, labels, 5, 4, 3, initial_epoch=2)
    visited = [batch[0][:, 0] for block in blocks for batch in pipeline.block_minibatches(block)]
    np.testing.assert_array_equal(np.concatenate(visited).astype(int), expected)


def test_a_permutation_for_every_size_and_key():
    for num_samples in (1, 2, 3, 5, 64, 65, 1000, 4097):
        orders = feistel_orders([0, -1, 2**40], [0, 7, 2**33], num_samples)
        for order in orders:
            np.testing.assert_array_equal(np.sort(order), np.arange(num_samples))
