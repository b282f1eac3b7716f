"""`split_caches`: on disk, the test split streams as well (no decoded clip kept in memory)."""

import types

import numpy as np
import pytest
import soundfile as sf

from applications.data import load_dataset
from applications.finetune.recipes.caches import split_caches


def _caches_decoded_clips(dataset):
    return b"CacheDataset" in dataset._as_serialized_graph().numpy()  # noqa: SLF001


@pytest.mark.parametrize("mode", ["disk", "memory"])
def test_a_disk_cache_streams_the_test_split_in_the_same_order(mode, tmp_path):
    for split in ("train", "val", "test"):
        for label in ("a", "b"):
            for i in range(3):
                wave = np.random.default_rng(i + 7 * len(split + label)).uniform(-0.5, 0.5, 800)
                (tmp_path / "data" / split / label).mkdir(parents=True, exist_ok=True)
                sf.write(tmp_path / "data" / split / label / f"{i}.wav", wave, 8000)
    data = load_dataset(str(tmp_path / "data"), batch_size=2, sample_rate=8000, cache=True)
    assert _caches_decoded_clips(data.test)  # small data: decoded clips are kept
    before = [(x.numpy(), y.numpy()) for x, y in data.test]
    lines = []
    job = types.SimpleNamespace(
        config=types.SimpleNamespace(cache=mode, out=str(tmp_path / "out")), log=lines.append
    )

    def batches(source):
        return ((x.numpy().mean(axis=1, keepdims=True), y.numpy()) for x, y in source)

    def in_memory():
        return {
            s: next(iter(batches(getattr(data, s).unbatch().batch(99)))) for s in ("train", "val")
        }

    caches, used = split_caches(job, data, "probe", {"f": "mean"}, batches, in_memory, clip_bytes=4)
    assert (
        used == mode and caches["train"].count == 6 and lines[0].startswith("Probe cache: " + mode)
    )
    assert _caches_decoded_clips(data.test) == (mode == "memory")
    after = [(x.numpy(), y.numpy()) for x, y in data.test]
    for (x0, y0), (x1, y1) in zip(before, after, strict=True):
        np.testing.assert_array_equal(x0, x1)
        np.testing.assert_array_equal(y0, y1)
