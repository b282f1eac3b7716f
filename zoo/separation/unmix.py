"""An Open-Unmix-style BLSTM mask estimator, waveform in, one waveform per source out.

Stöter, Uhlich, Liutkus and Mitsufuji, "Open-Unmix - A Reference
Implementation for Music Source Separation", JOSS 2019: log-magnitude frames,
a bias-free dense layer with batch norm and tanh, a 3-layer bidirectional
LSTM, a skip connection around it, two dense layers with batch norm, and a
mask on the mixture's magnitude. Open-Unmix trains one network per target at
44.1 kHz with a ReLU mask; here one network predicts all sources' masks with a
softmax across sources (soft ratio masks that sum to one), at 16 kHz.
"""

import keras

from zoo.registry import register_model
from zoo.separation.layers import (
    DEFAULT_SOURCES,
    FRONT_END,
    SpectrogramMagnitude,
    separate_with_masks,
)
from zoo.separation.losses import example_batch
from zoo.validation import argument_error, check_positive_int

__all__ = ["unmix_separator", "unmix"]


def unmix_separator(
    sources=DEFAULT_SOURCES,
    sample_rate=FRONT_END["sample_rate"],
    n_fft=FRONT_END["n_fft"],
    hop_length=FRONT_END["hop_length"],
    hidden=256,
    lstm_layers=3,
    mixture_consistency=False,
    name="unmix",
):
    """Build an Open-Unmix-style separator: `(batch, samples)` -> `(batch, sources, samples)`.

    Args:
        sources: the sources' names (two or more).
        sample_rate: the waveform's rate in Hz.
        n_fft: STFT length (`1 + n_fft // 2` frequency bins).
        hop_length: samples between STFT frames.
        hidden: width of the dense layers; each LSTM direction has `hidden // 2` units.
        lstm_layers: stacked bidirectional LSTM layers (3 in Open-Unmix).
        mixture_consistency: make the estimates sum exactly to the mixture.
        name: the model's name.

    Returns:
        A functional `keras.Model`.

    Example:
        >>> model = zoo.separation.unmix_separator(("speech", "music"), hidden=64)
        >>> model(np.zeros((1, 16000), "float32")).shape
        TensorShape([1, 2, 16000])
    """
    check_positive_int("hidden", hidden, minimum=2)
    check_positive_int("lstm_layers", lstm_layers)
    if hidden % 2:
        raise argument_error("hidden", hidden, "`hidden` must be even (two LSTM directions).")
    bins, count = 1 + n_fft // 2, len(tuple(sources))
    mixture = keras.Input((None,), name="mixture")
    x = SpectrogramMagnitude(sample_rate, n_fft, hop_length, name="magnitude")(mixture)
    x = keras.layers.BatchNormalization(name="input_norm")(x)  # Open-Unmix's input mean/scale
    x = keras.layers.Dense(hidden, use_bias=False, name="fc1")(x)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.Activation("tanh", name="tanh1")(x)
    y = x
    for i in range(lstm_layers):
        lstm = keras.layers.LSTM(hidden // 2, return_sequences=True, name=f"lstm{i + 1}")
        y = keras.layers.Bidirectional(lstm, name=f"blstm{i + 1}")(y)
    x = keras.layers.Concatenate(name="skip")([x, y])
    x = keras.layers.Dense(hidden, use_bias=False, name="fc2")(x)
    x = keras.layers.BatchNormalization(name="bn2")(x)
    x = keras.layers.Activation("relu", name="relu2")(x)
    x = keras.layers.Dense(bins * count, use_bias=False, name="fc3")(x)
    x = keras.layers.BatchNormalization(name="bn3")(x)
    x = keras.layers.Reshape((-1, bins, count), name="per_source")(x)
    return separate_with_masks(mixture, x, sources, n_fft, hop_length, mixture_consistency, name)


@register_model(
    paper="Stöter et al. 2019, Open-Unmix (BLSTM mask estimator)",
    tiny=dict(n_fft=64, hop_length=16, hidden=8, lstm_layers=1),
    example=example_batch,
)
def unmix(**kwargs):
    """Open-Unmix-style separator at its defaults (16 kHz, 2 sources, hidden 256, 3 BLSTMs)."""
    return unmix_separator(**kwargs)
