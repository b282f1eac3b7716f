"""Layers of WaveNet: the one-hot input and the gated residual block.

Both are registered serializable and their `get_config()` returns exactly
their constructor arguments, so a `.keras` file loads with `safe_mode=True`.
The local-conditioning layers live in `zoo.wavenet.conditioning`; they stay
importable from here.

Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio".
"""

import keras
from keras import ops

from zoo.validation import check_positive_int, argument_error
from zoo.layers.config import attribute_config
from zoo.wavenet.conditioning import (
    UPSAMPLING_MODES,
    ConditionUpsampler,
    CropToReference,
    upsampling_factors,
)

__all__ = [
    "OneHot",
    "GatedResidualBlock",
    "ConditionUpsampler",
    "CropToReference",
    "upsampling_factors",
    "UPSAMPLING_MODES",
]


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
            raise argument_error(
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
            **attribute_config(
                self,
                "dilation",
                "kernel_size",
                "residual_channels",
                "dilation_channels",
                "skip_channels",
                "use_global_condition",
                "use_local_condition",
            ),
        }
