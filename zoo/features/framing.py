"""Centred framing and the magnitude STFT shared by every feature, as librosa 0.11 does them.

librosa centres frame `t` on sample `t * hop_length` by padding `frame_length // 2`
samples on both sides (zeros for `stft`, `rms` and `yin`; the edge sample for
`zero_crossing_rate`), so a clip of `n` samples gives `1 + n // hop_length`
frames. Every function here takes waveforms `(batch, samples)` and puts frames
on axis 1: `(batch, frames, ...)`.
"""

import numpy as np
import tensorflow as tf

from zoo.audio.windows import periodic_hann
from zoo.validation import check_choice

__all__ = [
    "autocorrelation",
    "center_pad",
    "even_inverse_rfft",
    "fft_frequencies",
    "frame",
    "framed_autocorrelation",
    "magnitude_spectrogram",
    "num_frames",
    "tiny",
]


def tiny(dtype):
    """librosa's `util.tiny`: the smallest normal number of `dtype` (its bias on that input)."""
    return float(np.finfo(dtype.as_numpy_dtype).tiny)


# The smallest normal float32: librosa's `util.tiny` for float32 input, used as its
# "leave this column un-normalised" threshold and as the Burg denominator bias.
TINY = tiny(tf.float32)


def num_frames(samples, hop_length):
    """Frames of a centred framing: `1 + samples // hop_length` (librosa, `center=True`).

    Example:
        >>> num_frames(22050, 512)
        44
    """
    return None if samples is None else 1 + samples // hop_length


def center_pad(waveform, frame_length, mode="constant"):
    """Pad `frame_length // 2` samples on both ends of the last axis.

    Args:
        waveform: `(batch, samples)` float tensor.
        frame_length: frame length in samples.
        mode: `"constant"` (zeros, librosa's `stft`/`rms`/`yin`) or `"edge"` (repeat
            the end samples, librosa's `zero_crossing_rate`).

    Returns:
        `(batch, samples + 2 * (frame_length // 2))` tensor.

    Example:
        >>> center_pad(tf.ones((1, 3)), 4).numpy()
        array([[0., 0., 1., 1., 1., 0., 0.]], dtype=float32)
    """
    check_choice("mode", mode, ("constant", "edge"))
    pad = frame_length // 2
    if mode == "constant":
        return tf.pad(waveform, [[0, 0], [pad, pad]])
    first = tf.repeat(waveform[:, :1], pad, axis=1)
    last = tf.repeat(waveform[:, -1:], pad, axis=1)
    return tf.concat([first, waveform, last], axis=1)


def frame(waveform, frame_length, hop_length, center=True, pad_mode="constant"):
    """Overlapping frames `(batch, frames, frame_length)`, like `librosa.util.frame`.

    Args:
        waveform: `(batch, samples)` float tensor.
        frame_length: samples per frame.
        hop_length: samples between frame starts.
        center: pad with `center_pad` first so frame `t` is centred on `t * hop_length`.
        pad_mode: `"constant"` or `"edge"`, see `center_pad`.

    Returns:
        float32 tensor `(batch, frames, frame_length)`; with `center=True`,
        `frames = 1 + samples // hop_length`.

    Example:
        >>> frame(tf.zeros((2, 1000)), 256, 128).shape
        TensorShape([2, 8, 256])
    """
    x = tf.cast(waveform, tf.float32)
    if center:
        x = center_pad(x, frame_length, pad_mode)
    return tf.signal.frame(x, frame_length, hop_length, axis=-1)


