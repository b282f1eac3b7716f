"""The HEAR benchmark's embedding API for models of this zoo (hearbenchmark.com/hear-api.html).

`python -m heareval.embeddings.runner applications.hear --model runs/a` finds
the three functions of the API here: `load_model(path)` takes an `audiozoo
finetune` output folder, its `model.keras`, any `.keras` classifier on raw
waveforms, or a PANNs network on log-mels; embeddings are the input of the
classifier's last dense layer. Audio is `(n_sounds, n_samples)` float32 at
`model.sample_rate`. `applications.hear.files.embed_files` writes the embeddings
of audio files to one `.npz` (`audiozoo embed`).

Example:
    >>> model = load_model("runs/chords")
    >>> emb, ts = get_timestamp_embeddings(audio, model)   # hop 50 ms
    >>> scene = get_scene_embeddings(audio, model)          # (n_sounds, D)
"""

import os
import warnings

import numpy as np
import tensorflow as tf

from applications.errors import UsageError
from applications.hear.frames import scene_windows, timestamp_windows
from applications.hear.model import HEAR_SAMPLE_RATES, HearModel, from_keras
from applications.trained import CLASSIFIER_HINT, load_classifier

__all__ = [
    "HEAR_SAMPLE_RATES",
    "load_model",
    "get_scene_embeddings",
    "get_timestamp_embeddings",
    "HearModel",
    "from_keras",
]


def load_model(model_file_path="", window_seconds=None, hop_ms=50.0, strict=False):
    """Load a model of this zoo for the HEAR API.

    The HEAR API allows only the rates in `HEAR_SAMPLE_RATES` (16, 22.05, 44.1 and
    48 kHz) and its validator refuses the others: a model at another rate loads with a
    warning naming them, or is refused under `strict=True`.

    Args:
        model_file_path: a finetune output folder or a `.keras` file.
        window_seconds: samples each embedding sees, in seconds; None: the model's
            clip length (1 s for a model of any length).
        hop_ms: timestamp spacing, at most 50 ms.
        strict: refuse (`UsageError`) a sample rate the HEAR API does not allow.

    Returns:
        A `HearModel` with `sample_rate`, `scene_embedding_size` and
        `timestamp_embedding_size`.
    """
    path = os.fspath(model_file_path) if model_file_path else ""
    if not path:
        raise UsageError("load_model needs a model path (none was given).", hint=CLASSIFIER_HINT)
    model, labels, file = load_classifier("model", path)
    served = from_keras(
        model, labels, where=f"model {file!r}", window_seconds=window_seconds, hop_ms=hop_ms
    )
    if served.sample_rate not in HEAR_SAMPLE_RATES:
        allowed = ", ".join(str(rate) for rate in HEAR_SAMPLE_RATES)
        problem = (
            f"model {file!r} takes {served.sample_rate} Hz audio; the HEAR API allows "
            f"{allowed} Hz, and its validator refuses other rates."
        )
        if strict:
            raise UsageError(problem, hint="train or fine-tune the model at one of those rates")
        warnings.warn(problem, UserWarning, stacklevel=2)
    return served


def _audio(audio, model):
    if not isinstance(model, HearModel):
        raise UsageError(f"model must come from load_model. Received: model={type(model)!r}")
    array = np.asarray(audio, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] == 0:
        raise UsageError(
            f"audio must be (n_sounds, n_samples) with samples. Received: audio.shape={array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise UsageError("audio holds NaN or inf samples.")
    return array


def get_timestamp_embeddings(audio, model):
    """Embeddings every `model.hop_ms` milliseconds (HEAR's `get_timestamp_embeddings`).

    Args:
        audio: `(n_sounds, n_samples)` float32 at `model.sample_rate`.
        model: from `load_model`.

    Returns:
        `(embeddings, timestamps)`: float32 tensors `(n_sounds, n_timestamps, D)`
        and `(n_sounds, n_timestamps)`, the window centres in milliseconds.
    """
    array = _audio(audio, model)
    hop = max(1, int(round(model.hop_ms * model.sample_rate / 1000)))
    windows, centres = timestamp_windows(array, model.window, hop)
    n, t = windows.shape[:2]
    emb = model.embed_windows(windows.reshape(n * t, -1)).reshape(n, t, -1)
    ms = np.tile(centres * 1000.0 / model.sample_rate, (n, 1)).astype(np.float32)
    return tf.constant(emb), tf.constant(ms)


def get_scene_embeddings(audio, model):
    """One embedding per sound (HEAR's `get_scene_embeddings`): the mean over its windows.

    Args:
        audio: `(n_sounds, n_samples)` float32 at `model.sample_rate`.
        model: from `load_model`.

    Returns:
        A float32 tensor `(n_sounds, D)`; a sound of exactly one window gets the
        embedding the classifier itself computes.
    """
    array = _audio(audio, model)
    windows = scene_windows(array, model.window)
    n, w = windows.shape[:2]
    emb = model.embed_windows(windows.reshape(n * w, -1)).reshape(n, w, -1)
    return tf.constant(emb.mean(axis=1))
