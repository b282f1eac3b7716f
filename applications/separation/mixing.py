"""Mixtures made on the fly: a random clip of each source, random offset, random gain.

Batch `k` of a training run comes from the generator seeded `[seed, k]`, so
a resumed run sees the same mixtures an uninterrupted one would; the test
mixtures come from a fixed seed, the same in every run.
"""

import numpy as np

__all__ = ["mix", "training_batch", "held_out_mixtures", "TEST_SEED"]

TEST_SEED = 20260
GAIN_DB = 6.0  # each source's level is drawn within +-6 dB of -20 dBFS RMS


def _segment(clip, length, rng):
    """`length` samples of `clip`: a random crop, or the clip at a random offset in silence."""
    if len(clip) >= length:
        start = rng.integers(0, len(clip) - length + 1)
        return clip[start : start + length]
    out = np.zeros(length, np.float32)
    start = rng.integers(0, length - len(clip) + 1)
    out[start : start + len(clip)] = clip
    return out


def mix(clips, names, length, rng):
    """One mixture: `(mixture (length,), sources (len(names), length))`, float32.

    Args:
        clips: `{source: [clip, ...]}`.
        names: the sources in output order.
        length: samples.
        rng: a NumPy generator.
    """
    sources = []
    for name in names:
        pool = clips[name]
        segment = _segment(pool[rng.integers(len(pool))], length, rng)
        rms = np.sqrt(np.mean(segment**2))
        gain = 10 ** ((rng.uniform(-GAIN_DB, GAIN_DB) - 20) / 20)
        sources.append(segment * (gain / rms if rms > 1e-4 else 1.0))
    sources = np.stack(sources).astype(np.float32)
    return sources.sum(axis=0), sources


def training_batch(clips, names, length, batch_size, seed, step):
    """Batch `step` of a run seeded `seed`: `(mixtures (b, length), sources (b, n, length))`."""
    rng = np.random.default_rng([seed, step])
    pairs = [mix(clips, names, length, rng) for _ in range(batch_size)]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def held_out_mixtures(clips, names, length, count):
    """`count` test mixtures from the fixed `TEST_SEED`: the same in every run."""
    return training_batch(clips, names, length, count, TEST_SEED, 0)