def magnitude_spectrogram(waveform, n_fft=2048, hop_length=512, center=True, dtype=tf.float64):
    """`|STFT|` with a periodic Hann window, equal to `np.abs(librosa.stft(y))`.

    `S[b, t, k] = |sum_n w[n] x_b[t * hop_length + n] exp(-2 pi i k n / n_fft)|` on the
    zero-padded (librosa 0.11's `pad_mode="constant"`) centred signal.

    Args:
        waveform: `(batch, samples)` float tensor.
        n_fft: FFT and window length.
        hop_length: samples between frames.
        center: centre frames with zero padding.
        dtype: the FFT's precision: `tf.float64` (librosa's bins to float32 rounding)
            or `tf.float32` (TFLite's builtin RFFT2D; see `FrameFeatures(precision=)`).

    Returns:
        float32 tensor `(batch, frames, 1 + n_fft // 2)`, computed in `dtype`.

    Example:
        >>> magnitude_spectrogram(tf.zeros((1, 4096))).shape
        TensorShape([1, 9, 1025])
    """
    frames = frame(waveform, n_fft, hop_length, center=center)
    window = periodic_hann(n_fft, dtype)  # scipy's, also for odd n_fft
    # A float32 FFT leaves rounding noise near 1e-7 of the frame's peak in every bin;
    # on a pure tone that noise floor dominates spread, flatness and contrast. The
    # float64 FFT keeps each bin accurate to float32 rounding, as librosa's output is.
    stft = tf.signal.rfft(tf.cast(frames, dtype) * window, [n_fft])
    # sqrt(re^2 + im^2) rather than tf.abs (hypot, several times slower on complex128):
    # float64 has the range and precision to spare before the cast to float32.
    return tf.cast(tf.sqrt(_power(stft)), tf.float32)


def _power(spectrum):
    return tf.square(tf.math.real(spectrum)) + tf.square(tf.math.imag(spectrum))


