"""The hand-crafted set as one layer: waveform -> per-frame feature matrix with named columns."""

import contextlib

import keras
import tensorflow as tf

from zoo.features.cepstral import log_mel_spectrogram, mfcc, real_cepstrum
from zoo.features.chroma import CHROMA_NAMES, chroma_stft
from zoo.features.contrast import contrast_bands as band_plan
from zoo.features.contrast import spectral_contrast
from zoo.features.framing import frame, framed_autocorrelation, magnitude_spectrogram, num_frames
from zoo.features.lpc import lpc
from zoo.features.moments import spectral_moments
from zoo.features.pitch import yin_frames, yin_periods
from zoo.features.spectral import (
    spectral_flatness,
    spectral_flux,
    spectral_irregularity,
    spectral_rolloff,
)
from zoo.features.temporal import rms, zero_crossing_rate
from zoo.layers.config import attribute_config
from zoo.validation import argument_error, check_choice, check_positive_int

__all__ = ["FEATURES", "FrameFeatures"]

# Feature groups in their default column order.
# fmt: off
FEATURES = (
    "rms", "zero_crossing_rate", "spectral_centroid", "spectral_spread", "spectral_skewness",
    "spectral_kurtosis", "spectral_flatness", "spectral_irregularity", "spectral_rolloff",
    "spectral_flux", "spectral_contrast", "cepstrum", "mfcc", "lpc", "chroma", "f0",
    "periodicity",
)
# fmt: on
# float64: librosa's values to float32 rounding; float32: TFLite builtin ops only.
PRECISIONS = ("float64", "float32")
_MOMENTS = ("spectral_centroid", "spectral_spread", "spectral_skewness", "spectral_kurtosis")


@contextlib.contextmanager
def _renamed(**names):
    """Re-raise a helper's ValueError under this layer's argument names."""
    try:
        yield
    except ValueError as error:
        message = str(error)
        for old, new in names.items():
            message = message.replace(f"Received: {old}=", f"Received: {new}=")
            message = message.replace(f"`{old}`", f"`{new}`")
        raise ValueError(message) from None


