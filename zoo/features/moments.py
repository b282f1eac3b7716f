"""Spectral shape as moments: centroid, spread, skewness and kurtosis of each frame.

Each magnitude frame `S[t, k]` is read as a distribution over the bin frequencies
`f_k = k * sample_rate / n_fft`: `p_k = S[t, k] / sum_j S[t, j]`. A frame whose sum
is below float32's smallest normal number is left un-normalised, as
`librosa.util.normalize` does, so an all-zero frame gives `p = 0` and every moment 0.
"""

import tensorflow as tf

from zoo.features.framing import TINY, fft_frequencies

__all__ = [
    "spectral_centroid",
    "spectral_kurtosis",
    "spectral_moments",
    "spectral_skewness",
    "spectral_spread",
]


def _frequencies(magnitude, sample_rate):
    bins = magnitude.shape[-1]
    return tf.constant(fft_frequencies(sample_rate, 2 * (bins - 1)), tf.float32)


def _distribution(magnitude):
    total = tf.reduce_sum(magnitude, axis=-1, keepdims=True)
    return magnitude / tf.where(total < TINY, tf.ones_like(total), total)


def spectral_moments(magnitude, sample_rate):
    """Centroid, spread, skewness and kurtosis of each frame, sharing one normalisation.

    `mu = sum_k p_k f_k` (Hz), `sigma = sqrt(sum_k p_k (f_k - mu)^2)` (Hz),
    `skewness = sum_k p_k (f_k - mu)^3 / sigma^3`,
    `kurtosis = sum_k p_k (f_k - mu)^4 / sigma^4` (not the excess: a Gaussian gives 3).
    Skewness and kurtosis are 0 where `sigma = 0` (an all-zero frame). A DC frame puts
    magnitudes `N/2, N/4` (times the level) in bins 0 and 1 through the Hann window, so
    `mu = f_1 / 3`, `sigma = sqrt(2) f_1 / 3`, skewness `1 / sqrt(2)`, kurtosis 1.5.

    Args:
        magnitude: `(batch, frames, 1 + n_fft // 2)` magnitude spectrogram (even `n_fft`).
        sample_rate: sampling rate in Hz.

    Returns:
        Four float32 tensors `(batch, frames)`: centroid, spread, skewness, kurtosis.

    Example:
        >>> mu, sigma, skew, kurt = spectral_moments(tf.ones((1, 2, 1025)), 22050)
    """
    p = _distribution(tf.cast(magnitude, tf.float32))
    freq = _frequencies(p, sample_rate)
    centroid = tf.reduce_sum(p * freq, axis=-1)
    deviation = freq - tf.expand_dims(centroid, -1)
    variance = tf.reduce_sum(p * tf.square(deviation), axis=-1)
    spread = tf.sqrt(variance)
    # Moments of the deviation in units of sigma keep float32 far from overflow.
    has_spread = spread > 0.0
    safe = tf.where(has_spread, spread, tf.ones_like(spread))
    z = deviation / tf.expand_dims(safe, -1)
    skewness = tf.where(has_spread, tf.reduce_sum(p * z * z * z, axis=-1), 0.0)
    kurtosis = tf.where(has_spread, tf.reduce_sum(p * tf.square(tf.square(z)), axis=-1), 0.0)
    return centroid, spread, skewness, kurtosis


def spectral_centroid(magnitude, sample_rate):
    """Spectral centroid `sum_k p_k f_k` in Hz, equal to `librosa.feature.spectral_centroid`.

    Args:
        magnitude: `(batch, frames, 1 + n_fft // 2)` magnitude spectrogram.
        sample_rate: sampling rate in Hz.

    Returns:
        float32 `(batch, frames)`; 0 for an all-zero frame.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> round(float(spectral_centroid(magnitude_spectrogram(wave), 22050)[0, 20]))
        442
    """
    p = _distribution(tf.cast(magnitude, tf.float32))
    return tf.reduce_sum(p * _frequencies(p, sample_rate), axis=-1)


def spectral_spread(magnitude, sample_rate):
    """Spread `sqrt(sum_k p_k (f_k - mu)^2)` in Hz, librosa's `spectral_bandwidth` (p=2).

    Arguments and result as `spectral_centroid` (see `spectral_moments`).

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> round(float(spectral_spread(magnitude_spectrogram(wave), 22050)[0, 20]))
        122
    """
    return spectral_moments(magnitude, sample_rate)[1]


def spectral_skewness(magnitude, sample_rate):
    """Skewness `sum_k p_k (f_k - mu)^3 / sigma^3` of each frame (see `spectral_moments`).

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> round(float(spectral_skewness(magnitude_spectrogram(wave), 22050)[0, 20]))
        63
    """
    return spectral_moments(magnitude, sample_rate)[2]


def spectral_kurtosis(magnitude, sample_rate):
    """Kurtosis `sum_k p_k (f_k - mu)^4 / sigma^4` of each frame (see `spectral_moments`).

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> spectral_kurtosis(magnitude_spectrogram(wave), 22050).shape
        TensorShape([1, 44])
    """
    return spectral_moments(magnitude, sample_rate)[3]
