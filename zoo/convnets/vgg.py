"""VGG (Simonyan & Zisserman 2015), configurations A, B, D, E, as keras.applications builds them.

Architecture as data: `VGG_CONFIGS` gives the convolutions per block; widths
are `VGG_WIDTHS`. Layer names match `keras.applications.VGG16/VGG19`
(`block1_conv1` ... `block5_pool`, `flatten`, `fc1`, `fc2`, `predictions`), so
their weight files load by name, and the reverse. Each variant is a row of
`VGG_CONFIGS` and a three-line registered function; `_image_config` says where
its weights come from, and `zoo.convnets.inputs.image_model` reads that.

Unlike keras.applications, `weights` defaults to `None`: the zoo works offline
first; pass `weights="imagenet"` to fetch the keras.applications files.
"""

import functools

import keras

from zoo.convnets.inputs import ImageModelConfig, dense_top, image_model
from zoo.registry import register_model
from zoo.validation import check_choice, check_positive_int, argument_error

__all__ = ["VGG_CONFIGS", "VGG_WIDTHS", "vgg", "vgg11", "vgg13", "vgg16", "vgg19"]

# Name -> convolutions in each of the five blocks (paper Table 1: A, B, D, E).
VGG_CONFIGS = {
    "vgg11": (1, 1, 2, 2, 2),
    "vgg13": (2, 2, 2, 2, 2),
    "vgg16": (2, 2, 3, 3, 3),
    "vgg19": (2, 2, 4, 4, 4),
}
VGG_WIDTHS = (64, 128, 256, 512, 512)
VGG_FC_UNITS = 4096
VGG_DEFAULT_SIZE = 224
# Five 2x2 poolings: the smallest input that still leaves a 1x1 feature map.
VGG_MIN_SIZE = 2 ** len(VGG_WIDTHS)


def _image_config(arch, depths):
    """Input sizes and weight sources of one VGG (timm's `default_cfgs` entry)."""
    return ImageModelConfig(
        default_size=VGG_DEFAULT_SIZE,
        min_size=VGG_MIN_SIZE,
        first_conv="block1_conv1",
        arch=arch,
        hub_config=dict(
            class_name="VGGBackbone",
            stackwise_num_repeats=list(depths),
            stackwise_num_filters=list(VGG_WIDTHS),
            include_rescaling=False,
        ),
    )


def _features(x, depths):
    for block, (depth, width) in enumerate(zip(depths, VGG_WIDTHS), start=1):
        for conv in range(1, depth + 1):
            x = keras.layers.Conv2D(
                width, 3, padding="same", activation="relu", name=f"block{block}_conv{conv}"
            )(x)
        x = keras.layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    return x


def vgg(config="vgg16", *, name=None, **kwargs):
    """Build a VGG network from a row of `VGG_CONFIGS` (or a 5-tuple of block depths).

    Args:
        config: a key of `VGG_CONFIGS` or the number of 3x3 convolutions per block.
        name: model name (default: the config name).
        **kwargs: the keras.applications arguments, as `zoo.convnets.inputs.image_model`
            takes them: `include_top` (`flatten`, `fc1`, `fc2` of 4096 ReLU units,
            `predictions`), `weights` (`None`, `"imagenet"`, a file or preset path, or
            `"kaggle://..."`), `input_tensor`, `input_shape` (H, W >= 32; 224x224 with
            a top and ImageNet weights), `pooling`, `classes`, `classifier_activation`,
            `in_channels` (with pretrained weights `block1_conv1` is adapted).

    Returns:
        A `keras.Model`.

    Example:
        >>> model = zoo.vgg("vgg16", include_top=False, input_shape=(128, 96, 1), pooling="avg")
        >>> model.output.shape
        (None, 512)
    """
    if isinstance(config, str):
        arch = check_choice("config", config, tuple(VGG_CONFIGS))
        depths = VGG_CONFIGS[config]
    else:
        arch, depths = None, tuple(config)
        if len(depths) != len(VGG_WIDTHS):
            raise argument_error(
                "config", config, f"`config` must give {len(VGG_WIDTHS)} block depths."
            )
        for depth in depths:
            check_positive_int("config", depth)
    return image_model(
        _image_config(arch, depths),
        functools.partial(_features, depths=depths),
        functools.partial(dense_top, names=("fc1", "fc2"), units=VGG_FC_UNITS),
        name=name or arch or "vgg",
        **kwargs,
    )


_TINY = dict(include_top=False, input_shape=(VGG_MIN_SIZE, VGG_MIN_SIZE, 1), pooling="avg")
_PAPER = "Simonyan & Zisserman 2015, config {}"
# A spectrogram image in, so the ImageNet weights apply (keras.applications layer names).
_CFG = {"input": "image", "weights": ("imagenet",)}


@register_model(paper=_PAPER.format("A"), tiny=_TINY, default_cfg=_CFG)
def vgg11(**kwargs):
    """VGG configuration A: 8 convolutions (132,863,336 parameters); arguments as `zoo.vgg`.

    Example:
        >>> model = zoo.vgg11(include_top=False, input_shape=(64, 64, 1), pooling="avg")
    """
    return vgg("vgg11", **kwargs)


@register_model(paper=_PAPER.format("B"), tiny=_TINY, default_cfg=_CFG)
def vgg13(**kwargs):
    """VGG configuration B: 10 convolutions (133,047,848 parameters); arguments as `zoo.vgg`.

    Example:
        >>> model = zoo.vgg13(include_top=False, input_shape=(64, 64, 1), pooling="avg")
    """
    return vgg("vgg13", **kwargs)


@register_model(paper=_PAPER.format("D"), tiny=_TINY, default_cfg=_CFG)
def vgg16(**kwargs):
    """VGG configuration D: 13 convolutions (138,357,544 parameters); arguments as `zoo.vgg`.

    Example:
        >>> model = zoo.vgg16(include_top=False, input_shape=(64, 64, 1), pooling="avg")
    """
    return vgg("vgg16", **kwargs)


@register_model(paper=_PAPER.format("E"), tiny=_TINY, default_cfg=_CFG)
def vgg19(**kwargs):
    """VGG configuration E: 16 convolutions (143,667,240 parameters); arguments as `zoo.vgg`.

    Example:
        >>> model = zoo.vgg19(include_top=False, input_shape=(64, 64, 1), pooling="avg")
    """
    return vgg("vgg19", **kwargs)
