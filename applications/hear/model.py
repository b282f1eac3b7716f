"""A trained classifier as an embedding model: the input of its last dense layer.

`embedding_network(model)` clones a classifier (sharing its weights) with the
final classification layer (`predictions` of `audiozoo finetune`, `fc_audioset`
of PANNs) replaced by the identity, so what comes out is what that layer saw:
the transfer head's normalised VGG features, the from-scratch CNN's pooled
features (averaged over its test-time crops), PANNs' `fc1`. A PANNs network on
log-mel input gets the official PANNs front end in front of it.
"""

import json
import os
import zipfile

import keras
import numpy as np
import tensorflow as tf

from applications.errors import UsageError

__all__ = ["HearModel", "embedding_network", "from_keras", "read_model", "CLASSIFIER_LAYERS"]

CLASSIFIER_LAYERS = ("predictions", "fc_audioset")
FUSION = "fusion"  # `applications.finetune.fusion`'s layer in a model joined to its baseline
HINT = "pass an `audiozoo finetune` output folder, its model.keras, or a .keras classifier"


def _find_layer(model, names, cls=None):
    """The first layer (searching nested models) named in `names` or of type `cls`."""
    for layer in model.layers:
        if layer.name in names or (cls is not None and isinstance(layer, cls)):
            return layer
        if isinstance(layer, keras.Model):
            found = _find_layer(layer, names, cls)
            if found is not None:
                return found
    return None


def embedding_network(model, where="model"):
    """Clone `model` (same weights) ending at the input of its classification layer.

    Args:
        model: a Keras classifier (waveform or log-mel in), or a network without
            a top whose output is already a vector.
        where: names the model in errors.

    Returns:
        A `keras.Model` giving `(batch, D)` embeddings.
    """
    if FUSION in {layer.name for layer in model.layers}:
        # A finetune model joined to its baseline: embed with the network alone.
        model = keras.Model(model.input, model.get_layer(FUSION).input[0])
    if _find_layer(model, CLASSIFIER_LAYERS) is None:
        if len(model.output.shape) != 2:
            raise UsageError(
                f"{where}: {model.name!r} has no {' or '.join(CLASSIFIER_LAYERS)} layer and its "
                f"output {tuple(model.output.shape)} is not one vector per clip.",
                hint=HINT,
            )
        return model

    def swap(layer):
        # The same layer objects, so the clone shares every trained weight.
        if layer.name in CLASSIFIER_LAYERS:
            return keras.layers.Identity(name="embedding")
        return layer

    return keras.models.clone_model(model, clone_function=swap, recursive=True)


def _with_front_end(net, where):
    """Put the PANNs log-mel front end before a network whose input is a log-mel."""
    from zoo.audio import LogMelSpectrogram
    from zoo.convnets.panns_layers import PANNS_AUDIO, panns_log_mel

    if _find_layer(net, (), LogMelSpectrogram) is not None or len(net.input.shape) == 2:
        return net
    bins = net.input.shape[2]
    if bins != PANNS_AUDIO["n_mels"]:
        raise UsageError(
            f"{where}: {net.name!r} takes log-mels with {bins} bins; only waveform models and "
            f"PANNs-style networks on {PANNS_AUDIO['n_mels']}-bin log-mels can embed audio.",
            hint=HINT,
        )
    waveform = keras.Input((None,), name="waveform")
    return keras.Model(waveform, net(panns_log_mel()(waveform)), name=f"{net.name}_audio")


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


def _sample_rate(model, labels):
    from zoo.audio import LogMelSpectrogram
    from zoo.convnets.panns_layers import PANNS_AUDIO

    if labels and labels.get("sample_rate"):
        return int(labels["sample_rate"])
    layer = _find_layer(model, (), LogMelSpectrogram)
    return int(layer.sample_rate) if layer is not None else PANNS_AUDIO["sample_rate"]


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
    net = _with_front_end(embedding_network(model, where), where)
    rate = _sample_rate(model, labels)
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


def read_model(path):
    """Load `path` (a finetune output folder or a `.keras` file) and the `labels.json` beside it.

    Returns:
        `(model, labels_or_None, model_file)`; errors are `UsageError`s naming the file.
    """
    from applications.finetune import register_layers

    register_layers()

    path = os.fspath(path) if path else ""
    if not path:
        raise UsageError("load_model needs a model path (none was given).", hint=HINT)
    file = os.path.join(path, "model.keras") if os.path.isdir(path) else path
    if not os.path.isfile(file):
        raise UsageError(f"model {file!r} does not exist.", hint=HINT)
    if not zipfile.is_zipfile(file):
        raise UsageError(f"model {file!r} is not a .keras archive.", hint=HINT)
    try:
        model = keras.saving.load_model(file, safe_mode=True)
    except (ValueError, KeyError, OSError, TypeError) as error:
        raise UsageError(
            f"model {file!r} could not be loaded ({type(error).__name__}: {error}).", hint=HINT
        ) from None
    labels_path = os.path.join(os.path.dirname(os.path.abspath(file)), "labels.json")
    labels = None
    if os.path.isfile(labels_path):
        try:
            with open(labels_path, encoding="utf-8") as f:
                labels = json.load(f)
        except (OSError, ValueError) as error:
            raise UsageError(f"labels file {labels_path!r} cannot be read ({error}).") from None
        if not isinstance(labels, dict):
            raise UsageError(f"labels file {labels_path!r} must hold a JSON object.")
    return model, labels, file
