"""VGG (Simonyan & Zisserman 2015), configurations A, B, D, E, as keras.applications builds them.

Architecture as data: `VGG_CONFIGS` gives the convolutions per block; widths
are `VGG_WIDTHS`. Layer names match `keras.applications.VGG16/VGG19`
(`block1_conv1` ... `block5_pool`, `flatten`, `fc1`, `fc2`, `predictions`), so
their weight files load by name, and the reverse.

Unlike keras.applications, `weights` defaults to `None`: the zoo works offline
first; pass `weights="imagenet"` to fetch the keras.applications files.
"""

import keras

from zoo.registry import register_model
from zoo.validation import check_choice, check_positive_int, received
from zoo.weights import load_pretrained, resolve_weights

__all__ = ["VGG_CONFIGS", "VGG_WIDTHS", "vgg", "vgg11", "vgg13", "vgg16", "vgg19", "image_input"]

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
POOLINGS = (None, "avg", "max")


def image_input(
    *,
    input_tensor,
    input_shape,
    in_channels,
    include_top,
    weights,
    classes,
    classifier_activation,
    pooling,
    default_size,
    min_size,
):
    """Validate the keras.applications-style arguments and make the model input.

    `in_channels` is taken from `input_shape` (or `input_tensor`) when given; a
    different explicit value is an error. Without either, the input is
    `(default_size, default_size, C)` with a top and `(None, None, C)` without.

    Returns:
        `(inputs, x)`: what `keras.Model` takes as inputs, and the image tensor.
    """
    check_choice("pooling", pooling, POOLINGS)
    if in_channels is not None:
        check_positive_int("in_channels", in_channels)
    if include_top:
        check_positive_int("classes", classes)
    if input_tensor is not None and not keras.backend.is_keras_tensor(input_tensor):
        raise received(
            "input_tensor",
            input_tensor,
            "`input_tensor` must be a Keras tensor, e.g. from keras.Input.",
        )
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    if input_shape is None:
        channels = in_channels or 3
        size = default_size if include_top else None
        input_shape = (size, size, channels)
    try:
        shape = tuple(None if d is None else int(d) for d in input_shape)
    except (TypeError, ValueError):
        raise received(
            "input_shape", input_shape, "`input_shape` must be (height, width, channels)."
        ) from None
    if len(shape) != 3 or shape[2] is None or shape[2] < 1:
        raise received(
            "input_shape",
            input_shape,
            "`input_shape` must be (height, width, channels) with channels >= 1.",
        )
    if any(d is not None and d < min_size for d in shape[:2]):
        raise received("input_shape", input_shape, f"Height and width must be at least {min_size}.")
    if include_top and None in shape[:2]:
        raise received(
            "input_shape", input_shape, "include_top=True needs a fixed height and width."
        )
    if in_channels is not None and in_channels != shape[2]:
        raise received(
            "in_channels", in_channels, f"`in_channels` conflicts with input_shape={input_shape}."
        )
    if input_tensor is not None and tuple(input_tensor.shape[1:]) != shape:
        raise received(
            "input_shape",
            input_shape,
            f"`input_shape` conflicts with input_tensor of shape {input_tensor.shape}.",
        )
    if include_top and weights == "imagenet":
        # The ImageNet classifier was trained at one size, on 1000 classes.
        if shape[:2] != (default_size, default_size):
            raise received(
                "input_shape",
                input_shape,
                f"With include_top=True and weights='imagenet' the input must be {default_size}x{default_size}.",
            )
        if classes != 1000:
            raise received(
                "classes",
                classes,
                "With include_top=True and weights='imagenet', classes must be 1000.",
            )
        if classifier_activation not in (None, "softmax"):
            raise received(
                "classifier_activation",
                classifier_activation,
                "With pretrained weights only None and 'softmax' are allowed.",
            )
    if input_tensor is not None:
        return keras.utils.get_source_inputs(input_tensor), input_tensor
    inputs = keras.Input(shape, name="inputs")
    return inputs, inputs


