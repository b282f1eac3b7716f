"""Which files a worker reads, and statistics over every worker's share."""

import types

import numpy as np
import tensorflow as tf

from applications.data.sharding import file_shard, shard_sizes
from applications.training.sharded_input import describe_shard, global_sum, moments, worker_shard


def test_moments_from_sums_equal_numpys():
    x = np.random.default_rng(0).standard_normal((5, 7, 3, 1)).astype("float32")
    axis = (0, 1, 3)
    count = np.full(3, x.size / 3)
    sums = (
        count,
        x.sum(axis=axis, dtype=np.float64),
        np.square(x, dtype=np.float64).sum(axis=axis),
    )
    mean, variance = moments(sums)
    np.testing.assert_allclose(mean, x.mean(axis=axis, dtype=np.float64), rtol=1e-12)
    np.testing.assert_allclose(variance, x.var(axis=axis, dtype=np.float64), rtol=1e-9)
    # Two workers' halves, summed, give the statistics of the whole.
    halves = [x[:2], x[2:]]
    parts = [
        (np.full(3, h.size / 3), h.sum(axis=axis, dtype=np.float64),
         np.square(h, dtype=np.float64).sum(axis=axis))
        for h in halves
    ]  # fmt: skip
    joined = [a + b for a, b in zip(*parts)]
    np.testing.assert_allclose(moments(joined)[1], variance, rtol=1e-12)


def test_global_sum_on_one_replica_is_the_array():
    value = np.array([[1.5, 2.0], [3.0, 4.25]])
    np.testing.assert_array_equal(global_sum(tf.distribute.get_strategy(), value), value)


def test_only_multi_worker_with_one_replica_per_worker_is_sharded():
    single = types.SimpleNamespace(uses_custom_loop=False)
    assert worker_shard(single, 1000, 32) is None


def test_refit_joins_each_workers_share_of_val():
    shard = file_shard(101, workers=2, index=1, global_batch=32)
    joined = shard.joined(shard_sizes(11, 2))
    assert joined.sizes == (51 + 6, 50 + 5) and joined.count == 55
    assert sum(joined.batch_sizes()) == 55 and len(joined.batch_sizes()) == joined.steps == 4
    assert "worker 1 of 2 decodes and caches its 50 of 101 training files" in describe_shard(
        shard, 101
    )
    assert "every worker reads all 7" in describe_shard(None, 7)
