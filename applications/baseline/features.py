"""Clip-level feature vectors of an `AudioDataset`'s splits, for the baseline classifier.

Four feature sets:

- `handcrafted`: `zoo.features.HandcraftedFeatures`, every hand-crafted frame
  feature summarised per clip (mean, std, mean |delta|), computed in-graph in batches;
- `mfcc`: the field's standard MFCC vector, the same layer's 20 MFCCs and their
  deltas (`librosa.feature.delta`), each summarised by mean and std (80 values):
  what a user writes first with librosa and scikit-learn;
- `pca`, `nmf`: log-mel frames (dB above the clip's 80 dB floor, so non-negative)
  factored by `applications.baseline.learned.learn_bases` fitted on TRAIN frames
  only; each clip is the mean and std over its frames of its activations.
"""

import dataclasses

import numpy as np
import tensorflow as tf

import zoo.audio
import zoo.features
from applications.baseline import FEATURE_SETS
from applications.baseline.learned import learn_bases
from zoo.validation import check_choice

__all__ = [
    "FEATURE_SETS",
    "FeatureOptions",
    "feature_layer",
    "handcrafted_layer",
    "log_mel_frames",
    "mel_band_centres",
    "split_features",
]

SPLITS = ("train", "val", "test")
TOP_DB = 80.0


@dataclasses.dataclass(frozen=True)
class FeatureOptions:
    """Frame settings of the feature sets (librosa's defaults, 64 mels).

    Attributes:
        n_fft, hop_length: STFT frame and hop in samples.
        n_mels: mel bands (MFCCs and the PCA/NMF frames).
        fmax: highest mel band edge in Hz; None for Nyquist.
        n_components: PCA/NMF bases.
        max_frames: train frames PCA/NMF are fitted on at most (a seeded sample).
    """

    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 64
    fmax: float = None
    n_components: int = 20
    max_frames: int = 20000


def _check_finite_waves(waves, split, start):
    bad = ~np.isfinite(waves)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        raise ValueError(
            f"{split} clip {start + row} has {int(bad[row].sum())} NaN/inf samples; "
            "repair or remove its file (load_dataset(..., skip_bad=True) skips such files)."
        )


def _batched(fn, clip_samples):
    # One trace for every batch size (the last batch is usually smaller).
    return tf.function(fn, input_signature=[tf.TensorSpec((None, clip_samples), tf.float32)])


def _map_split(dataset, fn, split):
    """Apply `fn` to each batch of waveforms; returns (list of outputs, labels)."""
    outputs, labels, seen = [], [], 0
    for waves, y in dataset:
        waves = waves.numpy()
        _check_finite_waves(waves, split, seen)
        outputs.append(fn(tf.constant(waves)).numpy())
        labels.append(y.numpy())
        seen += len(waves)
    return outputs, np.concatenate(labels) if labels else np.zeros((0,), np.int32)


def contrast_bands(sample_rate, fmin=200.0, most=6):
    """Octave contrast bands above `fmin` whose top edge stays below Nyquist (librosa's rule).

    Example:
        >>> contrast_bands(8000), contrast_bands(22050)
        (4, 5)
    """
    bands = most
    while bands > 1 and fmin * 2.0**bands >= sample_rate / 2:
        bands -= 1
    return bands


# The standard MFCC vector: MFCCs and their deltas, mean and std over frames.
MFCC_SET = {"groups": ["mfcc"], "deltas": True, "statistics": ("mean", "std")}


def feature_layer(features, sample_rate, options=None, name=None):
    """The waveform -> clip vector layer of feature set `handcrafted` or `mfcc`.

    Example:
        >>> feature_layer("mfcc", 16000)(tf.zeros((1, 16000))).shape
        TensorShape([1, 80])
    """
    check_choice("features", features, ("handcrafted", "mfcc"))
    if features == "mfcc":
        return handcrafted_layer(sample_rate, options, name=name, **MFCC_SET)
    return handcrafted_layer(sample_rate, options, name=name)


def handcrafted_layer(sample_rate, options=None, groups=None, name=None, **summary):
    """The baseline's `zoo.features.HandcraftedFeatures` at `sample_rate` (waveform -> clip vector).

    Args:
        sample_rate: Hz of the waveforms.
        options: a `FeatureOptions`; None for the defaults.
        groups: feature groups (`FrameFeatures`' `features`); None for all.
        name: the layer's name.
        **summary: `deltas`, `statistics` of `HandcraftedFeatures`.

    Example:
        >>> handcrafted_layer(16000)(tf.zeros((1, 16000))).shape
        TensorShape([1, 225])
    """
    options = options or FeatureOptions()
    return zoo.features.HandcraftedFeatures(
        sample_rate=sample_rate,
        n_fft=options.n_fft,
        hop_length=options.hop_length,
        n_mels=options.n_mels,
        contrast_bands=contrast_bands(sample_rate),
        features=groups,
        name=name,
        **summary,
    )


