"""The registered WaveNet builders: the paper's `wavenet` and the demo-sized `wavenet_small`.

Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio".
"""

from zoo.registry import register_model
from zoo.wavenet.data import example_batch
from zoo.wavenet.model import DEFAULT_DILATIONS, WaveNet

__all__ = ["wavenet", "wavenet_small", "SMALL_DILATIONS"]

SMALL_DILATIONS = tuple(2**i for i in range(8)) * 2


_PAPER = "van den Oord et al. 2016 (WaveNet); Paine et al. 2016 (fast generation)"
_TINY = dict(
    dilations=(1, 2, 4, 1, 2, 4),
    residual_channels=8,
    dilation_channels=8,
    skip_channels=16,
    quantization_channels=32,
)
# How the shared harness trains both builds: next-sample classes, one-hot targets.
_TRAINING = dict(example=example_batch, loss="categorical_crossentropy", learning_rate=0.05)


@register_model(
    paper=_PAPER,
    tiny=_TINY,
    **_TRAINING,
)
def wavenet(dilations=DEFAULT_DILATIONS, name="wavenet", **kwargs):
    """The paper's WaveNet: 30 layers (dilations 1..512 x 3), 32/32/512 channels, 256 classes.

    Receptive field 3,071 samples (about 0.19 s at 16 kHz).

    Example:
        >>> zoo.create_model("wavenet").receptive_field
        3071
    """
    return WaveNet(dilations=dilations, name=name, **kwargs)


@register_model(
    paper=_PAPER,
    # The tiny build has both conditionings, so the shared harness trains and
    # saves the conditioned graph too.
    tiny=dict(
        _TINY,
        global_condition_classes=3,
        global_condition_channels=4,
        local_condition_channels=5,
        local_condition_hop=4,
    ),
    **_TRAINING,
)
def wavenet_small(
    dilations=SMALL_DILATIONS,
    residual_channels=16,
    dilation_channels=16,
    skip_channels=64,
    name="wavenet_small",
    **kwargs,
):
    """A 16-layer WaveNet (dilations 1..128 x 2, 16/16/64 channels) for demos and tests.

    Receptive field 512 samples.

    Example:
        >>> zoo.create_model("wavenet_small", global_condition_classes=4).receptive_field
        512
    """
    return WaveNet(
        dilations=dilations,
        residual_channels=residual_channels,
        dilation_channels=dilation_channels,
        skip_channels=skip_channels,
        name=name,
        **kwargs,
    )
