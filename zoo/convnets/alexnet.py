"""AlexNet (Krizhevsky, Sutskever & Hinton 2012), with the paper's two-GPU grouping.

227x227x3 -> conv1 96@11x11/4 -> LRN -> pool 3/2 -> conv2 256@5x5 (2 groups) -> LRN
-> pool -> conv3 384@3x3 (ungrouped: it reads both GPUs) -> conv4 384@3x3 (2 groups)
-> conv5 256@3x3 (2 groups) -> pool -> fc6 4096 -> fc7 4096 -> fc8 1000, dropout 0.5
after fc6 and fc7. 60,965,224 parameters with `groups=2`, 62,378,344 with `groups=1`.
The LRN layer (`LocalResponseNormalization`) is the paper's sec. 3.3.
"""

import functools

import keras
from keras import ops

from zoo.convnets.inputs import ImageModelConfig, dense_top, image_model
from zoo.registry import register_model
from zoo.validation import check_positive_int, check_rate, argument_error

__all__ = ["ALEXNET_CONVS", "ALEXNET_MIN_SIZE", "LocalResponseNormalization", "alexnet"]

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


# keras.applications publishes no ImageNet AlexNet: `weights="imagenet"` names it in its error.
ALEXNET_IMAGE_CONFIG = ImageModelConfig(
    default_size=ALEXNET_DEFAULT_SIZE, min_size=ALEXNET_MIN_SIZE, first_conv="conv1", arch="alexnet"
)


@keras.saving.register_keras_serializable(package="zoo")
class LocalResponseNormalization(keras.layers.Layer):
    """Local response normalisation across channels (Krizhevsky et al. 2012, sec. 3.3).

    For channel `i` of `N`, with `a` the input and the sum running over the
    `size` channels centred on `i` (clipped at the edges):

        b_i = a_i / (k + alpha * sum_{j=max(0, i - size//2)}^{min(N-1, i + size//2)} a_j^2) ** beta

    This is the paper's formula as written: `alpha` multiplies the plain sum of
    squares. (Caffe divides `alpha` by `size`; `tf.nn.local_response_normalization`
    does not, and matches this layer with `depth_radius=size // 2, bias=k`.)
    Channels are the last axis.

    Args:
        size: number of adjacent channels in the sum (`n` in the paper); odd.
        k: additive constant (paper: 2).
        alpha: scale of the sum of squares (paper: 1e-4).
        beta: exponent (paper: 0.75).
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Example:
        >>> lrn = zoo.convnets.alexnet.LocalResponseNormalization()
        >>> lrn(np.ones((1, 4, 4, 96), "float32")).shape
        TensorShape([1, 4, 4, 96])
    """

    def __init__(self, size=5, k=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1 or size % 2 == 0:
            # An even window has no centre channel; the paper's n = 5 is odd.
            raise argument_error("size", size, "`size` must be a positive odd integer.")
        for arg, value in (("k", k), ("alpha", alpha), ("beta", beta)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise argument_error(arg, value, f"`{arg}` must be a number.")
        if k < 0 or alpha < 0:
            raise argument_error("k" if k < 0 else "alpha", k if k < 0 else alpha, "must be >= 0.")
        self.size = size
        self.k = float(k)
        self.alpha = float(alpha)
        self.beta = float(beta)

    def call(self, inputs):
        radius = self.size // 2
        squares = ops.square(inputs)
        # Zero-pad the channel axis so every channel sees a full window; the
        # zeros contribute nothing, which is the paper's clipping at the edges.
        pad = [[0, 0]] * (len(inputs.shape) - 1) + [[radius, radius]]
        padded = ops.pad(squares, pad)
        channels = ops.shape(inputs)[-1]
        window_sum = padded[..., 0:channels]
        for offset in range(1, self.size):
            window_sum = window_sum + padded[..., offset : offset + channels]
        return inputs / ops.power(self.k + self.alpha * window_sum, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(size=self.size, k=self.k, alpha=self.alpha, beta=self.beta)
        return config


def _features(x, groups):
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
    return x


@register_model(
    paper="Krizhevsky et al. 2012",
    tiny=dict(
        include_top=False, input_shape=(ALEXNET_MIN_SIZE, ALEXNET_MIN_SIZE, 1), pooling="avg"
    ),
)
def alexnet(*, groups=2, dropout=0.5, name="alexnet", **kwargs):
    """AlexNet as in the paper, with the keras.applications arguments.

    Args:
        groups: 2 splits conv2, conv4 and conv5 into the paper's two GPU towers;
            1 is the single-tower variant.
        dropout: dropout rate after `fc6` and `fc7` (paper: 0.5).
        name: model name.
        **kwargs: the keras.applications arguments, as `zoo.convnets.inputs.image_model`
            takes them: `include_top` (`flatten`, `fc6`, `fc7` of 4096 ReLU units with
            dropout, `predictions`), `weights` (`None`, or a weights file / keras-hub
            preset path; keras.applications has no ImageNet AlexNet, so `"imagenet"`
            raises a ValueError), `input_tensor`, `input_shape` (H, W >=
            `ALEXNET_MIN_SIZE` (67) without the top, e.g. a `(128, 400, 1)` log-mel
            spectrogram), `pooling`, `classes`, `classifier_activation`, `in_channels`.

    Returns:
        A `keras.Model`.

    Example:
        >>> zoo.alexnet().count_params()
        60965224
        >>> zoo.alexnet(include_top=False, input_shape=(128, 400, 1), pooling="avg").output.shape
        (None, 256)
    """
    check_positive_int("groups", groups)
    check_rate("dropout", dropout)
    for layer_name, filters, *_ in ALEXNET_CONVS[1:]:
        if filters % groups:
            raise argument_error(
                "groups", groups, f"`groups` must divide the {filters} filters of {layer_name}."
            )
    return image_model(
        ALEXNET_IMAGE_CONFIG,
        functools.partial(_features, groups=groups),
        functools.partial(dense_top, names=("fc6", "fc7"), units=ALEXNET_FC_UNITS, dropout=dropout),
        name=name,
        **kwargs,
    )
