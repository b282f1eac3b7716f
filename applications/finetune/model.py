"""The fine-tuning model: raw waveform -> log-mel -> SpecAugment -> image -> VGG -> head.

Every stage is a Keras layer from `zoo`, so the saved model takes raw
waveforms and loads with `safe_mode=True`. The pieces are kept apart
(`TransferParts`) because the transfer recipe uses them in two ways:

- phase 1 runs `feature_extractor` (front end + frozen backbone) once over
  the data and trains only `head` on the cached features;
- phase 2 trains `full` end to end with SpecAugment active: the top VGG
  block when the backbone is pretrained, every layer when it is random.
"""

import dataclasses

import keras

import zoo
import zoo.audio
from zoo.weights import IMAGENET_WEIGHTS, WeightsUnavailableError, imagenet_weights_path

__all__ = ["log_mel_layer", "TransferParts", "build_parts", "choose_weights", "set_trainable_top"]


@dataclasses.dataclass
class TransferParts:
    """The fine-tuning model and the views of it that the two phases train.

    Attributes:
        full: waveform -> class probabilities (what is saved).
        feature_extractor: waveform -> pooled backbone features (no augmentation).
        head: pooled features -> class probabilities (batch norm, dropout, dense).
        backbone: the VGG model inside `full`.
        front_end: waveform -> log-mel dB (for plots).
    """

    full: keras.Model
    feature_extractor: keras.Model
    head: keras.Model
    backbone: keras.Model
    front_end: keras.Model


def choose_weights(requested, backbone, log=print):
    """Choose the backbone's weights for `--weights`: the builder's argument and what to report.

    `auto` tries ImageNet and falls back to random initialisation with a loud
    notice when the weights cannot be had; `imagenet` fails instead.

    Args:
        requested: `auto`, `imagenet`, `none` (or None), a file, or `kaggle://...`.
        backbone: the registered backbone name, e.g. `vgg16`.
        log: prints the fallback notice.

    Returns:
        `(weights_argument, description, notice)`: the builder's `weights`,
        a string for the report, and the fallback notice (or None).
    """
    if requested in (None, "none"):
        return None, "none (random initialisation)", None
    if requested != "auto":
        return requested, requested, None
    try:
        if (backbone, False) not in IMAGENET_WEIGHTS:
            raise WeightsUnavailableError(
                f"keras.applications publishes no ImageNet weights for {backbone!r}"
            )
        # Fetch (or find in the cache) and hash-check the file; no model is built.
        # A file failing its hash check still raises: it is never silently replaced.
        imagenet_weights_path(backbone, include_top=False)
    except WeightsUnavailableError as error:
        notice = (
            f"NOTICE: ImageNet weights for {backbone} are unavailable ({error}). Training from "
            "RANDOM INITIALISATION instead: expect lower accuracy than transfer learning. "
            "Pass --weights PATH to use a local weights file."
        )
        log("!" * 78 + "\n" + notice + "\n" + "!" * 78)
        return None, "none (random initialisation; ImageNet unavailable)", notice
    return "imagenet", "imagenet", None


def log_mel_layer(config):
    """The run's fixed front end: `zoo.audio.LogMelSpectrogram` named `log_mel`.

    Args:
        config: a `FinetuneConfig` (sample rate and mel settings).

    Returns:
        A `LogMelSpectrogram` layer, waveform -> `(n_mels, frames, 1)` dB.
    """
    return zoo.audio.LogMelSpectrogram(
        sample_rate=config.sample_rate,
        n_fft=config.n_fft,
        hop_length=config.hop_length,
        n_mels=config.n_mels,
        fmin=config.fmin,
        fmax=config.fmax,
        name="log_mel",
    )


def build_parts(config, num_classes, clip_samples, weights):
    """Build the model pieces for `config`.

    Call under `strategy.scope()` so every variable is distributed.

    Args:
        config: a `FinetuneConfig` (its backbone, mel, image, dropout and
            SpecAugment settings).
        num_classes: output classes.
        clip_samples: waveform length the model takes.
        weights: the backbone's `weights` argument (None, "imagenet", a path, ...).

    Returns:
        A `TransferParts`.
    """
    height, width = config.image_hw
    log_mel = log_mel_layer(config)
    augment = zoo.audio.SpecAugment(
        freq_mask_param=config.freq_mask,
        time_mask_param=config.time_mask,
        num_freq_masks=2,
        num_time_masks=2,
        name="spec_augment",
    )
    to_image = zoo.audio.SpectrogramToImage(size=(height, width), channels=3, name="to_image")
    backbone = zoo.create_model(
        config.backbone,
        include_top=False,
        weights=weights,
        input_shape=(height, width, 3),
        pooling="avg",
    )
    features = keras.Input(backbone.output.shape[1:], name="features")
    # Batch statistics put random-backbone features (tiny) and ImageNet ones
    # (large) on one scale, and keep tracking them while phase 2 moves the backbone.
    # The head is float32 under mixed precision (its cost is nil; the features it
    # normalises are the HEAR embedding), and the softmax stays stable for the loss.
    hidden = keras.layers.BatchNormalization(dtype="float32", name="head_norm")(features)
    hidden = keras.layers.Dropout(config.dropout, dtype="float32", name="head_dropout")(hidden)
    probs = keras.layers.Dense(
        num_classes, activation="softmax", dtype="float32", name="predictions"
    )(hidden)
    head = keras.Model(features, probs, name="head")

    waveform = keras.Input((clip_samples,), name="waveform")
    mel = log_mel(waveform)
    image = to_image(augment(mel))
    full = keras.Model(waveform, head(backbone(image)), name=f"{config.backbone}_audio")
    extractor = keras.Model(waveform, backbone(to_image(mel)), name="feature_extractor")
    front_end = keras.Model(waveform, mel, name="front_end")
    return TransferParts(full, extractor, head, backbone, front_end)


def set_trainable_top(backbone, blocks):
    """Make only the last `blocks` VGG blocks of `backbone` trainable.

    Args:
        backbone: a VGG with `block{i}_...` layer names.
        blocks: how many of the last blocks train; None: all of them.

    Returns:
        The sorted names of the trainable blocks, e.g. `["block5"]`.
    """
    names = sorted(
        {layer.name.split("_")[0] for layer in backbone.layers if layer.name.startswith("block")}
    )
    keep = set(names) if blocks is None else set(names[len(names) - blocks :])
    backbone.trainable = True
    for layer in backbone.layers:
        layer.trainable = layer.name.split("_")[0] in keep
    return sorted(keep)
