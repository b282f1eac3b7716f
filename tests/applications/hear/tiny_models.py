"""Tiny saved classifiers shaped like `audiozoo finetune` outputs, built in about a second.

A from-scratch compact CNN (8 kHz, 32 mels, 0.5 s clips, 3 test-time crops), the same
joined to a hand-crafted baseline (`fused`, what finetune saves by default) and a
VGG11 transfer model at 32x32; random weights with non-trivial mel statistics.
"""

import os

import numpy as np

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from applications.atomic_io import write_json
from applications.baseline.features import FeatureOptions, handcrafted_layer
from applications.finetune.fusion import fuse_with_baseline
from applications.finetune.config import FinetuneConfig
from applications.finetune.model import build_parts
from applications.finetune.recipes.scratch_model import build_scratch_parts, set_statistics

RATE, CLIP = 8000, 4000
NAMES = ["high", "low", "mid"]


def save_run(out, recipe="scratch"):
    """Write `out/model.keras` and `out/labels.json`; return the Keras model."""
    common = {"sample_rate": RATE, "n_mels": 32, "n_fft": 256, "hop_length": 64, "weights": "none"}
    if recipe in ("scratch", "fused"):
        config = FinetuneConfig(backbone="cnn10_compact", crop_seconds=0.25, tta_crops=3, **common)
        parts = build_scratch_parts(config, len(NAMES), CLIP)
        rng = np.random.default_rng(0)
        set_statistics(parts.normaliser, rng.normal(-40, 5, 32), rng.uniform(50, 150, 32))
        model = parts.full if recipe == "scratch" else _fused(parts.full)
    else:
        config = FinetuneConfig(backbone="vgg11", image_size=32, **common)
        model = build_parts(config, len(NAMES), CLIP, None).full
    os.makedirs(out, exist_ok=True)
    model.save(os.path.join(out, "model.keras"))
    labels = {"class_names": NAMES, "sample_rate": RATE, "clip_samples": CLIP, "seed": 0}
    write_json(os.path.join(out, "labels.json"), labels)
    return model


def _fused(network):
    """`network` joined to a baseline regression fitted on a few tones, as finetune saves it."""
    options = FeatureOptions(n_fft=256, hop_length=64, n_mels=32)
    waves, labels = tones(12, seed=5), np.arange(12) % len(NAMES)
    features = handcrafted_layer(RATE, options)(waves).numpy()
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(features, labels)
    return fuse_with_baseline(network, pipeline, options, RATE)


def tones(n, samples=CLIP, seed=0):
    """`(n, samples)` float32 noisy tones at `RATE`."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / RATE
    freqs = rng.uniform(200, 2000, (n, 1))
    return (0.5 * np.sin(2 * np.pi * freqs * t) + 0.05 * rng.standard_normal((n, samples))).astype(
        np.float32
    )


def tone_folder(folder, per_class):
    """Write `folder/<class>/<i>.wav`: `per_class` tones of each of `NAMES`; return `folder`."""
    import soundfile as sf

    for name, seed in zip(NAMES, (1, 2, 3)):
        os.makedirs(os.path.join(folder, name))
        for i, clip in enumerate(tones(per_class, seed=seed)):
            sf.write(os.path.join(folder, name, f"{i}.wav"), clip, RATE, subtype="FLOAT")
    return str(folder)


def tone_run(root, per_class):
    """A tiny from-scratch run `root/run` beside a folder of tones `root/data`: `(run, data)`."""
    data = tone_folder(os.path.join(root, "data"), per_class)
    out = os.path.join(root, "run")
    save_run(out, "scratch")
    return out, data
