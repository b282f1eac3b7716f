"""Band-limited resampling in TensorFlow ops, so it runs inside `tf.data`.

The filter is the one `scipy.signal.resample_poly` designs (a Kaiser-windowed
sinc, beta 5, ten zero crossings each side of the slower rate), applied as a
polyphase filter: output sample `n` sits at input position `n * down / up`
and is a weighted sum of the `K` input samples around it, the weights coming
from row `n mod up` of a precomputed phase table. Rates may be tensors, so one
`tf.data` map can resample files recorded at different rates.

`method="tensorflow-io"` uses `tfio.audio.resample` where its native kernels
load (TensorFlow 2.16). It is not the default: measured in the TensorFlow 2.16
CI lane, its output lags the zero-phase result by 9 to 32 samples (depending
on the rate pair), and it would make numbers depend on the TensorFlow version.
The polyphase filter matches `scipy.signal.resample_poly` to ~5e-7 everywhere.
"""

import math
import numbers

import numpy as np
import tensorflow as tf

from zoo.audio.backend import tfio_module
from zoo.validation import check_choice, argument_error

__all__ = ["resample", "kaiser_sinc_filter"]

KAISER_BETA = 5.0
ZERO_CROSSINGS = 10


def _gcd(a, b):
    a, b = tf.cast(a, tf.int64), tf.cast(b, tf.int64)
    _, g = tf.while_loop(lambda x, y: x > 0, lambda x, y: (y % x, x), (a, b))
    return g


