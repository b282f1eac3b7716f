"""Fine-tuning settings per dataset.

A preset is the audio front end and schedule that suits one dataset: clip
length, sample rate, mel parameters, image size and epochs. It overrides the
defaults of `applications.finetune.config.FinetuneConfig`; a `--config` file
and flags override it.

The `builtin` preset is the demo: offline, `audiozoo finetune` with no
arguments trains the compact CNN from scratch on it (40 epochs at most, hop
512, 128 mels up to 4 kHz, mixup and time masks) in about 3 minutes on a
2-core CPU (measured; see README); its VGG settings (`image_size`,
`finetune_epochs`, `scratch_learning_rate`) apply when VGG16 is used.
"""

__all__ = ["PRESETS", "preset_for"]

# Mel settings follow common practice for each corpus (e.g. 22,050 Hz, 2048/512,
# 128 mels for music); clip lengths are each dataset's natural unit.
PRESETS = {
    # Chord qualities differ by one semitone in a few partials: fine mel bands up
    # to 4 kHz, and no frequency masking (it would erase the evidence).
    "builtin": {
        "image_size": 64,
        "epochs": 40,
        "finetune_epochs": 2,
        "n_fft": 2048,
        "hop_length": 512,
        "n_mels": 128,
        "fmax": 4000.0,
        "scratch_learning_rate": 1e-5,
        "freq_mask": 0,
        "time_mask": 6,
    },
    "gtzan": {
        "sample_rate": 22050,
        "clip_seconds": 3.0,
        "n_fft": 2048,
        "hop_length": 512,
        "n_mels": 128,
        "image_size": 128,
        "epochs": 10,
        "finetune_epochs": 10,
    },
    "esc50": {
        "sample_rate": 22050,
        "clip_seconds": 5.0,
        "n_fft": 2048,
        "hop_length": 512,
        "n_mels": 128,
        "image_size": 128,
        "epochs": 10,
        "finetune_epochs": 10,
    },
    "urbansound8k": {
        "sample_rate": 22050,
        "clip_seconds": 4.0,
        "n_fft": 2048,
        "hop_length": 512,
        "n_mels": 128,
        "image_size": 128,
        "epochs": 10,
        "finetune_epochs": 5,
    },
    "speech_commands": {
        "sample_rate": 16000,
        "clip_seconds": 1.0,
        "n_fft": 512,
        "hop_length": 160,
        "n_mels": 64,
        "image_size": 96,
        "epochs": 5,
        "finetune_epochs": 3,
    },
}


def preset_for(data):
    """The preset for a `--data` value.

    Args:
        data: the `--data` value.

    Returns:
        A new dict of settings; empty for a folder (it keeps the defaults).
    """
    return dict(PRESETS.get(str(data), {}))
