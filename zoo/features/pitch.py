"""Fundamental frequency by YIN (de Cheveigne and Kawahara, 2002) with a periodicity value."""

import numpy as np
import tensorflow as tf

from zoo.features.framing import autocorrelation, frame, tiny
from zoo.validation import argument_error

__all__ = ["yin", "yin_frames", "yin_periods"]


def yin_periods(sample_rate, fmin, fmax, frame_length):
    """The lag range `(min_period, max_period)` in samples that YIN searches, as librosa.

    `min_period = floor(sample_rate / fmax)`, `max_period = min(ceil(sample_rate / fmin),
    frame_length - 1)`; raises `ValueError` where librosa raises `ParameterError`.

    Example:
        >>> yin_periods(22050, 65.0, 2093.0, 2048)
        (10, 340)
    """
    if not 0 < fmin < fmax:
        raise argument_error("fmin", fmin, f"Need 0 < fmin < fmax = {fmax:g}.")
    if fmax > sample_rate / 2:
        raise argument_error("fmax", fmax, f"`fmax` exceeds Nyquist, {sample_rate / 2:g} Hz.")
    if sample_rate / fmin >= frame_length - 1:
        raise argument_error(
            "fmin",
            fmin,
            f"A period of `fmin` must fit in frame_length - 1 = {frame_length - 1} "
            f"samples: raise `fmin` to {sample_rate / (frame_length - 1):.3f} or the frame length.",
        )
    return int(np.floor(sample_rate / fmax)), min(
        int(np.ceil(sample_rate / fmin)), frame_length - 1
    )


def _first_index(mask, size):
    """Index of the first True along the last axis (`size` where there is none)."""
    positions = tf.range(size, dtype=tf.int32)
    return tf.reduce_min(tf.where(mask, positions, size), axis=-1)


def yin(
    waveform,
    sample_rate,
    fmin=65.40639,
    fmax=2093.0045,
    frame_length=2048,
    hop_length=None,
    trough_threshold=0.1,
    center=True,
):
    """f0 per frame, equal to `librosa.yin`, and a periodicity value from the same function.

    Frames the waveform (centred, zero padding, as librosa) and runs `yin_frames`.

    Args:
        waveform: `(batch, samples)` float tensor.
        sample_rate: sampling rate in Hz.
        fmin: lowest f0 in Hz (default C2).
        fmax: highest f0 in Hz (default C7), at most Nyquist.
        frame_length: samples per frame.
        hop_length: samples between frames; None means `frame_length // 4` (librosa).
        trough_threshold: absolute threshold on `d'`.
        center: centre frames with zero padding.

    Returns:
        Two float32 tensors `(batch, frames)`: f0 in Hz and periodicity in `[0, 1]`.

    Example:
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> f0, periodicity = yin(wave, 22050, hop_length=512)
        >>> round(float(f0[0, 20]))
        441
    """
    hop_length = frame_length // 4 if hop_length is None else hop_length
    frames = frame(waveform, frame_length, hop_length, center=center)
    return yin_frames(frames, sample_rate, fmin, fmax, trough_threshold)


