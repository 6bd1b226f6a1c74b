import numpy as np
import pytest

from kerasclf import pipeline


def _data(num_samples=23):
    features = np.arange(num_samples * 2, dtype=np.float32).reshape(num_samples, 2)
    return features, np.arange(num_samples, dtype=np.int32) % 2


def _epochs_of_rows(dataset, num_epochs, steps):
    rows = [int(x[0]) // 2 for batch_x, _ in dataset for x in batch_x]
    return np.array(rows).reshape(num_epochs, -1)


@pytest.mark.parametrize("batch_size", [1, 7, 23])
def test_each_epoch_visits_every_point_once_in_a_new_order(batch_size):
    features, labels = _data()
    dataset = pipeline.minibatches(features, labels, batch_size, seed=5, epochs=3)
    sizes = [int(x.shape[0]) for x, _ in dataset.take(pipeline.num_minibatches(23, batch_size))]
    assert sizes[-1] == 23 - batch_size * (len(sizes) - 1)  # The partial batch is kept.
    orders = _epochs_of_rows(dataset, 3, None)
    for order in orders:
        assert sorted(order) == list(range(23))
    assert not np.array_equal(orders[0], orders[1])


def test_order_is_deterministic_and_resumable():
    features, labels = _data()
    full = _epochs_of_rows(pipeline.minibatches(features, labels, 4, seed=1, epochs=3), 3, None)
    again = _epochs_of_rows(pipeline.minibatches(features, labels, 4, seed=1, epochs=3), 3, None)
    resumed = pipeline.minibatches(features, labels, 4, seed=1, epochs=3, initial_epoch=2)
    np.testing.assert_array_equal(full, again)
    np.testing.assert_array_equal(full[2], _epochs_of_rows(resumed, 1, None)[0])
    other_seed = _epochs_of_rows(
        pipeline.minibatches(features, labels, 4, seed=2, epochs=3), 3, None
    )
    assert not np.array_equal(full, other_seed)


@pytest.mark.parametrize("batch_size, max_block_samples", [(1, 5), (7, 14), (7, 1000), (23, 23)])
def test_blocks_hold_the_same_minibatches(batch_size, max_block_samples):
    features, labels = _data()
    plain = [
        (x.numpy(), y.numpy())
        for x, y in pipeline.minibatches(features, labels, batch_size, seed=3, epochs=2)
    ]
    packed = []
    for block in pipeline.blocks(
        features, labels, batch_size, seed=3, epochs=2, max_block_samples=max_block_samples
    ):
        packed.extend(pipeline.block_minibatches(block))
    assert len(packed) == len(plain)
    for (plain_x, plain_y), (block_x, block_y) in zip(plain, packed):
        np.testing.assert_array_equal(plain_x, block_x)
        np.testing.assert_array_equal(plain_y, block_y)


def test_batch_size_resolution():
    assert pipeline.resolve_batch_size("full", 200) == 200
    assert pipeline.resolve_batch_size(500, 200) == 200
    assert pipeline.resolve_batch_size(8, 200) == 8
    with pytest.raises(ValueError, match="batch_size"):
        pipeline.resolve_batch_size(0, 200)
    with pytest.raises(ValueError, match="positive integer or 'full'"):
        pipeline.resolve_batch_size("ful", 200)
