"""A trained classifier as an embedding network: the input of its last dense layer.

`embedding_network(model)` clones a classifier (sharing its weights) with the
final classification layer (`predictions` of `audiozoo finetune`, `fc_audioset`
of PANNs) replaced by the identity, so what comes out is what that layer saw:
the transfer head's normalised VGG features, the from-scratch CNN's pooled
features (averaged over its test-time crops), PANNs' `fc1`. `audio_embedder`
puts the official PANNs front end before a network on log-mel input, so every
embedder takes waveforms. The HEAR API and the serving exports share it.
"""

import keras

from applications.errors import UsageError
from applications.trained.load import CLASSIFIER_HINT

__all__ = ["CLASSIFIER_LAYERS", "embedding_network", "audio_embedder", "sample_rate_of"]

CLASSIFIER_LAYERS = ("predictions", "fc_audioset")
FUSION = "fusion"  # the `zoo.layers.GeometricMean` of a model joined to its baseline


def find_layer(model, names, cls=None):
    """The first layer (searching nested models) named in `names` or of type `cls`, or None."""
    for layer in model.layers:
        if layer.name in names or (cls is not None and isinstance(layer, cls)):
            return layer
        if isinstance(layer, keras.Model):
            found = find_layer(layer, names, cls)
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

    Example:
        >>> embedding_network(keras.saving.load_model("runs/a/model.keras")).output.shape
    """
    if FUSION in {layer.name for layer in model.layers}:
        # A finetune model joined to its baseline: embed with the network alone.
        model = keras.Model(model.input, model.get_layer(FUSION).input[0])
    if find_layer(model, CLASSIFIER_LAYERS) is None:
        if len(model.output.shape) != 2:
            raise UsageError(
                f"{where}: {model.name!r} has no {' or '.join(CLASSIFIER_LAYERS)} layer and its "
                f"output {tuple(model.output.shape)} is not one vector per clip.",
                hint=CLASSIFIER_HINT,
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

    if find_layer(net, (), LogMelSpectrogram) is not None or len(net.input.shape) == 2:
        return net
    bins = net.input.shape[2]
    if bins != PANNS_AUDIO["n_mels"]:
        raise UsageError(
            f"{where}: {net.name!r} takes log-mels with {bins} bins; only waveform models and "
            f"PANNs-style networks on {PANNS_AUDIO['n_mels']}-bin log-mels can embed audio.",
            hint=CLASSIFIER_HINT,
        )
    waveform = keras.Input((None,), name="waveform")
    return keras.Model(waveform, net(panns_log_mel()(waveform)), name=f"{net.name}_audio")


def sample_rate_of(model, labels=None):
    """Hz of `model`'s audio: `labels.json`'s rate, else its log-mel layer's, else PANNs' 32 kHz."""
    from zoo.audio import LogMelSpectrogram
    from zoo.convnets.panns_layers import PANNS_AUDIO

    if labels and labels.get("sample_rate"):
        return int(labels["sample_rate"])
    layer = find_layer(model, (), LogMelSpectrogram)
    return int(layer.sample_rate) if layer is not None else PANNS_AUDIO["sample_rate"]


def audio_embedder(model, labels=None, where="model"):
    """`model`'s embedding network on waveforms, and the sample rate it takes.

    Args:
        model: a waveform classifier, a PANNs network, or a network without a top.
        labels: its `labels.json` dict, or None.
        where: names the model in errors.

    Returns:
        `(network, sample_rate)`: `network` maps `(batch, samples)` to `(batch, D)`.

    Example:
        >>> net, rate = audio_embedder(keras.saving.load_model("runs/a/model.keras"))
    """
    net = _with_front_end(embedding_network(model, where), where)
    return net, sample_rate_of(model, labels)