def yin_frames(
    frames,
    sample_rate,
    fmin=65.40639,
    fmax=2093.0045,
    trough_threshold=0.1,
    acf=None,
    dtype=tf.float64,
):
    """YIN's f0 and periodicity of each frame (de Cheveigne and Kawahara, 2002; `librosa.yin`).

    For a frame `x` of length `N`, librosa's difference function
    `d(k) = 2 (r(0) - r(k)) - sum_{m<k} x[m]^2` (`r` the autocorrelation; for `k = 1`
    librosa 0.11 subtracts 0, and so does this) gives the
    cumulative mean normalised difference `d'(k) = d(k) / ((1/k) sum_{j=1}^k d(j) + tiny)`
    on lags `min_period..max_period` (`yin_periods`). The period is the first local
    minimum of `d'` below `trough_threshold`, else its first global minimum, refined
    by parabolic interpolation (no shift where the vertex lies a bin away or more);
    `f0 = sample_rate / period`. `periodicity = clip(1 - min_k d'(k), 0, 1)`: near 1
    for a clean tone, near 0 for noise. All in `dtype`, float64 (librosa's precision on float64
    input). Silent (all-zero) frames give librosa's `f0 = sample_rate / min_period`
    and periodicity 0; a DC frame gives `d'(k) = 2k^2 / (k^2 + k + 2) >= 1` for
    `k >= 2`: periodicity 0.

    Args:
        frames: `(batch, frames, frame_length)` float tensor.
        sample_rate: sampling rate in Hz.
        fmin: lowest f0 in Hz.
        fmax: highest f0 in Hz, at most Nyquist.
        trough_threshold: absolute threshold on `d'`.
        acf: optional `autocorrelation(frames, L)` with `L >= max_period`, to share it.
        dtype: `tf.float64` (librosa's precision), or `tf.float32` for TFLite's builtins.

    Returns:
        Two float32 tensors `(batch, frames)`: f0 in Hz and periodicity in `[0, 1]`.

    Example:
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> f0, periodicity = yin_frames(frame(wave, 2048, 512), 22050)
        >>> round(float(f0[0, 20]))
        441
    """
    min_period, max_period = yin_periods(sample_rate, fmin, fmax, frames.shape[-1])
    x = tf.cast(frames, dtype)
    if acf is None:
        acf = autocorrelation(x, max_period, dtype)
    acf = tf.cast(acf[..., : max_period + 1], dtype)
    energy = tf.cumsum(tf.square(x[..., :max_period]), axis=-1)
    # librosa 0.11 zeroes the running energy at index 0 before using it, so lag 1
    # subtracts 0 rather than x[0]^2; kept for parity (it shifts d' by ~1e-3).
    energy = tf.concat([tf.zeros_like(energy[..., :1]), energy[..., 1:]], axis=-1)
    diff = 2.0 * (acf[..., :1] - acf[..., 1:]) - energy  # lags 1..max_period
    mean = tf.cumsum(diff, axis=-1) / tf.range(1, max_period + 1, dtype=dtype)
    cmnd = diff[..., min_period - 1 :] / (mean[..., min_period - 1 :] + tiny(dtype))
    lags_searched = max_period - min_period + 1

    # Parabolic vertex offsets; librosa's stencil leaves both ends and far vertices at 0.
    left, mid, right = cmnd[..., :-2], cmnd[..., 1:-1], cmnd[..., 2:]
    a = right + left - 2.0 * mid
    b = 0.5 * (right - left)
    near = tf.abs(b) < tf.abs(a)
    inner = tf.where(near, -b / tf.where(near, a, tf.ones_like(a)), tf.zeros_like(a))
    shifts = tf.pad(inner, [[0, 0], [0, 0], [1, 1]])

    # Local minima (x[i] < x[i-1] and x[i] <= x[i+1]; strict at both ends), as librosa.
    first = cmnd[..., :1] < cmnd[..., 1:2]
    last = cmnd[..., -1:] < cmnd[..., -2:-1]
    trough = tf.concat([first, (mid < left) & (mid <= right), last], axis=-1)
    below = trough & (cmnd < trough_threshold)
    lowest = tf.reduce_min(cmnd, axis=-1, keepdims=True)
    global_min = _first_index(cmnd <= lowest, lags_searched)
    threshold_min = _first_index(below, lags_searched)
    index = tf.where(tf.reduce_any(below, axis=-1), threshold_min, global_min)
    shift = tf.gather(shifts, tf.expand_dims(index, -1), batch_dims=2)[..., 0]
    f0 = sample_rate / (float(min_period) + tf.cast(index, dtype) + shift)

    silent = acf[..., 0] <= 0.0  # r(0) = sum x^2: 0 exactly (FFT of zeros) only when silent
    periodicity = tf.clip_by_value(1.0 - lowest[..., 0], 0.0, 1.0)
    periodicity = tf.where(silent, tf.zeros_like(periodicity), periodicity)
    return tf.cast(f0, tf.float32), tf.cast(periodicity, tf.float32)
