"""The audio-pretrained model: 16 kHz waveform -> musicnn log-mel -> 3 s windows -> backbone -> head.

`PretrainedParts.full` (what is saved) takes the run's clips at 16 kHz: a clip
shorter than the published models' 3 s input (187 frames) is repeat-padded to
it (the way musicnn's training data and `audiozoo tag` pad), a longer one is
cut into evenly spaced 3 s windows whose probabilities are averaged
(`zoo.layers.TimeCrops` / `CropMean`; one random window per clip in
training). The head is `probe_scaler` (the probe's standardisation, fixed) ->
dropout -> `predictions`; the linear probe's weights are written into it, so
fine-tuning starts from the probe (LP-FT, Kumar et al. 2022). Every layer comes
from `zoo` or Keras: the saved model loads with `import zoo` and `safe_mode=True`.

`GroupAdamW` gives earlier blocks lower learning rates (Keras 3 has no
parameter groups): it scales the rate of each variable's Adam step by its
group's factor (`LR_SCALE`), which, unlike scaling gradients, Adam does not undo.
"""

import dataclasses
import math

import keras
import numpy as np

import zoo
import zoo.musicnn
from zoo.layers import CropMean, TimeCrops

from applications.finetune.recipes.scratch_model import set_statistics

__all__ = [
    "SAMPLE_RATE",
    "WINDOW_FRAMES",
    "WINDOW_SAMPLES",
    "LR_SCALE",
    "PretrainedParts",
    "GroupAdamW",
    "build_pretrained_parts",
    "lr_groups",
    "window_count",
]

SAMPLE_RATE = 16000  # the rate musicnn's MTT / MSD models were trained at
HOP = 256
WINDOW_FRAMES = 187  # 3 s: the published models' input
WINDOW_SAMPLES = (WINDOW_FRAMES - 1) * HOP  # centred frames: 1 + samples // hop
POOLING = {"musicnn": "max_mean", "musicnn_vgg": "penultimate"}  # embedding per window
# Layers of the earlier blocks, by name; every other trainable layer is the back end (1x).
BLOCKS = {
    "musicnn": {
        "front": ("conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4"),
        "mid": ("conv2d_5", "conv2d_6", "conv2d_7"),
    },
    "musicnn_vgg": {"front": ("1CNN", "2CNN"), "mid": ("3CNN", "4CNN")},
}
LR_SCALE = {"front": 0.1, "mid": 0.3, "back": 1.0}
BUILD_OPTIONS = {}  # extra builder arguments (the tests build a narrow musicnn)


@dataclasses.dataclass
class PretrainedParts:
    """The audio-pretrained model and its views.

    Attributes:
        full: waveform -> class probabilities (what is saved).
        classifier: time-first log-mel `(frames, 96, 1)` -> probabilities (what trains).
        embedder: log-mel `(frames, 96, 1)` -> `(batch * windows, features)` backbone embeddings.
        mel_frames: waveform -> time-first log-mel (fills the cache).
        front_end: waveform -> log-mel `(96, frames, 1)` (for plots).
        backbone: the pretrained network inside `classifier`.
        scaler: the head's `probe_scaler` (`Normalization`).
        dense: the head's `predictions` layer.
        windows: windows per clip at inference (1: the clip is one padded window).
    """

    full: keras.Model
    classifier: keras.Model
    embedder: keras.Model
    mel_frames: keras.Model
    front_end: keras.Model
    backbone: keras.Model
    scaler: keras.layers.Layer
    dense: keras.layers.Layer
    windows: int


def window_count(frames):
    """Evenly spaced 3 s windows covering `frames` (one when at most 5 % longer than one)."""
    if frames <= WINDOW_FRAMES * 1.05:
        return 1
    return math.ceil(frames / WINDOW_FRAMES)


