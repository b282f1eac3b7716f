"""Short test signals and float64 references shared by the feature tests."""

import numpy as np

# (sample_rate, n_fft, hop_length): librosa's defaults, a 16 kHz speech-like setting and
# a small 8 kHz one with a hop that does not divide the frame.
SETTINGS = [(22050, 2048, 512), (16000, 512, 160), (8000, 256, 100)]
KINDS = ["noise", "chirp", "sine", "silence", "clipped"]


def make(kind, sample_rate, seconds=0.6, seed=0):
    """A float32 test signal: white noise, a linear chirp, a sine, silence, or a clipped tone."""
    rng = np.random.default_rng(seed)
    n = int(sample_rate * seconds) + 37  # not a whole number of hops
    t = np.arange(n) / sample_rate
    if kind == "noise":
        y = 0.3 * rng.standard_normal(n)
    elif kind == "chirp":
        y = 0.5 * np.sin(2 * np.pi * (150 * t + 0.4 * sample_rate * t**2 / 2 / seconds))
    elif kind == "sine":
        y = 0.4 * np.sin(2 * np.pi * 441.3 * t + 0.3)
    elif kind == "silence":
        y = np.zeros(n)
    elif kind == "clipped":
        y = np.clip(2.0 * np.sin(2 * np.pi * 220 * t) + 0.2 * rng.standard_normal(n), -1, 1)
    elif kind == "dc":
        y = np.full(n, 0.25)
    else:
        raise ValueError(kind)
    return y.astype(np.float32)


def windowed_frames64(y, n_fft, hop_length):
    """Periodic-Hann-windowed, zero-padded centred frames in float64, `(frames, n_fft)`."""
    x = np.pad(np.asarray(y, np.float64), n_fft // 2)
    count = 1 + (x.size - n_fft) // hop_length
    idx = np.arange(n_fft)[None, :] + hop_length * np.arange(count)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    return x[idx] * window


def stft_magnitude64(y, n_fft, hop_length):
    """|STFT| in float64 (periodic Hann, zero-padded centred frames), frames first."""
    return np.abs(np.fft.rfft(windowed_frames64(y, n_fft, hop_length), axis=-1))
