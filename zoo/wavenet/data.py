"""Data helpers for WaveNet: waveforms -> shifted (input, next-sample class) pairs for `fit`.

Paper: van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio".
"""

import numpy as np
import tensorflow as tf

from zoo.wavenet.mu_law import mu_law_encode
from zoo.validation import check_positive_int

__all__ = ["shifted_pairs", "waveform_pairs", "training_dataset", "example_batch"]


def shifted_pairs(classes):
    """Split class sequences `[..., time + 1]` into (input, next-sample target) pairs.

    Returns:
        `(classes[..., :-1], classes[..., 1:])`: the target at step `t` is the
        input at step `t + 1`, which is what a causal model predicts.

    Example:
        >>> x, y = shifted_pairs(tf.constant([[5, 6, 7]]))
        >>> x.numpy().tolist(), y.numpy().tolist()
        ([[5, 6]], [[6, 7]])
    """
    return classes[..., :-1], classes[..., 1:]


def waveform_pairs(waveforms, quantization_channels=256):
    """Waveforms `[..., time + 1]` in [-1, 1] -> mu-law (input, next-sample class) pairs.

    Example:
        >>> x, y = waveform_pairs(np.sin(np.arange(1001) / 10.0)[None])
        >>> model.fit(x, y)  # doctest: +SKIP
    """
    return shifted_pairs(mu_law_encode(waveforms, quantization_channels))


def training_dataset(
    dataset, quantization_channels=256, segment_length=None, use_labels=False, seed=0
):
    """Map a dataset of `(waveform [batch, time], label)` batches to WaveNet `fit` pairs.

    Args:
        dataset: `tf.data.Dataset` of `(waveform, label)` batches, e.g.
            `applications.data.load_dataset(...).train`.
        quantization_channels: mu-law classes of the model.
        segment_length: if set, each batch is cut to a random window of
            `segment_length + 1` samples (same offset across the batch), which
            keeps steps short on long clips.
        use_labels: pass the labels as the `global_condition` input.
        seed: seed of the random windows.

    Returns:
        A dataset of `(x, y)`: `x` is the int32 `audio` classes (or a dict with
        `global_condition` too), `y` the next-sample classes.

    Example:
        >>> import tensorflow as tf
        >>> clips = tf.data.Dataset.from_tensors((np.zeros((2, 8000), "float32"), [0, 1]))
        >>> ds = training_dataset(clips, segment_length=4000, use_labels=True)
        >>> x, y = next(iter(ds))
        >>> x["audio"].shape, y.shape
        (TensorShape([2, 4000]), TensorShape([2, 4000]))
    """
    if segment_length is not None:
        check_positive_int("segment_length", segment_length, minimum=1)
    generator = tf.random.Generator.from_seed(seed)

    def to_pairs(waveform, label):
        waveform = tf.convert_to_tensor(waveform, tf.float32)
        if segment_length is not None:
            length = tf.shape(waveform)[1]
            window = tf.minimum(segment_length + 1, length)
            start = generator.uniform((), 0, length - window + 1, dtype=tf.int32)
            waveform = waveform[:, start : start + window]
        x, y = waveform_pairs(waveform, quantization_channels)
        if use_labels:
            x = {"audio": x, "global_condition": tf.cast(label, tf.int32)}
        return x, y

    return dataset.map(to_pairs)


def example_batch(model, batch_size=4, seed=0):
    """A batch the harness trains on: a noisy sine's classes, next samples one-hot.

    The harness wants targets shaped like the output, hence one-hot targets
    and categorical cross-entropy; `waveform_pairs` gives the sparse ones.
    """
    rng = np.random.default_rng(seed)
    steps = 4 * model.local_condition_hop if model.local_condition_channels else 64
    t = np.arange(steps + 1)[None] / 8.0 + rng.uniform(0, 6.3, (batch_size, 1))
    wave = 0.8 * np.sin(t) + 0.05 * rng.standard_normal((batch_size, steps + 1))
    x, y = waveform_pairs(wave.astype("float32"), model.quantization_channels)
    x, y = np.asarray(x), np.eye(model.quantization_channels, dtype="float32")[np.asarray(y)]
    if not (model.global_condition_classes or model.local_condition_channels):
        return x, y
    inputs = {"audio": x}
    if model.global_condition_classes:
        inputs["global_condition"] = rng.integers(
            0, model.global_condition_classes, batch_size
        ).astype("int32")
    if model.local_condition_channels:
        frames = steps // model.local_condition_hop
        inputs["local_condition"] = rng.standard_normal(
            (batch_size, frames, model.local_condition_channels)
        ).astype("float32")
    return inputs, y
