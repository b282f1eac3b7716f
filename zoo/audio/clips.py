"""Fixed-length clips and mono mixdown, as TensorFlow ops usable in `tf.data`."""

import tensorflow as tf

from zoo.validation import check_choice, check_positive_int

__all__ = ["to_mono", "fix_length"]


def to_mono(waveform):
    """Average the channels of a `(samples, channels)` waveform to `(samples,)`.

    A 1-D waveform is returned unchanged.

    Example:
        >>> zoo.audio.to_mono(tf.ones([10, 2])).shape
        TensorShape([10])
    """
    waveform = tf.convert_to_tensor(waveform)
    return tf.reduce_mean(waveform, axis=-1) if waveform.shape.rank == 2 else waveform


def fix_length(waveform, length, mode="centre", seed=None):
    """Crop or zero-pad a waveform's first axis to exactly `length` samples.

    Longer clips are cropped, shorter ones padded with zeros on both sides.
    `"centre"` (evaluation) keeps the middle; `"random"` (training) picks the
    offset uniformly, so every epoch sees a different window.

    Args:
        waveform: tensor `(samples,)` or `(samples, channels)`.
        length: wanted number of samples.
        mode: `"centre"` or `"random"`.
        seed: for `"random"`: a shape-`(2,)` int tensor for a stateless
            (repeatable) draw, or None for TensorFlow's global generator.

    Returns:
        Tensor with `length` samples on the first axis.

    Example:
        >>> zoo.audio.fix_length(tf.ones([5]), 8).numpy()
        array([0., 1., 1., 1., 1., 1., 0., 0.], dtype=float32)
    """
    check_positive_int("length", length)
    check_choice("mode", mode, ("centre", "random"))
    waveform = tf.convert_to_tensor(waveform)
    n = tf.shape(waveform)[0]
    slack = tf.abs(n - length)  # samples to drop (crop) or to add (pad)
    if mode == "centre":
        offset = slack // 2
    elif seed is not None:
        offset = tf.random.stateless_uniform([], seed, 0, slack + 1, dtype=tf.int32)
    else:
        offset = tf.random.uniform([], 0, slack + 1, dtype=tf.int32)

    def crop():
        return waveform[offset : offset + length]

    def pad():
        pads = tf.concat(
            [[[offset, slack - offset]], tf.zeros([tf.rank(waveform) - 1, 2], tf.int32)], 0
        )
        return tf.pad(waveform, pads)

    out = tf.cond(n >= length, crop, pad)
    return tf.ensure_shape(out, [length] + waveform.shape[1:].as_list())
