"""WaveNet: dilated causal convolutions over mu-law audio, conditioning, fast generation.

The model predicts, at every time step, a softmax over the `Q` mu-law classes
of the next sample. It trains with plain `fit` on shifted (input, next-sample)
pairs (`waveform_pairs`, `training_dataset`), and `model.generate` samples
audio with per-layer queues in one compiled loop (`zoo.wavenet.generation`).
The layers are in `zoo.wavenet.layers` and `zoo.wavenet.conditioning`, the
training pairs in `zoo.wavenet.data`, the registered builders (`wavenet`,
`wavenet_small`) in `zoo.wavenet.builders`.

Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio"
(arXiv:1609.03499); fast generation: Paine et al. 2016, "Fast Wavenet
Generation Algorithm" (arXiv:1611.09482).
"""

import keras

from zoo.validation import check_choice, check_positive_int, argument_error
from zoo.wavenet.generation import make_generator
from zoo.wavenet.conditioning import UPSAMPLING_MODES, ConditionUpsampler, CropToReference
from zoo.wavenet.layers import GatedResidualBlock, OneHot

__all__ = ["WaveNet", "DEFAULT_DILATIONS"]

# 1, 2, ..., 512 repeated in 3 stacks: the paper's 30 layers.
DEFAULT_DILATIONS = tuple(2**i for i in range(10)) * 3