def _summary_features(data, options, features):
    layer = feature_layer(features, data.sample_rate, options)
    fn = _batched(layer, data.clip_samples)
    out = {}
    for split in SPLITS:
        parts, y = _map_split(getattr(data, split), fn, split)
        width = len(layer.feature_names())
        out[split] = (np.concatenate(parts) if parts else np.zeros((0, width), np.float32), y)
    return out, layer.feature_names(), None


def log_mel_frames(waveforms, sample_rate, options):
    """`(batch, frames, n_mels)` log-mel levels in dB above each clip's 80 dB floor (>= 0).

    Example:
        >>> log_mel_frames(tf.zeros((1, 16000)), 16000, FeatureOptions()).shape
        TensorShape([1, 32, 64])
    """
    magnitude = zoo.features.magnitude_spectrogram(waveforms, options.n_fft, options.hop_length)
    level = zoo.features.log_mel_spectrogram(
        magnitude, sample_rate, n_mels=options.n_mels, fmax=options.fmax, top_db=TOP_DB
    )
    return level - tf.reduce_min(level, axis=[1, 2], keepdims=True)


def _learned_features(data, options, method, seed):
    fn = _batched(lambda w: log_mel_frames(w, data.sample_rate, options), data.clip_samples)
    frames = {}
    for split in SPLITS:
        parts, y = _map_split(getattr(data, split), fn, split)
        clips = np.concatenate(parts) if parts else np.zeros((0, 1, options.n_mels), np.float32)
        frames[split] = (clips, y)
    train = frames["train"][0].reshape(-1, options.n_mels)
    if len(train) > options.max_frames:
        rng = np.random.default_rng(seed)
        train = train[np.sort(rng.choice(len(train), options.max_frames, replace=False))]
    learned = learn_bases(train, method, options.n_components, seed=seed)
    out = {}
    for split, (clips, y) in frames.items():
        if len(clips) == 0:
            out[split] = (np.zeros((0, 2 * options.n_components), np.float32), y)
            continue
        acts = learned.transform(clips.reshape(-1, options.n_mels)).reshape(
            len(clips), clips.shape[1], -1
        )
        out[split] = (np.concatenate([acts.mean(axis=1), acts.std(axis=1)], axis=1), y)
    names = [f"{method}{i}_{stat}" for stat in ("mean", "std") for i in range(options.n_components)]
    return out, names, learned


def split_features(data, features="handcrafted", options=None, seed=0):
    """Clip-level feature vectors of every split of `data`.

    Args:
        data: an `applications.data.AudioDataset`.
        features: one of `FEATURE_SETS`.
        options: a `FeatureOptions`; None for the defaults.
        seed: seeds the PCA/NMF fit and its sample of train frames.

    Returns:
        `(splits, names, learned)`: `splits[split] = (x (clips, dim) float32,
        labels int)`, the `dim` column names, and the `LearnedBases` (None for
        `handcrafted` and `mfcc`).

    Raises:
        ValueError: an unknown feature set, or a clip with NaN/inf samples
            (named by split and row).

    Example:
        >>> splits, names, _ = split_features(load_dataset("builtin"), "mfcc")
        >>> splits["train"][0].shape[1] == len(names)
        True
    """
    check_choice("features", features, FEATURE_SETS)
    options = options or FeatureOptions()
    if features in ("handcrafted", "mfcc"):
        return _summary_features(data, options, features)
    return _learned_features(data, options, features, seed)


def mel_band_centres(sample_rate, options):
    """Centre of mass in Hz of each mel band of `options` (for axis labels).

    Example:
        >>> mel_band_centres(16000, FeatureOptions(n_mels=4)).round()
    """
    filters = zoo.audio.mel_filterbank(
        sample_rate, options.n_fft, options.n_mels, 0.0, options.fmax
    )
    freqs = np.linspace(0, sample_rate / 2.0, filters.shape[0])
    weight = filters.sum(axis=0)
    return (freqs @ filters) / np.where(weight > 0, weight, 1.0)
