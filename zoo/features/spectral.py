"""Spectral flatness, irregularity, roll-off and flux of magnitude frames `(batch, frames, k)`."""

import tensorflow as tf

from zoo.features.framing import TINY, fft_frequencies

__all__ = ["spectral_flatness", "spectral_flux", "spectral_irregularity", "spectral_rolloff"]

_BLOCK = 32  # bins per running sum in spectral_rolloff


def spectral_flatness(magnitude, power=2.0, amin=1e-10):
    """Wiener entropy, equal to `librosa.feature.spectral_flatness`.

    `flatness = exp(mean_k log P_k) / mean_k P_k` with `P_k = max(amin, S_k^power)`:
    1 for white noise, near 0 for a pure tone or a DC frame. An all-zero frame gives
    exactly 1 (every `P_k` is `amin`).

    Args:
        magnitude: `(batch, frames, bins)` magnitude spectrogram.
        power: exponent applied to the magnitude (librosa's default 2: power spectrum).
        amin: floor on `S^power`.

    Returns:
        float32 `(batch, frames)` in `(0, 1]`.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> float(spectral_flatness(magnitude_spectrogram(wave))[0, 20]) < 1e-6  # a pure tone
        True
    """
    p = tf.maximum(tf.pow(tf.cast(magnitude, tf.float32), power), amin)
    return tf.exp(tf.reduce_mean(tf.math.log(p), axis=-1)) / tf.reduce_mean(p, axis=-1)


def spectral_irregularity(magnitude):
    """Jensen's irregularity `sum_{k=0}^{K-2} (a_k - a_{k+1})^2 / sum_{k=0}^{K-1} a_k^2`.

    Jensen (1999) defines it over the amplitudes `a_k` of a tone's partials; here `a_k`
    is every bin of the magnitude frame, as the Timbre Toolbox and MIRtoolbox apply it
    to STFT frames. 0 for a constant spectrum, near 2 for alternating bins, 0.4 for a DC
    frame (Hann magnitudes `N/2, N/4`). The denominator is floored at float32's smallest
    normal, so an all-zero frame gives 0.

    Args:
        magnitude: `(batch, frames, bins)` magnitude spectrogram.

    Returns:
        float32 `(batch, frames)`.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> spectral_irregularity(magnitude_spectrogram(wave)).shape
        TensorShape([1, 44])
    """
    a = tf.cast(magnitude, tf.float32)
    numerator = tf.reduce_sum(tf.square(a[..., :-1] - a[..., 1:]), axis=-1)
    return numerator / tf.maximum(tf.reduce_sum(tf.square(a), axis=-1), TINY)


def spectral_rolloff(magnitude, sample_rate, roll_percent=0.85):
    """Roll-off frequency, equal to `librosa.feature.spectral_rolloff`.

    The smallest bin frequency `f_m = m * sample_rate / n_fft` with
    `sum_{k<=m} S_k >= roll_percent * sum_k S_k` (on magnitudes, as librosa). An
    all-zero frame gives 0 Hz (the threshold 0 is met at the first bin), a DC frame
    `f_1` (two thirds of its magnitude sit in bin 0). The sums run over blocks of 32
    bins, not bin by bin in float32 as librosa's: where a frame's sum ties the
    threshold within float32 rounding (4 of 1728 frames of `benchmarks/features.py`)
    the answers differ by one bin, and a float64 sum sides with this one.

    Args:
        magnitude: `(batch, frames, 1 + n_fft // 2)` magnitude spectrogram (even `n_fft`).
        sample_rate: sampling rate in Hz.
        roll_percent: energy fraction in `(0, 1)`; librosa's default 0.85.

    Returns:
        float32 `(batch, frames)` in Hz.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> round(float(spectral_rolloff(magnitude_spectrogram(wave), 22050, roll_percent=0.95)[0, 20]))
        452
    """
    s = tf.cast(magnitude, tf.float32)
    bins = s.shape[-1]
    freq = tf.constant(fft_frequencies(sample_rate, 2 * (bins - 1)), tf.float32)
    # A full cumulative sum is the costliest op of the feature set; running sums over
    # blocks of bins find the block that crosses the threshold, and only that block's
    # bins are summed one by one. The cumulative sum never falls, so the bins (blocks)
    # short of the threshold come first.
    n_blocks = -(-bins // _BLOCK)
    padded = tf.pad(s, [[0, 0]] * (len(s.shape) - 1) + [[0, n_blocks * _BLOCK - bins]])
    blocks = tf.reshape(padded, tf.concat([tf.shape(s)[:-1], [n_blocks, _BLOCK]], 0))
    block_ends = tf.cumsum(tf.reduce_sum(blocks, axis=-1), axis=-1)
    threshold = roll_percent * block_ends[..., -1:]
    block = tf.reduce_sum(tf.cast(block_ends < threshold, tf.int32), axis=-1)
    block = tf.minimum(block, n_blocks - 1)  # float32 rounding at the last block
    before = tf.gather(block_ends, tf.maximum(block - 1, 0), batch_dims=len(s.shape) - 1)
    before = tf.where(block > 0, before, 0.0)
    inside = tf.gather(blocks, block, batch_dims=len(s.shape) - 1)
    short = tf.expand_dims(before, -1) + tf.cumsum(inside, axis=-1) < threshold
    first = block * _BLOCK + tf.reduce_sum(tf.cast(short, tf.int32), axis=-1)
    return tf.gather(freq, tf.minimum(first, bins - 1))


def spectral_flux(magnitude):
    """Spectral flux: L2 norm of the half-wave-rectified change of consecutive frames.

    `flux[t] = sqrt(sum_k max(S[t, k] - S[t-1, k], 0)^2)` on raw (unnormalised)
    magnitudes, so only rising energy counts (onsets); `flux[0] = 0`. Silence and
    steady DC give 0.

    Args:
        magnitude: `(batch, frames, bins)` raw magnitudes (not normalised per frame).

    Returns:
        float32 `(batch, frames)`.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> float(spectral_flux(magnitude_spectrogram(wave))[0, 0])  # no frame before the first
        0.0
    """
    s = tf.cast(magnitude, tf.float32)
    rise = tf.nn.relu(s[:, 1:] - s[:, :-1])
    flux = tf.sqrt(tf.reduce_sum(tf.square(rise), axis=-1))
    return tf.pad(flux, [[0, 0], [1, 0]])
