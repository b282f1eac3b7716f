"""Chromagram from a power spectrogram, equal to `librosa.feature.chroma_stft`."""

import numpy as np
import tensorflow as tf

from zoo.features.framing import TINY
from zoo.features.tuning import estimate_tuning

__all__ = ["CHROMA_NAMES", "chroma_filterbank", "chroma_stft"]

CHROMA_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def chroma_filterbank(
    sample_rate, n_fft, tuning=0.0, n_chroma=12, ctroct=5.0, octwidth=2.0, dtype=tf.float64
):
    """Chroma filters `(batch, 1 + n_fft // 2, n_chroma)` per tuning, as `librosa.filters.chroma`.

    Bin `k > 0` sits at `b_k = n_chroma log2(f_k / (A / 16))`, `A = 440 * 2^(tuning /
    n_chroma)` Hz (the DC bin 1.5 octaves below bin 1). Filter `c` is a Gaussian bump
    `exp(-2 (D / w_k)^2)` in the chroma distance `D` from `b_k` to `c` (wrapped into
    `[-n_chroma/2, n_chroma/2)`, `w_k` the bin's width in chroma bins, at least 1),
    each bin's filters L2-normalised, weighted by `exp(-((b_k / n_chroma - ctroct) /
    octwidth)^2 / 2)` and rolled to start at C. Computed in `dtype`, returned float32.

    Args:
        sample_rate: sampling rate in Hz.
        n_fft: FFT length.
        tuning: scalar or `(batch,)` tuning offsets in fractions of a chroma bin.
        n_chroma: chroma bins per octave.
        ctroct: centre of the octave weighting, in octaves above 27.5 Hz.
        octwidth: width (standard deviation) of the octave weighting in octaves.
        dtype: `tf.float64` (librosa's), or `tf.float32` for TFLite's builtin ops.

    Returns:
        float32 `(batch, 1 + n_fft // 2, n_chroma)` (batch 1 for a scalar tuning).

    Example:
        >>> chroma_filterbank(22050, 2048).shape
        TensorShape([1, 1025, 12])
    """
    tuning = tf.reshape(tf.cast(tuning, dtype), [-1, 1, 1])
    frequencies = tf.constant(np.linspace(0, sample_rate, n_fft, endpoint=False)[1:], dtype)
    a440 = 440.0 * 2.0 ** (tuning / n_chroma)
    frqbins = n_chroma * tf.math.log(frequencies / (a440 / 16.0)) / np.log(2.0)
    frqbins = tf.concat([frqbins[..., :1] - 1.5 * n_chroma, frqbins], axis=-1)  # (b, 1, n_fft)
    width = tf.concat(
        [tf.maximum(frqbins[..., 1:] - frqbins[..., :-1], 1.0), tf.ones_like(frqbins[..., :1])], -1
    )
    half = np.round(n_chroma / 2.0)
    distance = frqbins - tf.constant(np.arange(n_chroma)[:, None], dtype)  # (b, n_chroma, n_fft)
    distance = tf.math.floormod(distance + half + 10 * n_chroma, float(n_chroma)) - half
    weights = tf.exp(-0.5 * tf.square(2.0 * distance / width))
    weights = weights / tf.norm(weights, axis=1, keepdims=True)
    weights = weights * tf.exp(-0.5 * tf.square((frqbins / n_chroma - ctroct) / octwidth))
    # tf.roll by a fixed shift, as two slices (TFLite has no builtin Roll).
    start = 3 * (n_chroma // 12) % n_chroma
    weights = tf.concat([weights[:, start:], weights[:, :start]], axis=1)
    return tf.cast(tf.transpose(weights[..., : 1 + n_fft // 2], [0, 2, 1]), tf.float32)


def chroma_stft(power, sample_rate, tuning=None, n_chroma=12, dtype=tf.float64):
    """Chromagram, each frame scaled to a maximum of 1, equal to `librosa.feature.chroma_stft`.

    `chroma[t, c] = sum_k P[t, k] W[k, c] / max_c' sum_k P[t, k] W[k, c']` with the filters
    `W` of `chroma_filterbank`; a frame whose maximum is below float32's smallest
    normal is left unscaled, so silence gives 0 in every bin.

    Args:
        power: `(batch, frames, 1 + n_fft // 2)` power spectrogram (even `n_fft`).
        sample_rate: sampling rate in Hz.
        tuning: offset in fractions of a chroma bin; None estimates it per clip with
            `estimate_tuning`, as librosa's default does.
        n_chroma: chroma bins per octave; names in `CHROMA_NAMES` for 12.
        dtype: the filters' and the tuning estimate's precision, as `chroma_filterbank`.

    Returns:
        float32 `(batch, frames, n_chroma)`, bin 0 = C.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> chroma_stft(tf.square(magnitude_spectrogram(wave)), 22050).shape[-1]
        12
    """
    p = tf.cast(power, tf.float32)
    n_fft = 2 * (p.shape[-1] - 1)
    if tuning is None:
        tuning = estimate_tuning(p, sample_rate, bins_per_octave=n_chroma, dtype=dtype)
    filters = chroma_filterbank(sample_rate, n_fft, tuning, n_chroma, dtype=dtype)
    if filters.shape[0] == 1:
        raw = tf.tensordot(p, filters[0], axes=[[2], [0]])
    else:
        raw = tf.matmul(p, filters)
    peak = tf.reduce_max(raw, axis=-1, keepdims=True)
    return raw / tf.where(peak < TINY, tf.ones_like(peak), peak)
