"""Which files this worker reads under multi-worker, and sums over every worker's share.

`worker_shard` decides between sharding the training files by worker
(`applications.data.sharding`: each worker decodes and caches only its own
files) and the `AutoShardPolicy.DATA` fallback (every worker reads every file):
the fallback holds with several replicas per worker (the per-replica split of
a worker's batches is TensorFlow's), or when the files cannot give every
worker the same number of steps. `global_sum` adds arrays over the workers,
for statistics a worker can only compute on its own share (the log-mel mean
and variance of the from-scratch recipe).

Example:
    >>> shard = worker_shard(job.info, 1000, 32)  # None: read every file
    >>> total = global_sum(job.info.strategy, np.ones(3))  # [2., 2., 2.] on 2 workers
"""

import numpy as np
import tensorflow as tf

from applications.data.sharding import file_shard

__all__ = ["worker_shard", "global_sum", "moments", "describe_shard"]


def worker_shard(info, count, global_batch):
    """This worker's `FileShard` of `count` training files, or None (every worker reads all).

    Args:
        info: the run's `StrategyInfo`.
        count: training files.
        global_batch: `--batch-size`.

    Returns:
        A `FileShard` under multi-worker with one replica per worker, where even
        steps are possible; else None.
    """
    if not info.uses_custom_loop:
        return None
    resolver = info.strategy.cluster_resolver
    workers = sum(len(v) for k, v in resolver.cluster_spec().as_dict().items() if k != "ps")
    if info.num_replicas != workers:
        return None
    index = _task_position(resolver)
    return file_shard(count, workers=workers, index=index, global_batch=global_batch)


def _task_position(resolver):
    """This task's place among chief + workers (the chief first, as TensorFlow orders them)."""
    spec = resolver.cluster_spec().as_dict()
    chiefs = len(spec.get("chief", []))
    if resolver.task_type == "chief":
        return 0
    return chiefs + int(resolver.task_id)


def describe_shard(shard, count):
    """The log line saying which training files this worker decodes and caches."""
    if shard is None:
        return (
            f"Multi-worker: every worker reads all {count} training files (AutoShardPolicy.DATA)."
        )
    return (
        f"Multi-worker: worker {shard.index} of {shard.workers} decodes and caches its "
        f"{shard.count} of {shard.total} training files (sharded by file; {shard.steps} steps "
        f"an epoch of {shard.local_batch} per worker)."
    )


def global_sum(strategy, array):
    """`array` summed over every worker (an all-reduce); float64 kept.

    Args:
        strategy: the run's `tf.distribute.Strategy`.
        array: this worker's NumPy array (the same shape on every worker).

    Returns:
        A NumPy array of the sums.
    """
    value = tf.constant(np.asarray(array, dtype=np.float64))

    @tf.function
    def reduce():
        per_replica = strategy.run(lambda: tf.identity(value))
        return strategy.reduce("SUM", per_replica, axis=None)

    return reduce().numpy()


def moments(sums, strategy=None):
    """Mean and variance from `(count, sum, sum of squares)`; over every worker's with `strategy`.

    Args:
        sums: this worker's `(count, sum, sum of squares)` arrays (e.g.
            `applications.data.disk_cache.DiskCache.sums`).
        strategy: add the sums over the workers first (each holds a share of
            the examples); None: these sums alone.

    Returns:
        `(mean, variance)` as float64 arrays.
    """
    count, total, squares = (np.asarray(a, np.float64) for a in sums)
    if strategy is not None:
        count, total, squares = global_sum(strategy, np.stack([count, total, squares]))
    mean = total / count
    return mean, np.maximum(squares / count - mean**2, 0.0)
