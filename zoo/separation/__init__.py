"""Source separation by mask prediction: waveform in, one waveform per source out.

The STFT, the soft ratio masks (softmax across sources, mixture phase) and
the inverse STFT are inside each model, so a saved `.keras` file separates
raw audio and loads with `safe_mode=True`. `unmix` is an Open-Unmix-style
BLSTM, `unet` a small Spleeter-style U-Net; `mixture_consistency=True` makes
the estimates sum exactly to the mixture.

Example:
    >>> import zoo
    >>> model = zoo.create_model("unet", sources=("speech", "music"))
    >>> model.compile(optimizer="adam", loss=zoo.separation.negative_snr)
"""

from zoo.separation.layers import MaskedInverseSTFT, PadFrames, SpectrogramMagnitude, istft, stft
from zoo.separation.losses import example_batch, negative_snr
from zoo.separation.unet import UNET_CHANNELS, unet, unet_separator
from zoo.separation.unmix import unmix, unmix_separator

__all__ = [
    "MaskedInverseSTFT",
    "PadFrames",
    "SpectrogramMagnitude",
    "UNET_CHANNELS",
    "example_batch",
    "istft",
    "negative_snr",
    "stft",
    "unet",
    "unet_separator",
    "unmix",
    "unmix_separator",
]
