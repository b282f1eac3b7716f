"""What the convnets share, in the role of `keras.applications.imagenet_utils`.

- `ACTIVATIONS`: the hidden activations the MLP and the LWLS CNN accept.
- `ImageArgs` + `image_input`: the keras.applications arguments, passed whole,
  checked once, and the input they describe; `check_input_agreement` and
  `model_input`, the parts of it that log-mel backbones (PANNs) share.
- `global_pool`, `dense_top`: the two ends a backbone can have.
- `ImageModelConfig` + `image_model`: timm's `pretrained_cfg` and its one
  loader. The config says how big the input is and where pretrained weights
  come from (`arch`, `hub_config`) and which convolution reads the image
  (`first_conv`); `image_model` builds a backbone from it and loads the weights.
"""

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import keras

from zoo.validation import check_choice, check_positive_int, argument_error
from zoo.weights import load_pretrained, weights_source

__all__ = [
    "ACTIVATIONS",
    "POOLINGS",
    "ImageArgs",
    "ImageModelConfig",
    "check_input_agreement",
    "dense_top",
    "global_pool",
    "image_input",
    "image_model",
    "model_input",
]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
POOLINGS = (None, "avg", "max")


@dataclasses.dataclass(frozen=True)
class ImageModelConfig:
    """How an image backbone takes its input and loads pretrained weights.

    Attributes:
        default_size: input side with a top (the size ImageNet classifiers see).
        min_size: smallest input side the feature stack accepts.
        first_conv: the convolution that reads the image; its RGB kernel is
            adapted when the model has another number of input channels.
        arch: key of `zoo.weights.IMAGENET_WEIGHTS` that `weights="imagenet"`
            reads (an architecture without a file gets an error naming it).
        hub_config: keras-hub `config.json` entries a preset must have; `None`
            when the architecture has no keras-hub preset layout.

    Example:
        >>> config = ImageModelConfig(default_size=224, min_size=32, first_conv="block1_conv1")
    """

    default_size: int
    min_size: int
    first_conv: str
    arch: str | None = None
    hub_config: Mapping[str, Any] | None = None


@dataclasses.dataclass(frozen=True)
class ImageArgs:
    """The keras.applications arguments every image backbone takes, passed whole.

    Attributes:
        include_top: add the classifier; without it `pooling` applies.
        weights: `None` (random; the zoo default, unlike keras.applications'
            `"imagenet"`), `"imagenet"`, a weights file or keras-hub preset
            directory, or `"kaggle://OWNER/MODEL/keras/VARIANT[/VERSION]"`.
        input_tensor: optional Keras tensor to build on.
        input_shape: `(H, W, C)`; sizes may be None without a top.
        pooling: without the top, `None` (4D features), `"avg"` or `"max"`.
        classes: outputs of `predictions`.
        classifier_activation: activation of `predictions` (`None` for logits).
        in_channels: input channels (taken from `input_shape` when given); with
            pretrained weights the first convolution is adapted (1 channel: sum over RGB).

    Example:
        >>> args = ImageArgs(include_top=False, input_shape=(128, 96, 1), pooling="avg")
    """

    include_top: bool = True
    weights: Any = None
    input_tensor: Any = None
    input_shape: Sequence[int | None] | None = None
    pooling: str | None = None
    classes: int = 1000
    classifier_activation: Any = "softmax"
    in_channels: int | None = None


def image_input(config, args):
    """Validate the keras.applications arguments and make the model input.

    `in_channels` is taken from `input_shape` (or `input_tensor`) when given; a
    different explicit value is an error. Without either, the input is
    `(default_size, default_size, C)` with a top and `(None, None, C)` without.

    Args:
        config: an `ImageModelConfig` (`default_size`, `min_size`).
        args: the `ImageArgs`.

    Returns:
        `(inputs, x)`: what `keras.Model` takes as inputs, and the image tensor.

    Example:
        >>> config = ImageModelConfig(default_size=224, min_size=32, first_conv="block1_conv1")
        >>> inputs, x = image_input(config, ImageArgs(include_top=False, input_shape=(64, 64, 1)))
    """
    input_tensor, input_shape, in_channels = args.input_tensor, args.input_shape, args.in_channels
    check_choice("pooling", args.pooling, POOLINGS)
    if in_channels is not None:
        check_positive_int("in_channels", in_channels)
    if args.include_top:
        check_positive_int("classes", args.classes)
    if input_tensor is not None and not keras.backend.is_keras_tensor(input_tensor):
        raise argument_error(
            "input_tensor",
            input_tensor,
            "`input_tensor` must be a Keras tensor, e.g. from keras.Input.",
        )
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    if input_shape is None:
        channels = in_channels or 3
        size = config.default_size if args.include_top else None
        input_shape = (size, size, channels)
    try:
        shape = tuple(None if d is None else int(d) for d in input_shape)
    except (TypeError, ValueError):
        raise argument_error(
            "input_shape", input_shape, "`input_shape` must be (height, width, channels)."
        ) from None
    if len(shape) != 3 or shape[2] is None or shape[2] < 1:
        raise argument_error(
            "input_shape",
            input_shape,
            "`input_shape` must be (height, width, channels) with channels >= 1.",
        )
    if any(d is not None and d < config.min_size for d in shape[:2]):
        raise argument_error(
            "input_shape", input_shape, f"Height and width must be at least {config.min_size}."
        )
    if args.include_top and None in shape[:2]:
        raise argument_error(
            "input_shape", input_shape, "include_top=True needs a fixed height and width."
        )
    check_input_agreement(input_shape, shape, shape[2], in_channels, input_tensor)
    if args.include_top and args.weights == "imagenet":
        _check_imagenet_top(shape, input_shape, args, config.default_size)
    return model_input(input_tensor, shape, "inputs")


