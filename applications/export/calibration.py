"""The representative clips of int8 export: a folder of audio, or the run's own train split.

Full-integer quantisation fixes each activation's range from what the model
sees on these clips, so they should sound like what it will hear: by default
the train split of the run that made the model, rebuilt from the
`settings.json` beside `model.keras` (same data, seed and split).
"""

import os

import numpy as np

from applications.errors import UsageError

__all__ = ["calibration_clips"]

HINT = "pass --calibration-data DIR, a folder of audio files like those the model will hear"


def calibration_clips(folder, model_file, sample_rate, samples, count=300, seed=0):
    """Up to `count` clips `(n, samples)` float32 at `sample_rate` to calibrate int8 export.

    Args:
        folder: a folder of audio files (searched recursively), or None for the
            run's train split (read from `settings.json` beside `model_file`).
        model_file: the `.keras` file being exported.
        sample_rate, samples: the model's rate and clip length.
        count: at most this many clips (a seeded sample of a larger set).
        seed: the sample's seed.

    Returns:
        `(clips, source)`: the waveforms and a line saying where they came from.
    """
    if folder is not None:
        return _from_folder(folder, sample_rate, samples, count, seed)
    return _from_run(model_file, sample_rate, samples, count)


def _from_folder(folder, sample_rate, samples, count, seed):
    import zoo.audio
    from applications.data.folders import list_audio

    paths, _ = list_audio(folder)
    if not paths:
        raise UsageError(f"--calibration-data {folder!r} holds no audio files.", hint=HINT)
    if len(paths) > count:
        rng = np.random.default_rng(seed)
        paths = sorted(rng.choice(paths, count, replace=False))
    clips = []
    for path in paths:
        try:
            wave, _ = zoo.audio.load(path, sample_rate=sample_rate)
        except (ValueError, OSError) as error:
            raise UsageError(f"--calibration-data: {path!r} cannot be read ({error}).") from None
        clips.append(np.asarray(zoo.audio.fix_length(wave, samples, "centre"), np.float32))
    return np.stack(clips), f"{len(clips)} clips of --calibration-data {folder}"


def _from_run(model_file, sample_rate, samples, count):
    from applications.data import load_dataset
    from applications.trained import read_json

    path = os.path.join(os.path.dirname(os.path.abspath(model_file)), "settings.json")
    if not os.path.isfile(path):
        raise UsageError(f"int8 export needs calibration clips; {path!r} is missing.", hint=HINT)
    settings = read_json(path, "settings file", HINT)
    if "data" not in settings:
        raise UsageError(f"{path!r} names no data to calibrate on.", hint=HINT)
    keys = ("sample_rate", "clip_seconds", "seed", "skip_bad", "multilabel", "dedupe")
    options = {key: settings[key] for key in keys if key in settings}
    try:
        data = load_dataset(settings["data"], batch_size=32, cache=False, **options)
    except (ValueError, OSError, RuntimeError) as error:
        raise UsageError(
            f"the run's train split ({settings['data']!r}, from {path!r}) cannot be read: {error}",
            hint=HINT,
        ) from None
    if (data.sample_rate, data.clip_samples) != (sample_rate, samples):
        raise UsageError(
            f"{path!r} gives clips of {data.clip_samples} samples at {data.sample_rate} Hz; "
            f"the model takes {samples} at {sample_rate}.",
            hint=HINT,
        )
    clips = []
    for waves, _ in data.train:
        clips.extend(np.asarray(waves, np.float32))
        if len(clips) >= count:
            break
    clips = np.stack(clips[:count])
    return clips, f"{len(clips)} clips of the run's train split ({settings['data']})"
