"""Local conditioning of WaveNet: frame-rate features upsampled and cropped to the audio.

Both layers are registered serializable and their `get_config()` returns exactly
their constructor arguments, so a `.keras` file loads with `safe_mode=True`.

Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio",
section 2.5 (local conditioning).
"""

import keras
from keras import ops

from zoo.layers.config import attribute_config
from zoo.validation import check_choice, check_positive_int, argument_error

__all__ = ["UPSAMPLING_MODES", "ConditionUpsampler", "CropToReference", "upsampling_factors"]

UPSAMPLING_MODES = ("transposed", "repeat")


def upsampling_factors(hop, largest=16):
    """Split an upsampling factor into strides no larger than `largest`.

    Each stride becomes one transposed convolution; small strides keep their
    kernels small. A prime factor above `largest` stays one stride.

    Example:
        >>> upsampling_factors(256)
        [16, 16]
        >>> upsampling_factors(80)
        [10, 8]
    """
    check_positive_int("hop", hop)
    primes, n, p = [], hop, 2
    while p * p <= n:
        while n % p == 0:
            primes.append(p)
            n //= p
        p += 1
    if n > 1:
        primes.append(n)
    factors = []
    for prime in sorted(primes, reverse=True):
        for i, f in enumerate(factors):
            if f * prime <= largest:
                factors[i] = f * prime
                break
        else:
            factors.append(prime)
    return sorted(factors, reverse=True) or [1]


@keras.saving.register_keras_serializable(package="zoo")
class ConditionUpsampler(keras.layers.Layer):
    """Upsample frame-rate features `[batch, frames, c]` to `[batch, frames * hop, channels]`.

    `"transposed"`: learned transposed convolutions whose kernel equals their
    stride, so frame `f` shapes exactly samples `f*hop .. (f+1)*hop - 1` (no
    frame leaks into its neighbours). `"repeat"`: each frame repeated `hop`
    times (then `channels` must equal the input's channels).

    Args:
        hop: audio samples per feature frame.
        mode: `"transposed"` or `"repeat"`.
        channels: output channels of the transposed convolutions.

    Example:
        >>> up = ConditionUpsampler(hop=80, mode="transposed", channels=8)
        >>> tuple(up(keras.random.normal((2, 5, 40))).shape)
        (2, 400, 8)

    Paper: van den Oord et al. 2016, section 2.5 (local conditioning).
    """

    def __init__(self, hop, mode="transposed", channels=None, **kwargs):
        super().__init__(**kwargs)
        self.hop = check_positive_int("hop", hop)
        self.mode = check_choice("mode", mode, UPSAMPLING_MODES)
        if channels is not None:
            check_positive_int("channels", channels)
        self.channels = channels
        if mode == "transposed":
            if channels is None:
                raise argument_error(
                    "channels", channels, "Transposed upsampling needs `channels`."
                )
            self.stages = [
                keras.layers.Conv1DTranspose(channels, stride, strides=stride, name=f"upsample{i}")
                for i, stride in enumerate(upsampling_factors(hop))
            ]
        else:
            self.stages = [keras.layers.UpSampling1D(hop, name="repeat")]

    def build(self, input_shape):
        shape = tuple(input_shape)
        if self.mode == "repeat" and self.channels is not None and shape[-1] != self.channels:
            raise argument_error(
                "channels",
                self.channels,
                f"Repeat upsampling keeps the {shape[-1]} input channels.",
            )
        for stage in self.stages:
            stage.build(shape)
            shape = stage.compute_output_shape(shape)

    def call(self, inputs):
        x = inputs
        for stage in self.stages:
            x = stage(x)
        return x

    def compute_output_shape(self, input_shape):
        frames = None if input_shape[1] is None else input_shape[1] * self.hop
        channels = input_shape[-1] if self.mode == "repeat" else self.channels
        return (input_shape[0], frames, channels)

    def get_config(self):
        return {**super().get_config(), **attribute_config(self, "hop", "mode", "channels")}


@keras.saving.register_keras_serializable(package="zoo")
class CropToReference(keras.layers.Layer):
    """Crop `[batch, time, c]` along time to the length of a reference `[batch, time_ref, ...]`.

    Local features cover whole frames, so their upsampled length can exceed the
    audio's by up to `hop - 1` samples; the audio sets the length.

    Example:
        >>> CropToReference()([keras.ops.ones((1, 8, 2)), keras.ops.ones((1, 5))]).shape
        TensorShape([1, 5, 2])
    """

    def call(self, inputs):
        sequence, reference = inputs
        return sequence[:, : ops.shape(reference)[1]]

    def compute_output_shape(self, input_shape):
        sequence, reference = input_shape
        return (sequence[0], reference[1], sequence[-1])