def check_input_agreement(input_shape, shape, channels, in_channels, input_tensor):
    """Raise where `in_channels` or `input_tensor` contradicts the parsed input shape.

    Args:
        input_shape: the `input_shape` as the caller passed it (named in the errors).
        shape: that shape as a tuple of ints and Nones, without the batch axis.
        channels: the channels `shape` implies.
        in_channels: the `in_channels` argument, or None.
        input_tensor: the `input_tensor` argument, or None.

    Example:
        >>> check_input_agreement((64, 64, 1), (64, 64, 1), 1, None, None)
    """
    if in_channels is not None and in_channels != channels:
        raise argument_error(
            "in_channels", in_channels, f"`in_channels` conflicts with input_shape={input_shape}."
        )
    if input_tensor is not None and tuple(input_tensor.shape[1:]) != shape:
        raise argument_error(
            "input_shape",
            input_shape,
            f"`input_shape` conflicts with input_tensor of shape {input_tensor.shape}.",
        )


def model_input(input_tensor, shape, name):
    """`(inputs, x)` for `keras.Model`: `input_tensor`'s sources, or a new `keras.Input`.

    Example:
        >>> inputs, x = model_input(None, (None, 64, 1), "log_mel")
    """
    if input_tensor is not None:
        return keras.utils.get_source_inputs(input_tensor), input_tensor
    inputs = keras.Input(shape, name=name)
    return inputs, inputs


def _check_imagenet_top(shape, input_shape, args, default_size):
    """The ImageNet classifier was trained at one size, on 1000 classes."""
    if shape[:2] != (default_size, default_size):
        raise argument_error(
            "input_shape",
            input_shape,
            f"With include_top=True and weights='imagenet' the input must be "
            f"{default_size}x{default_size}.",
        )
    if args.classes != 1000:
        raise argument_error(
            "classes",
            args.classes,
            "With include_top=True and weights='imagenet', classes must be 1000.",
        )
    if args.classifier_activation not in (None, "softmax"):
        raise argument_error(
            "classifier_activation",
            args.classifier_activation,
            "With pretrained weights only None and 'softmax' are allowed.",
        )


def global_pool(x, pooling):
    """Apply the keras.applications `pooling` option to feature maps `x`.

    Args:
        x: feature maps `(batch, height, width, channels)`.
        pooling: `None` (keep `x`), `"avg"` or `"max"`.

    Returns:
        `x`, or the pooled `(batch, channels)` features (layer `avg_pool` / `max_pool`).

    Example:
        >>> global_pool(keras.Input((7, 7, 512)), "avg").shape
        (None, 512)
    """
    if pooling == "avg":
        return keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if pooling == "max":
        return keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


def dense_top(x, classes, classifier_activation, *, names, units=4096, dropout=None):
    """The classic classifier: `flatten`, ReLU dense layers `names`, then `predictions`.

    Args:
        x: feature maps.
        classes: outputs of `predictions`.
        classifier_activation: activation of `predictions`.
        names: names of the hidden dense layers, e.g. `("fc1", "fc2")`.
        units: width of every hidden dense layer.
        dropout: rate of a `Dropout` after each hidden layer `fcN` (named
            `dropN`), or None for no dropout layers.

    Returns:
        The `predictions` tensor.

    Example:
        >>> dense_top(keras.Input((7, 7, 512)), 10, "softmax", names=("fc1", "fc2"), units=64).shape
        (None, 10)
    """
    x = keras.layers.Flatten(name="flatten")(x)
    for name in names:
        x = keras.layers.Dense(units, activation="relu", name=name)(x)
        if dropout is not None:
            x = keras.layers.Dropout(dropout, name=f"drop{name[2:]}")(x)
    return keras.layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def image_model(config, features, top, *, name=None, **kwargs):
    """Build a backbone with the keras.applications arguments and load its weights.

    Args:
        config: an `ImageModelConfig`.
        features: `features(x) -> feature maps`, the convolution stack.
        top: `top(x, classes, classifier_activation) -> predictions`, the
            classifier added with `include_top=True` (e.g. `dense_top`).
        name: model name.
        **kwargs: the fields of `ImageArgs`: `include_top`, `weights`,
            `input_tensor`, `input_shape`, `pooling`, `classes`,
            `classifier_activation`, `in_channels`.

    Returns:
        A `keras.Model` with the weights loaded.

    Example:
        >>> config = ImageModelConfig(default_size=224, min_size=32, first_conv="block1_conv1")
        >>> features = keras.layers.Conv2D(8, 3, name="block1_conv1")
        >>> image_model(config, features, dense_top, include_top=False, input_shape=(64, 64, 1),
        ...             pooling="avg").output.shape
        (None, 8)
    """
    args = ImageArgs(**kwargs)
    inputs, x = image_input(config, args)
    # Fetch before building: an offline machine fails in milliseconds, not after
    # allocating 138M parameters.
    path = weights_source(args.weights, arch=config.arch, include_top=args.include_top)
    x = features(x)
    if args.include_top:
        x = top(x, args.classes, args.classifier_activation)
    else:
        x = global_pool(x, args.pooling)
    model = keras.Model(inputs, x, name=name)
    return load_pretrained(model, path, input_conv=config.first_conv, hub_config=config.hub_config)
