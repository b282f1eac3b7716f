"""Cepstral features: the real cepstrum as the lecture writes it, log-mel and MFCC."""

import numpy as np
import tensorflow as tf

from zoo.audio import mel_filterbank
from zoo.features.framing import even_inverse_rfft

__all__ = ["dct_matrix", "log_mel_spectrogram", "mfcc", "real_cepstrum"]


def real_cepstrum(magnitude, n_coefficients=None, amin=1e-10, dtype=tf.float64):
    """Power cepstrum `|IFFT(log |FFT(x)|^2)|^2` of each windowed frame.

    `c_t[q] = |(1 / N) sum_k log(max(|X_t[k]|^2, amin)) exp(2 pi i k q / N)|^2` for
    quefrency `q` (in samples), `N = n_fft`, `X_t` the frame's full spectrum rebuilt
    from the one-sided magnitude (it is even, so the inverse FFT is real). The floor
    `amin` keeps the logarithm finite: an all-zero frame gives `c[0] = log(amin)^2`
    (530.2 for 1e-10) and 0 elsewhere.

    Args:
        magnitude: `(batch, frames, 1 + n_fft // 2)` magnitude spectrogram (even `n_fft`).
        n_coefficients: keep quefrencies `0 .. n_coefficients - 1`; None keeps all `n_fft`.
        amin: floor on the power before the logarithm.
        dtype: the inverse transform's precision (`tf.float32` for builtin TFLite ops).

    Returns:
        float32 `(batch, frames, n_coefficients)`.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> real_cepstrum(magnitude_spectrogram(wave), n_coefficients=13).shape[-1]
        13
    """
    s = tf.cast(magnitude, tf.float32)
    n_fft = 2 * (s.shape[-1] - 1)
    log_power = tf.math.log(tf.maximum(tf.square(s), amin))
    kept = n_fft if n_coefficients is None else n_coefficients
    if kept <= _COSINE_LIMIT or dtype != tf.float64:
        # A few quefrencies of an even spectrum are a cosine sum: one small matmul
        # instead of a full inverse FFT per frame; float64 accumulates the 1 + n_fft/2
        # terms as accurately as the FFT does. (float32: TFLite has no inverse FFT.)
        cepstrum = tf.cast(even_inverse_rfft(log_power, n_fft, kept, dtype), tf.float32)
    else:
        cepstrum = tf.signal.irfft(tf.complex(log_power, tf.zeros_like(log_power)), [n_fft])
        cepstrum = cepstrum[..., :kept]
    return tf.square(cepstrum)


_COSINE_LIMIT = 64  # quefrencies up to which real_cepstrum uses even_inverse_rfft


def log_mel_spectrogram(
    magnitude, sample_rate, n_mels=128, fmin=0.0, fmax=None, amin=1e-10, top_db=80.0
):
    """Log-mel power in dB, `librosa.power_to_db(melspectrogram(..), ref=1.0, top_db=80)`.

    `L[t, m] = max(10 log10(max(sum_k S[t, k]^2 M[k, m], amin)), top - top_db)` with the
    Slaney mel filters `M` of `zoo.audio.mel_filterbank` and `top` the clip's largest
    level; this is `zoo.audio.LogMelSpectrogram` read from an existing magnitude
    spectrogram, frames first. A silent clip gives `10 log10(amin)` = -100 dB; a silent
    frame of a louder clip sits at its floor, `top - top_db`.

    Args:
        magnitude: `(batch, frames, 1 + n_fft // 2)` magnitude spectrogram.
        sample_rate: sampling rate in Hz.
        n_mels: mel bands.
        fmin: lowest band edge in Hz.
        fmax: highest band edge in Hz; None means Nyquist.
        amin: floor before the logarithm.
        top_db: dynamic range kept per clip; None keeps all.

    Returns:
        float32 `(batch, frames, n_mels)`.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> log_mel_spectrogram(magnitude_spectrogram(wave), 22050).shape[-1]
        128
    """
    s = tf.cast(magnitude, tf.float32)
    n_fft = 2 * (s.shape[-1] - 1)
    filters = tf.constant(mel_filterbank(sample_rate, n_fft, n_mels, fmin, fmax))
    mel = tf.tensordot(tf.square(s), filters, axes=[[2], [0]])
    level = 10.0 * tf.math.log(tf.maximum(mel, amin)) / np.log(10.0)
    if top_db is not None:
        level = tf.maximum(level, tf.reduce_max(level, axis=[1, 2], keepdims=True) - top_db)
    return level


def dct_matrix(n_inputs, n_outputs):
    """Orthonormal DCT-II as an `(n_inputs, n_outputs)` float32 matrix (`scipy` `norm="ortho"`).

    `D[m, k] = sqrt((2 - [k == 0]) / M) cos(pi k (2m + 1) / (2M))`, `M = n_inputs`.

    Example:
        >>> np.allclose(dct_matrix(4, 4).T @ dct_matrix(4, 4), np.eye(4), atol=1e-6)  # orthonormal
        True
    """
    m = np.arange(n_inputs)[:, None]
    k = np.arange(n_outputs)[None, :]
    basis = np.cos(np.pi * k * (2 * m + 1) / (2.0 * n_inputs)) * np.sqrt(2.0 / n_inputs)
    basis[:, 0] /= np.sqrt(2.0)
    return basis.astype(np.float32)


def mfcc(log_mel, n_mfcc=20):
    """MFCCs: the orthonormal DCT-II of log-mel frames, equal to `librosa.feature.mfcc`.

    `mfcc[t, k] = sum_m D[m, k] L[t, m]` for `k < n_mfcc` (see `dct_matrix`), with `L`
    from `log_mel_spectrogram` (or `zoo.audio.LogMelSpectrogram(top_db=80)` transposed
    to frames first). No liftering (librosa's default `lifter=0`). Silence (every
    band at the same floor) gives `sqrt(n_mels) * L` in `mfcc[0]` and 0 elsewhere (to float32
    rounding, about 1e-7 of `mfcc[0]`).

    Args:
        log_mel: `(batch, frames, n_mels)` log-mel levels in dB.
        n_mfcc: coefficients kept, at most `n_mels`.

    Returns:
        float32 `(batch, frames, n_mfcc)`.

    Example:
        >>> from zoo.features.framing import magnitude_spectrogram
        >>> wave = tf.sin(2 * np.pi * 440 * tf.range(22050.0) / 22050)[None]  # 1 s of A4
        >>> mfcc(log_mel_spectrogram(magnitude_spectrogram(wave), 22050), 13).shape[-1]
        13
    """
    x = tf.cast(log_mel, tf.float32)
    return tf.tensordot(x, tf.constant(dct_matrix(x.shape[-1], n_mfcc)), axes=[[2], [0]])
