"""Caches on disk: atomic shards keyed by their inputs, reused, streamed back shuffled."""

import json
import os

import numpy as np
import pytest

from applications.data import disk_cache
from applications.data.disk_cache import DiskCache, MemoryCache, choose_cache


def _batches(x, y, size=7):
    calls = []

    def batches():
        calls.append(1)
        for i in range(0, len(x), size):
            yield x[i : i + size], y[i : i + size]

    return batches, calls


@pytest.fixture
def small_shards(monkeypatch):
    monkeypatch.setattr(disk_cache, "SHARD_EXAMPLES", 10)


def _data(n=45):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 4, 3, 1)).astype("float32"), np.arange(n, dtype="int32")


def test_built_once_reused_by_key_rebuilt_on_change(tmp_path, small_shards):
    x, y = _data()
    batches, calls = _batches(x, y)
    logs = []
    cache = DiskCache.build(str(tmp_path), "train", {"n_mels": 3}, batches, logs.append)
    assert cache.count == 45 and len(cache.shards) == 5  # 10 + 10 + 10 + 10 + 5
    shards = [f"shard-{i:05d}.npz" for i in range(5)]
    assert sorted(os.listdir(cache.folder)) == ["done.json", *shards]
    got = [pair for pair in cache.arrays()]
    np.testing.assert_array_equal(np.concatenate([a for a, _ in got]), x)
    np.testing.assert_array_equal(np.concatenate([b for _, b in got]), y)
    again = DiskCache.build(str(tmp_path), "train", {"n_mels": 3}, batches, logs.append)
    assert again.folder == cache.folder and len(calls) == 1 and "Reusing" in logs[-1]
    other = DiskCache.build(str(tmp_path), "train", {"n_mels": 4}, batches, logs.append)
    assert other.folder != cache.folder and len(calls) == 2


def test_an_interrupted_build_is_never_read_and_is_redone(tmp_path, small_shards):
    x, y = _data()

    def dies():
        yield x[:10], y[:10]
        yield x[10:20], y[10:20]
        raise KeyboardInterrupt  # killed after two shards

    with pytest.raises(KeyboardInterrupt):
        DiskCache.build(str(tmp_path), "train", {"k": 1}, dies, print)
    (folder,) = os.listdir(tmp_path)
    assert "done.json" not in os.listdir(tmp_path / folder)
    assert all(n.endswith(".npz") for n in os.listdir(tmp_path / folder))  # no torn temp files
    cache = DiskCache.build(str(tmp_path), "train", {"k": 1}, _batches(x, y)[0], print)
    assert cache.count == 45
    assert json.loads((tmp_path / folder / "done.json").read_text())["count"] == 45


def test_stream_is_a_seeded_reshuffle_of_every_example_once(tmp_path, small_shards):
    x, y = _data()
    cache = DiskCache.build(str(tmp_path), "train", {}, _batches(x, y)[0], print)
    assert [int(v) for _, v in cache.stream()] == list(range(45))
    ds = cache.stream(seed=3, buffer=8)
    epochs = [[int(v) for _, v in ds] for _ in range(3)]
    assert all(sorted(e) == list(range(45)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2]
    # A resumed run builds the stream afresh and replays the same epochs in order.
    ds_again = cache.stream(seed=3, buffer=8)
    assert [[int(v) for _, v in ds_again] for _ in range(3)] == epochs
    for xe, ye in cache.stream(seed=3, buffer=8).take(5):
        np.testing.assert_array_equal(xe.numpy(), x[int(ye)])
    share = [int(v) for _, v in cache.stream(part=(2, 1))]
    assert share == list(range(1, 45, 2))


def test_sums_give_numpys_mean_and_variance(tmp_path, small_shards):
    x, y = _data()
    cache = DiskCache.build(str(tmp_path), "train", {}, _batches(x, y)[0], print)
    count, total, squares = cache.sums((0, 1, 3))
    mean = total / count
    np.testing.assert_allclose(mean, x.mean(axis=(0, 1, 3), dtype=np.float64), rtol=1e-10)
    np.testing.assert_allclose(
        squares / count - mean**2, x.var(axis=(0, 1, 3), dtype=np.float64), rtol=1e-8
    )
    memory = MemoryCache(x, y).sums((0, 1, 3))
    for a, b in zip(memory, (count, total, squares)):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_choose_cache(monkeypatch):
    monkeypatch.setattr(disk_cache, "available_bytes", lambda: 8 * 2**30)
    assert choose_cache("auto", 1 * 2**30)[0] == "memory"
    where, reason = choose_cache("auto", 3 * 2**30)
    assert where == "disk" and "above 25% of the 8.0 GiB available" in reason
    assert choose_cache("disk", 10)[0] == "disk" and choose_cache("memory", 2**40)[0] == "memory"


def test_mixed_precision_mels_are_stored_as_float32(tmp_path):
    import ml_dtypes

    x, y = _data(8)
    halves = x.astype(ml_dtypes.bfloat16)
    cache = DiskCache.build(str(tmp_path), "train", {}, lambda: [(halves, y)], print)
    ((stored, _),) = list(cache.arrays())
    assert stored.dtype == np.float32
    np.testing.assert_array_equal(stored, halves.astype(np.float32))


def test_decoded_clips_are_kept_in_memory_only_while_they_fit(tmp_path, monkeypatch):
    import soundfile as sf

    from applications.data import load_dataset

    for split in ("train", "val", "test"):
        for label in ("a", "b"):
            wave = np.random.default_rng(len(split) + len(label)).uniform(-0.5, 0.5, 2000)
            os.makedirs(tmp_path / split / label)
            sf.write(tmp_path / split / label / "0.wav", wave, 8000, subtype="PCM_16")
    # 6 clips of 2,000 float32 samples: 48,000 bytes decoded.
    monkeypatch.setattr(disk_cache, "available_bytes", lambda: 4 * 48_000 + 4)
    assert not any(
        "not kept" in n for n in load_dataset(str(tmp_path), batch_size=2, sample_rate=8000).notes
    )
    monkeypatch.setattr(disk_cache, "available_bytes", lambda: 4 * 48_000)
    data = load_dataset(str(tmp_path), batch_size=2, sample_rate=8000)
    assert any("decoded clips not kept in memory" in n for n in data.notes)
    assert sum(len(y) for _, y in data.train) == 2  # still reads, decoding each pass