def _ceil_div(a, b):
    return -((-a) // b)


def kaiser_sinc_filter(up, down):
    """The anti-aliasing low-pass filter of `scipy.signal.resample_poly`.

    Args:
        up: integer upsampling factor (coprime with `down`).
        down: integer downsampling factor.

    Returns:
        float64 tensor of `2 * 10 * max(up, down) + 1` taps with gain `up` at DC.
    """
    up, down = tf.cast(up, tf.int64), tf.cast(down, tf.int64)
    max_rate = tf.maximum(up, down)
    half = ZERO_CROSSINGS * max_rate
    j = tf.cast(tf.range(-half, half + 1), tf.float64)
    cutoff = 1.0 / tf.cast(max_rate, tf.float64)
    x = math.pi * cutoff * j
    safe = tf.where(tf.equal(x, 0.0), tf.ones_like(x), x)
    sinc = tf.where(tf.equal(x, 0.0), tf.ones_like(x), tf.sin(safe) / safe)
    # Symmetric Kaiser window (scipy's get_window(..., fftbins=False)).
    ratio = j / tf.cast(half, tf.float64)
    beta = tf.constant(KAISER_BETA, tf.float64)
    arg = beta * tf.sqrt(tf.maximum(1.0 - ratio * ratio, 0.0))
    window = tf.math.special.bessel_i0(arg) / tf.math.special.bessel_i0(beta)
    h = cutoff * sinc * window
    return h / tf.reduce_sum(h) * tf.cast(up, tf.float64)


def _polyphase(waveform, rate_in, rate_out):
    g = _gcd(rate_in, rate_out)
    up = tf.cast(rate_out, tf.int64) // g
    down = tf.cast(rate_in, tf.int64) // g
    half = ZERO_CROSSINGS * tf.maximum(up, down)
    h = kaiser_sinc_filter(up, down)
    taps = (2 * half) // up + 1

    # Phase table: W[r, k] weights input sample m0(r) + k for output phase r.
    phase = tf.range(up, dtype=tf.int64)
    m0 = _ceil_div(phase * down - half, up)
    k = tf.range(taps, dtype=tf.int64)
    offset = phase[:, None] * down - (m0[:, None] + k[None, :]) * up + half
    inside = (offset >= 0) & (offset <= 2 * half)
    table = tf.where(inside, tf.gather(h, tf.clip_by_value(offset, 0, 2 * half)), 0.0)
    table = tf.cast(table, waveform.dtype)

    n_in = tf.shape(waveform, out_type=tf.int64)[0]
    n_out = _ceil_div(n_in * up, down)
    n = tf.range(n_out, dtype=tf.int64)
    start = _ceil_div(n * down - half, up)  # first input sample for each output
    left = half // up  # = -start[0]: the filter reaches back before sample 0
    last = _ceil_div((n_out - 1) * down - half, up) + taps
    right = tf.maximum(last - n_in, 0)
    pads = tf.stack([left, right])[None, :]
    pads = tf.concat([pads, tf.zeros([tf.rank(waveform) - 1, 2], tf.int64)], axis=0)
    padded = tf.pad(waveform, pads)  # zeros outside the signal, as resample_poly
    index = start[:, None] + k[None, :] + left
    frames = tf.gather(padded, index)  # (n_out, taps[, channels])
    weights = tf.gather(table, n % up)
    if waveform.shape.rank == 2:
        weights = weights[:, :, None]
    return tf.reduce_sum(frames * weights, axis=1)


def _check_rate(arg, rate):
    """Raise a `ValueError` naming `arg` unless `rate` is a positive whole number or int tensor.

    A string, None or a float tensor would otherwise reach TensorFlow and fail
    there (`UnimplementedError: Cast string to int32`); scipy's `resample_poly`
    raises `ValueError` for such rates, and so does this.
    """
    problem = f"`{arg}` must be a positive integer (Hz)."
    if isinstance(rate, bool) or isinstance(rate, (str, bytes)) or rate is None:
        raise argument_error(arg, rate, problem)
    if isinstance(rate, numbers.Real):
        if not (math.isfinite(rate) and rate > 0 and int(rate) == rate):
            raise argument_error(arg, rate, problem)
        return
    if tf.is_tensor(rate) or isinstance(rate, np.ndarray):
        if tf.as_dtype(rate.dtype).is_integer and len(rate.shape) == 0:
            return  # a value only known when the graph runs (one tf.data map, many rates)
        raise argument_error(arg, rate, f"{problem} Tensors must be integer scalars.")
    raise argument_error(arg, rate, problem)


def resample(waveform, rate_in, rate_out, method="polyphase"):
    """Resample a waveform along its first axis with a band-limited filter.

    Args:
        waveform: float tensor `(samples,)` or `(samples, channels)`.
        rate_in: its sample rate in Hz (int or int tensor).
        rate_out: the wanted rate in Hz (int or int tensor).
        method: `"polyphase"` (TensorFlow ops, scipy's `resample_poly`
            filter; any TensorFlow) or `"tensorflow-io"` (only where its
            native kernels load).

    Returns:
        float tensor with `ceil(samples * rate_out / rate_in)` samples.

    Example:
        >>> y = zoo.audio.resample(tf.zeros([22050]), 22050, 16000)
        >>> y.shape
        TensorShape([16000])
    """
    check_choice("method", method, ("polyphase", "tensorflow-io"))
    for arg, rate in (("rate_in", rate_in), ("rate_out", rate_out)):
        _check_rate(arg, rate)
    waveform = tf.convert_to_tensor(waveform)
    if not waveform.dtype.is_floating:
        raise argument_error("waveform.dtype", waveform.dtype.name, "`waveform` must be float.")
    if waveform.shape.rank not in (1, 2):
        raise argument_error(
            "waveform.shape", tuple(waveform.shape), "`waveform` must be 1-D or 2-D."
        )
    if isinstance(rate_in, int) and isinstance(rate_out, int) and rate_in == rate_out:
        return waveform
    if method == "tensorflow-io":
        tfio = tfio_module()
        if tfio is None:
            raise argument_error(
                "method", method, "tensorflow-io's native kernels do not load here."
            )
        column = waveform if waveform.shape.rank == 2 else waveform[:, None]
        out = tfio.audio.resample(column, tf.cast(rate_in, tf.int64), tf.cast(rate_out, tf.int64))
        return out if waveform.shape.rank == 2 else out[:, 0]
    return _polyphase(waveform, rate_in, rate_out)
