"""Cached arrays (log-mels, frozen features) on disk in shards, streamed back shuffled.

The recipes compute a fixed front end (or a frozen backbone) once and train
on the result. In memory that costs RAM in proportion to the clips; `DiskCache`
keeps it in `OUT/cache/` instead, so memory stays flat in the number of clips.

Format: one uncompressed NumPy `.npz` per shard of `SHARD_EXAMPLES` examples
(`x` and `y`). Chosen over TFRecord and `tf.data.Dataset.save`:

- the arrays are dense and of one shape, so nothing is gained by per-example
  serialisation (TFRecord would add a parse per example, and a protobuf copy);
- a shard is one file written to a temporary name and renamed (`atomic_path`),
  so a kill leaves whole shards only, and a resumed build keeps them;
  `Dataset.save` writes a folder of its own chunk files with no such unit;
- it reads back without TensorFlow (benchmarks, tests, `np.load`), at disk speed.

A cache's folder is named by a hash of what decides its contents (the front
end's settings, the file list with sizes and modification times, the worker's
share): a rerun or a resumed run with the same key reuses it, a changed setting
builds another. `done.json`, written last, marks it complete.

Streaming (`stream`): the shard order is permuted and a buffer of examples is
shuffled, both from the run's seed and anew each epoch, in the same sequence on
every run, so a resumed run (which fast-forwards its epochs) repeats the order.

Example:
    >>> cache = DiskCache.build(root, "train", key_parts, batches())  # batches of (x, y)
    >>> train = cache.stream(seed=0, buffer=1024).batch(32)
    >>> choose_cache("auto", 10 * 2**30)  # `--cache auto`, 10 GiB estimated
    ('disk', '10240.0 MiB, above 25% of the 3.1 GiB available')
"""

import hashlib
import json
import os
import shutil

import numpy as np
import tensorflow as tf

from applications.atomic_io import atomic_path

__all__ = [
    "DiskCache",
    "MemoryCache",
    "cache_key",
    "file_facts",
    "choose_cache",
    "SHARD_EXAMPLES",
]

SHARD_EXAMPLES = 256
MEMORY_FRACTION = 0.25  # auto: in memory below this share of the available memory
DONE = "done.json"


def cache_key(parts):
    """A 16-hex-digit hash of JSON-ready `parts` (settings, files with sizes and mtimes)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_facts(paths):
    """`[path, size, mtime_ns]` of each file: a changed file changes the key."""
    facts = []
    for path in paths:
        stat = os.stat(path)
        facts.append([os.fsdecode(path), stat.st_size, stat.st_mtime_ns])
    return facts


class DiskCache:
    """A finished cache folder: its shards, example count, and element shapes.

    Args:
        folder: the cache folder (holding `done.json`).
    """

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, DONE)) as f:
            meta = json.load(f)
        self.count = meta["count"]
        self.shards = [os.path.join(folder, name) for name in meta["shards"]]
        self.x_shape, self.y_shape = tuple(meta["x_shape"]), tuple(meta["y_shape"])
        self.x_dtype, self.y_dtype = meta["x_dtype"], meta["y_dtype"]
        self.nbytes = meta["nbytes"]

    @classmethod
    def build(cls, root, name, key_parts, batches, log=print):
        """The cache `root/NAME-KEY`, reused when complete, else written from `batches`.

        Args:
            root: the caches' folder (`OUT/cache`).
            name: a prefix (`train`, `val`, `features-train`).
            key_parts: JSON-ready values that decide the contents.
            batches: a function returning an iterable of `(x, y)` NumPy
                batches in a fixed order; called only when the cache is built.
            log: prints what was reused or written.

        Returns:
            A `DiskCache`.
        """
        folder = os.path.join(root, f"{name}-{cache_key(key_parts)}")
        if os.path.exists(os.path.join(folder, DONE)):
            cache = cls(folder)
            log(f"Reusing the {name} cache {folder} ({cache.count} examples).")
            return cache
        if os.path.isdir(folder):
            shutil.rmtree(folder)  # an interrupted build: its key still holds, start over
        os.makedirs(folder)
        shards, count, nbytes, shapes = [], 0, 0, None
        for x, y in _rebatched(batches(), SHARD_EXAMPLES):
            shard = f"shard-{len(shards):05d}.npz"
            with atomic_path(os.path.join(folder, shard)) as tmp:
                with open(tmp, "wb") as f:
                    np.savez(f, x=x, y=y)
            shards.append(shard)
            count, nbytes = count + len(x), nbytes + x.nbytes + y.nbytes
            shapes = shapes or (list(x.shape[1:]), list(y.shape[1:]), str(x.dtype), str(y.dtype))
        if not shards:
            raise ValueError(f"The {name} cache would hold no examples.")
        meta = {"count": count, "shards": shards, "nbytes": nbytes, "key": key_parts}
        meta.update(zip(("x_shape", "y_shape", "x_dtype", "y_dtype"), shapes))
        with atomic_path(os.path.join(folder, DONE)) as tmp:
            with open(tmp, "w") as f:
                json.dump(meta, f)
        log(f"Wrote the {name} cache {folder}: {count} examples, {nbytes / 2**20:.1f} MiB.")
        return cls(folder)

    def arrays(self):
        """Yield each shard's `(x, y)` in order (one shard in memory at a time)."""
        for path in self.shards:
            with np.load(path) as data:
                yield data["x"], data["y"]

    def stream(self, seed=None, buffer=1024, part=None):
        """Examples as a `tf.data.Dataset` of `(x, y)`, shuffled when `seed` is given.

        Args:
            seed: None keeps the order; else shard order and a buffer of
                `buffer` examples are shuffled from it, anew each iteration.
            buffer: examples in the shuffle buffer (memory: `buffer` examples).
            part: `(workers, index)`: only examples `index, index + workers, ...`
                (a worker's share of a cache every worker holds whole).

        Returns:
            An unbatched `tf.data.Dataset`.
        """
        files = tf.data.Dataset.from_tensor_slices(self.shards)
        if seed is not None and part is None:  # a share keeps the order it is defined by
            files = files.shuffle(len(self.shards), seed=seed, reshuffle_each_iteration=True)
        x_spec = tf.TensorSpec((None, *self.x_shape), self.x_dtype)
        y_spec = tf.TensorSpec((None, *self.y_shape), self.y_dtype)

        def read(path):
            x, y = tf.numpy_function(_load, [path], (x_spec.dtype, y_spec.dtype), stateful=False)
            # unbatch, not from_tensor_slices: a slice shares its shard's buffer, so a
            # shuffle buffer holding examples of many shards kept every one of them whole
            # (peak RSS 1,490 MB, now 1,311 MB, at 64k clips of 10 s)
            shard = (tf.ensure_shape(x, x_spec.shape), tf.ensure_shape(y, y_spec.shape))
            return tf.data.Dataset.from_tensors(shard).unbatch()

        examples = files.flat_map(read)
        if part is not None:
            workers, index = part
            examples = examples.enumerate().filter(lambda i, e: i % workers == index)
            examples = examples.map(lambda i, e: e)
        if seed is not None:
            examples = examples.shuffle(buffer, seed=seed + 1, reshuffle_each_iteration=True)
        return examples

    def sums(self, axis):
        """`(count, sum, sum of squares)` of `x` over `axis`, streamed shard by shard (float64)."""
        return _sums((x for x, _ in self.arrays()), axis)


