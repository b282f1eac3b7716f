"""The STFT on each side of a mask estimator, as serialisable Keras layers.

`SpectrogramMagnitude` turns the mixture waveform into the magnitudes the
estimator sees; `MaskedInverseSTFT` recomputes the mixture's STFT, applies one
soft mask per source to it (keeping the mixture's phase), inverts each masked
STFT and trims it to the input's length. Recomputing the STFT there (instead of
passing complex tensors between layers) keeps every layer's input real, so a
`.keras` file is waveform in, waveforms out, and loads with `safe_mode=True`.
"""

import keras
import tensorflow as tf

from zoo.audio.presets import FRONT_ENDS
from zoo.audio.windows import periodic_hann
from zoo.layers.config import attribute_config
from zoo.validation import argument_error, check_positive_int

__all__ = [
    "SpectrogramMagnitude",
    "MaskedInverseSTFT",
    "PadFrames",
    "separate_with_masks",
    "stft",
    "istft",
    "FRONT_END",
    "DEFAULT_SOURCES",
]

# The separators' rate, FFT and hop: the default front end's (16 kHz, 64 ms frames, 16 ms hops).
FRONT_END = FRONT_ENDS["default"]
DEFAULT_SOURCES = ("vocals", "accompaniment")


def _check_stft(n_fft, hop_length):
    check_positive_int("n_fft", n_fft, minimum=4)
    check_positive_int("hop_length", hop_length)
    if hop_length > n_fft // 2:
        raise argument_error(
            "hop_length", hop_length, f"Need hop_length <= n_fft // 2 = {n_fft // 2}."
        )


def stft(waveform, n_fft, hop_length):
    """Centred STFT (librosa's `center=True`, zero padding, periodic Hann window).

    Args:
        waveform: float32 tensor `(..., samples)`.
        n_fft: FFT and window length.
        hop_length: samples between frames.

    Returns:
        complex64 tensor `(..., 1 + samples // hop_length, 1 + n_fft // 2)`.
    """
    pad = n_fft // 2
    waveform = tf.convert_to_tensor(waveform)
    x = tf.pad(waveform, [[0, 0]] * (len(waveform.shape) - 1) + [[pad, pad]])
    frames = tf.signal.frame(x, n_fft, hop_length)
    return tf.signal.rfft(frames * periodic_hann(n_fft, x.dtype), [n_fft])


def istft(spectrum, n_fft, hop_length, length):
    """Inverse of `stft`, exact at every sample (librosa's window-sum normalisation).

    Dividing by the summed squared windows of the frames actually present,
    not by the steady-state sum, keeps the first and last samples exact too.

    Args:
        spectrum: complex64 tensor `(..., frames, 1 + n_fft // 2)`.
        n_fft: FFT and window length.
        hop_length: samples between frames.
        length: samples to return (the original waveform's length).

    Returns:
        float32 tensor `(..., length)`.
    """
    window = periodic_hann(n_fft)
    frames = tf.signal.irfft(spectrum, fft_length=[n_fft]) * window
    signal = tf.signal.overlap_and_add(frames, hop_length)
    squared = tf.broadcast_to(window**2, tf.shape(frames)[-2:])
    envelope = tf.signal.overlap_and_add(squared, hop_length)
    signal = signal / tf.maximum(envelope, 1e-8)
    pad = n_fft // 2
    return signal[..., pad : pad + length]


