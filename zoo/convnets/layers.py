"""Shared custom layers (registered serializable, so `.keras` files load in safe mode)."""

import keras
from keras import ops

from zoo.validation import received

__all__ = ["LocalResponseNormalization"]


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
        >>> lrn = zoo.layers.LocalResponseNormalization()
        >>> lrn(np.ones((1, 4, 4, 96), "float32")).shape
        TensorShape([1, 4, 4, 96])
    """

    def __init__(self, size=5, k=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1 or size % 2 == 0:
            # An even window has no centre channel; the paper's n = 5 is odd.
            raise received("size", size, "`size` must be a positive odd integer.")
        for arg, value in (("k", k), ("alpha", alpha), ("beta", beta)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise received(arg, value, f"`{arg}` must be a number.")
        if k < 0 or alpha < 0:
            raise received("k" if k < 0 else "alpha", k if k < 0 else alpha, "must be >= 0.")
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
