"""An events/chords folder as arrays: `DIR/train` and `DIR/test`, each audio files + annotations.

Files are decoded whole at the model's rate (`zoo.audio.load`; a file at another
rate is resampled, and says so in the report), then cut into training clips of
equal length; the last clip of a file is zero-padded (padding is labelled
silence / `N`, which it is).
"""

import dataclasses
import os

import numpy as np

from applications.errors import UsageError
from applications.events.annotations import read_folder

__all__ = ["Split", "read_split", "clips_of", "audio_files"]


@dataclasses.dataclass
class Split:
    """One folder: names, waveforms (float32, mono, at `sample_rate`) and annotations."""

    folder: str
    names: list
    waves: dict
    annotations: dict
    resampled: list

    def seconds(self, name, sample_rate):
        return len(self.waves[name]) / sample_rate


def audio_files(folder):
    """Sorted audio file names (by extension) directly in `folder`."""
    import zoo.audio

    return sorted(
        n
        for n in os.listdir(folder)
        if n.lower().endswith(zoo.audio.AUDIO_EXTENSIONS)
        and os.path.isfile(os.path.join(folder, n))
    )


def read_split(folder, task, sample_rate):
    """Decode every audio file of `folder` and read its checked annotations.

    Args:
        folder: `DIR/train` or `DIR/test`.
        task: `"events"` or `"chords"`.
        sample_rate: the model's rate.

    Returns:
        A `Split`.

    Raises:
        UsageError: no folder, no audio files, a bad file or a bad annotation row.
    """
    import zoo.audio

    if not os.path.isdir(folder):
        raise UsageError(
            f"{folder!r} is not a folder.",
            hint="--data DIR needs DIR/train and DIR/test, each with audio files and "
            "annotations.csv",
        )
    names = audio_files(folder)
    if not names:
        raise UsageError(
            f"{folder!r} holds no audio files ({', '.join(zoo.audio.AUDIO_EXTENSIONS)})."
        )
    waves, durations, resampled = {}, {}, []
    for name in names:
        path = os.path.join(folder, name)
        try:
            header = zoo.audio.info(path, check_samples=False)
            wave, _ = zoo.audio.load(path, sample_rate=sample_rate)
        except zoo.audio.AudioDecodeError as error:
            raise UsageError(str(error)) from None
        if header.sample_rate != sample_rate:
            resampled.append(name)
        waves[name] = np.asarray(wave, np.float32)
        durations[name] = header.frames / header.sample_rate
    annotations = read_folder(folder, task, durations)
    return Split(folder, names, waves, annotations, resampled)


def clips_of(wave, clip_samples):
    """Cut a waveform into `ceil(len / clip_samples)` clips, zero-padding the last."""
    count = max(1, -(-len(wave) // clip_samples))
    padded = np.zeros(count * clip_samples, np.float32)
    padded[: len(wave)] = wave
    return padded.reshape(count, clip_samples)