class MemoryCache:
    """Cached arrays held in memory, with `DiskCache`'s reading interface.

    Args:
        x, y: the examples and their labels, along the first axis.
    """

    def __init__(self, x, y):
        self.x, self.y = x, y
        self.count, self.nbytes = len(y), x.nbytes + y.nbytes

    def arrays(self):
        """Yield `(x, y)` once."""
        yield self.x, self.y

    def stream(self, seed=None, buffer=None, part=None):
        """Examples as a `tf.data.Dataset`; with `seed`, reshuffled whole each iteration."""
        x, y = self.x, self.y
        if part is not None:
            x, y = x[part[1] :: part[0]], y[part[1] :: part[0]]
        examples = tf.data.Dataset.from_tensor_slices((x, y))
        if seed is not None:
            examples = examples.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
        return examples

    def sums(self, axis):
        """`(count, sum, sum of squares)` of `x` over `axis` (float64)."""
        return _sums([self.x], axis)


def _sums(arrays, axis):
    count, total, squares = 0.0, 0.0, 0.0
    for x in arrays:
        total = total + np.sum(x, axis=axis, dtype=np.float64)
        squares = squares + np.sum(np.square(x, dtype=np.float64), axis=axis)
        count += x.size / np.size(total)
    return np.full(np.shape(total), count), total, squares


def available_bytes():
    """Memory available to new allocations (`MemAvailable`), or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def choose_cache(mode, nbytes, fraction=MEMORY_FRACTION):
    """`(memory | disk, reason)` for `--cache mode` and an estimated cache of `nbytes`.

    `auto` keeps the cache in memory below `fraction` of the available memory.
    """
    size = f"{nbytes / 2**20:.1f} MiB"
    if mode != "auto":
        return mode, f"--cache {mode}; {size}"
    free = available_bytes()
    if free is None:
        return "memory", f"{size}; available memory unknown"
    where = "memory" if nbytes < fraction * free else "disk"
    side = "below" if where == "memory" else "above"
    return where, f"{size}, {side} {fraction:.0%} of the {free / 2**30:.1f} GiB available"


def _load(path):
    with np.load(path.decode() if isinstance(path, bytes) else path) as data:
        return data["x"], data["y"]


def _rebatched(batches, size):
    """Regroup an iterable of `(x, y)` batches into batches of `size` (the last may be smaller)."""
    xs, ys, held = [], [], 0
    for x, y in batches:
        # bfloat16 (mixed precision) is no NumPy dtype `.npz` keeps: store float32.
        xs.append(np.asarray(x) if np.asarray(x).dtype.kind in "biuf" else np.float32(x))
        ys.append(np.asarray(y))
        held += len(x)
        while held >= size:
            x_all, y_all = np.concatenate(xs), np.concatenate(ys)
            yield x_all[:size], y_all[:size]
            xs, ys, held = [x_all[size:]], [y_all[size:]], held - size
    if held:
        yield np.concatenate(xs), np.concatenate(ys)
