"""From a log-mel spectrogram to an ImageNet backbone's input, as a Keras layer."""

import keras
import tensorflow as tf

from zoo.layers.config import attribute_config
from zoo.validation import check_choice, check_input_shape, argument_error

__all__ = ["SpectrogramToImage", "IMAGENET_BGR_MEANS"]

# keras.applications.vgg16.preprocess_input ("caffe" mode): BGR, 0-255, these means.
IMAGENET_BGR_MEANS = (103.939, 116.779, 123.68)


@keras.saving.register_keras_serializable(package="zoo")
class SpectrogramToImage(keras.layers.Layer):
    """Log-mel dB `(batch, n_mels, frames, 1)` -> image `(batch, H, W, channels)`.

    Steps, all deterministic:

    1. dB -> 0..255: per example, `[max - db_range, max]` maps linearly onto
       `[0, 255]`, lower values clip to 0. Anchoring at each example's own
       peak makes the image independent of recording gain (a quiet and a loud
       take of one sound look alike), while a fixed *width* keeps the dB
       scale of the contrast; unlike min-max it is not stretched by a single
       digital-silence frame at -100 dB.
    2. Bilinear resize to `size` (mel bin 0, the lowest band, is row 0).
    3. Repeat to `channels` (3 for RGB weights; 1 for a backbone built with
       `in_channels=1`).
    4. `normalization="vgg"`: `keras.applications.vgg16.preprocess_input`
       semantics: BGR order, subtract the ImageNet means on the 0-255 scale.
       With one channel the mean of the three means is subtracted, matching
       a first conv whose kernels were summed over RGB.

    Args:
        size: `(height, width)` of the output image.
        channels: 1 or 3.
        normalization: `"vgg"` or `"none"` (leave 0-255).
        db_range: dB below each example's peak that maps to 0.
        **kwargs: `keras.layers.Layer` arguments. `dtype` defaults to float32
            whatever the global policy, so a float32 log-mel is not rounded to
            bfloat16 on its way in; a bfloat16 backbone casts the image once.

    Example:
        >>> to_image = zoo.audio.SpectrogramToImage(size=(224, 224))
        >>> to_image(np.zeros((2, 64, 63, 1), "float32")).shape
        TensorShape([2, 224, 224, 3])
    """

    def __init__(self, size=(224, 224), channels=3, normalization="vgg", db_range=80.0, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.size = check_input_shape("size", size, rank=2)
        self.channels = check_choice("channels", channels, (1, 3))
        self.normalization = check_choice("normalization", normalization, ("vgg", "none"))
        if not isinstance(db_range, (int, float)) or not db_range > 0:
            raise argument_error(
                "db_range", db_range, "`db_range` must be a positive number of dB."
            )
        self.db_range = float(db_range)

    def call(self, inputs):
        x = tf.cast(inputs, tf.float32)
        peak = tf.reduce_max(x, axis=[1, 2, 3], keepdims=True)
        x = 255.0 * tf.clip_by_value((x - (peak - self.db_range)) / self.db_range, 0.0, 1.0)
        x = tf.image.resize(x, self.size, method="bilinear")
        if self.channels == 3:
            x = tf.repeat(x, 3, axis=-1)  # grey: the same in R, G and B, so BGR order is moot
        if self.normalization == "vgg":
            means = IMAGENET_BGR_MEANS if self.channels == 3 else (sum(IMAGENET_BGR_MEANS) / 3,)
            x = x - tf.constant(means, tf.float32)
        return tf.cast(x, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self.size, self.channels)

    def get_config(self):
        return {
            **super().get_config(),
            **attribute_config(self, "size", "channels", "normalization", "db_range"),
        }