def even_inverse_rfft(power, n_fft, n_out, dtype=tf.float64):
    """The first `n_out` samples of `irfft(power, n_fft)` for a real (even) spectrum.

    `x[q] = (1/N) (P[0] + (-1)^q P[N/2] + 2 sum_{0<k<N/2} P[k] cos(2 pi k q / N))`: one
    matmul with a cosine basis, no complex tensors (TFLite has no builtin inverse FFT),
    and cheaper than a full inverse FFT when few samples are kept.

    Args:
        power: `(..., 1 + n_fft // 2)` real spectrum.
        n_fft: even inverse FFT length `N`.
        n_out: samples kept, at most `n_fft`.
        dtype: the basis and the sum's precision.

    Example:
        >>> even_inverse_rfft(tf.constant([[4.0, 0.0, 0.0]]), 4, 3).numpy()  # DC alone: a constant
        array([[1., 1., 1.]])
    """
    k = np.arange(1 + n_fft // 2)[:, None]
    weight = np.full((k.shape[0], 1), 2.0 / n_fft)
    weight[[0, -1]] = 1.0 / n_fft
    basis = tf.constant(weight * np.cos(2.0 * np.pi * k * np.arange(n_out) / n_fft), dtype)
    return tf.tensordot(tf.cast(power, dtype), basis, [[len(power.shape) - 1], [0]])


def fft_frequencies(sample_rate, n_fft):
    """Centre frequency in Hz of each rFFT bin, `k * sample_rate / n_fft` (float64 numpy).

    Example:
        >>> fft_frequencies(8, 4)
        array([0., 2., 4.])
    """
    return np.fft.rfftfreq(n_fft, 1.0 / sample_rate)


def autocorrelation(frames, max_lag, dtype=tf.float64):
    """`r[k] = sum_{n=0}^{N-1-k} x[n] x[n+k]` for `k = 0..max_lag` of each frame, in `dtype`.

    By FFT, as `librosa.autocorrelate`, of the frame zero-padded to at least
    `N + max_lag` samples, so no lag up to `max_lag` wraps around; float64 keeps the
    error near 1e-16 of `r[0]`, which YIN's differences and Burg's error energies need.

    Args:
        frames: `(..., N)` float tensor.
        max_lag: largest lag, below `N`.
        dtype: `tf.float64`, or `tf.float32` for builtin TFLite ops (the inverse FFT
            then runs as `even_inverse_rfft`).

    Returns:
        `dtype` tensor `(..., max_lag + 1)`.

    Example:
        >>> autocorrelation(tf.ones((1, 4)), 2).numpy()
        array([[4., 3., 2.]])
    """
    x = tf.cast(frames, dtype)
    # Circular correlation of the frame padded to P samples is exact up to lag P - N:
    # P = N + max_lag suffices (librosa pads to 2N - 1, for every lag).
    n_pad = _fast_length(x.shape[-1] + max_lag)
    if dtype != tf.float64:  # TFLite's RFFT2D takes powers of two only
        n_pad = 2 ** int(np.ceil(np.log2(x.shape[-1] + max_lag)))
    power = _power(tf.signal.rfft(x, [n_pad]))
    if dtype != tf.float64:
        return even_inverse_rfft(power, n_pad, max_lag + 1, dtype)
    return tf.signal.irfft(tf.complex(power, tf.zeros_like(power)), [n_pad])[..., : max_lag + 1]


def framed_autocorrelation(waveform, frame_length, hop_length, max_lag, dtype=tf.float64):
    """`autocorrelation(frame(waveform, frame_length, hop_length), max_lag)`, with less work.

    Where frames are `m` whole hops (`frame_length = m * hop_length`) and `max_lag <
    hop_length`, frame `t` is hop blocks `t..t+m-1`, and its lags sum, per block, the
    block's products with the block and the next `max_lag` samples (the last block with
    itself only). Those spectra come from FFTs of `hop_length + max_lag` samples per
    block, shared by the `m` frames that overlap it, and summed per frame before one
    inverse FFT: about half the FFT work of transforming every frame. Other shapes,
    and `dtype` float32 (no complex products in TFLite's builtins), take
    `autocorrelation` of the frames. Centred frames, zero padding.

    Args:
        waveform: `(batch, samples)` float tensor.
        frame_length: samples per frame.
        hop_length: samples between frames.
        max_lag: largest lag, below `frame_length`.
        dtype: `tf.float64` or `tf.float32`, as `autocorrelation`.

    Returns:
        `dtype` tensor `(batch, 1 + samples // hop_length, max_lag + 1)`.

    Example:
        >>> framed_autocorrelation(tf.ones((1, 4096)), 2048, 512, 340).shape
        TensorShape([1, 9, 341])
    """
    hops = frame_length // hop_length
    if frame_length % hop_length or max_lag >= hop_length or hops < 2 or dtype != tf.float64:
        return autocorrelation(frame(waveform, frame_length, hop_length), max_lag, dtype)
    x = center_pad(tf.cast(waveform, tf.float64), frame_length)
    count = 1 + (tf.shape(x)[1] - frame_length) // hop_length  # frames
    blocks = tf.signal.frame(x, hop_length, hop_length, axis=-1)[:, : count + hops - 1]
    n_pad = _fast_length(hop_length + max_lag)
    spectra = tf.signal.rfft(blocks, [n_pad])
    # Each block followed by the first max_lag samples of the next one (zeros after the
    # last block, whose products with what follows no frame uses).
    extended = tf.signal.frame(tf.pad(x, [[0, 0], [0, max_lag]]), hop_length + max_lag, hop_length)
    cross = tf.math.conj(spectra) * tf.signal.rfft(extended[:, : count + hops - 1], [n_pad])
    last = _power(spectra)
    total = tf.complex(last[:, hops - 1 :], tf.zeros_like(last[:, hops - 1 :]))
    for i in range(hops - 1):
        total += cross[:, i : i + count]
    return tf.signal.irfft(total, [n_pad])[..., : max_lag + 1]


def _fast_length(n):
    """The smallest `2^a 3^b 5^c >= n`: FFT sizes that factor into small primes run fast."""
    best = 2 ** int(np.ceil(np.log2(n)))
    power3 = 1
    while power3 < best:
        power35 = power3
        while power35 < best:
            size = power35 * 2 ** max(0, int(np.ceil(np.log2(n / power35))))
            best = min(best, size)
            power35 *= 5
        power3 *= 3
    return best
