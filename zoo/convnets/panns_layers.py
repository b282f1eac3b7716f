"""Keras pieces of PANNs around the conv stack (Kong et al. 2020): the official log-mel
front end and the global pooling of `pytorch/models.py`."""

import keras
from keras import ops

from zoo.audio import LogMelSpectrogram

__all__ = ["PANNS_AUDIO", "PannsGlobalPooling", "panns_log_mel"]

# The official front end (`pytorch/main.py` defaults for the published checkpoints).
PANNS_AUDIO = {
    "sample_rate": 32000,
    "n_fft": 1024,
    "hop_length": 320,
    "n_mels": 64,
    "fmin": 50.0,
    "fmax": 14000.0,
}


def panns_log_mel(**overrides):
    """The PANNs front end: waveform `(batch, samples)` -> log-mel `(batch, frames, mels, 1)`.

    `zoo.audio.LogMelSpectrogram` with the official settings (32 kHz, 1024-point
    Hann window, hop 320, 64 Slaney mel bands 50-14000 Hz, `10 log10(max(S,
    1e-10))`), transposed to time first. It pads the signal with zeros where
    torchlibrosa reflects, so the first and last two frames differ slightly.

    Args:
        **overrides: `LogMelSpectrogram` arguments replacing `PANNS_AUDIO`.

    Returns:
        A `keras.Sequential` to put in front of `cnn6`/`cnn10`/`cnn14`.

    Example:
        >>> front = panns_log_mel()
        >>> front(np.zeros((1, 320000), "float32")).shape
        TensorShape([1, 1001, 64, 1])
    """
    return keras.Sequential(
        [
            LogMelSpectrogram(**{**PANNS_AUDIO, **overrides}, name="log_mel"),
            keras.layers.Permute((2, 1, 3), name="time_first"),
        ],
        name="panns_log_mel",
    )


@keras.saving.register_keras_serializable(package="zoo")
class PannsGlobalPooling(keras.layers.Layer):
    """Mean over frequency, then max + mean over time: `(batch, time, freq, C) -> (batch, C)`.

    The official forward pass (channels first, `(batch, C, time, freq)`):
    `x = torch.mean(x, dim=3); x = torch.max(x, dim=2)[0] + torch.mean(x, dim=2)`.
    Here channels are last, so frequency is axis 2 and time axis 1. The max
    picks the strongest frame (an event heard once); the mean keeps the
    clip-level context.

    Args:
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Example:
        >>> layer = PannsGlobalPooling()
        >>> layer(np.ones((2, 31, 2, 2048), "float32")).shape
        TensorShape([2, 2048])
    """

    def call(self, inputs):
        x = ops.mean(inputs, axis=2)
        return ops.max(x, axis=1) + ops.mean(x, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[3])
