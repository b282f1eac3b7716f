"""Fine-tuning settings per dataset, and how `--config` files and flags override them.

A preset is the audio front end and schedule that suits one dataset: clip
length, sample rate, mel parameters, image size and epochs. Precedence, from
weakest to strongest: `DEFAULTS`, the dataset's preset, a `--config` JSON
file, then flags given on the command line.

The `builtin` preset is the demo: sized so `audiozoo finetune` with no
arguments trains VGG16 end to end in under five minutes on a 2-core CPU
(measured; see README).
"""

import json
import os

__all__ = ["DEFAULTS", "PRESETS", "preset_for", "load_config", "merge_settings"]

DEFAULTS = {
    "data": "builtin",
    "weights": "auto",
    "backbone": "vgg16",
    "strategy": "auto",
    "logical_cpus": None,
    "precision": "auto",
    "out": "finetune_out",
    "seed": 0,
    "batch_size": 32,
    "sample_rate": 16000,
    "clip_seconds": 1.0,
    "n_fft": 1024,
    "hop_length": 256,
    "n_mels": 64,
    "fmin": 0.0,
    "fmax": None,
    "image_size": 96,
    "epochs": 8,
    "finetune_epochs": 4,
    "learning_rate": 1e-3,
    "finetune_learning_rate": 1e-4,
    "scratch_learning_rate": 1e-4,
    "dropout": 0.3,
    "freq_mask": 8,
    "time_mask": 8,
    "skip_bad": False,
    "verbose": 1,
}

# Mel settings follow common practice for each corpus (e.g. 22,050 Hz, 2048/512,
# 128 mels for music); clip lengths are each dataset's natural unit.
PRESETS = {
    # Chord qualities differ by one semitone in a few partials: fine mel bands up
    # to 4 kHz, and no frequency masking (it would erase the evidence).
    "builtin": {"image_size": 64, "epochs": 40, "finetune_epochs": 2, "n_fft": 2048, "hop_length": 256,
                "n_mels": 128, "fmax": 4000.0, "scratch_learning_rate": 1e-5, "freq_mask": 0},
    "gtzan": {"sample_rate": 22050, "clip_seconds": 3.0, "n_fft": 2048, "hop_length": 512,
              "n_mels": 128, "image_size": 128, "epochs": 10, "finetune_epochs": 10},
    "esc50": {"sample_rate": 22050, "clip_seconds": 5.0, "n_fft": 2048, "hop_length": 512,
              "n_mels": 128, "image_size": 128, "epochs": 10, "finetune_epochs": 10},
    "urbansound8k": {"sample_rate": 22050, "clip_seconds": 4.0, "n_fft": 2048, "hop_length": 512,
                     "n_mels": 128, "image_size": 128, "epochs": 10, "finetune_epochs": 5},
    "speech_commands": {"sample_rate": 16000, "clip_seconds": 1.0, "n_fft": 512, "hop_length": 160,
                        "n_mels": 64, "image_size": 96, "epochs": 5, "finetune_epochs": 3},
}


def preset_for(data):
    """The preset for a `--data` value (folders get none: only `DEFAULTS`)."""
    return dict(PRESETS.get(str(data), {}))


def load_config(path):
    """Read a `--config` JSON object whose keys are `DEFAULTS` keys (dashes allowed)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--config file {path!r} does not exist.")
    with open(path, encoding="utf-8") as f:
        try:
            raw = json.load(f)
        except json.JSONDecodeError as error:
            raise ValueError(f"--config file {path!r} is not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"--config file {path!r} must hold a JSON object of settings.")
    config = {key.replace("-", "_"): value for key, value in raw.items()}
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise ValueError(
            f"--config file {path!r} has unknown settings {unknown}; known: {sorted(DEFAULTS)}."
        )
    return config


def merge_settings(flags, config_path=None):
    """Combine defaults, the dataset preset, a config file and explicit flags.

    Args:
        flags: dict of settings given on the command line (None = not given).
        config_path: optional `--config` file.

    Returns:
        A complete settings dict with every `DEFAULTS` key.
    """
    config = load_config(config_path) if config_path else {}
    given = {k: v for k, v in flags.items() if v is not None and k in DEFAULTS}
    data = given.get("data", config.get("data", DEFAULTS["data"]))
    return {**DEFAULTS, **preset_for(data), **config, **given}
