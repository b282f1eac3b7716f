"""A trained classifier as a HEAR model: its embedding network with the window and hop.

The embedding is the input of the classifier's last dense layer
(`applications.trained.embedding`); `from_keras` wraps it with the sample rate,
the window each embedding sees and the spacing of timestamp embeddings.
"""

import numpy as np
import tensorflow as tf

from applications.errors import UsageError
from applications.trained.embedding import audio_embedder

__all__ = ["HEAR_SAMPLE_RATES", "HearModel", "from_keras"]

# The rates the HEAR 2021 API allows (hear-validator's ACCEPTABLE_SAMPLE_RATE).
HEAR_SAMPLE_RATES = (16000, 22050, 44100, 48000)


class HearModel(tf.Module):
    """What `applications.hear.load_model` returns (the HEAR API's model object).

    Attributes:
        sample_rate: audio rate the model takes (Hz).
        scene_embedding_size: D of `get_scene_embeddings`.
        timestamp_embedding_size: D of `get_timestamp_embeddings`.
        window: samples each embedding sees (the classifier's clip length).
        hop_ms: milliseconds between timestamp embeddings (<= 50, the HEAR limit).
        network: waveform window `(batch, window)` -> `(batch, D)`.
        class_names: the classifier's labels, when known.
    """

    def __init__(self, network, sample_rate, window, hop_ms=50.0, class_names=None):
        super().__init__(name="hear_model")
        if not 0 < hop_ms <= 50:
            raise UsageError(f"hop_ms must be in (0, 50] (the HEAR limit). Received: {hop_ms!r}")
        self.network = network
        self.sample_rate = int(sample_rate)
        self.window = int(window)
        self.hop_ms = float(hop_ms)
        self.class_names = None if class_names is None else list(class_names)
        self.scene_embedding_size = int(network.output.shape[-1])
        self.timestamp_embedding_size = self.scene_embedding_size

    def embed_windows(self, windows, batch_size=64):
        """Embeddings `(n, D)` float32 of `(n, window)` waveforms, in inference mode."""
        windows = np.asarray(windows, np.float32)
        out = [
            np.asarray(self.network(windows[i : i + batch_size], training=False))
            for i in range(0, len(windows), batch_size)
        ]
        if not out:
            return np.zeros((0, self.scene_embedding_size), np.float32)
        return np.concatenate(out).astype(np.float32)


def from_keras(model, labels=None, where="model", window_seconds=None, hop_ms=50.0):
    """Wrap a loaded Keras classifier (and its `labels.json` dict) as a `HearModel`.

    Args:
        model: a waveform classifier, a PANNs network, or a network without a top.
        labels: the `labels.json` of `audiozoo finetune` (sample rate, class names), or None.
        where: names the model in errors.
        window_seconds: samples per embedding window in seconds; None: the model's
            fixed input length, else 1 s.
        hop_ms: spacing of timestamp embeddings.

    Returns:
        A `HearModel`.

    Example:
        >>> hear_model = from_keras(keras.saving.load_model("runs/a/model.keras"))
    """
    net, rate = audio_embedder(model, labels, where)
    fixed = net.input.shape[1]
    if window_seconds is not None:
        window = int(round(window_seconds * rate))
        if fixed is not None and window != fixed:
            raise UsageError(
                f"{where} takes windows of {fixed} samples; window_seconds={window_seconds!r} "
                f"gives {window}.",
                hint="leave window_seconds unset for a model with a fixed input length",
            )
    else:
        window = fixed if fixed is not None else rate
    names = (labels or {}).get("class_names")
    return HearModel(net, rate, window, hop_ms=hop_ms, class_names=names)