def _repeat_pad(waveform, samples):
    """`(batch, samples)` -> `(batch, WINDOW_SAMPLES)`: the clip repeated, then cut."""
    copies = -(-WINDOW_SAMPLES // samples)
    x = keras.layers.Reshape((samples, 1), name="pad_expand")(waveform)
    if copies > 1:
        x = keras.layers.Concatenate(axis=1, name="repeat")([x] * copies)
    x = keras.layers.Cropping1D((0, copies * samples - WINDOW_SAMPLES), name="repeat_cut")(x)
    return keras.layers.Reshape((WINDOW_SAMPLES,), name="repeat_pad")(x)


def build_pretrained_parts(config, num_classes, clip_samples, weights):
    """Build the model for `config.backbone` with `weights`; call under `strategy.scope()`.

    Args:
        config: a `FinetuneConfig` (backbone, seed, dropout; `sample_rate` 16000).
        num_classes: output classes.
        clip_samples: waveform length the model takes (at 16 kHz).
        weights: the builder's `weights` argument (`"mtt"`, `"msd"`, a file, or None).

    Returns:
        A `PretrainedParts`.
    """
    backbone = zoo.create_model(
        config.backbone,
        include_top=False,
        weights=weights,
        input_shape=(WINDOW_FRAMES, 96, 1),
        pooling=POOLING.get(config.backbone, "avg"),
        **BUILD_OPTIONS,
    )
    waveform = keras.Input((clip_samples,), name="waveform")
    x = _repeat_pad(waveform, clip_samples) if clip_samples < WINDOW_SAMPLES else waveform
    samples = max(clip_samples, WINDOW_SAMPLES)
    frames = 1 + samples // HOP
    mel = zoo.musicnn.MusicnnLogMel(sample_rate=SAMPLE_RATE, name="log_mel")(x)
    time_first = keras.layers.Reshape((frames, 96, 1), name="time_first")(mel)

    windows = window_count(frames)
    mels = keras.Input((frames, 96, 1), name="log_mel_frames")
    cut = mels
    if frames > WINDOW_FRAMES:
        cut = TimeCrops(WINDOW_FRAMES, windows, seed=config.seed, name="windows")(mels)
    embedding = backbone(cut)
    scaler = keras.layers.Normalization(axis=-1, dtype="float32", name="probe_scaler")
    dense = keras.layers.Dense(
        num_classes, activation="softmax", dtype="float32", name="predictions"
    )
    hidden = keras.layers.Dropout(config.dropout, name="head_dropout")(scaler(embedding))
    probs = dense(hidden)
    if frames > WINDOW_FRAMES:
        probs = CropMean(windows, name="window_mean")(probs)
    classifier = keras.Model(mels, probs, name=f"{backbone.name}_classifier")
    # Only the data sets the scaler (the probe's statistics); start from identity.
    set_statistics(scaler, np.zeros(embedding.shape[-1]), np.ones(embedding.shape[-1]))

    full = keras.Model(waveform, classifier(time_first), name=f"{backbone.name}_audio")
    plot = keras.layers.Permute((2, 1, 3), name="mel_first")(time_first)
    return PretrainedParts(
        full=full,
        classifier=classifier,
        embedder=keras.Model(mels, embedding, name="embedder"),
        mel_frames=keras.Model(waveform, time_first, name="mel_frames"),
        front_end=keras.Model(waveform, plot, name="front_end"),
        backbone=backbone,
        scaler=scaler,
        dense=dense,
        windows=windows,
    )


def lr_groups(parts, log=print):
    """Freeze the backbone's batch norm (inference mode) and group the trainable variables.

    Returns:
        `{group: [variables]}` over `LR_SCALE`'s groups (`back` holds the head).
    """
    parts.classifier.trainable = True
    blocks = BLOCKS.get(parts.backbone.name)
    if blocks is None:
        log(f"No block table for {parts.backbone.name}: every layer at the full rate.")
        blocks = {}
    groups = {name: [] for name in LR_SCALE}
    for layer in parts.backbone.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False  # Keras 3: frozen statistics, inference mode in training
    for layer in parts.backbone.layers:
        group = next((g for g, names in blocks.items() if layer.name in names), "back")
        groups[group] += layer.trainable_weights
    groups["back"] += parts.dense.trainable_weights
    return groups


class GroupAdamW(keras.optimizers.AdamW):
    """AdamW whose step for each variable uses `learning_rate * factor` of its group.

    Args:
        learning_rate: the peak rate (a float or a schedule), of factor 1.
        groups: `[(variables, factor), ...]`; a variable in none has factor 1.
        **kwargs: `keras.optimizers.AdamW` arguments (`weight_decay`, ...).

    Example:
        >>> GroupAdamW(1e-4, [(backbone_front.trainable_weights, 0.1)], weight_decay=0.01)
    """

    def __init__(self, learning_rate=0.001, groups=(), **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self._groups = [(list(variables), float(factor)) for variables, factor in groups]
        self._factors = []

    def build(self, variables):
        super().build(variables)
        factor_of = {}
        for members, factor in self._groups:
            factor_of.update({self._var_key(v): factor for v in members})
        self._factors = [factor_of.get(self._var_key(v), 1.0) for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        factor = self._factors[self._get_variable_index(variable)]
        if factor != 1.0:
            learning_rate = learning_rate * factor
        return super().update_step(gradient, variable, learning_rate)
