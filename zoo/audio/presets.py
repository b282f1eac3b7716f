"""Named log-mel front ends: the one owner of sample rate, FFT, hop and mel defaults.

Every job, benchmark and builder that needs a front end takes it from here, so
changing one default is a one-line change in `front_ends.json` beside this file. A preset is the
keyword arguments of `zoo.audio.LogMelSpectrogram` (`sample_rate`, `n_fft`,
`hop_length`, `n_mels`, `fmin`, `fmax`).

- `default`: the classifier front end (`audiozoo finetune` on a folder, and
  `LogMelSpectrogram()`'s defaults): 16 kHz, 64 ms windows, 16 ms hops, 64 mels.
- `demo`: the builtin chord demo: fine mel bands up to 4 kHz, where chord
  qualities differ by one semitone in a few partials.
- `music`: 22.05 kHz, 2048/512, 128 mels, common practice for music and
  environmental-sound corpora (GTZAN, ESC-50, UrbanSound8K).
- `speech`: 16 kHz, 32 ms windows, 10 ms hops, 64 mels (Speech Commands).
- `events`: the sound-event CRNN (`zoo.events.crnn_sed`): 20 ms hops.
- `panns`: Kong et al. 2020's PANNs input: 32 kHz, 1024/320, 64 mels, 50 Hz-14 kHz.
- `musicnn`: Pons & Serra 2019's musicnn input: 16 kHz, 512/256, 96 mels.

Example:
    >>> front_end("demo")["fmax"]
    4000.0
    >>> front_end("panns", sample_rate=16000)["hop_length"]
    320
"""

import json
import os

__all__ = ["FRONT_ENDS", "front_end", "read_front_ends", "FILE"]

# The table itself is data, so code that must not import TensorFlow (the
# `audiozoo` parser, whose flags show these defaults) can read it too.
FILE = "front_ends.json"


def read_front_ends(folder):
    """The front-end table in `folder/front_ends.json` (this package's folder)."""
    with open(os.path.join(folder, FILE), encoding="utf-8") as f:
        return json.load(f)


FRONT_ENDS = read_front_ends(os.path.dirname(os.path.abspath(__file__)))


def front_end(name, **overrides):
    """The keyword arguments of front end `name`, with `overrides` on top.

    Args:
        name: a key of `FRONT_ENDS`.
        **overrides: values that replace the preset's.

    Returns:
        A new dict.

    Raises:
        ValueError: unknown name, listing the known ones.
    """
    if name not in FRONT_ENDS:
        raise ValueError(
            f"Unknown front end {name!r}; known: {', '.join(FRONT_ENDS)}. Received: name={name!r}"
        )
    return {**FRONT_ENDS[name], **overrides}
