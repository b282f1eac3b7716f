"""Log-mel spectrogram as a Keras layer, following librosa's conventions.

Computing features inside the model keeps `tf.data` to decoding and lets the
GPU do the FFTs; a saved model then takes raw waveforms.
"""

import warnings

import keras
import numpy as np
import tensorflow as tf

from zoo.audio.dft import DFT_METHODS, power_spectrum
from zoo.audio.presets import FRONT_ENDS
from zoo.audio.windows import periodic_hann
from zoo.layers.config import attribute_config
from zoo.validation import check_choice, check_positive_int, argument_error

_DEFAULT = FRONT_ENDS["default"]

__all__ = ["LogMelSpectrogram", "mel_filterbank"]


def _hz_to_mel(f):
    """Slaney's mel scale (librosa's default, `htk=False`): linear below 1 kHz, log above."""
    f = np.asarray(f, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    mels = f / f_sp
    log_region = f >= min_log_hz
    return np.where(
        log_region, min_log_hz / f_sp + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels
    )


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank(sample_rate, n_fft, n_mels, fmin=0.0, fmax=None):
    """Slaney-normalised triangular mel filters, as `librosa.filters.mel`.

    Like librosa, warns (`UserWarning`, librosa's text) when a filter whose lower
    edge is above 0 Hz catches no FFT bin (too many mels for `n_fft` and `fmax`).

    Returns:
        float32 array `(1 + n_fft // 2, n_mels)` mapping power spectra to mel bands.
    """
    fmax = sample_rate / 2.0 if fmax is None else float(fmax)
    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)  # librosa.fft_frequencies, odd n too
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]  # Slaney area norm
    weights = weights.astype(np.float32)
    # librosa's test, on its float32 weights: empty rows count unless their lower edge is 0 Hz.
    if not np.all((mel_f[:-2] == 0) | (weights.max(axis=1) > 0)):
        warnings.warn(
            "Empty filters detected in mel frequency basis. "
            "Some channels will produce empty responses. "
            "Try increasing your sampling rate (and fmax) or "
            "reducing n_mels.",
            stacklevel=2,
        )
    return weights.T


def band_blocks(filters, bands_per_block=16):
    """Split a `(bins, n_mels)` filterbank into blocks of bands and the bins they touch.

    Returns:
        A list of `(lo, hi, weights)`: bands of one block take bins `lo:hi` only,
        `weights` is `filters[lo:hi, block]`; concatenating the blocks' products
        gives `power @ filters`. A block of empty filters keeps one (zero) row.
    """
    blocks = []
    for start in range(0, filters.shape[1], bands_per_block):
        block = filters[:, start : start + bands_per_block]
        rows = np.flatnonzero(block.any(axis=1))
        lo, hi = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (0, 1)
        blocks.append((lo, hi, np.ascontiguousarray(block[lo:hi])))
    return blocks


