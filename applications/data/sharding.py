"""Multi-worker input sharded by file: each worker decodes and caches only its own files.

`tf.data`'s `AutoShardPolicy.DATA` has every worker decode every file and keep
a slice of each batch, so decoding and the log-mel cache do not shrink as
workers are added. Here the file list is split before decoding: worker `i` of
`W` takes files `i, i + W, i + 2W, ...` (the list is in class order, so every
worker gets each class), and batches of `global_batch / W` of them.

The collectives need every worker to run the same number of steps. Shards
differ by at most one file, which can leave one worker a step short; so each
worker splits its files into exactly `steps` batches (`batch_sizes`): full
batches first, the rest spread evenly, never empty. The loss is still each
example's share of the global batch, so no example counts twice and none is
lost. When a worker would hold fewer files than there are steps (fewer files
than workers, say), `file_shard` returns None and the caller keeps the
`DATA` policy, which is correct for any count.

Example:
    >>> plan = file_shard(101, workers=2, index=1, global_batch=32)
    >>> plan.count, plan.steps, plan.batch_sizes()
    (50, 4, [16, 16, 16, 2])
"""

import dataclasses

import numpy as np
import tensorflow as tf

__all__ = ["FileShard", "file_shard", "plan_shard", "shard_sizes", "batched_in_steps"]


def shard_sizes(count, workers):
    """Files of each worker when worker `i` takes every `workers`-th file from `i`."""
    return [len(range(i, count, workers)) for i in range(workers)]


@dataclasses.dataclass(frozen=True)
class FileShard:
    """One worker's share of a file list and how it batches.

    Attributes:
        index: this worker's index.
        sizes: files of every worker (`shard_sizes`).
        local_batch: examples a worker contributes to each global batch.
        steps: batches every worker runs an epoch.
    """

    index: int
    sizes: tuple
    local_batch: int
    steps: int

    @property
    def workers(self):
        """Workers in the cluster."""
        return len(self.sizes)

    @property
    def total(self):
        """Files over all workers."""
        return sum(self.sizes)

    @property
    def count(self):
        """This worker's files."""
        return self.sizes[self.index]

    def take(self, items):
        """This worker's entries of `items` (a list, or an array along its first axis)."""
        return items[self.index :: self.workers]

    def joined(self, more):
        """The plan once every worker adds `more[i]` files (its share of another list), or None."""
        sizes = [a + b for a, b in zip(self.sizes, more)]
        return plan_shard(sizes, self.index, self.local_batch * self.workers)

    def batch_sizes(self):
        """`steps` batch sizes summing to `count`: full batches first, then the rest spread."""
        full = min((self.count - self.steps) // max(self.local_batch - 1, 1), self.steps)
        full = min(full, self.count // self.local_batch)
        rest, left = self.count - full * self.local_batch, self.steps - full
        spread = [rest // left + (j < rest % left) for j in range(left)] if left else []
        return [self.local_batch] * full + spread


def plan_shard(sizes, index, global_batch):
    """The `FileShard` of worker `index` given every worker's file count, or None (see below)."""
    workers = len(sizes)
    if workers < 2 or global_batch % workers:
        return None
    local = global_batch // workers
    steps = max(-(-n // local) for n in sizes)
    if min(sizes) < steps:
        return None
    return FileShard(index, tuple(int(n) for n in sizes), local, steps)


def file_shard(total, *, workers, index, global_batch):
    """The `FileShard` of worker `index`, or None where sharding by file cannot stay even.

    Args:
        total: files (examples) to share.
        workers: workers in the cluster (one replica each).
        index: this worker's index.
        global_batch: examples a step over all workers.

    Returns:
        A `FileShard`, or None: one worker, a batch that does not split over the
        workers, or a worker with fewer files than steps (then every worker reads
        every file and keeps its slice of each batch, `AutoShardPolicy.DATA`).
    """
    return plan_shard(shard_sizes(total, workers), index, global_batch)


def batched_in_steps(dataset, sizes):
    """Batch `dataset` (exactly `sum(sizes)` elements) into batches of `sizes`, in order.

    Args:
        dataset: unbatched elements (shuffled or not).
        sizes: the batch sizes, each >= 1.

    Returns:
        A dataset of `len(sizes)` batches.
    """
    sizes = [int(s) for s in sizes]
    if len(set(sizes)) == 1:
        return dataset.batch(sizes[0])
    ends = tf.constant(np.cumsum(sizes), tf.int64)
    table = tf.constant(sizes, tf.int64)

    def key(i, element):
        return tf.searchsorted(ends, [i], side="right", out_type=tf.int64)[0]

    return dataset.enumerate().group_by_window(
        key,
        lambda k, window: window.batch(table[k]).map(lambda i, element: element),
        window_size_func=lambda k: table[k],
    )
