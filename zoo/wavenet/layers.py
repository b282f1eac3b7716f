"""Layers of WaveNet: one-hot input, the gated residual block, conditioning upsampler.

All are registered serializable and their `get_config()` returns exactly their
constructor arguments, so a `.keras` file loads with `safe_mode=True`.

Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio".
"""

import keras
from keras import ops

from zoo.validation import check_choice, check_positive_int, received

__all__ = [
    "OneHot",
    "GatedResidualBlock",
    "ConditionUpsampler",
    "CropToReference",
    "upsampling_factors",
]

UPSAMPLING_MODES = ("transposed", "repeat")


@keras.saving.register_keras_serializable(package="zoo")
class OneHot(keras.layers.Layer):
    """Integer class ids `[batch, time]` -> one-hot floats `[batch, time, depth]`.

    An id of -1 gives an all-zero row: "no sample", the same as the zero
    padding of a causal convolution, which generation uses before the first sample.

    Args:
        depth: number of classes.

    Example:
        >>> OneHot(4)(np.array([[0, 3, -1]]))[0, :, :].numpy().tolist()
        [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]
    """

    def __init__(self, depth, **kwargs):
        super().__init__(**kwargs)
        self.depth = check_positive_int("depth", depth)

    def call(self, inputs):
        return ops.one_hot(ops.cast(inputs, "int32"), self.depth, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.depth,)

    def get_config(self):
        return {**super().get_config(), "depth": self.depth}


@keras.saving.register_keras_serializable(package="zoo")
class GatedResidualBlock(keras.layers.Layer):
    """One WaveNet layer: dilated causal conv, gated tanh * sigmoid unit, residual + skip.

    `z = tanh(W_f * x + V_f h) * sigmoid(W_g * x + V_g h)`, then one 1x1
    convolution produces both the residual (added to `x`) and the skip output.
    The filter and gate convolutions are one convolution with twice the
    channels, split in half; the residual and skip 1x1s are one convolution too
    (fewer, larger matmuls; the same function).

    Call with `[x]`, `[x, global]`, `[x, local]` or `[x, global, local]`
    (which are present is fixed by the constructor): `x` is `[batch, time,
    residual_channels]`; `global` is `[batch, g]` (an embedded class id, the
    same bias at every step); `local` is `[batch, time, l]` (features already
    upsampled to the audio rate). Returns `[residual, skip]`.

    Args:
        dilation: dilation rate of the causal convolution.
        kernel_size: taps of the dilated convolution (2 in the paper).
        residual_channels: channels of `x` and of the residual output.
        dilation_channels: channels of the gated unit `z`.
        skip_channels: channels of the skip output.
        use_global_condition: whether a global condition input follows `x`.
        use_local_condition: whether a local condition input comes last.

    Example:
        >>> block = GatedResidualBlock(4, 2, 16, 16, 32)
        >>> residual, skip = block([keras.random.normal((1, 100, 16))])
        >>> tuple(skip.shape)
        (1, 100, 32)

    Paper: van den Oord et al. 2016, sections 2.3 (gated units), 2.4 (residual
    and skip connections), 2.5 (conditioning).
    """

    def __init__(
        self,
        dilation,
        kernel_size,
        residual_channels,
        dilation_channels,
        skip_channels,
        use_global_condition=False,
        use_local_condition=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.dilation = check_positive_int("dilation", dilation)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        self.residual_channels = check_positive_int("residual_channels", residual_channels)
        self.dilation_channels = check_positive_int("dilation_channels", dilation_channels)
        self.skip_channels = check_positive_int("skip_channels", skip_channels)
        self.use_global_condition = bool(use_global_condition)
        self.use_local_condition = bool(use_local_condition)
        self.dilated = keras.layers.Conv1D(
            2 * dilation_channels,
            kernel_size,
            dilation_rate=dilation,
            padding="causal",
            name="dilated",
        )
        self.output_conv = keras.layers.Conv1D(
            residual_channels + skip_channels, 1, name="output_conv"
        )
        # Conditioning projections have no bias: the dilated convolution has one.
        self.global_proj = (
            keras.layers.Dense(2 * dilation_channels, use_bias=False, name="global_proj")
            if self.use_global_condition
            else None
        )
        self.local_proj = (
            keras.layers.Dense(2 * dilation_channels, use_bias=False, name="local_proj")
            if self.use_local_condition
            else None
        )

    def _split_inputs(self, inputs):
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        expected = 1 + self.use_global_condition + self.use_local_condition
        if len(inputs) != expected:
            raise received(
                "inputs",
                f"<{len(inputs)} tensors>",
                f"This block takes {expected} inputs (x, then global and/or local conditions).",
            )
        x = inputs[0]
        global_c = inputs[1] if self.use_global_condition else None
        local_c = inputs[-1] if self.use_local_condition else None
        return x, global_c, local_c

    @staticmethod
    def _shapes(input_shape):
        # A list of shapes when called with a list of tensors, else one shape.
        if isinstance(input_shape[0], (list, tuple)):
            return [tuple(s) for s in input_shape]
        return [tuple(input_shape)]

    def build(self, input_shape):
        shapes = self._shapes(input_shape)
        x_shape = shapes[0]
        self.dilated.build(x_shape)
        self.output_conv.build(x_shape[:-1] + (self.dilation_channels,))
        if self.use_global_condition:
            self.global_proj.build(tuple(shapes[1]))
        if self.use_local_condition:
            self.local_proj.build(tuple(shapes[-1]))

    def call(self, inputs):
        x, global_c, local_c = self._split_inputs(inputs)
        a = self.dilated(x)
        if global_c is not None:
            # One bias vector per sequence, broadcast over time.
            a = a + ops.expand_dims(self.global_proj(global_c), 1)
        if local_c is not None:
            a = a + self.local_proj(local_c)
        filt, gate = ops.split(a, 2, axis=-1)
        z = ops.tanh(filt) * ops.sigmoid(gate)
        out = self.output_conv(z)
        residual = out[..., : self.residual_channels] + x
        skip = out[..., self.residual_channels :]
        return [residual, skip]

    def compute_output_shape(self, input_shape):
        x_shape = self._shapes(input_shape)[0]
        return [x_shape, x_shape[:-1] + (self.skip_channels,)]

    def get_config(self):
        return {
            **super().get_config(),
            "dilation": self.dilation,
            "kernel_size": self.kernel_size,
            "residual_channels": self.residual_channels,
            "dilation_channels": self.dilation_channels,
            "skip_channels": self.skip_channels,
            "use_global_condition": self.use_global_condition,
            "use_local_condition": self.use_local_condition,
        }


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
                raise received("channels", channels, "Transposed upsampling needs `channels`.")
            self.stages = [
                keras.layers.Conv1DTranspose(channels, stride, strides=stride, name=f"upsample{i}")
                for i, stride in enumerate(upsampling_factors(hop))
            ]
        else:
            self.stages = [keras.layers.UpSampling1D(hop, name="repeat")]

    def build(self, input_shape):
        shape = tuple(input_shape)
        if self.mode == "repeat" and self.channels is not None and shape[-1] != self.channels:
            raise received(
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
        return {
            **super().get_config(),
            "hop": self.hop,
            "mode": self.mode,
            "channels": self.channels,
        }


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
