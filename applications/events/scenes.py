"""Built-in frame-labelled data, no download: synthetic sound scenes and chord progressions.

Scenes: short events of five synthetic types (tone, chirp, noise burst, click
train, low harmonic hum) at random times, free to overlap, over coloured
background noise. Progressions: major and minor chords of the built-in chord
synthesiser (`applications.data.chords`) with random roots and lengths, and
some silence (`N`). Both are written as `train/` and `test/` folders of PCM16
WAV files with their `annotations.csv`, once, into a cache folder keyed by the
parameters, atomically (a temporary folder renamed into place).
"""

import csv
import os

import numpy as np
import soundfile as sf

from applications.data.cache import cached_folder
from applications.data.chords import QUALITIES, cache_root, render_chord
from applications.events.annotations import PITCHES

__all__ = ["EVENT_TYPES", "builtin_events_dir", "builtin_chords_dir", "write_split"]

EVENT_TYPES = ("tone", "chirp", "noise_burst", "clicks", "hum")
VERSION = 1  # bump when the sound changes


def _event(kind, rng, rate, n):
    t = np.arange(n) / rate
    if kind == "tone":
        wave = np.sin(2 * np.pi * rng.uniform(600, 2500) * t)
    elif kind == "chirp":
        f0, f1 = rng.uniform(300, 1000), rng.uniform(2000, 5000)
        f0, f1 = (f1, f0) if rng.random() < 0.5 else (f0, f1)
        wave = np.sin(2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * t[-1] + 1e-9)))
    elif kind == "noise_burst":  # high-passed noise: first difference of white noise
        wave = np.diff(rng.standard_normal(n + 1)) / 2.0
    elif kind == "clicks":
        wave = np.zeros(n)
        wave[:: int(rate / rng.uniform(8, 20))] = 1.0
        wave = np.convolve(wave, np.exp(-np.arange(40) / 6.0), mode="same")
    else:  # hum: a low harmonic tone
        f = rng.uniform(80, 200)
        wave = sum(np.sin(2 * np.pi * f * h * t) / h for h in range(1, 6))
    ramp = min(int(0.01 * rate), n // 2)  # 10 ms fades: sharp but click-free edges
    env = np.ones(n)
    env[:ramp], env[n - ramp :] = np.linspace(0, 1, ramp), np.linspace(1, 0, ramp)
    wave = wave * env
    return wave / (np.abs(wave).max() + 1e-12)


def _scene(rng, rate, seconds):
    n = int(seconds * rate)
    background = np.cumsum(rng.standard_normal(n)) * 0.02  # brown noise, then high-passed
    background = background - np.convolve(background, np.ones(400) / 400, mode="same")
    wave = background / (np.abs(background).max() + 1e-12) * 0.05
    rows = []
    for _ in range(int(rng.integers(2, 7))):
        kind = EVENT_TYPES[int(rng.integers(len(EVENT_TYPES)))]
        length = rng.uniform(0.3, 2.0)
        onset = round(rng.uniform(0.0, seconds - length), 3)
        start, stop = int(onset * rate), int(onset * rate) + int(length * rate)
        wave[start:stop] += _event(kind, rng, rate, stop - start) * rng.uniform(0.2, 0.6)
        rows.append((onset, round(stop / rate, 3), kind))
    return wave / max(1.0, np.abs(wave).max() / 0.95), rows


def _progression(rng, rate, seconds):
    wave, rows, time = np.zeros(int(seconds * rate)), [], 0.0
    while seconds - time > 1e-9:
        length = rng.uniform(0.6, 2.0)
        if seconds - time - length < 0.6:  # no sliver at the end: the last chord runs on
            length = seconds - time
        start, stop = int(time * rate), int((time + length) * rate)
        if rng.random() < 0.1:
            label = "N"
            wave[start:stop] = rng.standard_normal(stop - start) * 0.003
        else:
            pitch, quality = int(rng.integers(12)), ("maj", "min")[int(rng.integers(2))]
            intervals = QUALITIES["major" if quality == "maj" else "minor"]
            root = 48 + pitch + 12 * int(rng.integers(2))
            wave[start:stop] = render_chord(rng, intervals, rate, stop - start, root)
            label = f"{PITCHES[pitch]}:{quality}"
        rows.append((round(time, 3), round(stop / rate, 3), label))
        time = stop / rate
    return wave, rows


def write_split(folder, make, files, rng, rate, seconds, column):
    """Write `files` WAV files made by `make(rng, rate, seconds)` and their annotations.csv."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "annotations.csv"), "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["filename", "onset", "offset", column])
        for i in range(files):
            wave, rows = make(rng, rate, seconds)
            name = f"{i:04d}.wav"
            sf.write(os.path.join(folder, name), wave.astype(np.float32), rate, subtype="PCM_16")
            out.writerows([name, f"{a:.3f}", f"{b:.3f}", label] for a, b, label in rows)


def _params(train_files, test_files, seconds, seed, sample_rate, **extra):
    """A set's parameters, in the order its `builtin.json` lists them."""
    sizes = {"train_files": train_files, "test_files": test_files, "seconds": seconds}
    return {**sizes, "seed": seed, "sample_rate": sample_rate, **extra}


def _cached(kind, params, make, column, root):
    def fill(folder):
        rng = np.random.default_rng(params["seed"])
        for split in ("train", "test"):
            count = params[f"{split}_files"]
            rate, seconds = params["sample_rate"], params["seconds"]
            write_split(os.path.join(folder, split), make, count, rng, rate, seconds, column)

    root = root or cache_root()
    return cached_folder(root, f"builtin-{kind}", params, fill, key_extra={"v": VERSION})


def builtin_events_dir(
    train_files=240, test_files=40, seconds=10.0, seed=0, sample_rate=16000, root=None
):
    """The built-in sound-scene set (`train/`, `test/`), generated on first use.

    Args:
        train_files: scenes in `train/`.
        test_files: scenes in `test/`.
        seconds: scene length.
        seed: generator seed.
        sample_rate: Hz.
        root: cache root; default `applications.data.chords.cache_root()`.

    Returns:
        The folder's path.

    Example:
        >>> path = builtin_events_dir(train_files=4, test_files=2, seconds=3.0)
        >>> sorted(os.listdir(path))
        ['builtin.json', 'test', 'train']
    """
    params = _params(train_files, test_files, seconds, seed, sample_rate, types=EVENT_TYPES)
    return _cached("events", params, _scene, "event_label", root)


def builtin_chords_dir(
    train_files=160, test_files=30, seconds=8.0, seed=0, sample_rate=16000, root=None
):
    """The built-in chord-progression set (`train/`, `test/`), generated on first use.

    Args and returns as `builtin_events_dir`; annotations have a `chord` column.
    """
    params = _params(train_files, test_files, seconds, seed, sample_rate)
    return _cached("chords", params, _progression, "chord", root)
