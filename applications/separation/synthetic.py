"""The builtin demo sources: three synthetic kinds of sound that share a frequency range.

`tones` are harmonic notes (a few partials of a 150-600 Hz fundamental),
`chirps` single sinusoids gliding between 300 and 3000 Hz, `bursts` decaying
band-passed noise hits (300-4000 Hz). All three cover 300-3000 Hz, so no fixed
filter separates them; their spectro-temporal shapes differ, which a mask
estimator can learn in minutes.
"""

import numpy as np

from applications.separation.sources import SourceClips

__all__ = ["builtin_sources", "synthesize", "KINDS"]

KINDS = ("bursts", "chirps", "tones")


def _envelope(n, rate, rng):
    attack = min(int(0.01 * rate), n // 2)
    release = min(int(rng.uniform(0.05, 0.2) * rate), n - attack)
    env = np.ones(n)
    env[:attack] = np.linspace(0, 1, attack)
    env[n - release :] *= np.linspace(1, 0, release)
    return env


def _tones(n, rate, rng):
    out, t = np.zeros(n), 0
    while t < n:
        length = min(int(rng.uniform(0.2, 0.6) * rate), n - t)
        f0, time = rng.uniform(150, 600), np.arange(length) / rate
        note = sum(np.sin(2 * np.pi * k * f0 * time + rng.uniform(0, 6.3)) / k for k in range(1, 7))
        out[t : t + length] = note * _envelope(length, rate, rng)
        t += length + int(rng.uniform(0, 0.1) * rate)
    return out


def _chirps(n, rate, rng):
    out, t = np.zeros(n), 0
    while t < n:
        length = min(int(rng.uniform(0.3, 0.8) * rate), n - t)
        start, stop = rng.uniform(300, 3000, size=2)
        freq = np.geomspace(start, stop, length)
        phase = 2 * np.pi * np.cumsum(freq) / rate
        out[t : t + length] = np.sin(phase) * _envelope(length, rate, rng)
        t += length + int(rng.uniform(0, 0.15) * rate)
    return out


def _bursts(n, rate, rng):
    out, spectrum_freqs = np.zeros(n), np.fft.rfftfreq(n, 1 / rate)
    for onset in np.sort(rng.integers(0, n, size=max(1, int(rng.uniform(3, 6) * n / rate)))):
        length = min(int(rng.uniform(0.05, 0.25) * rate), n - onset)
        out[onset : onset + length] += rng.standard_normal(length) * np.exp(
            -np.arange(length) / (0.2 * length)
        )
    spectrum = np.fft.rfft(out)
    spectrum[(spectrum_freqs < 300) | (spectrum_freqs > 4000)] = 0
    return np.fft.irfft(spectrum, n)


def synthesize(kind, seconds, rate, rng):
    """One clip of `kind` (`"tones"`, `"chirps"` or `"bursts"`), peak-normalised to 0.5."""
    n = int(seconds * rate)
    wave = {"tones": _tones, "chirps": _chirps, "bursts": _bursts}[kind](n, rate, rng)
    return (0.5 * wave / max(np.abs(wave).max(), 1e-9)).astype(np.float32)


def builtin_sources(sample_rate=16000, train_clips=24, test_clips=8, seconds=3.0, seed=0):
    """The demo's clips: `train_clips` and `test_clips` clips of each kind, from a fixed seed.

    Example:
        >>> clips = builtin_sources()
        >>> clips.names
        ['bursts', 'chirps', 'tones']
    """
    rng = np.random.default_rng(seed)
    train = {
        k: [synthesize(k, seconds, sample_rate, rng) for _ in range(train_clips)] for k in KINDS
    }
    test = {k: [synthesize(k, seconds, sample_rate, rng) for _ in range(test_clips)] for k in KINDS}
    return SourceClips(list(KINDS), train, test, sample_rate, [], "builtin")