def global_pool(x, pooling):
    """Apply the keras.applications `pooling` option (None, "avg" or "max") to feature maps `x`."""
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


def vgg(
    config="vgg16",
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name=None,
    in_channels=None,
):
    """Build a VGG network from a row of `VGG_CONFIGS` (or a 5-tuple of block depths).

    Args:
        config: a key of `VGG_CONFIGS` or the number of 3x3 convolutions per block.
        include_top: add `flatten`, `fc1`, `fc2` (4096, ReLU) and `predictions`.
        weights: `None` (random; the zoo default, unlike keras.applications'
            `"imagenet"`), `"imagenet"`, a weights file or keras-hub preset
            directory, or `"kaggle://OWNER/MODEL/keras/VARIANT[/VERSION]"`.
        input_tensor: optional Keras tensor to build on.
        input_shape: `(H, W, C)`; H, W >= 32 (224x224 with a top and ImageNet weights).
        pooling: without the top, `None` (4D features), `"avg"` or `"max"`.
        classes: outputs of `predictions`.
        classifier_activation: activation of `predictions` (`None` for logits).
        name: model name (default: the config name).
        in_channels: input channels (taken from `input_shape` when given); with
            pretrained weights `block1_conv1` is adapted (1 channel: sum over RGB).

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
            raise received("config", config, f"`config` must give {len(VGG_WIDTHS)} block depths.")
        for depth in depths:
            check_positive_int("config", depth)
    inputs, x = image_input(
        input_tensor=input_tensor,
        input_shape=input_shape,
        in_channels=in_channels,
        include_top=include_top,
        weights=weights,
        classes=classes,
        classifier_activation=classifier_activation,
        pooling=pooling,
        default_size=VGG_DEFAULT_SIZE,
        min_size=VGG_MIN_SIZE,
    )
    # Fetch before building: an offline machine fails in milliseconds, not after
    # allocating 138M parameters.
    weights = resolve_weights(weights, arch=arch, include_top=include_top)
    for block, (depth, width) in enumerate(zip(depths, VGG_WIDTHS), start=1):
        for conv in range(1, depth + 1):
            x = keras.layers.Conv2D(
                width, 3, padding="same", activation="relu", name=f"block{block}_conv{conv}"
            )(x)
        x = keras.layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    if include_top:
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(VGG_FC_UNITS, activation="relu", name="fc1")(x)
        x = keras.layers.Dense(VGG_FC_UNITS, activation="relu", name="fc2")(x)
        x = keras.layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = global_pool(x, pooling)
    model = keras.Model(inputs, x, name=name or arch or "vgg")
    hub_config = dict(
        class_name="VGGBackbone",
        stackwise_num_repeats=list(depths),
        stackwise_num_filters=list(VGG_WIDTHS),
        include_rescaling=False,
    )
    return load_pretrained(model, weights, input_conv="block1_conv1", hub_config=hub_config)


_TINY = dict(include_top=False, input_shape=(VGG_MIN_SIZE, VGG_MIN_SIZE, 1), pooling="avg")
_PAPER = "Simonyan & Zisserman 2015, config {}"


def _variant(config, letter):
    def builder(
        include_top=True,
        weights=None,
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes=1000,
        classifier_activation="softmax",
        name=config,
        in_channels=None,
    ):
        return vgg(
            config,
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
            name=name,
            in_channels=in_channels,
        )

    builder.__name__ = builder.__qualname__ = config
    builder.__doc__ = (
        f"VGG configuration {letter} ({config}); see `zoo.vgg` for the arguments.\n\n"
        f'Example:\n    >>> model = zoo.{config}(include_top=False, input_shape=(64, 64, 1), pooling="avg")\n'
    )
    return register_model(builder, family="vgg", paper=_PAPER.format(letter), tiny=_TINY)


vgg11 = _variant("vgg11", "A")
vgg13 = _variant("vgg13", "B")
vgg16 = _variant("vgg16", "D")
vgg19 = _variant("vgg19", "E")