@keras.saving.register_keras_serializable(package="zoo")
class FrameFeatures(keras.layers.Layer):
    """Waveform `(batch, samples)` -> hand-crafted features `(batch, frames, D)`, float32.

    Frames follow librosa 0.11 (`center=True`, zero padding, `frames = 1 + samples //
    hop_length`), one periodic-Hann magnitude STFT feeds every spectral feature, and
    each group equals its librosa function where librosa has one. Columns, in the
    order of `features` (`feature_names()` lists them):

    * `rms`, `zero_crossing_rate` over frames of `n_fft` samples.
    * `spectral_centroid`, `_spread` (librosa's bandwidth), `_skewness`, `_kurtosis`:
      moments of the magnitude spectrum, `zoo.features.spectral_moments`.
    * `spectral_flatness`, `_irregularity` (Jensen), `_rolloff` (`roll_percent`),
      `_flux` (L2 of the rectified frame-to-frame rise).
    * `spectral_contrast_0..contrast_bands`: octave-band contrast in dB.
    * `cepstrum_0..n_cepstrum-1`: `|IFFT(log |FFT|^2)|^2` of the windowed frame.
    * `mfcc_0..n_mfcc-1`: DCT-II (ortho) of the log-mel (`n_mels`, dB, top_db 80).
    * `lpc_1..lpc_order`: Burg LPC of the unwindowed frame (the leading 1 dropped).
    * `chroma_C..chroma_B`: `chroma_stft`, tuning estimated per clip unless `tuning` is set.
    * `f0` (Hz, YIN over `[f0_min, f0_max]`) and `periodicity` (`1 - min d'`).

    Every value is finite for any finite input. A silent clip gives 0 in every column
    but `spectral_flatness` (1), `cepstrum_0` (`log(1e-10)^2` = 530.2), `mfcc_0`
    (`-100 sqrt(n_mels)`) and `f0` (`sample_rate / floor(sample_rate / f0_max)`); in a
    louder clip, a silent frame's contrast and MFCCs sit at the clip's 80 dB floor
    (librosa's `top_db`). Each function's docstring gives its silent and DC values.
    Clips in one batch must have the same length (at least one sample); NaN or inf
    samples give NaN, so check the input.

    Args:
        sample_rate: sampling rate of the input in Hz.
        n_fft: FFT and frame length (even).
        hop_length: samples between frames.
        n_mels: mel bands under the MFCCs.
        n_mfcc: MFCCs kept.
        n_cepstrum: cepstral coefficients kept (quefrency 0 up).
        lpc_order: LPC order.
        roll_percent: roll-off energy fraction.
        contrast_fmin: upper edge of the lowest contrast band in Hz.
        contrast_bands: octave bands above it.
        n_chroma: chroma bins.
        tuning: chroma tuning in fractions of a bin; None estimates it per clip.
        f0_min: lowest f0 YIN considers, Hz.
        f0_max: highest f0 YIN considers, Hz.
        trough_threshold: YIN's absolute threshold.
        features: names from `FEATURES` to compute, in output order; None for all.
        precision: `"float64"` computes the STFT, autocorrelation, LPC, YIN and chroma
            in float64, equal to librosa to float32 rounding; `"float32"` uses only
            ops TFLite has builtin kernels for (`audiozoo export` rebuilds a
            baseline so), with float32 rounding (`docs/features.md` measures it).
        **kwargs: `keras.layers.Layer` arguments (`name`, ...). `dtype` defaults
            to float32 whatever the global policy: under `mixed_bfloat16` the STFT,
            YIN and LPC lose most of their digits (features off by up to 97 %).

    Example:
        >>> FrameFeatures(sample_rate=16000, n_fft=1024, hop_length=256)(np.zeros((2, 16000))).shape
        TensorShape([2, 63, 76])
    """

    def __init__(
        self,
        sample_rate=22050,
        n_fft=2048,
        hop_length=512,
        n_mels=128,
        n_mfcc=20,
        n_cepstrum=13,
        lpc_order=12,
        roll_percent=0.85,
        contrast_fmin=200.0,
        contrast_bands=6,
        n_chroma=12,
        tuning=None,
        f0_min=65.40639,
        f0_max=2093.0045,
        trough_threshold=0.1,
        features=None,
        precision="float64",
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        check_positive_int("sample_rate", sample_rate)
        check_positive_int("n_fft", n_fft, minimum=4)
        if n_fft % 2:
            raise argument_error("n_fft", n_fft, "`n_fft` must be even.")
        check_positive_int("hop_length", hop_length)
        check_positive_int("n_mels", n_mels)
        check_positive_int("n_mfcc", n_mfcc)
        if n_mfcc > n_mels:
            raise argument_error("n_mfcc", n_mfcc, f"`n_mfcc` must be at most n_mels = {n_mels}.")
        check_positive_int("n_cepstrum", n_cepstrum)
        if n_cepstrum > n_fft:
            raise argument_error("n_cepstrum", n_cepstrum, "`n_cepstrum` must be at most n_fft.")
        check_positive_int("lpc_order", lpc_order)
        if lpc_order >= n_fft - 1:
            raise argument_error("lpc_order", lpc_order, "`lpc_order` must be below n_fft - 1.")
        if not 0.0 < roll_percent < 1.0:
            raise argument_error("roll_percent", roll_percent, "`roll_percent` must lie in (0, 1).")
        with _renamed(fmin="contrast_fmin", n_bands="contrast_bands"):
            band_plan(sample_rate, n_fft, contrast_fmin, contrast_bands)
        check_positive_int("n_chroma", n_chroma)
        if tuning is not None and not -0.5 <= tuning < 0.5:
            raise argument_error("tuning", tuning, "`tuning` must be None or in [-0.5, 0.5).")
        with _renamed(fmin="f0_min", fmax="f0_max"):
            yin_periods(sample_rate, f0_min, f0_max, n_fft)
        if not 0.0 < trough_threshold:
            raise argument_error("trough_threshold", trough_threshold, "Must be positive.")
        chosen = FEATURES if features is None else tuple(features)
        unknown = [name for name in chosen if name not in FEATURES]
        if unknown or not chosen or len(set(chosen)) != len(chosen):
            raise argument_error(
                "features",
                features,
                f"`features` must be distinct names from {FEATURES}, or None for all.",
            )
        self.sample_rate, self.n_fft, self.hop_length = sample_rate, n_fft, hop_length
        self.n_mels, self.n_mfcc, self.n_cepstrum, self.lpc_order = (
            n_mels,
            n_mfcc,
            n_cepstrum,
            lpc_order,
        )
        self.roll_percent, self.contrast_fmin, self.contrast_bands = (
            roll_percent,
            contrast_fmin,
            contrast_bands,
        )
        self.n_chroma, self.tuning = n_chroma, tuning
        self.f0_min, self.f0_max, self.trough_threshold = f0_min, f0_max, trough_threshold
        self.features = features
        self._chosen = chosen
        self.precision = check_choice("precision", precision, PRECISIONS)

    def _group_names(self, group):
        sizes = {
            "spectral_contrast": [str(i) for i in range(self.contrast_bands + 1)],
            "cepstrum": [str(i) for i in range(self.n_cepstrum)],
            "mfcc": [str(i) for i in range(self.n_mfcc)],
            "lpc": [str(i) for i in range(1, self.lpc_order + 1)],
            "chroma": list(CHROMA_NAMES)
            if self.n_chroma == 12
            else [str(i) for i in range(self.n_chroma)],
        }
        return [group] if group not in sizes else [f"{group}_{s}" for s in sizes[group]]

    def feature_names(self):
        """Column names of the output's last axis, in order.

        Example:
            >>> FrameFeatures(features=["rms", "lpc"], lpc_order=2).feature_names()
            ['rms', 'lpc_1', 'lpc_2']
        """
        return [name for group in self._chosen for name in self._group_names(group)]

    def _compute(self, waveform):
        x = tf.cast(waveform, tf.float32)
        chosen, sr, n_fft, hop = set(self._chosen), self.sample_rate, self.n_fft, self.hop_length
        out = {}
        if "zero_crossing_rate" in chosen:
            out["zero_crossing_rate"] = zero_crossing_rate(x, n_fft, hop)
        wide = tf.as_dtype(self.precision)
        s = magnitude_spectrogram(x, n_fft, hop, dtype=wide)
        if chosen & set(_MOMENTS):
            out.update(zip(_MOMENTS, spectral_moments(s, sr)))
        if "spectral_flatness" in chosen:
            out["spectral_flatness"] = spectral_flatness(s)
        if "spectral_irregularity" in chosen:
            out["spectral_irregularity"] = spectral_irregularity(s)
        if "spectral_rolloff" in chosen:
            out["spectral_rolloff"] = spectral_rolloff(s, sr, self.roll_percent)
        if "spectral_flux" in chosen:
            out["spectral_flux"] = spectral_flux(s)
        if "spectral_contrast" in chosen:
            out["spectral_contrast"] = spectral_contrast(
                s, sr, self.contrast_fmin, self.contrast_bands
            )
        if "cepstrum" in chosen:
            out["cepstrum"] = real_cepstrum(s, self.n_cepstrum, dtype=wide)
        if "mfcc" in chosen:
            out["mfcc"] = mfcc(log_mel_spectrogram(s, sr, self.n_mels), self.n_mfcc)
        if "chroma" in chosen:
            out["chroma"] = chroma_stft(tf.square(s), sr, self.tuning, self.n_chroma, wide)
        wants_yin = bool(chosen & {"f0", "periodicity"})
        if "lpc" in chosen or wants_yin:
            # LPC and YIN read the same unwindowed frames and share one autocorrelation,
            # whose lag 0 is also each frame's energy (rms, to float32 rounding).
            frames = frame(x, n_fft, hop)
            lags = max(self.lpc_order, yin_periods(sr, self.f0_min, self.f0_max, n_fft)[1])
            acf = framed_autocorrelation(x, n_fft, hop, lags, wide)
            if "rms" in chosen:
                energy = tf.maximum(acf[..., 0], 0.0) / n_fft
                out["rms"] = tf.cast(tf.sqrt(energy), tf.float32)
            if "lpc" in chosen:
                out["lpc"] = lpc(frames, self.lpc_order, acf, wide)[..., 1:]
            if wants_yin:
                out["f0"], out["periodicity"] = yin_frames(
                    frames, sr, self.f0_min, self.f0_max, self.trough_threshold, acf, wide
                )
        if "rms" in chosen and "rms" not in out:
            out["rms"] = rms(x, n_fft, hop)
        columns = [
            out[g] if len(out[g].shape) == 3 else tf.expand_dims(out[g], -1) for g in self._chosen
        ]
        return tf.concat(columns, axis=-1)

    def call(self, inputs):
        return self._compute(inputs)

    def compute_output_shape(self, input_shape):
        return (
            input_shape[0],
            num_frames(input_shape[1], self.hop_length),
            len(self.feature_names()),
        )

    def get_config(self):
        return {
            **super().get_config(),
            **attribute_config(
                self,
                "sample_rate",
                "n_fft",
                "hop_length",
                "n_mels",
                "n_mfcc",
                "n_cepstrum",
                "lpc_order",
                "roll_percent",
                "contrast_fmin",
                "contrast_bands",
                "n_chroma",
                "tuning",
                "f0_min",
                "f0_max",
                "trough_threshold",
                "features",
                "precision",
            ),
        }