@keras.saving.register_keras_serializable(package="zoo")
class WaveNet(keras.Model):
    """WaveNet as a functional `keras.Model` with `receptive_field` and `generate`.

    Inputs: `audio`, int32 mu-law classes `[batch, time]` (the current and
    past samples). With conditioning, the inputs are a dict that adds
    `global_condition` (int32 `[batch]`, e.g. a speaker or chord-quality id)
    and/or `local_condition` (float `[batch, frames, local_condition_channels]`,
    e.g. log-mel frames, `local_condition_hop` samples per frame; the feature
    at output step `t` is frame `t // hop`). Output: softmax probabilities
    `[batch, time, quantization_channels]` of the sample after each input.

    Args:
        dilations: dilation of each gated residual layer, in order.
        kernel_size: taps of each dilated causal convolution.
        residual_channels: channels of the residual stream.
        dilation_channels: channels of the gated units.
        skip_channels: channels of the skip connections and the output head.
        quantization_channels: mu-law classes `Q`.
        initial_kernel_size: width of the first causal convolution over the one-hot input.
        global_condition_classes: number of global condition ids (0: none).
        global_condition_channels: width of the global condition embedding.
        local_condition_channels: channels of the local features (0: none).
        local_condition_hop: audio samples per local feature frame.
        local_upsampling: `"transposed"` (learned) or `"repeat"`.
        name: model name.

    Example:
        >>> model = WaveNet(dilations=(1, 2, 4, 8), residual_channels=8,
        ...                 dilation_channels=8, skip_channels=16)
        >>> model.receptive_field
        17
        >>> audio = model.generate(100, seed=0)  # float32 [1, 100] in [-1, 1]

    Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio".
    """

    def __init__(
        self,
        dilations=DEFAULT_DILATIONS,
        kernel_size=2,
        residual_channels=32,
        dilation_channels=32,
        skip_channels=512,
        quantization_channels=256,
        initial_kernel_size=2,
        global_condition_classes=0,
        global_condition_channels=32,
        local_condition_channels=0,
        local_condition_hop=256,
        local_upsampling="transposed",
        name="wavenet",
    ):
        if isinstance(dilations, int) or not len(dilations):
            raise argument_error(
                "dilations", dilations, "`dilations` must be a non-empty sequence of integers."
            )
        dilations = tuple(dilations)
        for d in dilations:
            check_positive_int("dilations", d)
        check_positive_int(
            "kernel_size", kernel_size, minimum=2
        )  # a 1-tap "dilated" conv sees no past
        check_positive_int("residual_channels", residual_channels)
        check_positive_int("dilation_channels", dilation_channels)
        check_positive_int("skip_channels", skip_channels)
        check_positive_int("quantization_channels", quantization_channels, minimum=2)
        check_positive_int("initial_kernel_size", initial_kernel_size)
        check_positive_int("global_condition_classes", global_condition_classes, minimum=0)
        check_positive_int("global_condition_channels", global_condition_channels)
        check_positive_int("local_condition_channels", local_condition_channels, minimum=0)
        check_positive_int("local_condition_hop", local_condition_hop)
        check_choice("local_upsampling", local_upsampling, UPSAMPLING_MODES)

        audio = keras.Input((None,), dtype="int32", name="audio")
        inputs = {"audio": audio}
        conditions = []
        if global_condition_classes:
            ids = keras.Input((), dtype="int32", name="global_condition")
            inputs["global_condition"] = ids
            conditions.append(
                keras.layers.Embedding(
                    global_condition_classes, global_condition_channels, name="global_embedding"
                )(ids)
            )
        if local_condition_channels:
            frames = keras.Input((None, local_condition_channels), name="local_condition")
            inputs["local_condition"] = frames
            upsampled = ConditionUpsampler(
                local_condition_hop,
                local_upsampling,
                local_condition_channels,
                name="local_upsampler",
            )(frames)
            conditions.append(CropToReference(name="local_crop")([upsampled, audio]))

        x = OneHot(quantization_channels, name="one_hot")(audio)
        x = keras.layers.Conv1D(
            residual_channels, initial_kernel_size, padding="causal", name="causal_conv"
        )(x)
        skips = []
        for i, dilation in enumerate(dilations):
            x, skip = GatedResidualBlock(
                dilation,
                kernel_size,
                residual_channels,
                dilation_channels,
                skip_channels,
                use_global_condition=bool(global_condition_classes),
                use_local_condition=bool(local_condition_channels),
                name=f"block{i}",
            )([x] + conditions)
            skips.append(skip)
        h = keras.layers.Add(name="skip_sum")(skips) if len(skips) > 1 else skips[0]
        # ReLU -> 1x1 -> ReLU -> 1x1 -> softmax (paper, figure 4).
        h = keras.layers.ReLU(name="skip_relu")(h)
        h = keras.layers.Conv1D(skip_channels, 1, name="head_conv")(h)
        h = keras.layers.ReLU(name="head_relu")(h)
        logits = keras.layers.Conv1D(quantization_channels, 1, name="logits")(h)
        probabilities = keras.layers.Softmax(name="probabilities")(logits)
        super().__init__(inputs if conditions else audio, probabilities, name=name)

        self.dilations = dilations
        self.kernel_size = kernel_size
        self.residual_channels = residual_channels
        self.dilation_channels = dilation_channels
        self.skip_channels = skip_channels
        self.quantization_channels = quantization_channels
        self.initial_kernel_size = initial_kernel_size
        self.global_condition_classes = global_condition_classes
        self.global_condition_channels = global_condition_channels
        self.local_condition_channels = local_condition_channels
        self.local_condition_hop = local_condition_hop
        self.local_upsampling = local_upsampling

    @property
    def receptive_field(self):
        """Input samples that one output sees: `initial + (kernel - 1) * sum(dilations)`."""
        return self.initial_kernel_size + (self.kernel_size - 1) * sum(self.dilations)

    def generate(self, num_samples, fast=True, **settings):
        """Sample `num_samples` new audio samples per stream, autoregressively.

        Args:
            num_samples: samples to generate per stream.
            fast: per-layer queues in a compiled loop (Paine et al. 2016); False
                recomputes the receptive field at every step (the reference).
            **settings: the generator's settings (`zoo.wavenet.sampling.Generator`):
                `batch_size`: independent streams generated at once (default 1).
                `temperature`: divides the logits; < 1 is more conservative.
                `seed`: int; the same seed gives the same samples, fast or not.
                `global_condition`: int id, or `[batch]` ids (required if the
                model has global conditioning).
                `local_condition`: `[frames, c]` or `[batch, frames, c]` features
                whose frames cover the prime and the generated samples.
                `prime`: waveform `[time]` / `[batch, time]` in [-1, 1] (or int
                mu-law classes) to continue; default: one sample of silence.

        Returns:
            float32 NumPy array `[batch_size, num_samples]` in [-1, 1]: the new
            samples only (not the prime). The sample fed at step `t` (prime
            first) is conditioned on local frame `t // local_condition_hop`, so
            the frames must cover `len(prime) + num_samples - 1` samples.

        Example:
            >>> zoo.create_model("wavenet_small").generate(100, seed=0).shape
            (1, 100)
        """
        generator = make_generator(self, fast=fast, **settings)
        return generator.generate(num_samples)

    def get_config(self):
        return {
            "dilations": list(self.dilations),
            "kernel_size": self.kernel_size,
            "residual_channels": self.residual_channels,
            "dilation_channels": self.dilation_channels,
            "skip_channels": self.skip_channels,
            "quantization_channels": self.quantization_channels,
            "initial_kernel_size": self.initial_kernel_size,
            "global_condition_classes": self.global_condition_classes,
            "global_condition_channels": self.global_condition_channels,
            "local_condition_channels": self.local_condition_channels,
            "local_condition_hop": self.local_condition_hop,
            "local_upsampling": self.local_upsampling,
            "name": self.name,
        }
