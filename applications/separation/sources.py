"""The clips of each source, from `DIR/<source>/` or `DIR/{train,test}/<source>/`, checked.

Every clip is decoded once, made mono and resampled to the model's rate;
files at another rate are resampled and the job says how many. A source
folder with no audio, or (without a train/test split) with one file, stops
the job with one line naming the folder, before anything is written.
"""

import dataclasses
import os

import numpy as np

from applications.errors import UsageError

__all__ = ["SourceClips", "load_sources", "split_names"]

SPLITS = ("train", "test")


@dataclasses.dataclass
class SourceClips:
    """Clips per source and split: `train[name]` / `test[name]` are lists of float32 arrays.

    Attributes:
        names: the sources, sorted (the model's output order).
        train: training clips per source.
        test: test clips per source.
        sample_rate: the clips' rate in Hz.
        notes: lines the job prints (resampling, automatic split).
        origin: the folder, or "builtin".
    """

    names: list
    train: dict
    test: dict
    sample_rate: int
    notes: list
    origin: str


def _audio_files(folder):
    from zoo.audio import AUDIO_EXTENSIONS

    return sorted(
        os.path.join(folder, n)
        for n in os.listdir(folder)
        if n.lower().endswith(AUDIO_EXTENSIONS) and os.path.isfile(os.path.join(folder, n))
    )


def _source_folders(root):
    names = sorted(n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n)))
    return {n: os.path.join(root, n) for n in names}


def split_names(root):
    """`{"train": {source: folder}, "test": {...}}` for either layout, or raise `UsageError`."""
    if not os.path.isdir(root):
        raise UsageError(
            f"--sources {root!r} is not a folder.",
            hint="pass a folder with one sub-folder of audio files per source",
        )
    folders = _source_folders(root)
    if set(SPLITS) <= set(folders):
        split = {s: _source_folders(folders[s]) for s in SPLITS}
        if sorted(split["train"]) != sorted(split["test"]):
            raise UsageError(
                f"--sources {root!r}: train has sources {sorted(split['train'])} but test has "
                f"{sorted(split['test'])}.",
                hint="give train/ and test/ the same source sub-folders",
            )
        return split
    return {"all": folders}


def _load(path, sample_rate, counts):
    import zoo

    try:
        rate = zoo.audio.info(path).sample_rate
        wave, _ = zoo.audio.load(path, sample_rate=sample_rate)
    except zoo.audio.AudioDecodeError as error:
        raise UsageError(f"{error}", hint="repair or remove the file") from None
    if rate != sample_rate:
        counts[rate] = counts.get(rate, 0) + 1
    return wave


def load_sources(root, sample_rate, min_seconds=0.1):
    """Decode every source's clips at `sample_rate`, split into train and test.

    Without `train/` and `test/`, each source's files are split in order:
    every fifth file (at least one) is a test file.

    Args:
        root: the `--sources` folder.
        sample_rate: the model's rate in Hz.
        min_seconds: shorter clips are an error (they cannot fill an STFT frame).

    Returns:
        A `SourceClips`.
    """
    layout = split_names(root)
    sources = sorted(next(iter(layout.values())))
    if len(sources) < 2:
        raise UsageError(
            f"--sources {root!r} has {len(sources)} source folder(s) {sources}; need two or more.",
            hint="make one sub-folder of audio files per source, e.g. speech/ and music/",
        )
    counts, clips = {}, {s: {} for s in SPLITS}
    for split, folders in layout.items():
        for name in sources:
            files = _audio_files(folders[name])
            need = 2 if split == "all" else 1
            if len(files) < need:
                raise UsageError(
                    f"source folder {folders[name]!r} has {len(files)} audio file(s); need at "
                    f"least {need}" + (" (one to train on, one to test on)." if need == 2 else "."),
                    hint="add audio files, or use train/<source>/ and test/<source>/ folders",
                )
            waves = [_load(path, sample_rate, counts) for path in files]
            for path, wave in zip(files, waves):
                if len(wave) < min_seconds * sample_rate or not np.any(wave):
                    problem = "is silent" if len(wave) and not np.any(wave) else "is too short"
                    raise UsageError(
                        f"source file {path!r} {problem} ({len(wave) / sample_rate:.3f} s).",
                        hint=f"use clips of at least {min_seconds:g} s with sound, or remove it",
                    )
            if split == "all":
                test = set(range(0, len(waves), 5))
                clips["test"][name] = [w for i, w in enumerate(waves) if i in test]
                clips["train"][name] = [w for i, w in enumerate(waves) if i not in test]
            else:
                clips[split][name] = waves
    notes = [
        f"Resampled {n} file(s) from {rate} Hz to {sample_rate} Hz." for rate, n in counts.items()
    ]
    if "all" in layout:
        notes.append("No train/ and test/ folders: every fifth file of each source is a test file.")
    return SourceClips(sources, clips["train"], clips["test"], sample_rate, notes, root)
