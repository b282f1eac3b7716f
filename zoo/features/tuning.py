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


def _kth_smallest(bits, chosen, rank):
    """Per example, the `rank`-th smallest (0-based) chosen non-negative int32, exactly.

    Radix selection in two 16-bit digits: a histogram of the high halves finds the
    bucket holding that rank, a histogram of the low halves inside it the value. Each
    65536-bin histogram is searched in two steps of 256 (its 256 coarse sums, then the
    256 bins of the chosen coarse bin), not by a running sum over all 65536 bins. Every
    shape is static (XLA compiles it).
    """
    batch = tf.shape(bits)[0]
    example = tf.range(batch)[:, None] * 65536 + tf.zeros_like(bits)
    weight = tf.cast(chosen, tf.int32)

    def search(counts, target):
        """First index whose running count exceeds `target`, and the rank left inside it."""
        cumulative = tf.cumsum(counts, axis=-1)
        found = tf.reduce_sum(tf.cast(cumulative <= target[:, None], tf.int32), axis=-1)
        found = tf.minimum(found, 255)  # only when target >= the total (no chosen value)
        before = tf.gather(cumulative, tf.maximum(found - 1, 0), batch_dims=1)
        return found, target - tf.where(found > 0, before, 0)

    def digit(values, mask, target):
        counts = tf.math.unsorted_segment_sum(
            tf.reshape(mask, [-1]), tf.reshape(example + values, [-1]), batch * 65536
        )
        counts = tf.reshape(counts, [batch, 256, 256])
        coarse, target = search(tf.reduce_sum(counts, axis=-1), target)
        fine, target = search(tf.gather(counts, coarse, batch_dims=1), target)
        return coarse * 256 + fine, target

    # The digits by integer arithmetic, not shifts and masks: the same on non-negative
    # values, and builtin in TFLite, which has no BitwiseAnd or LeftShift.
    top = bits // 65536
    high, rest = digit(top, weight, rank)
    in_bucket = weight * tf.cast(top == high[:, None], tf.int32)
    low, _ = digit(bits - top * 65536, in_bucket, rest)
    return high * 65536 + low


def _pair_candidates(peak, magnitude, hz):
    """Per pair of bins `(2j, 2j + 1)`, the peak among them (at most one), its values."""
    if peak.shape[-1] % 2:
        pads = [[0, 0], [0, 0], [0, 1]]
        peak, magnitude, hz = tf.pad(peak, pads), tf.pad(magnitude, pads), tf.pad(hz, pads)
    even = peak[..., 0::2]
    return (
        even | peak[..., 1::2],
        tf.where(even, magnitude[..., 0::2], magnitude[..., 1::2]),
        tf.where(even, hz[..., 0::2], hz[..., 1::2]),
    )


def _edge(index, n_bins, dtype):
    """`np.linspace(-0.5, 0.5, n_bins + 1)[index]` bit for bit, by its arithmetic, not a gather.

    numpy computes `i * (1 / n_bins) + (-0.5)` in float64 and sets the last edge to 0.5.
    """
    edge = tf.cast(index, dtype) * (1.0 / n_bins) + (-0.5)
    return tf.where(index >= n_bins, tf.constant(0.5, dtype), edge)