@keras.saving.register_keras_serializable(package="zoo")
class SpectrogramMagnitude(keras.layers.Layer):
    """Waveform `(batch, samples)` -> STFT magnitude `(batch, frames, bins)`.

    `frames = 1 + samples // hop_length`, `bins = 1 + n_fft // 2`; with
    `log=True` the output is `log(1 + magnitude)`, which tames the dynamic
    range the way Open-Unmix's input scaling does.

    Args:
        sample_rate: the input's rate in Hz (recorded for users of the model).
        n_fft: FFT and window length.
        hop_length: samples between frames.
        log: return `log1p` of the magnitude.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
        >>> SpectrogramMagnitude(16000, 512, 128)(np.zeros((1, 16000), "float32")).shape
        TensorShape([1, 126, 257])
    """

    def __init__(self, sample_rate=16000, n_fft=1024, hop_length=256, log=True, **kwargs):
        super().__init__(**kwargs)
        check_positive_int("sample_rate", sample_rate)
        _check_stft(n_fft, hop_length)
        self.sample_rate, self.n_fft, self.hop_length, self.log = (
            sample_rate,
            n_fft,
            hop_length,
            log,
        )

    def call(self, inputs):
        x = tf.cast(inputs, tf.float32)  # FFTs in float32 even under mixed precision
        magnitude = tf.abs(stft(x, self.n_fft, self.hop_length))
        if self.log:
            magnitude = tf.math.log1p(magnitude)
        return tf.cast(magnitude, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        frames = None if samples is None else 1 + samples // self.hop_length
        return (input_shape[0], frames, 1 + self.n_fft // 2)

    def get_config(self):
        return {
            **super().get_config(),
            **attribute_config(self, "sample_rate", "n_fft", "hop_length", "log"),
        }


@keras.saving.register_keras_serializable(package="zoo")
class MaskedInverseSTFT(keras.layers.Layer):
    """`[mixture (batch, samples), masks (batch, frames', bins', sources)]` -> `(batch, sources, samples)`.

    Each source's estimate is `istft(mask * stft(mixture))`: a soft mask on the
    magnitude with the mixture's phase. Masks with extra frames (an estimator
    that padded time) are cropped; masks with fewer bins (one that dropped the
    Nyquist bin) repeat their top bin. With `mixture_consistency=True` the
    residual `mixture - sum(estimates)` is shared equally among the sources,
    so the estimates sum to the mixture exactly (Wisdom et al. 2019).

    Args:
        sources: the sources' names, one per mask channel.
        n_fft: FFT and window length (as the analysis STFT's).
        hop_length: samples between frames.
        mixture_consistency: project the estimates onto sum = mixture.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
        >>> layer = MaskedInverseSTFT(("a", "b"), 512, 128)
        >>> wave = np.zeros((1, 1600), "float32")
        >>> layer([wave, np.full((1, 13, 257, 2), 0.5, "float32")]).shape
        TensorShape([1, 2, 1600])
    """

    def __init__(
        self, sources=("a", "b"), n_fft=1024, hop_length=256, mixture_consistency=False, **kwargs
    ):
        super().__init__(**kwargs)
        _check_stft(n_fft, hop_length)
        sources = tuple(str(s) for s in sources)
        if len(sources) < 2 or len(set(sources)) != len(sources):
            raise argument_error("sources", sources, "Need two or more distinct source names.")
        self.sources, self.n_fft, self.hop_length = sources, n_fft, hop_length
        self.mixture_consistency = bool(mixture_consistency)

    def call(self, inputs):
        mixture, masks = inputs
        mixture = tf.cast(mixture, tf.float32)
        masks = tf.cast(masks, tf.float32)
        spectrum = stft(mixture, self.n_fft, self.hop_length)  # (batch, frames, bins)
        frames, bins = tf.shape(spectrum)[1], 1 + self.n_fft // 2
        missing = bins - tf.shape(masks)[2]
        masks = tf.pad(masks[:, :frames], [[0, 0], [0, 0], [0, missing], [0, 0]], mode="SYMMETRIC")
        masks = tf.transpose(masks, [0, 3, 1, 2])  # (batch, sources, frames, bins)
        masked = spectrum[:, None] * tf.complex(masks, tf.zeros_like(masks))
        estimates = istft(masked, self.n_fft, self.hop_length, tf.shape(mixture)[1])
        if self.mixture_consistency:
            residual = mixture - tf.reduce_sum(estimates, axis=1)
            estimates = estimates + residual[:, None] / float(len(self.sources))
        return tf.cast(estimates, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        mixture_shape = input_shape[0]
        return (mixture_shape[0], len(self.sources), mixture_shape[1])

    def get_config(self):
        return {
            **super().get_config(),
            "sources": list(self.sources),
            "n_fft": self.n_fft,
            "hop_length": self.hop_length,
            "mixture_consistency": self.mixture_consistency,
        }


@keras.saving.register_keras_serializable(package="zoo")
class PadFrames(keras.layers.Layer):
    """Zero-pad axis 1 (frames) of `(batch, frames, ...)` up to a multiple of `multiple`.

    A U-Net that halves the time axis `d` times needs `2**d` to divide it;
    `MaskedInverseSTFT` crops the padded frames off again.

    Args:
        multiple: the frame count's wanted divisor.
        **kwargs: `keras.layers.Layer` arguments.

    Example:
        >>> PadFrames(8)(np.zeros((1, 13, 4), "float32")).shape
        TensorShape([1, 16, 4])
    """

    def __init__(self, multiple=64, **kwargs):
        super().__init__(**kwargs)
        check_positive_int("multiple", multiple)
        self.multiple = multiple

    def call(self, inputs):
        frames = tf.shape(inputs)[1]
        extra = (-frames) % self.multiple
        paddings = [[0, 0], [0, extra]] + [[0, 0]] * (len(inputs.shape) - 2)
        return tf.pad(inputs, paddings)

    def compute_output_shape(self, input_shape):
        frames = input_shape[1]
        padded = None if frames is None else -(-frames // self.multiple) * self.multiple
        return (input_shape[0], padded, *input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "multiple": self.multiple}


def separate_with_masks(mixture, logits, sources, n_fft, hop_length, mixture_consistency, name):
    """The separators' head: a softmax over sources turns `logits` into masks of the mixture.

    Args:
        mixture: the model's waveform input `(batch, samples)`.
        logits: `(batch, frames, bins, sources)` mask logits.
        sources, n_fft, hop_length, mixture_consistency: as in `MaskedInverseSTFT`.
        name: the model's name.

    Returns:
        A `keras.Model` from `mixture` to `(batch, sources, samples)`.
    """
    masks = keras.layers.Softmax(axis=-1, name="masks")(logits)
    outputs = MaskedInverseSTFT(sources, n_fft, hop_length, mixture_consistency, name="separate")(
        [mixture, masks]
    )
    return keras.Model(mixture, outputs, name=name)
