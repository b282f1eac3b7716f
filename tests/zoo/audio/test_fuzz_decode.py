"""Fuzzing the decoders: randomly mutated WAV/FLAC/OGG files (truncations, bit
flips, header edits, overwritten bursts; seeded) either decode to finite audio
or raise `AudioDecodeError` naming the file; never another exception, never a
hang. A file that `info` (the dataset's check) accepts must then decode in
`tf.data` too, so a corrupt body can never stop a training run.
"""

import collections
import io
import os
import threading

import numpy as np
import pytest
import soundfile as sf
import tensorflow as tf

import zoo.audio as audio
from applications.data import load_dataset

RATE = 16000
# (name, format, subtype, channels): the canonical PCM16 WAV takes TensorFlow's
# native decoder in tf.data, the others soundfile.
SEEDS = (
    ("pcm16.wav", "WAV", "PCM_16", 1),
    ("stereo_pcm24.wav", "WAV", "PCM_24", 2),
    ("float.wav", "WAV", "FLOAT", 1),
    ("pcm16.flac", "FLAC", "PCM_16", 1),
    ("stereo_pcm24.flac", "FLAC", "PCM_24", 2),
    ("vorbis.ogg", "OGG", "VORBIS", 1),
)
MUTATIONS = ("truncate", "bit_flips", "body_flips", "header_edit", "burst")
FAST_CASES, FULL_CASES = 60, 600
HANG_SECONDS = {FAST_CASES: 120, FULL_CASES: 900}


def _seed_bytes(fmt, subtype, channels, rng):
    t = np.arange(2400) / RATE
    wave = 0.4 * np.sin(2 * np.pi * rng.uniform(200, 2000) * t) + 0.05 * rng.standard_normal(t.size)
    wave = np.tile(wave[:, None], (1, channels)) if channels > 1 else wave
    buffer = io.BytesIO()
    sf.write(buffer, wave.astype("float32"), RATE, format=fmt, subtype=subtype)
    data = buffer.getvalue()
    return _fixed_ogg_serial(data) if fmt == "OGG" else _fixed_peak_time(data)


def _fixed_peak_time(data):
    """Zero the write time libsndfile puts in a float WAV's PEAK chunk.

    The chunk is `PEAK`, size, version, then a 4-byte timestamp in seconds: two
    writes either side of a second boundary would differ there and nowhere else.
    """
    at = data.find(b"PEAK")
    if at < 0 or data[:4] != b"RIFF":
        return data
    return data[: at + 12] + bytes(4) + data[at + 16 :]


def _ogg_crc(page):
    crc = 0
    for byte in page:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


def _fixed_ogg_serial(data):
    """libsndfile draws a random Ogg stream serial: fix it (and each page's CRC) for seeding."""
    data, pos = bytearray(data), 0
    while pos < len(data):
        segments = data[pos + 26]
        size = 27 + segments + sum(data[pos + 27 : pos + 27 + segments])
        data[pos + 14 : pos + 18] = b"zoo!"
        data[pos + 22 : pos + 26] = bytes(4)
        data[pos + 22 : pos + 26] = _ogg_crc(data[pos : pos + size]).to_bytes(4, "little")
        pos += size
    return bytes(data)


