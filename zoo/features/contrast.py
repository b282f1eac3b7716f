"""Octave-band spectral contrast (Jiang et al., 2002), as `librosa.feature.spectral_contrast`."""

import itertools

import numpy as np
import tensorflow as tf

from zoo.features.framing import fft_frequencies
from zoo.validation import check_positive_int, argument_error

__all__ = ["contrast_bands", "spectral_contrast"]


def contrast_bands(sample_rate, n_fft, fmin=200.0, n_bands=6, quantile=0.02):
    """The FFT bins and quantile count of each contrast band, exactly as librosa picks them.

    Band 0 is `[0, fmin]`, band `k >= 1` is `[fmin 2^(k-1), fmin 2^k]` plus the bin
    just below it; the top band runs to Nyquist; every band but the top drops its last
    bin. Each band averages its `max(1, rint(quantile * n))` lowest and highest bins,
    with `n` the band's size before that drop.

    Args:
        sample_rate: sampling rate in Hz.
        n_fft: FFT length.
        fmin: upper edge of band 0 in Hz.
        n_bands: number of octave bands above band 0.
        quantile: fraction of a band that forms its peak and its valley.

    Returns:
        A list of `n_bands + 1` pairs `(bin indices, count)`.

    Example:
        >>> [count for _, count in contrast_bands(22050, 2048)]
        [1, 1, 1, 2, 3, 6, 9]
    """
    check_positive_int("n_bands", n_bands)
    if not fmin > 0:
        raise argument_error("fmin", fmin, "`fmin` must be positive.")
    if not 0.0 < quantile < 1.0:
        raise argument_error("quantile", quantile, "`quantile` must lie in (0, 1).")
    octa = np.zeros(n_bands + 2)
    octa[1:] = fmin * 2.0 ** np.arange(n_bands + 1)
    if np.any(octa[:-1] >= 0.5 * sample_rate):
        raise argument_error(
            "n_bands",
            n_bands,
            f"Contrast band edge {octa[-2]:g} Hz reaches Nyquist {sample_rate / 2:g} Hz: "
            "lower `fmin` or `n_bands`.",
        )
    freq = fft_frequencies(sample_rate, n_fft)
    bands = []
    for k, (low, high) in enumerate(itertools.pairwise(octa)):
        current = (freq >= low) & (freq <= high)
        inside = np.flatnonzero(current)
        if inside.size == 0 or (k < n_bands and current.sum() + (k > 0) < 2):
            raise argument_error(
                "n_fft",
                n_fft,
                f"Contrast band {k} ({low:g}-{high:g} Hz) holds no FFT bin: "
                "raise `n_fft` or `fmin`.",
            )
        if k > 0:
            current[inside[0] - 1] = True
        if k == n_bands:
            current[inside[-1] + 1 :] = True
        indices = np.flatnonzero(current)
        if k < n_bands:
            indices = indices[:-1]
        assert np.all(np.diff(indices) == 1), indices  # contiguous by construction
        count = max(int(np.rint(quantile * np.sum(current))), 1)
        bands.append((indices, count))
    return bands


def spectral_contrast(
    magnitude, sample_rate, fmin=200.0, n_bands=6, quantile=0.02, amin=1e-10, top_db=80.0
):
    """Peak-minus-valley level per octave band, equal to `librosa.feature.spectral_contrast`.

    For each band (see `contrast_bands`), `peak` and `valley` are the means of its
    largest and smallest `count` magnitudes; `contrast = dB(peak) - dB(valley)` with
    `dB(v) = max(10 log10(max(v, amin)), top - top_db)` and `top` the largest level
    of that quantity (peaks, or valleys) over the whole clip, librosa's
    `power_to_db(.., top_db=80)` applied per example. Like librosa, it takes
    `10 log10` of magnitudes. A silent clip gives 0 in every band; a silent frame of a
    louder clip gives the difference of the two floors, `top(peaks) - top(valleys)`.

    Args:
        magnitude: `(batch, frames, 1 + n_fft // 2)` magnitude spectrogram (even `n_fft`).
        sample_rate: sampling rate in Hz.
        fmin: upper edge of the lowest band in Hz.
        n_bands: octave bands above the lowest.
        quantile: fraction of a band that forms its peak and valley.
        amin: floor before the logarithm.
        top_db: dynamic range kept per clip, or None for none.

    Returns:
        float32 `(batch, frames, n_bands + 1)` in dB.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> spectral_contrast(magnitude_spectrogram(wave), 22050).shape[-1]
        7
    """
    s = tf.cast(magnitude, tf.float32)
    bands = contrast_bands(sample_rate, 2 * (s.shape[-1] - 1), fmin, n_bands, quantile)
    peaks, valleys = [], []
    for indices, count in bands:
        band = s[..., indices[0] : indices[-1] + 1]  # each band is a run of bins
        if count == 1:  # the same values as top_k of 1, several times faster
            peaks.append(tf.reduce_max(band, axis=-1))
            valleys.append(tf.reduce_min(band, axis=-1))
            continue
        peaks.append(tf.reduce_mean(tf.math.top_k(band, count).values, axis=-1))
        valleys.append(-tf.reduce_mean(tf.math.top_k(-band, count).values, axis=-1))
    return _db(tf.stack(peaks, -1), amin, top_db) - _db(tf.stack(valleys, -1), amin, top_db)


def _db(values, amin, top_db):
    level = 10.0 * tf.math.log(tf.maximum(values, amin)) / np.log(10.0)
    if top_db is None:
        return level
    top = tf.reduce_max(level, axis=[1, 2], keepdims=True)
    return tf.maximum(level, top - top_db)
