"""Time-domain frame features: RMS energy and zero-crossing rate (librosa 0.11 conventions)."""

import tensorflow as tf

from zoo.features.framing import frame

__all__ = ["rms", "zero_crossing_rate"]


def rms(waveform, frame_length=2048, hop_length=512, center=True):
    """Root-mean-square energy per frame, equal to `librosa.feature.rms(y=...)`.

    `rms[t] = sqrt(mean_n x_t[n]^2)` over the unwindowed frame `x_t` of the zero-padded,
    centred signal. Silent (all-zero) frames give 0; a DC frame of value `c` gives `|c|`.

    Args:
        waveform: `(batch, samples)` float tensor.
        frame_length: samples per frame.
        hop_length: samples between frames.
        center: centre frames (zero padding, librosa's default `pad_mode="constant"`).

    Returns:
        float32 tensor `(batch, frames)`.

    Example:
        >>> rms(tf.ones((1, 4096))).shape
        TensorShape([1, 9])
    """
    frames = frame(waveform, frame_length, hop_length, center=center)
    return tf.sqrt(tf.reduce_mean(tf.square(frames), axis=-1))


def zero_crossing_rate(waveform, frame_length=2048, hop_length=512, center=True, threshold=1e-10):
    """Fraction of sign changes per frame, equal to `librosa.feature.zero_crossing_rate`.

    `zcr[t] = (1 / N) sum_{n=1}^{N-1} [s(x_t[n]) != s(x_t[n-1])]` with `N = frame_length`,
    `s(v) = (v < -threshold)`: samples with `|v| <= threshold` count as positive
    (librosa's `zero_pos=True`), and the first sample of a frame is never a crossing
    (`pad=False`). Frames are centred with edge padding, as librosa does. Silent and
    DC frames give 0.

    Args:
        waveform: `(batch, samples)` float tensor.
        frame_length: samples per frame.
        hop_length: samples between frames.
        center: centre frames (edge padding, as `librosa.feature.zero_crossing_rate`).
        threshold: magnitudes up to this count as zero.

    Returns:
        float32 tensor `(batch, frames)`, values in `[0, 1)`.

    Example:
        >>> zero_crossing_rate(tf.constant([[1.0, -1.0] * 2048])).shape
        TensorShape([1, 9])
    """
    frames = frame(waveform, frame_length, hop_length, center=center, pad_mode="edge")
    negative = frames < -threshold
    changes = tf.not_equal(negative[..., 1:], negative[..., :-1])
    return tf.reduce_sum(tf.cast(changes, tf.float32), axis=-1) / frame_length
