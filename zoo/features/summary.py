"""Clip-level summary of per-frame features: one fixed-length vector per clip."""

import keras
import tensorflow as tf

__all__ = ["STATISTICS", "ClipSummary", "summarize", "summary_names"]

STATISTICS = ("mean", "std", "absdelta")


def summary_names(frame_names):
    """Names of `ClipSummary`'s outputs for per-frame columns `frame_names`.

    Statistic-major: every `<name>_mean`, then every `<name>_std`, then every
    `<name>_absdelta`.

    Example:
        >>> summary_names(["rms", "f0"])
        ['rms_mean', 'f0_mean', 'rms_std', 'f0_std', 'rms_absdelta', 'f0_absdelta']
    """
    return [f"{name}_{stat}" for stat in STATISTICS for name in frame_names]


def summarize(features):
    """`(batch, frames, D)` -> `(batch, 3 D)`: mean, std, mean |first difference| (`ClipSummary`).

    Example:
        >>> summarize(tf.ones((1, 4, 2))).numpy()
        array([[1., 1., 0., 0., 0., 0.]], dtype=float32)
    """
    x = tf.cast(features, tf.float32)
    mean = tf.reduce_mean(x, axis=1)
    std = tf.sqrt(tf.reduce_mean(tf.square(x - mean[:, None]), axis=1))
    steps = tf.maximum(tf.shape(x)[1] - 1, 1)
    delta = tf.reduce_sum(tf.abs(x[:, 1:] - x[:, :-1]), axis=1) / tf.cast(steps, tf.float32)
    return tf.concat([mean, std, delta], axis=-1)


@keras.saving.register_keras_serializable(package="zoo")
class ClipSummary(keras.layers.Layer):
    """Per-frame features `(batch, frames, D)` -> `(batch, 3 D)`: mean, std, mean |delta|.

    For each column `x_t` over the `T` frames of a clip: `mean = (1/T) sum_t x_t`,
    `std = sqrt((1/T) sum_t (x_t - mean)^2)` (population, `np.std`), and
    `absdelta = (1/(T-1)) sum_{t>=1} |x_t - x_{t-1}|`, the mean absolute first
    difference (0 for a one-frame clip). The absolute value is deliberate: the plain
    mean of first differences telescopes to `(x_T - x_1) / (T - 1)` and says only how
    the clip ends, while the mean |delta| measures how fast the feature moves.
    Output order is statistic-major (see `summary_names`). Every frame counts, so
    batch clips of equal length (zero padding adds silent frames).

    Args:
        **kwargs: `keras.layers.Layer` arguments (`name`, ...).

    Example:
        >>> ClipSummary()(np.ones((2, 10, 5), "float32")).shape
        TensorShape([2, 15])
    """

    def call(self, inputs):
        return summarize(inputs)

    def compute_output_shape(self, input_shape):
        width = None if input_shape[-1] is None else 3 * input_shape[-1]
        return (input_shape[0], width)
