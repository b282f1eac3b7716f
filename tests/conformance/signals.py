"""The conformance suite's signals and settings: odd and even FFT sizes, odd hops, short clips."""

import numpy as np

# (sample_rate, n_fft, hop_length): even and odd FFT sizes (the odd ones where TensorFlow's
# own periodic Hann window differs from librosa's), hops that do not divide them.
SETTINGS = [
    (16000, 400, 160),
    (16000, 401, 161),
    (16000, 511, 127),
    (22050, 1024, 256),
    (8000, 1001, 250),
]
IDS = [f"sr{sr}-n{n}-hop{h}" for sr, n, h in SETTINGS]


def signal(sample_rate, samples=None, seed=0):
    """float32 noise plus a chirp plus a tone, 0.4 s unless `samples` is given."""
    rng = np.random.default_rng(seed)
    n = int(0.4 * sample_rate) + 37 if samples is None else samples
    t = np.arange(n) / sample_rate
    chirp = np.sin(2 * np.pi * (100 * t + 0.2 * sample_rate * t**2))
    y = 0.2 * rng.standard_normal(n) + 0.3 * chirp + 0.2 * np.sin(2 * np.pi * 441.3 * t)
    return y.astype(np.float32)
