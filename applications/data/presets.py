"""Settings per named dataset: its front end (a `zoo.audio.FRONT_ENDS` preset), clip and schedule.

A preset overrides the defaults of a job's settings (`FinetuneConfig`, and
`audiozoo baseline`, which scores the same splits); a `--config` file and
flags override it. The front-end values come from `zoo.audio.presets`, their
one owner.

The `builtin` preset is the demo: offline, `audiozoo finetune` with no
arguments trains the compact CNN from scratch on it (40 epochs at most, hop
512, 128 mels up to 4 kHz, mixup and time masks) in about 3 minutes on a
2-core CPU; its VGG settings (`image_size`, `finetune_epochs`,
`scratch_learning_rate`) apply when VGG16 is used.
"""

import importlib.util
import json
import os

__all__ = ["PRESETS", "preset_for", "FRONT_ENDS", "front_end"]


def _read_front_ends():
    # zoo.audio.FRONT_ENDS, read from its data file: importing `zoo` starts
    # TensorFlow, which the `audiozoo` parser (it shows these defaults) must not.
    # find_spec locates a top-level package without running its __init__.
    folder = importlib.util.find_spec("zoo").submodule_search_locations[0]
    with open(os.path.join(folder, "audio", "front_ends.json"), encoding="utf-8") as f:
        return json.load(f)


FRONT_ENDS = _read_front_ends()


def front_end(name):
    """A copy of the front end `name` of `zoo.audio.FRONT_ENDS` (sample rate, FFT, hop, mels)."""
    return dict(FRONT_ENDS[name])


PRESETS = {
    # Chord qualities differ by one semitone in a few partials: fine mel bands up
    # to 4 kHz, and no frequency masking (it would erase the evidence).
    "builtin": {
        **front_end("demo"),
        "image_size": 64,
        "epochs": 40,
        "finetune_epochs": 2,
        "scratch_learning_rate": 1e-5,
        "freq_mask": 0,
        "time_mask": 6,
    },
    # Clip lengths are each dataset's natural unit.
    "gtzan": {
        **front_end("music"),
        "clip_seconds": 3.0,
        "image_size": 128,
        "epochs": 10,
        "finetune_epochs": 10,
    },
    "esc50": {
        **front_end("music"),
        "clip_seconds": 5.0,
        "image_size": 128,
        "epochs": 10,
        "finetune_epochs": 10,
    },
    "urbansound8k": {
        **front_end("music"),
        "clip_seconds": 4.0,
        "image_size": 128,
        "epochs": 10,
        "finetune_epochs": 5,
    },
    "speech_commands": {
        **front_end("speech"),
        "clip_seconds": 1.0,
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