def estimate_tuning(power, sample_rate, resolution=0.01, bins_per_octave=12, dtype=tf.float64):
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
        dtype: `tf.float64` (numpy's, bit for bit), or `tf.float32` for TFLite's builtins.

    Returns:
        float32 `(batch,)` in `[-0.5, 0.5)`.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> estimate_tuning(tf.square(magnitude_spectrogram(wave)), 22050).numpy()
        array([0.02], dtype=float32)
    """
    s = tf.abs(tf.cast(power, tf.float32))
    n_fft = 2 * (s.shape[-1] - 1)
    freqs = fft_frequencies(sample_rate, n_fft)
    in_range = np.flatnonzero((freqs >= 150.0) & (freqs < min(4000.0, sample_rate / 2.0)))
    if in_range.size == 0:  # no bin between 150 Hz and 4 kHz: no peak can vote
        return tf.zeros_like(s[:, 0, 0])
    lo, hi = int(in_range[0]), int(in_range[-1]) + 1
    # Everything below needs only the bins in range and one neighbour on each side.
    around = s[..., lo - 1 : hi + 1]  # lo >= 1 (150 Hz) and hi < the top bin (< sr / 2)
    shift = _parabolic_shift(around)[..., 1:-1]
    magnitude = around[..., 1:-1] + 0.5 * _gradient(around)[..., 1:-1] * shift

    # Local maxima of S gated at a tenth of the frame's peak, on the bins in range and
    # their neighbours (librosa's localmax: x[k] > x[k-1] and x[k] >= x[k+1]).
    gate = 0.1 * tf.reduce_max(s, axis=-1, keepdims=True)
    gated = around * tf.cast(around > gate, tf.float32)
    left, mid, right = gated[..., :-2], gated[..., 1:-1], gated[..., 2:]
    local_max = (mid > left) & (mid >= right)
    # Bin k + shift in float64 then float32, as librosa stores it in a float32 array.
    bins = tf.constant(np.arange(lo, hi), dtype)
    hz = tf.cast((bins + tf.cast(shift, dtype)) * (float(sample_rate) / n_fft), tf.float32)
    peak = local_max & (hz > 0.0)
    # Bins k and k + 1 are never both local maxima (x[k] >= x[k+1] and x[k+1] > x[k]),
    # so one candidate per pair of bins loses no peak and halves the selection's work.
    peak, magnitude, hz = _pair_candidates(peak, magnitude, hz)

    # The clip's median peak magnitude: k-th smallest by bisection on the float32 bits
    # (peak magnitudes are positive, so their bit patterns sort like their values).
    flat_shape = tf.stack([tf.shape(s)[0], -1])
    chosen = tf.reshape(peak, flat_shape)
    bits = tf.where(chosen, tf.bitcast(tf.reshape(magnitude, flat_shape), tf.int32), 0)
    count = tf.reduce_sum(tf.cast(chosen, tf.int32), axis=-1)
    low_bits = _kth_smallest(bits, chosen, tf.maximum(count - 1, 0) // 2)
    # The next order statistic: the same value if it repeats, else the next larger one.
    repeats = (
        tf.reduce_sum(tf.cast(chosen & (bits <= low_bits[:, None]), tf.int32), -1) > count // 2
    )
    above = tf.reduce_min(tf.where(chosen & (bits > low_bits[:, None]), bits, tf.int32.max), -1)
    even = tf.equal(count % 2, 0)
    high_bits = tf.where(even & ~repeats, above, low_bits)
    low, high = tf.bitcast(low_bits, tf.float32), tf.bitcast(high_bits, tf.float32)
    median = tf.where(count > 0, (low + high) / 2.0, 0.0)
    voter = peak & (magnitude >= median[:, None, None])

    ratio = tf.cast(tf.where(voter, hz, 27.5) / 27.5, dtype)  # f / (A440 / 16)
    octaves = bins_per_octave * tf.cast(tf.math.log(ratio) / np.log(2.0), tf.float32)
    residual = octaves - tf.floor(octaves)  # floormod(., 1), exactly, without fmod
    residual = tf.cast(tf.where(residual >= 0.5, residual - 1.0, residual), dtype)
    # np.histogram's bins: [e_i, e_i+1), the last one closed; the guess from arithmetic
    # is corrected against the float64 edges themselves, as numpy does.
    n_bins = int(np.ceil(1.0 / resolution))
    edges = np.linspace(-0.5, 0.5, n_bins + 1)
    index = tf.clip_by_value(tf.cast(tf.floor((residual + 0.5) * n_bins), tf.int32), 0, n_bins - 1)
    index = index - tf.cast(residual < _edge(index, n_bins, dtype), tf.int32)
    past = (residual >= _edge(index + 1, n_bins, dtype)) & (index < n_bins - 1)
    index = index + tf.cast(past, tf.int32)
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
