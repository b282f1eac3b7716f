"""The fewest samples a waveform model takes, found by running it, and the check that uses it.

A network that pools in time (the events CRNN, a VGG on log-mels) needs a minimum
input length; below it TensorFlow fails deep inside ("Negative dimension size caused
by subtracting 2 from 1 ..."). `check_length` says instead which file is too short
and what the minimum is. Importing this module imports no TensorFlow.
"""

import numpy as np

from applications.errors import UsageError

__all__ = ["minimum_samples", "check_length"]

_LIMIT = 1 << 22  # samples: past this a model that still fails has another problem


def _runs(model, samples):
    """Whether `model` maps a `(1, samples)` waveform to outputs with no empty axis."""
    import tensorflow as tf

    try:
        outputs = model(np.zeros((1, samples), np.float32), training=False)
    except (ValueError, tf.errors.OpError):
        return False
    return all(0 not in tuple(out.shape) for out in tf.nest.flatten(outputs))


def minimum_samples(model):
    """The smallest waveform length `model` runs on (cached on the model), or None if none.

    Doubling, then bisection: about 2 log2(minimum) calls on zeros, each tiny.

    Args:
        model: a Keras model on `(batch, samples)` waveforms of any length.

    Returns:
        int samples, or None when even `2**22` samples fail.
    """
    cached = getattr(model, "_zoo_minimum_samples", False)
    if cached is not False:
        return cached
    found = 1 if _runs(model, 1) else None
    if found is None:
        high = 2
        while high <= _LIMIT and not _runs(model, high):
            high *= 2
        if high <= _LIMIT:
            low = high // 2  # fails
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (low, middle) if _runs(model, middle) else (middle, high)
            found = high
    model._zoo_minimum_samples = found
    return found


def check_length(model, path, samples, sample_rate):
    """Raise one `UsageError` naming `path` if `samples` is below the model's minimum.

    Args:
        model: the waveform model about to run on the file.
        path: the file, for the message.
        samples: its length at the model's rate.
        sample_rate: the model's rate in Hz.
    """
    minimum = minimum_samples(model)
    if minimum is not None and samples < minimum:
        raise UsageError(
            f"{path}: {samples} samples at {sample_rate} Hz ({samples / sample_rate:.3g} s) is "
            f"shorter than the model's minimum of {minimum} samples "
            f"({minimum / sample_rate:.3g} s).",
            hint="pass a longer recording, or pad it with silence",
        )
