"""The from-scratch model: waveform -> log-mel -> per-bin standardisation -> crops -> CNN -> head.

`ScratchParts.classifier` (log-mel frames -> class probabilities) is what the
from-scratch recipe trains, on log-mels cached once; `full` wraps it behind
the fixed front end (`log_mel`, then time first), so the saved model takes
raw waveforms and loads with `safe_mode=True`. The training statistics live
in the `mel_norm` layer's weights (`keras.layers.Normalization`, one mean and
variance per mel bin).
"""

import dataclasses

import keras
import numpy as np

import zoo
import zoo.audio
from zoo.layers import CropMean, TimeCrops
from applications.finetune.model import log_mel_layer

__all__ = ["ScratchParts", "build_scratch_parts", "mel_frames", "set_statistics", "CLASSIFIER"]

CLASSIFIER = "mel_classifier"  # the nested model a later run's `--weights model.keras` reuses


@dataclasses.dataclass
class ScratchParts:
    """The from-scratch model and its views.

    Attributes:
        full: waveform -> class probabilities (what is saved).
        classifier: log-mel `(frames, mels, 1)` -> class probabilities (what trains).
        mel_frames: waveform -> time-first log-mel (fills the cache).
        front_end: waveform -> log-mel `(mels, frames, 1)` (for plots).
        backbone: the CNN inside `classifier`.
        normaliser: the `mel_norm` layer.
        crop_frames: frames per training crop (the clip's frames without cropping).
        normaliser_reused: whether `normaliser` holds an earlier run's statistics.
    """

    full: keras.Model
    classifier: keras.Model
    mel_frames: keras.Model
    front_end: keras.Model
    backbone: keras.Model
    normaliser: keras.layers.Layer
    crop_frames: int
    normaliser_reused: bool = False


def mel_frames(samples, hop_length):
    """Frames of `zoo.audio.LogMelSpectrogram` for `samples` (centred frames)."""
    return 1 + int(samples) // int(hop_length)


def set_statistics(normaliser, mean, variance):
    """Store per-mel-bin training statistics in a built `Normalization` layer."""
    normaliser.adapt_mean.assign(np.asarray(mean, np.float32))
    normaliser.adapt_variance.assign(np.asarray(variance, np.float32))
    normaliser.finalize_state()


def build_scratch_parts(config, num_classes, clip_samples, weights=None, reuse=None):
    """Build the from-scratch model for `config`; call under `strategy.scope()`.

    Args:
        config: a `FinetuneConfig` (backbone, mel, crop, dropout settings).
        num_classes: output classes.
        clip_samples: waveform length the model takes.
        weights: the backbone's `weights` argument (None, a `.weights.h5` or `.pth`).
        reuse: `(log_mel, normaliser, backbone)` of an earlier run's model
            (`--weights model.keras`); their weights carry over, the head is new.

    Returns:
        A `ScratchParts`.
    """
    if reuse is None:
        log_mel = log_mel_layer(config)
        # Float32 like the front end: in bfloat16 a 60 dB level keeps 0.25 dB steps
        # before its mean is taken away; the conv stack's cast rounds after.
        normaliser = keras.layers.Normalization(axis=2, dtype="float32", name="mel_norm")
        backbone = zoo.create_model(
            config.backbone,
            include_top=False,
            weights=weights,
            input_shape=(None, config.n_mels, 1),  # any crop length: the pooling removes time
            pooling="panns",
        )
    else:
        log_mel, normaliser, backbone = reuse
    hop, n_mels = log_mel.hop_length, log_mel.n_mels
    frames = mel_frames(clip_samples, hop)
    crop = frames
    if config.crop_seconds is not None:
        crop = min(frames, mel_frames(config.crop_seconds * log_mel.sample_rate, hop))
    mels = keras.Input((frames, n_mels, 1), name="log_mel_frames")
    x = normaliser(mels)
    num_crops = config.tta_crops if crop < frames else 1
    if crop < frames:
        x = TimeCrops(crop, num_crops, seed=config.seed, name="time_crops")(x)
    x = keras.layers.Dropout(config.dropout, name="head_dropout")(backbone(x))
    # Float32 under mixed precision, for a stable loss; a sigmoid per tag for multi-label.
    activation = "sigmoid" if getattr(config, "multilabel", False) else "softmax"
    probs = keras.layers.Dense(
        num_classes, activation=activation, dtype="float32", name="predictions"
    )(x)
    if crop < frames:
        probs = CropMean(num_crops, name="crop_mean")(probs)
    classifier = keras.Model(mels, probs, name=CLASSIFIER)

    waveform = keras.Input((clip_samples,), name="waveform")
    mel = log_mel(waveform)
    time_first = keras.layers.Permute((2, 1, 3), name="time_first")(mel)
    full = keras.Model(waveform, classifier(time_first), name=f"{backbone.name}_audio")
    return ScratchParts(
        full=full,
        classifier=classifier,
        mel_frames=keras.Model(waveform, time_first, name="mel_frames"),
        front_end=keras.Model(waveform, mel, name="front_end"),
        backbone=backbone,
        normaliser=normaliser,
        crop_frames=crop,
        normaliser_reused=reuse is not None,
    )
