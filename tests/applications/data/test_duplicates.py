"""Identical audio across splits: found by the decoded samples, reported, dropped with dedupe."""

import os

import numpy as np
import soundfile as sf

from applications.data import load_dataset
from applications.data.duplicates import content_hash

RATE = 8000


def _write(path, seed, subtype="PCM_16", fmt=None, n=RATE // 4):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Integer PCM: the WAV and FLAC encoders round floats differently.
    wave = (3000 * np.random.default_rng(seed).standard_normal(n)).astype("int16")
    sf.write(path, wave, RATE, subtype=subtype, format=fmt)
    return path


def test_hash_follows_the_decoded_samples_not_the_bytes(tmp_path):
    wav = _write(str(tmp_path / "a.wav"), 0)
    flac = _write(str(tmp_path / "a.flac"), 0, fmt="FLAC")  # other bytes, same PCM
    assert open(wav, "rb").read() != open(flac, "rb").read()
    assert content_hash(wav) == content_hash(flac)
    samples, _ = sf.read(wav, dtype="int16")
    samples[100] += 1  # one least significant bit
    sf.write(str(tmp_path / "b.wav"), samples, RATE, subtype="PCM_16")
    assert content_hash(str(tmp_path / "b.wav")) != content_hash(wav)


def _folder(root):
    """train/val/test with two classes; val and test each hold copies of train clips."""
    for split, n in (("train", 4), ("val", 2), ("test", 2)):
        for label in ("a", "b"):
            for i in range(n):
                _write(str(root / split / label / f"{i}.wav"), hash((split, label, i)) % 10**6)
    train = str(root / "train" / "a" / "0.wav")
    samples, _ = sf.read(train, dtype="int16")
    sf.write(str(root / "test" / "a" / "copy.flac"), samples, RATE, subtype="PCM_16")
    sf.write(str(root / "val" / "b" / "copy.wav"), samples, RATE, subtype="PCM_16")
    sf.write(str(root / "test" / "b" / "again.wav"), samples, RATE, subtype="PCM_16")
    # Same audio twice within train is no leak.
    sf.write(str(root / "train" / "b" / "twin.wav"), samples, RATE, subtype="PCM_16")
    # A longer clip is never read for hashing (lengths differ) and never matches.
    _write(str(root / "test" / "b" / "long.wav"), 99, n=RATE)
    return train


def test_duplicates_across_splits_are_reported_and_dropped_with_dedupe(tmp_path):
    train = _folder(tmp_path)
    data = load_dataset(str(tmp_path), clip_seconds=0.25, batch_size=4)
    block = data.describe(str(tmp_path))["duplicates"]
    assert block["across_splits"] == 3 and block["by_split"] == {"val": 1, "test": 2}
    assert not block["dropped"]
    assert [p[0] for p in block["examples"]] == ["val", "test", "test"]
    assert {p[3] for p in block["examples"]} == {train}
    assert {os.path.basename(p[1]) for p in block["examples"]} == {
        "copy.wav",
        "copy.flac",
        "again.wav",
    }
    summary = data.summary()
    assert "Identical audio across splits: 3 file(s) (1 in val, 2 in test)" in summary
    assert "pass --dedupe to drop them" in summary
    kept = load_dataset(str(tmp_path), clip_seconds=0.25, batch_size=4, dedupe=True)
    assert kept.counts == {"train": 9, "val": 4, "test": 5}
    assert data.counts == {"train": 9, "val": 5, "test": 7}
    assert kept.describe("x")["duplicates"]["dropped"] is True
    assert "dropped them (--dedupe)" in kept.summary()


def test_no_duplicates_says_nothing(tmp_path):
    for split in ("train", "val", "test"):
        for label in ("a", "b"):
            _write(str(tmp_path / split / label / "0.wav"), hash((split, label)) % 10**6)
    data = load_dataset(str(tmp_path), batch_size=2)
    assert data.describe("x")["duplicates"]["across_splits"] == 0
    assert "Identical audio" not in data.summary()
