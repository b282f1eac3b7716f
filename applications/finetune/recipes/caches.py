"""The recipes' caches: log-mels (from scratch) and frozen features (transfer), in memory or on disk.

`log_mel_caches` estimates the cache's size (clips x frames x mels x 4 bytes),
picks memory or disk with `applications.data.disk_cache.choose_cache`
(`--cache auto`: memory below a quarter of the available memory), logs which
and the size, and fills it. On disk each split is a `DiskCache` under
`OUT/cache/`, keyed by the front end's configuration, the seed (the cached
crops are seeded) and the files with their sizes and modification times, and
under multi-worker by the worker's share: a rerun or a resumed run reuses it,
a changed setting builds another. `split_caches` does the same for any fixed
function of the clips (the transfer recipe's frozen backbone features).

Example:
    >>> caches, mode = log_mel_caches(job, parts, data, shard=None)
    >>> caches["train"].count, mode
    (1024, 'memory')
"""

import os

import numpy as np

from zoo.audio import map_batches

from applications.data.disk_cache import DiskCache, MemoryCache, choose_cache, file_facts

__all__ = [
    "cache_log_mels",
    "log_mel_caches",
    "model_batches",
    "on_disk",
    "split_caches",
    "CACHE_DIR",
]

CACHE_DIR = "cache"


def model_batches(model, source):
    """`(model(x), labels)` NumPy batches of a waveform pipeline through a fixed model."""
    # Several batches at once, one thread each (`zoo.audio.map_batches`); no XLA:
    # a compile per batch shape costs more than it saves on a few thousand clips.
    batches = map_batches(source, lambda x, y: (model(x, training=False), y), jit_compile=False)
    for m, y in batches:
        yield m.numpy(), y.numpy()


def on_disk(job, name):
    """Whether `split_caches` wrote the train cache `name` on disk in this run's OUT."""
    root = os.path.join(job.config.out, CACHE_DIR)
    return os.path.isdir(root) and any(n.startswith(f"{name}-train-") for n in os.listdir(root))


def _source(data, split, shard):
    if shard is not None and split == "train":
        return data.pipeline(split, shard.take(data.entries[split]))
    return getattr(data, split)


def cache_log_mels(parts, data, shard=None):
    """Time-first log-mels and labels of train and val, computed once, in memory.

    Args:
        parts: a `ScratchParts`.
        data: an `AudioDataset`.
        shard: multi-worker: this worker's `FileShard` of the training files,
            the only ones it decodes (val stays whole); None: every file.

    Returns:
        `{"train": (mels, labels), "val": (mels, labels)}` as numpy arrays.
    """
    cache = {}
    for split in ("train", "val"):
        pairs = list(model_batches(parts.mel_frames, _source(data, split, shard)))
        if not pairs:
            raise ValueError(f"The {split} split holds no examples to run the model on.")
        cache[split] = tuple(np.concatenate(column) for column in zip(*pairs))
    return cache


def log_mel_caches(job, parts, data, shard):
    """The train and val log-mel caches, in memory or on disk as `--cache` and their size say.

    Args:
        job: the run's `Run` (its settings' `cache`, `out`, `seed`; its log).
        parts: a `ScratchParts`.
        data: the `AudioDataset`.
        shard: this worker's `FileShard` of the training files, or None.

    Returns:
        `({"train": cache, "val": cache}, "memory" | "disk")`; each cache a
        `MemoryCache` or `DiskCache`.
    """
    shape = parts.mel_frames(np.zeros((1, data.clip_samples), np.float32)).shape[1:]
    return split_caches(
        job,
        data,
        "log-mel",
        {"front_end": parts.mel_frames.get_config(), "seed": job.config.seed},
        lambda source: model_batches(parts.mel_frames, source),
        lambda: cache_log_mels(parts, data, shard),
        clip_bytes=int(np.prod(shape)) * 4,
        shard=shard,
    )


def split_caches(job, data, name, settings, batches, in_memory, clip_bytes, shard=None):
    """Train and val caches of some fixed function of the clips, in memory or on disk.

    The size estimate (`clip_bytes` per clip plus its label) and `--cache` choose
    (`choose_cache`); the log says which and the size. On disk each split is a
    `DiskCache` `OUT/cache/NAME-SPLIT-KEY`, keyed by `settings`, the clip length and
    the files with their sizes and modification times (under multi-worker, the
    worker's share of the training files). On disk, `data.test` streams too: read
    in file order, no decoded clip kept (it would hold the test split's waveforms,
    which grow with the dataset).

    Args:
        job: the run's `Run` (its settings' `cache` and `out`; its log).
        data: the `AudioDataset`.
        name: the cache's name in logs and folders (`log-mel`, `features`).
        settings: JSON-ready values that decide the cached values.
        batches: `source -> iterable of (x, y) NumPy batches` of a waveform pipeline.
        in_memory: `() -> {"train": (x, y), "val": (x, y)}`, the in-memory cache.
        clip_bytes: bytes of one clip's cached `x`.
        shard: this worker's `FileShard` of the training files, or None.

    Returns:
        `({"train": cache, "val": cache}, "memory" | "disk")`.
    """
    clips = (data.counts["train"] if shard is None else shard.count) + data.counts["val"]
    estimate = clips * (clip_bytes + 4 * max(len(data.class_names), 1))
    mode, reason = choose_cache(getattr(job.config, "cache", "memory"), estimate)
    job.log(f"{name.capitalize()} cache: {mode} ({reason}).")
    if mode == "memory":
        return {split: MemoryCache(*pair) for split, pair in in_memory().items()}, mode
    root = os.path.join(job.config.out, CACHE_DIR)
    data.test = data.pipeline("test", data.entries["test"], streamed=True)
    caches = {}
    for split in ("train", "val"):
        items = data.entries[split]
        if shard is not None and split == "train":
            items = shard.take(items)
        key = {
            **settings,
            "clip_samples": data.clip_samples,
            "files": file_facts(p for p, _ in items),
            "labels": [np.asarray(y).tolist() for _, y in items],
        }
        source = data.pipeline(split, items, streamed=True)
        caches[split] = DiskCache.build(
            root, f"{name}-{split}", key, lambda s=source: batches(s), job.log
        )
    return caches, mode
