"""Mu-law companding and quantisation, as WaveNet uses it.

WaveNet (van den Oord et al. 2016, section 2.2) models audio as a categorical
distribution over 256 values obtained with the mu-law transform of ITU-T G.711:
`f(x) = sign(x) * ln(1 + mu |x|) / ln(1 + mu)` with `mu = 255`, then uniform
quantisation of `f(x)` in [-1, 1]. This is the continuous formula the paper
uses, not G.711's 8-segment piecewise-linear approximation of it.
"""

import math

import tensorflow as tf

from zoo.validation import check_positive_int

__all__ = ["mu_law_encode", "mu_law_decode", "mu_law_error_bound"]


def _mu(quantization_channels):
    check_positive_int("quantization_channels", quantization_channels, minimum=2)
    return float(quantization_channels - 1)


def mu_law_encode(audio, quantization_channels=256):
    """Compand a waveform in [-1, 1] with mu-law and quantise it to class ids.

    Values outside [-1, 1] are clipped first (a waveform's peak cannot exceed
    full scale once written as PCM).

    Args:
        audio: float waveform(s), any shape, nominally in [-1, 1].
        quantization_channels: number of classes `Q`; `mu = Q - 1`.

    Returns:
        An int32 tensor of the same shape with values in `0 .. Q - 1`;
        silence (0.0) maps to `Q // 2`.

    Example:
        >>> mu_law_encode([-1.0, 0.0, 1.0]).numpy()
        array([  0, 128, 255], dtype=int32)

    Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio", eq. (2).
    """
    mu = _mu(quantization_channels)
    x = tf.clip_by_value(tf.cast(audio, tf.float32), -1.0, 1.0)
    companded = tf.sign(x) * tf.math.log1p(mu * tf.abs(x)) / math.log1p(mu)
    # Round to the nearest of the Q evenly spaced levels of `companded`.
    return tf.cast(tf.floor((companded + 1.0) * 0.5 * mu + 0.5), tf.int32)


def mu_law_decode(classes, quantization_channels=256):
    """Map mu-law class ids back to a float waveform in [-1, 1].

    Args:
        classes: integer class ids in `0 .. Q - 1`, any shape.
        quantization_channels: number of classes `Q`.

    Returns:
        A float32 tensor of the same shape, in [-1, 1].

    Example:
        >>> float(mu_law_decode(mu_law_encode(0.5)))  # doctest: +ELLIPSIS
        0.49...

    Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio", eq. (2).
    """
    mu = _mu(quantization_channels)
    companded = 2.0 * tf.cast(classes, tf.float32) / mu - 1.0
    x = tf.sign(companded) * (tf.pow(1.0 + mu, tf.abs(companded)) - 1.0) / mu
    return tf.clip_by_value(x, -1.0, 1.0)


def mu_law_error_bound(audio, quantization_channels=256):
    """Largest possible `|x - decode(encode(x))|` for each value of `audio`.

    Quantisation moves the companded value by at most half a level, `1 / mu`;
    the expander's slope `ln(1 + mu) (1 + mu |x|) / mu` grows by at most a
    factor `(1 + mu) ** (1 / mu)` over that half level. So the error is small
    near silence and about 2% of full scale near the peaks, which is the point
    of companding.

    Args:
        audio: float waveform(s) in [-1, 1].
        quantization_channels: number of classes `Q`.

    Returns:
        A float32 tensor of bounds, the shape of `audio`.
    """
    mu = _mu(quantization_channels)
    x = tf.abs(tf.clip_by_value(tf.cast(audio, tf.float32), -1.0, 1.0))
    slope = math.log1p(mu) * (1.0 + mu * x) / mu * (1.0 + mu) ** (1.0 / mu)
    return slope / mu
