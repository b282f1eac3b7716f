"""SpecAugment frequency and time masking (Park et al. 2019) as a Keras layer."""

import keras
import tensorflow as tf

from zoo.layers.config import attribute_config
from zoo.validation import check_positive_int, argument_error

__all__ = ["SpecAugment"]


def _check_count(arg, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise argument_error(arg, value, f"`{arg}` must be an integer >= 0.")
    return value


@keras.saving.register_keras_serializable(package="zoo")
class SpecAugment(keras.layers.Layer):
    """Random frequency and time masks on `(batch, n_mels, frames, channels)`, training only.

    Each example gets `num_freq_masks` bands of `f ~ U{0..freq_mask_param}`
    mel bins and `num_time_masks` spans of `t ~ U{0..time_mask_param}` frames
    (clipped to the spectrogram), at uniform positions. Masked cells take the
    example's mean value: for dB log-mels that is a neutral level, whereas 0 dB
    would be louder than most of the spectrogram (the paper masks
    normalised features with 0, i.e. their mean). At inference the layer is
    the identity. Park et al. 2019, "SpecAugment".

    Args:
        freq_mask_param: largest frequency-mask width F (bins).
        time_mask_param: largest time-mask width T (frames).
        num_freq_masks: frequency masks per example.
        num_time_masks: time masks per example.
        seed: optional int seed for repeatable masks.
        **kwargs: `keras.layers.Layer` arguments. `dtype` defaults to float32
            whatever the global policy: the masks sit between float32 front-end
            layers, which bfloat16 would round in between.

    Example:
        >>> aug = zoo.audio.SpecAugment(freq_mask_param=8, time_mask_param=10)
        >>> log_mel = np.zeros((2, 64, 100, 1), "float32")
        >>> aug(log_mel, training=True).shape
        TensorShape([2, 64, 100, 1])
    """

    def __init__(
        self,
        freq_mask_param=8,
        time_mask_param=16,
        num_freq_masks=2,
        num_time_masks=2,
        seed=None,
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.freq_mask_param = _check_count("freq_mask_param", freq_mask_param)
        self.time_mask_param = _check_count("time_mask_param", time_mask_param)
        self.num_freq_masks = _check_count("num_freq_masks", num_freq_masks)
        self.num_time_masks = _check_count("num_time_masks", num_time_masks)
        if seed is not None:
            check_positive_int("seed", seed, minimum=0)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _band_mask(self, batch, size, count, max_width):
        """(batch, size) bool: True inside any of `count` random bands per example."""
        if count == 0 or max_width == 0:
            return tf.zeros([batch, size], tf.bool)
        u = keras.random.uniform((batch, count, 2), seed=self.seed_generator)
        width = tf.minimum(tf.cast(tf.floor(u[..., 0] * (max_width + 1)), tf.int32), size)
        start = tf.cast(tf.floor(u[..., 1] * tf.cast(size - width + 1, tf.float32)), tf.int32)
        index = tf.range(size)[None, None, :]
        inside = (index >= start[..., None]) & (index < (start + width)[..., None])
        return tf.reduce_any(inside, axis=1)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        shape = tf.shape(inputs)
        batch, bins, frames = shape[0], shape[1], shape[2]
        freq = self._band_mask(batch, bins, self.num_freq_masks, self.freq_mask_param)
        time = self._band_mask(batch, frames, self.num_time_masks, self.time_mask_param)
        masked = freq[:, :, None, None] | time[:, None, :, None]
        fill = tf.reduce_mean(inputs, axis=[1, 2, 3], keepdims=True)
        return tf.where(masked, tf.broadcast_to(fill, shape), inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            **attribute_config(
                self,
                "freq_mask_param",
                "time_mask_param",
                "num_freq_masks",
                "num_time_masks",
                "seed",
            ),
        }
