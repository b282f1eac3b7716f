"""Clip-level summary of per-frame features: one fixed-length vector per clip."""

import keras
import tensorflow as tf

from zoo.validation import argument_error

__all__ = ["STATISTICS", "DELTA_WIDTH", "ClipSummary", "delta", "summarize", "summary_names"]

STATISTICS = ("mean", "std", "absdelta")
DELTA_WIDTH = 9  # librosa.feature.delta's default window


def check_statistics(statistics):
    """`statistics` as a tuple of distinct names from `STATISTICS` (else a ValueError)."""
    chosen = tuple(statistics)
    if not chosen or len(set(chosen)) != len(chosen) or set(chosen) - set(STATISTICS):
        raise argument_error(
            "statistics", statistics, f"`statistics` must be distinct names from {STATISTICS}."
        )
    return chosen


def summary_names(frame_names, statistics=STATISTICS):
    """Names of `ClipSummary`'s outputs for per-frame columns `frame_names`.

    Statistic-major: every `<name>_mean`, then every `<name>_std`, then every
    `<name>_absdelta` (those of `statistics`, in its order).

    Example:
        >>> summary_names(["rms", "f0"])
        ['rms_mean', 'f0_mean', 'rms_std', 'f0_std', 'rms_absdelta', 'f0_absdelta']
    """
    return [f"{name}_{stat}" for stat in statistics for name in frame_names]


def delta(features, width=DELTA_WIDTH):
    """`(batch, frames, D)` -> its first-order delta over frames, as `librosa.feature.delta`.

    librosa's delta is a Savitzky-Golay first derivative (polynomial order 1,
    `mode="interp"`): inside the clip the least-squares slope of the `width`
    frames centred on each frame, `sum_k k x_{t+k} / sum_k k^2`; in the first and
    last `width // 2` frames the slope of the first or last full window. A clip
    shorter than `width` frames (where librosa refuses) gets the slope of the
    line fitted to all its frames (0 for one frame).

    Example:
        >>> delta(tf.range(12, dtype=tf.float32)[None, :, None])[0, :, 0].numpy().round(6)
        array([1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1.], dtype=float32)
    """
    x = tf.cast(features, tf.float32)
    half = width // 2
    frames = tf.shape(x)[1]
    offsets = tf.range(-half, half + 1, dtype=tf.float32)
    kernel = offsets / tf.reduce_sum(tf.square(offsets))

    def windowed():
        valid = frames - 2 * half
        # Slope of the window starting at each frame: sum_k kernel_k x_{s + half + k}.
        slopes = sum(kernel[k] * x[:, k : k + valid] for k in range(width))
        where = tf.clip_by_value(tf.range(frames) - half, 0, valid - 1)
        return tf.gather(slopes, where, axis=1)

    def whole():
        t = tf.cast(tf.range(frames), tf.float32)[None, :, None]
        centred = t - tf.reduce_mean(t, axis=1, keepdims=True)
        spread = tf.maximum(tf.reduce_sum(tf.square(centred), axis=1, keepdims=True), 1e-12)
        slope = tf.reduce_sum(centred * (x - tf.reduce_mean(x, axis=1, keepdims=True)), axis=1)
        return tf.broadcast_to(slope[:, None] / spread, tf.shape(x))

    return tf.cond(frames >= width, windowed, whole)


def summarize(features, statistics=STATISTICS):
    """`(batch, frames, D)` -> `(batch, len(statistics) D)` (`ClipSummary`).

    Example:
        >>> summarize(tf.ones((1, 4, 2))).numpy()
        array([[1., 1., 0., 0., 0., 0.]], dtype=float32)
    """
    x = tf.cast(features, tf.float32)
    mean = tf.reduce_mean(x, axis=1)
    out = {"mean": mean}
    if "std" in statistics:
        out["std"] = tf.sqrt(tf.reduce_mean(tf.square(x - mean[:, None]), axis=1))
    if "absdelta" in statistics:
        steps = tf.maximum(tf.shape(x)[1] - 1, 1)
        moved = tf.reduce_sum(tf.abs(x[:, 1:] - x[:, :-1]), axis=1)
        out["absdelta"] = moved / tf.cast(steps, tf.float32)
    return tf.concat([out[name] for name in statistics], axis=-1)


@keras.saving.register_keras_serializable(package="zoo")
class ClipSummary(keras.layers.Layer):
    """Per-frame features `(batch, frames, D)` -> `(batch, S D)`: mean, std, mean |delta|.

    For each column `x_t` over the `T` frames of a clip: `mean = (1/T) sum_t x_t`,
    `std = sqrt((1/T) sum_t (x_t - mean)^2)` (population, `np.std`), and
    `absdelta = (1/(T-1)) sum_{t>=1} |x_t - x_{t-1}|`, the mean absolute first
    difference (0 for a one-frame clip). The absolute value is deliberate: the plain
    mean of first differences telescopes to `(x_T - x_1) / (T - 1)` and says only how
    the clip ends, while the mean |delta| measures how fast the feature moves.
    Output order is statistic-major (see `summary_names`). Every frame counts, so
    batch clips of equal length (zero padding adds silent frames).

    Args:
        statistics: which of `STATISTICS` to output, in this order (`S` of them).
        **kwargs: `keras.layers.Layer` arguments (`name`, ...).

    Example:
        >>> ClipSummary()(np.ones((2, 10, 5), "float32")).shape
        TensorShape([2, 15])
    """

    def __init__(self, statistics=STATISTICS, **kwargs):
        super().__init__(**kwargs)
        self.statistics = check_statistics(statistics)

    def call(self, inputs):
        return summarize(inputs, self.statistics)

    def compute_output_shape(self, input_shape):
        width = input_shape[-1]
        return (input_shape[0], None if width is None else len(self.statistics) * width)

    def get_config(self):
        return {**super().get_config(), "statistics": list(self.statistics)}
