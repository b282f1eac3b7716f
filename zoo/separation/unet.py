"""A small Spleeter-style U-Net mask estimator, waveform in, one waveform per source out.

Hennequin, Khlif, Voituret and Moussallam, "Spleeter: a fast and efficient
music source separation tool with pre-trained models", JOSS 2020 (after
Jansson et al. 2017, "Singing voice separation with deep U-Net convolutional
networks"): 5x5 stride-2 convolutions with batch norm and leaky ReLU down,
5x5 stride-2 transposed convolutions with ReLU, batch norm and dropout up,
skip connections, a soft mask on the magnitude. Spleeter trains one U-Net of
16-512 channels per source (about 9.8 M parameters each); here one U-Net of
8-256 channels predicts every source's mask (softmax across sources).
"""

import keras

from zoo.registry import register_model
from zoo.separation.layers import (
    DEFAULT_SOURCES,
    FRONT_END,
    PadFrames,
    SpectrogramMagnitude,
    separate_with_masks,
)
from zoo.separation.losses import example_batch
from zoo.validation import argument_error

__all__ = ["unet_separator", "unet", "UNET_CHANNELS"]

UNET_CHANNELS = (8, 16, 32, 64, 128, 256)  # Spleeter: (16, 32, 64, 128, 256, 512)


def unet_separator(
    sources=DEFAULT_SOURCES,
    sample_rate=FRONT_END["sample_rate"],
    n_fft=FRONT_END["n_fft"],
    hop_length=FRONT_END["hop_length"],
    channels=UNET_CHANNELS,
    dropout=0.2,
    mixture_consistency=False,
    name="unet",
):
    """Build a Spleeter-style U-Net separator: `(batch, samples)` -> `(batch, sources, samples)`.

    The top (Nyquist) bin is dropped so `2 ** len(channels)` divides the
    `n_fft // 2` bins the U-Net sees (its mask repeats the bin below); time is
    zero-padded to a multiple of `2 ** len(channels)` frames and cropped back.

    Args:
        sources: the sources' names (two or more).
        sample_rate: the waveform's rate in Hz.
        n_fft: STFT length; `n_fft // 2` must be divisible by `2 ** len(channels)`.
        hop_length: samples between STFT frames.
        channels: encoder widths, one stride-2 level each.
        dropout: dropout rate in the first three decoder levels (0.5 in Spleeter).
        mixture_consistency: make the estimates sum exactly to the mixture.
        name: the model's name.

    Returns:
        A functional `keras.Model`.

    Example:
        >>> model = zoo.separation.unet_separator(("speech", "music"))
        >>> model(np.zeros((1, 16000), "float32")).shape
        TensorShape([1, 2, 16000])
    """
    channels = tuple(int(c) for c in channels)
    levels, count = len(channels), len(tuple(sources))
    bins = n_fft // 2
    if not channels or bins % 2**levels:
        raise argument_error(
            "channels", channels, f"n_fft // 2 = {bins} must be divisible by 2 ** len(channels)."
        )
    mixture = keras.Input((None,), name="mixture")
    x = SpectrogramMagnitude(sample_rate, n_fft, hop_length, name="magnitude")(mixture)
    x = keras.layers.Reshape((-1, bins + 1, 1), name="image")(x)
    x = keras.layers.Cropping2D(((0, 0), (0, 1)), name="drop_nyquist")(x)
    x = PadFrames(2**levels, name="pad_frames")(x)
    x = keras.layers.BatchNormalization(name="input_norm")(x)
    skips = []
    for i, width in enumerate(channels):
        x = keras.layers.Conv2D(width, 5, strides=2, padding="same", name=f"enc{i + 1}_conv")(x)
        x = keras.layers.BatchNormalization(name=f"enc{i + 1}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"enc{i + 1}_act")(x)
        skips.append(x)
    for i, width in enumerate(reversed((channels[0],) + channels[:-1])):
        level = levels - i
        if i:
            x = keras.layers.Concatenate(name=f"dec{level}_skip")([x, skips[level - 1]])
        x = keras.layers.Conv2DTranspose(
            width, 5, strides=2, padding="same", name=f"dec{level}_conv"
        )(x)
        x = keras.layers.Activation("relu", name=f"dec{level}_act")(x)
        x = keras.layers.BatchNormalization(name=f"dec{level}_bn")(x)
        if i < 3 and dropout:
            x = keras.layers.Dropout(dropout, name=f"dec{level}_dropout")(x)
    x = keras.layers.Conv2D(count, 1, name="mask_logits")(x)
    return separate_with_masks(mixture, x, sources, n_fft, hop_length, mixture_consistency, name)


@register_model(
    paper="Hennequin et al. 2020, Spleeter (U-Net masks, half width)",
    tiny=dict(n_fft=64, hop_length=16, channels=(4, 8, 16)),
    example=example_batch,
)
def unet(**kwargs):
    """Spleeter-style U-Net separator at its defaults (16 kHz, 2 sources, 8-256 channels)."""
    return unet_separator(**kwargs)
