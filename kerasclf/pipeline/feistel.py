"""A keyed permutation of `range(num_samples)` made of integer operations (XLA-ready).

`feistel_permutation(num_samples, key)` is the epoch's visiting order for
`key = (seed, epoch)`. It is built from integer operations only, so it runs
inside an XLA program, fused with the gather that reads the points in that
order (`kerasclf.pipeline.blocks`); `tf.random.experimental.stateless_shuffle`
cannot be compiled and took about 12 ms for 2**20 points outside XLA.

How: an index is split into two halves on a near-square grid of
`high * low >= num_samples` cells (`halves`: `low` a power of two, so the
split is a shift and a mask). Each of `ROUNDS` rounds adds, modulo that
half's size, a hash of the other half and the round's key to one half,
alternating halves (an unbalanced Feistel network: each round can be undone
by subtracting, so the whole is a bijection of `range(high * low)`). An index
that lands at or past `num_samples` goes through the network again (cycle
walking), so the values below `num_samples`, in order, are the permutation.

The round function is Chris Wellons' `lowbias32` integer hash (xorshift,
multiply, xorshift, multiply, xorshift) of the half XOR the round key; the
round keys hash the key's four 32-bit words in turn, so keys one apart
(neighbouring seeds, consecutive epochs) give unrelated round keys.
`tests/test_permutation_quality.py` states the statistical criteria it meets,
as numpy's uniform shuffle does (and `index_shuffle` and a 1-round network do not).
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

# Feistel rounds: 4, Luby and Rackoff's count for a strong pseudorandom
# permutation; each round costs about 1 ms per 2**20 indices on one core.
ROUNDS = 4

_MASK_32 = 0xFFFFFFFF
_GOLDEN = 0x9E3779B9


def _u32(value) -> tf.Tensor:
    return tf.constant(value, tf.uint32)


def _shift(value: tf.Tensor, bits: int) -> tf.Tensor:
    return tf.bitwise.right_shift(value, _u32(bits))


def mix32(value: tf.Tensor) -> tf.Tensor:
    """Wellons' `lowbias32` hash: a bijection of uint32 with good avalanche.

    Example:
        >>> int(mix32(tf.constant(1, tf.uint32)))
        1753845952
    """
    value = tf.bitwise.bitwise_xor(value, _shift(value, 16)) * _u32(0x7FEB352D)
    value = tf.bitwise.bitwise_xor(value, _shift(value, 15)) * _u32(0x846CA68B)
    return tf.bitwise.bitwise_xor(value, _shift(value, 16))


def round_keys(key, rounds: int = ROUNDS) -> list[tf.Tensor]:
    """The uint32 key of each round, from an int64 key of shape [2, ...].

    Example:
        >>> len(round_keys(tf.constant([0, 3], tf.int64)))
        4
    """
    key = tf.convert_to_tensor(key, tf.int64)
    words = []
    for part in (key[0], key[1]):
        words.append(tf.cast(tf.bitwise.bitwise_and(part, _MASK_32), tf.uint32))
        high = tf.bitwise.right_shift(part, tf.constant(32, tf.int64))
        words.append(tf.cast(tf.bitwise.bitwise_and(high, _MASK_32), tf.uint32))
    state = _u32(0x3C6EF372)
    for word in words:
        state = mix32(tf.bitwise.bitwise_xor(state, mix32(word)))
    return [mix32(state + _u32((_GOLDEN * (number + 1)) & _MASK_32)) for number in range(rounds)]


def halves(num_samples: int) -> tuple[int, int]:
    """The moduli `(high, low)` of the two halves, a grid of at least `num_samples` cells.

    `low` is a power of two near the square root, so splitting and joining
    an index are shifts and masks; `high * low - num_samples < low`, so
    cycle walking rarely takes more than one extra pass.

    Example:
        >>> halves(2**20 + 1)
        (1025, 1024)
    """
    low = 2 ** ((num_samples - 1).bit_length() // 2)
    return -(-num_samples // low), low


def _offset(half: tf.Tensor, round_key: tf.Tensor, modulus: int) -> tf.Tensor:
    """The round function: a hash of `half` and the round key, scaled to `range(modulus)`."""
    hashed = mix32(tf.bitwise.bitwise_xor(tf.cast(half, tf.uint32), round_key))
    scaled = tf.bitwise.right_shift(tf.cast(hashed, tf.int64) * modulus, tf.constant(32, tf.int64))
    return tf.cast(scaled, tf.int32)


def feistel(index: tf.Tensor, moduli: tuple[int, int], keys: list[tf.Tensor]) -> tf.Tensor:
    """One pass of the Feistel network: a bijection of `range(high * low)`, int32.

    Each round adds, modulo its half's size, a hash of the other half to one
    half: a bijection for any hash.

    Example:
        >>> keys = round_keys(tf.constant([0, 0], tf.int64))
        >>> sorted(feistel(tf.range(6), (3, 2), keys).numpy().tolist())
        [0, 1, 2, 3, 4, 5]
    """
    high_modulus, low_modulus = moduli
    high, low = index // low_modulus, index % low_modulus
    for number, round_key in enumerate(keys):
        if number % 2 == 0:
            high = _add_modulo(high, _offset(low, round_key, high_modulus), high_modulus)
        else:
            low = _add_modulo(low, _offset(high, round_key, low_modulus), low_modulus)
    return high * low_modulus + low


def _add_modulo(value: tf.Tensor, offset: tf.Tensor, modulus: int) -> tf.Tensor:
    """`(value + offset) % modulus` for both in `range(modulus)`, without a division."""
    total = value + offset
    return tf.where(total >= modulus, total - modulus, total)


def permuted_index(index, num_samples: int, key, rounds: int = ROUNDS) -> tf.Tensor:
    """The point visited at position `index` of the permutation keyed by `key`.

    Args:
        index: Positions in `range(num_samples)`, an integer tensor of any shape.
        num_samples: The size of the permuted range, a Python int in [1, 2**31).
        key: int64 tensor of shape [2], e.g. `(seed, epoch)`; or [2, ...],
            broadcasting with `index`, for many permutations at once.
        rounds: Feistel rounds: the default for training; fewer only to show,
            in tests, what a weak permutation looks like.

    Returns:
        int32 tensor of the broadcast shape: for each key, a bijection of
        `range(num_samples)`.

    Example:
        >>> order = permuted_index(tf.range(10), 10, tf.constant([0, 1], tf.int64))
        >>> sorted(order.numpy().tolist()) == list(range(10))
        True
    """
    if isinstance(num_samples, bool) or not isinstance(num_samples, int):
        raise TypeError(
            f"`num_samples` must be a Python int. Received: num_samples={num_samples!r}."
        )
    if not 1 <= num_samples < 2**31:
        raise ValueError(
            f"`num_samples` must be in [1, 2**31). Received: num_samples={num_samples!r}."
        )
    moduli = halves(num_samples)
    keys = round_keys(key, rounds)
    walked = feistel(tf.cast(index, tf.int32), moduli, keys)
    if moduli[0] * moduli[1] > num_samples:
        # Cycle walking: the cycle through a position below num_samples comes
        # back below it. Fewer than 1 in sqrt(num_samples) cells lie past the
        # range, so one unrolled step (fused with the rest) nearly always
        # ends the walk; the loop takes the rare longer ones.
        walked = _walk_once(walked, num_samples, moduli, keys)
        walked = tf.while_loop(
            lambda value: tf.reduce_any(value >= num_samples),
            lambda value: (_walk_once(value, num_samples, moduli, keys),),
            (walked,),
        )[0]
    return walked


def _walk_once(value: tf.Tensor, num_samples: int, moduli, keys) -> tf.Tensor:
    """One step of cycle walking: values past the range go once more through the network."""
    return tf.where(value >= num_samples, feistel(value, moduli, keys), value)