def _mutate(data, kind, rng):
    data = bytearray(data)
    if kind == "truncate":
        return bytes(data[: int(rng.integers(0, len(data)))])
    if kind in ("bit_flips", "body_flips"):
        low = 64 if kind == "body_flips" else 0
        for pos in rng.integers(low, len(data), size=int(rng.integers(1, 17))):
            data[pos] ^= 1 << int(rng.integers(0, 8))
    elif kind == "header_edit":
        # A field of the first 64 bytes (sizes, rate, channels, format tags) set
        # to an extreme or random value.
        width = int(rng.choice([1, 2, 4]))
        pos = int(rng.integers(0, 64 - width))
        value = int(rng.choice([0, 1, 0xFF, 0xFFFFFFFF, int(rng.integers(0, 1 << 32))]))
        data[pos : pos + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    else:  # burst: a random run of bytes overwritten anywhere
        start = int(rng.integers(0, len(data)))
        length = int(rng.integers(1, 257))
        data[start : start + length] = rng.bytes(min(length, len(data) - start))
    return bytes(data)


def write_cases(folder, n, seed=0):
    """Write `n` mutated files into `folder`; returns their paths."""
    rng = np.random.default_rng(seed)
    seeds = [(name, _seed_bytes(fmt, sub, ch, rng)) for name, fmt, sub, ch in SEEDS]
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i in range(n):
        name, data = seeds[i % len(seeds)]
        kind = MUTATIONS[(i // len(seeds)) % len(MUTATIONS)]
        path = os.path.join(folder, f"{i:04d}_{kind}_{name}")
        with open(path, "wb") as f:
            f.write(_mutate(data, kind, rng))
        paths.append(path)
    return paths


@tf.function(input_signature=[tf.TensorSpec([], tf.string)])
def _decode_in_graph(path):
    # What the dataset pipeline maps over its files.
    return audio.decode_file(path, RATE)[0]


def _check_case(path):
    """'ok' or 'named'; raises AssertionError (or the stray exception) otherwise."""
    name = os.path.basename(path)
    outcomes = []
    try:
        wave, rate = audio.load(path)
        assert wave.dtype == np.float32 and wave.ndim == 1 and wave.size > 0, name
        assert np.isfinite(wave).all() and rate > 0, name
        outcomes.append("ok")
    except audio.AudioDecodeError as e:
        assert name in str(e), str(e)
        outcomes.append("named")
    try:
        audio.info(path)
        accepted = True
    except audio.AudioDecodeError as e:
        assert name in str(e), str(e)
        accepted = False
    try:
        wave = _decode_in_graph(path).numpy()
        assert wave.ndim == 1 and wave.size > 0 and np.isfinite(wave).all(), name
    except tf.errors.InvalidArgumentError as e:
        # Files the dataset's check accepts must decode: the pipeline cannot skip.
        assert not accepted, f"{name}: accepted by info() but tf.data fails: {e.message[:300]}"
        assert name in e.message, e.message[:300]
    return outcomes[0], accepted


def run_cases(paths):
    """Check every case in a worker thread; a hang fails instead of blocking forever."""
    counts, failures, done = collections.Counter(), [], []

    def work():
        for path in paths:
            try:
                outcome, accepted = _check_case(path)
                counts[outcome] += 1
                counts["accepted" if accepted else "rejected"] += 1
            except Exception as e:  # noqa: BLE001  (every stray exception is a failure)
                counts["other"] += 1
                failures.append(f"{os.path.basename(path)}: {type(e).__name__}: {e}"[:400])
            done.append(path)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(HANG_SECONDS.get(len(paths), 600))
    assert not worker.is_alive(), f"hung after {len(done)} cases, at {paths[len(done)]}"
    return counts, failures


def test_mutations_are_seeded_and_varied(tmp_path):
    a = write_cases(str(tmp_path / "a"), 30, seed=1)
    b = write_cases(str(tmp_path / "b"), 30, seed=1)
    assert [open(p, "rb").read() for p in a] == [open(p, "rb").read() for p in b]
    kinds = {os.path.basename(p).split("_")[1] for p in a}
    assert kinds == {"truncate", "bit", "body", "header", "burst"}


def test_fuzzed_files_decode_or_name_themselves(tmp_path):
    paths = write_cases(str(tmp_path / "fuzz"), FAST_CASES)
    counts, failures = run_cases(paths)
    assert not failures, "\n".join(failures)
    # Both outcomes occur, so neither check is vacuous.
    assert counts["ok"] > 0 and counts["named"] > 0, counts


def test_dataset_skips_every_fuzzed_file_it_cannot_decode(tmp_path):
    root = tmp_path / "data"
    paths = []
    for label, seed in (("a", 11), ("b", 12)):
        paths += write_cases(str(root / label), 24, seed=seed)
    data = load_dataset(str(root), clip_seconds=0.1, batch_size=8, skip_bad=True)
    skipped = {p for p, _ in data.skipped}
    assert skipped and sum(data.counts.values()) == len(paths) - len(skipped)
    for split in (data.train, data.val, data.test):
        for x, _ in split:  # any decode failure here would raise
            assert np.isfinite(x.numpy()).all()


@pytest.mark.slow
def test_fuzz_full(tmp_path):
    paths = write_cases(str(tmp_path / "fuzz"), FULL_CASES, seed=2024)
    counts, failures = run_cases(paths)
    print(f"\nfuzz cases {len(paths)}: {dict(counts)}")
    assert not failures, "\n".join(failures[:20])
    assert counts["ok"] + counts["named"] == len(paths) >= 500
