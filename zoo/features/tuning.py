"""Per-clip tuning offset in graph, equal to `librosa.estimate_tuning` on a power spectrogram."""

import numpy as np
import tensorflow as tf

from zoo.features.framing import fft_frequencies

__all__ = ["estimate_tuning"]


def _parabolic_shift(s):
    """librosa's `_parabolic_interpolation` along the last axis (0 at both ends)."""
    left, mid, right = s[..., :-2], s[..., 1:-1], s[..., 2:]
    a = right + left - 2.0 * mid
    b = 0.5 * (right - left)
    near = tf.abs(b) < tf.abs(a)
    inner = tf.where(near, -b / tf.where(near, a, tf.ones_like(a)), 0.0)
    return tf.pad(inner, [[0, 0], [0, 0], [1, 1]])


def _gradient(s):
    """`np.gradient` along the last axis: central inside, one-sided at the ends."""
    inner = 0.5 * (s[..., 2:] - s[..., :-2])
    return tf.concat([s[..., 1:2] - s[..., :1], inner, s[..., -1:] - s[..., -2:-1]], axis=-1)


def _kth_smallest(bits, chosen, ranks):
    """Per example, the `ranks`-th smallest (0-based) of the chosen non-negative int32s."""
    lo = tf.zeros_like(ranks)
    hi = tf.fill(tf.shape(ranks), tf.int32.max)
    candidates = tf.where(chosen, bits, tf.int32.max)[:, None, :]
    for _ in range(31):  # halves [lo, hi] until it holds one value
        mid = lo + (hi - lo) // 2
        at_most = tf.reduce_sum(tf.cast(candidates <= mid[..., None], tf.int32), axis=-1)
        enough = at_most > ranks
        hi = tf.where(enough, mid, hi)
        lo = tf.where(enough, lo, mid + 1)
    return lo


def estimate_tuning(power, sample_rate, resolution=0.01, bins_per_octave=12):
    """Tuning deviation from A440 in fractions of a bin, per clip, as `librosa.estimate_tuning`.

    Follows librosa's `piptrack` then `pitch_tuning`: in each frame, the local maxima of
    `S` above a tenth of the frame's maximum between 150 Hz and 4 kHz, their
    parabolically refined frequency `(k + shift) * sample_rate / n_fft` and magnitude
    `S + gradient * shift / 2`; the peaks at or above the clip's median magnitude vote
    with their residual `bins_per_octave * log2(f / 27.5) mod 1` (moved into
    `[-0.5, 0.5)`) in a histogram of `ceil(1 / resolution)` bins over `[-0.5, 0.5]`,
    and the left edge of the fullest bin is the tuning. A clip without peaks (silence,
    DC) gives 0, where librosa warns and returns 0.

    Args:
        power: `(batch, frames, 1 + n_fft // 2)` power spectrogram (even `n_fft`).
        sample_rate: sampling rate in Hz.
        resolution: histogram bin width, in fractions of a bin.
        bins_per_octave: chroma bins per octave.

    Returns:
        float32 `(batch,)` in `[-0.5, 0.5)`.

    Example:
        >>> estimate_tuning(tf.square(magnitude_spectrogram(wave)), 22050)
    """
    s = tf.abs(tf.cast(power, tf.float32))
    n_fft = 2 * (s.shape[-1] - 1)
    freqs = fft_frequencies(sample_rate, n_fft)
    in_range = np.flatnonzero((freqs >= 150.0) & (freqs < min(4000.0, sample_rate / 2.0)))
    lo, hi = int(in_range[0]), int(in_range[-1]) + 1
    shift = _parabolic_shift(s)[..., lo:hi]
    magnitude = s[..., lo:hi] + 0.5 * _gradient(s)[..., lo:hi] * shift

    gated = s * tf.cast(s > 0.1 * tf.reduce_max(s, axis=-1, keepdims=True), tf.float32)
    left, mid, right = gated[..., :-2], gated[..., 1:-1], gated[..., 2:]
    last = gated[..., -1:] > gated[..., -2:-1]
    local_max = tf.concat([tf.zeros_like(last), (mid > left) & (mid >= right), last], axis=-1)
    # Bin k + shift in float64 then float32, as librosa stores it in a float32 array.
    bins = tf.constant(np.arange(lo, hi), tf.float64)
    hz = tf.cast((bins + tf.cast(shift, tf.float64)) * (float(sample_rate) / n_fft), tf.float32)
    peak = local_max[..., lo:hi] & (hz > 0.0)

    # The clip's median peak magnitude: k-th smallest by bisection on the float32 bits
    # (peak magnitudes are positive, so their bit patterns sort like their values).
    flat_shape = tf.stack([tf.shape(s)[0], -1])
    bits = tf.bitcast(tf.reshape(magnitude, flat_shape), tf.int32)
    chosen = tf.reshape(peak, flat_shape)
    count = tf.reduce_sum(tf.cast(chosen, tf.int32), axis=-1)
    ranks = tf.stack([tf.maximum(count - 1, 0) // 2, count // 2], axis=-1)  # (batch, 2)
    low, high = tf.unstack(tf.bitcast(_kth_smallest(bits, chosen, ranks), tf.float32), axis=-1)
    median = tf.where(count > 0, (low + high) / 2.0, 0.0)
    voter = peak & (magnitude >= median[:, None, None])

    ratio = tf.cast(tf.where(voter, hz, 27.5) / 27.5, tf.float64)  # f / (A440 / 16)
    octaves = bins_per_octave * tf.cast(tf.math.log(ratio) / np.log(2.0), tf.float32)
    residual = tf.math.floormod(octaves, 1.0)
    residual = tf.cast(tf.where(residual >= 0.5, residual - 1.0, residual), tf.float64)
    # np.histogram's bins: [e_i, e_i+1), the last one closed; the guess from arithmetic
    # is corrected against the float64 edges themselves, as numpy does.
    n_bins = int(np.ceil(1.0 / resolution))
    edges = np.linspace(-0.5, 0.5, n_bins + 1)
    index = tf.clip_by_value(tf.cast(tf.floor((residual + 0.5) * n_bins), tf.int32), 0, n_bins - 1)
    edges_t = tf.constant(edges, tf.float64)
    index = index - tf.cast(residual < tf.gather(edges_t, index), tf.int32)
    index = index + tf.cast(
        (residual >= tf.gather(edges_t, index + 1)) & (index < n_bins - 1), tf.int32
    )
    example = tf.range(tf.shape(s)[0])[:, None, None] + tf.zeros_like(index)
    counts = tf.math.unsorted_segment_sum(
        tf.reshape(tf.cast(voter, tf.int32), [-1]),
        tf.reshape(example * n_bins + index, [-1]),
        tf.shape(s)[0] * n_bins,
    )
    counts = tf.reshape(counts, [-1, n_bins])
    fullest = tf.reduce_max(counts, axis=-1, keepdims=True)
    first = tf.reduce_min(tf.where(counts >= fullest, tf.range(n_bins), n_bins), -1)
    tuning = tf.gather(tf.constant(edges[:-1], tf.float32), first)
    return tf.where(count > 0, tuning, 0.0)
