"""AlexNet (Krizhevsky, Sutskever & Hinton 2012), with the paper's two-GPU grouping.

227x227x3 -> conv1 96@11x11/4 -> LRN -> pool 3/2 -> conv2 256@5x5 (2 groups) -> LRN
-> pool -> conv3 384@3x3 (ungrouped: it reads both GPUs) -> conv4 384@3x3 (2 groups)
-> conv5 256@3x3 (2 groups) -> pool -> fc6 4096 -> fc7 4096 -> fc8 1000, dropout 0.5
after fc6 and fc7. 60,965,224 parameters with `groups=2`, 62,378,344 with `groups=1`.
"""

import keras

from zoo.convnets.layers import LocalResponseNormalization
from zoo.registry import register_model
from zoo.validation import check_positive_int, received
from zoo.convnets.vgg import global_pool, image_input
from zoo.weights import load_pretrained, resolve_weights

__all__ = ["ALEXNET_CONVS", "ALEXNET_MIN_SIZE", "alexnet"]

# (name, filters, kernel, stride, padding, grouped, followed by LRN, followed by pool)
ALEXNET_CONVS = (
    ("conv1", 96, 11, 4, "valid", False, True, True),
    ("conv2", 256, 5, 1, "same", True, True, True),
    ("conv3", 384, 3, 1, "same", False, False, False),
    ("conv4", 384, 3, 1, "same", True, False, False),
    ("conv5", 256, 3, 1, "same", True, False, True),
)
ALEXNET_FC_UNITS = 4096
ALEXNET_DEFAULT_SIZE = 227
POOL_SIZE, POOL_STRIDE = 3, 2  # overlapping pooling (paper sec. 3.4)


def _feature_size(size):
    """Spatial size after the convolution stack for an input side of `size` (< 1: too small)."""
    for _, _, kernel, stride, padding, _, _, pool in ALEXNET_CONVS:
        if padding == "valid":
            size = (size - kernel) // stride + 1
        if size < 1:
            return 0
        if pool:
            size = (size - POOL_SIZE) // POOL_STRIDE + 1
    return size


# The smallest side every pooling window still fits in.
ALEXNET_MIN_SIZE = next(s for s in range(1, ALEXNET_DEFAULT_SIZE + 1) if _feature_size(s) >= 1)


@register_model(
    family="cnn",
    paper="Krizhevsky et al. 2012",
    tiny=dict(
        include_top=False, input_shape=(ALEXNET_MIN_SIZE, ALEXNET_MIN_SIZE, 1), pooling="avg"
    ),
)
def alexnet(
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="alexnet",
    in_channels=None,
    groups=2,
    dropout=0.5,
):
    """AlexNet as in the paper, keras.applications-style arguments.

    Args:
        include_top: add `flatten`, `fc6`, `fc7` (4096, ReLU, dropout) and `predictions`.
        weights: `None`, or a weights file / keras-hub preset path (keras.applications
            has no ImageNet AlexNet, so `"imagenet"` raises a ValueError).
        input_tensor: optional Keras tensor to build on.
        input_shape: `(H, W, C)`; H, W >= `ALEXNET_MIN_SIZE` (67) without the top,
            e.g. a `(128, 400, 1)` log-mel spectrogram.
        pooling: without the top, `None`, `"avg"` or `"max"`.
        classes: outputs of `predictions`.
        classifier_activation: activation of `predictions`.
        name: model name.
        in_channels: input channels (taken from `input_shape` when given).
        groups: 2 splits conv2, conv4 and conv5 into the paper's two GPU towers;
            1 is the single-tower variant.
        dropout: dropout rate after `fc6` and `fc7` (paper: 0.5).

    Returns:
        A `keras.Model`.

    Example:
        >>> zoo.alexnet().count_params()
        60965224
        >>> zoo.alexnet(include_top=False, input_shape=(128, 400, 1), pooling="avg").output.shape
        (None, 256)
    """
    check_positive_int("groups", groups)
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise received("dropout", dropout, "`dropout` must be a number in [0, 1).")
    for layer_name, filters, *_ in ALEXNET_CONVS[1:]:
        if filters % groups:
            raise received(
                "groups", groups, f"`groups` must divide the {filters} filters of {layer_name}."
            )
    inputs, x = image_input(
        input_tensor=input_tensor,
        input_shape=input_shape,
        in_channels=in_channels,
        include_top=include_top,
        weights=weights,
        classes=classes,
        classifier_activation=classifier_activation,
        pooling=pooling,
        default_size=ALEXNET_DEFAULT_SIZE,
        min_size=ALEXNET_MIN_SIZE,
    )
    weights = resolve_weights(
        weights, arch="alexnet", include_top=include_top
    )  # fail before building
    norms = pools = 0
    for layer_name, filters, kernel, stride, padding, grouped, lrn, pool in ALEXNET_CONVS:
        x = keras.layers.Conv2D(
            filters,
            kernel,
            strides=stride,
            padding=padding,
            activation="relu",
            groups=groups if grouped else 1,
            name=layer_name,
        )(x)
        if lrn:
            norms += 1
            x = LocalResponseNormalization(name=f"norm{norms}")(x)
        if pool:
            pools += 1
            x = keras.layers.MaxPooling2D(POOL_SIZE, strides=POOL_STRIDE, name=f"pool{pools}")(x)
    if include_top:
        x = keras.layers.Flatten(name="flatten")(x)
        for layer_name in ("fc6", "fc7"):
            x = keras.layers.Dense(ALEXNET_FC_UNITS, activation="relu", name=layer_name)(x)
            x = keras.layers.Dropout(dropout, name=f"drop{layer_name[2:]}")(x)
        x = keras.layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = global_pool(x, pooling)
    model = keras.Model(inputs, x, name=name)
    return load_pretrained(model, weights, input_conv="conv1")