@keras.saving.register_keras_serializable(package="zoo")
class LogMelSpectrogram(keras.layers.Layer):
    """Waveform `(batch, samples)` -> log-mel power `(batch, n_mels, frames, 1)` in dB.

    Matches `librosa.power_to_db(librosa.feature.melspectrogram(y, sr, n_fft,
    hop_length, n_mels, fmin, fmax, power=2.0), ref=1.0)`: periodic Hann
    window, frames centred by zero-padding `n_fft // 2` on both sides
    (librosa 0.11's `pad_mode="constant"`), Slaney mel scale and area
    normalisation, `10 * log10(max(S, 1e-10))`. `frames = 1 + samples // hop_length`.

    Args:
        sample_rate: sampling rate of the input in Hz.
        n_fft: FFT (and window) length.
        hop_length: samples between frames.
        n_mels: number of mel bands.
        fmin: lowest band edge in Hz.
        fmax: highest band edge in Hz; None means `sample_rate / 2`.
        top_db: if set (>= 0, as librosa), floor each example at its maximum minus `top_db` dB.
        dft: `"fft"` (`tf.signal.rfft`) or `"matmul"` (`zoo.audio.dft`'s four-step
            product, for TFLite: about half the single-core time of its RFFT2D kernel);
            equal within float32 rounding.
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`, ...). `dtype`
            defaults to float32 whatever the global policy: under `mixed_bfloat16`
            the waveform rounded to bfloat16 and the dB rounded on output put up to
            4.6 dB of error into the log-mel (mean 0.1 dB); a bfloat16 layer after
            it casts once.

    Example:
        >>> layer = zoo.audio.LogMelSpectrogram(sample_rate=16000, n_mels=64)
        >>> layer(np.zeros((2, 16000), "float32")).shape
        TensorShape([2, 64, 63, 1])
    """

    def __init__(
        self,
        sample_rate=_DEFAULT["sample_rate"],
        n_fft=_DEFAULT["n_fft"],
        hop_length=_DEFAULT["hop_length"],
        n_mels=_DEFAULT["n_mels"],
        fmin=_DEFAULT["fmin"],
        fmax=_DEFAULT["fmax"],
        top_db=None,
        dft="fft",
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        check_positive_int("sample_rate", sample_rate)
        check_positive_int("n_fft", n_fft, minimum=2)
        check_positive_int("hop_length", hop_length)
        check_positive_int("n_mels", n_mels)
        nyquist = sample_rate / 2.0
        top = nyquist if fmax is None else fmax
        if not 0.0 <= fmin < top <= nyquist:
            raise argument_error(
                "fmax" if fmax is not None else "fmin",
                fmax if fmax is not None else fmin,
                f"Need 0 <= fmin < fmax <= sample_rate / 2 = {nyquist:g}.",
            )
        # librosa.power_to_db accepts 0 (every value becomes the peak) and refuses < 0.
        if top_db is not None and not top_db >= 0:
            raise argument_error("top_db", top_db, "`top_db` must be non-negative or None.")
        self.sample_rate, self.n_fft, self.hop_length, self.n_mels = (
            sample_rate,
            n_fft,
            hop_length,
            n_mels,
        )
        self.fmin, self.fmax, self.top_db = fmin, fmax, top_db
        self.dft = check_choice("dft", dft, DFT_METHODS)
        self._filters = mel_filterbank(sample_rate, n_fft, n_mels, fmin, fmax)
        self._bands = band_blocks(self._filters)

    def call(self, inputs):
        x = tf.cast(inputs, tf.float32)  # FFTs in float32 even with dtype="mixed_bfloat16"
        pad = self.n_fft // 2
        x = tf.pad(x, [[0, 0], [pad, pad]])
        # tf.signal.stft's own steps with librosa's periodic Hann (tf's differs at odd n_fft).
        frames = tf.signal.frame(x, self.n_fft, self.hop_length)
        # Only the bins a filter reads (below fmax) are computed.
        bins = max(hi for _, hi, _ in self._bands)
        power = power_spectrum(frames * periodic_hann(self.n_fft), self.n_fft, bins, self.dft)
        # Each band's filter is zero outside a few bins: multiply only those (8x fewer
        # multiply-adds than the dense (bins, n_mels) product at n_fft 2048, 128 mels).
        mel = tf.concat(
            [tf.matmul(power[..., lo:hi], tf.constant(w)) for lo, hi, w in self._bands], -1
        )
        db = 10.0 * tf.math.log(tf.maximum(mel, 1e-10)) / np.log(10.0)
        if self.top_db is not None:
            peak = tf.reduce_max(db, axis=[1, 2], keepdims=True)
            db = tf.maximum(db, peak - self.top_db)
        # expand_dims, not [..., None]: TFLite has no builtin for a strided slice adding an axis.
        out = tf.expand_dims(tf.transpose(db, [0, 2, 1]), -1)
        return tf.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        frames = None if samples is None else 1 + samples // self.hop_length
        return (input_shape[0], self.n_mels, frames, 1)

    def get_config(self):
        return {
            **super().get_config(),
            **attribute_config(
                self,
                "sample_rate",
                "n_fft",
                "hop_length",
                "n_mels",
                "fmin",
                "fmax",
                "top_db",
                "dft",
            ),
        }
