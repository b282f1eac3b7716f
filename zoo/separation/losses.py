"""The training loss of the separators: negative SNR of each source's waveform.

Why waveforms and not magnitudes: the models end in an inverse STFT with the
mixture's phase, so a loss on their output scores what `separate apply`
writes, phase errors included, and the gradient flows back through the iSTFT
to the masks. SNR rather than L1/MSE because it is a log ratio per source: a
quiet source counts as much as a loud one, and it is the quantity SI-SDR
measures, minus the scale invariance (the estimate must keep the right level).
"""

import keras
from keras import ops

__all__ = ["negative_snr", "example_batch"]


@keras.saving.register_keras_serializable(package="zoo")
def negative_snr(y_true, y_pred, epsilon=1e-8):
    """Mean over sources of `-10 log10(|s|^2 / |s - s_hat|^2)`, per example.

    Args:
        y_true: true sources `(batch, sources, samples)`.
        y_pred: estimates of the same shape.
        epsilon: added to both energies so silent sources stay finite.

    Returns:
        `(batch,)` losses in dB (lower is better).

    Example:
        >>> target = np.sin(np.arange(100.0))[None]
        >>> float(negative_snr(target, 0.9 * target))  # -10 log10(1 / 0.01) = -20 dB
        -20.0...
    """
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.cast(y_pred, "float32")
    signal = ops.sum(ops.square(y_true), axis=-1) + epsilon
    noise = ops.sum(ops.square(y_true - y_pred), axis=-1) + epsilon
    snr = 10.0 * ops.log(signal / noise) / ops.log(10.0)
    return -ops.mean(snr, axis=-1)


def example_batch(model, batch_size=4, seed=0, samples=400):
    """A batch of `(mixture, sources)` from Gaussian sources: what the harness trains on.

    Args:
        model: a separator (its output has `(batch, sources, samples)`).
        batch_size: examples.
        seed: NumPy seed.
        samples: waveform length.

    Returns:
        `(mixture (batch, samples), sources (batch, sources, samples))`, float32.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    count = model.output.shape[1]
    sources = rng.standard_normal((batch_size, count, samples)).astype("float32") * 0.1
    return sources.sum(axis=1), sources
