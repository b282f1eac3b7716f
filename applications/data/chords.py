"""The built-in synthetic chord-quality dataset: demo data that needs no download.

Chord recognition (which *quality* of chord sounds, whatever its root) is a
classic audio task. Each clip is one chord of a random quality, root,
octave and inversion, voiced with a random harmonic timbre (number of
partials, spectral slope, slight detuning), an attack/decay envelope and
background noise. The set is written once as PCM16 WAV files, one sub-folder
per quality, into a cache directory keyed by its parameters, atomically
(a temporary directory renamed into place), so concurrent first uses are safe.
"""

import os

import numpy as np
import soundfile as sf

from applications.data.cache import cached_folder

__all__ = ["QUALITIES", "builtin_dir", "make_chords", "cache_root", "render_chord"]

# Semitone intervals above the root. Every quality is a distinct pitch-class set
# under transposition, so a clip's quality is decidable whatever its root and
# inversion (version 1 had sus2, which is sus4 on another root: Csus2 = Gsus4/C).
QUALITIES = {
    "major": (0, 4, 7),
    "minor": (0, 3, 7),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
    "sus4": (0, 5, 7),
    "major7": (0, 4, 7, 11),
    "dominant7": (0, 4, 7, 10),
    "minor7": (0, 3, 7, 10),
}
GENERATOR_VERSION = 2  # bump when the sound changes, so old caches are not reused


def cache_root():
    """`$AUDIOZOO_CACHE`, else `~/.cache/keras-audio-zoo`."""
    return os.environ.get("AUDIOZOO_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "keras-audio-zoo"
    )


def _chord(rng, intervals, sample_rate, samples, root=None):
    if root is None:  # drawn only when not given, so the cached clip set stays the same
        root = 48 + int(rng.integers(0, 24))  # C3..B4
    notes = np.array(intervals, dtype=np.float64) + root
    inversion = int(rng.integers(0, len(notes)))
    notes[:inversion] += 12  # move the lowest notes up an octave
    freqs = 440.0 * 2.0 ** ((notes - 69) / 12.0)
    freqs *= 2.0 ** (rng.uniform(-8, 8, len(freqs)) / 1200.0)  # detune, in cents

    partials = int(rng.integers(3, 9))
    slope = rng.uniform(0.7, 2.0)
    h = np.arange(1, partials + 1)
    t = np.arange(samples) / sample_rate
    f = freqs[:, None] * h[None, :]  # (notes, partials)
    amp = np.where(f < 0.45 * sample_rate, h[None, :] ** -slope, 0.0)
    amp *= rng.uniform(0.6, 1.0, (len(freqs), 1))  # uneven voicing
    phase = rng.uniform(0, 2 * np.pi, f.shape)
    wave = np.einsum("np,npt->t", amp, np.sin(2 * np.pi * f[..., None] * t + phase[..., None]))

    attack = rng.uniform(0.005, 0.06)
    decay = rng.uniform(0.5, 4.0)
    onset = rng.uniform(0.0, 0.1)
    tt = np.maximum(t - onset, 0.0)
    envelope = np.minimum(tt / attack, 1.0) * np.exp(-decay * np.maximum(tt - attack, 0.0))
    wave *= envelope * (t >= onset)
    wave /= np.abs(wave).max() + 1e-12
    snr_db = rng.uniform(15.0, 40.0)
    wave += rng.standard_normal(samples) * 10 ** (-snr_db / 20) * np.sqrt(np.mean(wave**2))
    return wave / (np.abs(wave).max() + 1e-12) * rng.uniform(0.3, 0.9)


def render_chord(rng, intervals, sample_rate, samples, root):
    """One chord of the built-in synthesiser on a given MIDI `root` note.

    Args:
        rng: a NumPy generator (timbre, inversion, envelope and noise are drawn).
        intervals: semitones above the root, e.g. `QUALITIES["minor"]`.
        sample_rate: Hz.
        samples: length.
        root: MIDI note of the root.

    Returns:
        float64 waveform, peak between 0.3 and 0.9.
    """
    return _chord(rng, intervals, sample_rate, samples, root=root)


def make_chords(directory, clips_per_class=160, seed=0, sample_rate=16000, seconds=1.0):
    """Write the chord set into `directory/<quality>/<quality>_NNNN.wav`.

    Args:
        directory: an existing, empty directory.
        clips_per_class: clips per chord quality.
        seed: makes the set reproducible.
        sample_rate: Hz.
        seconds: clip length.

    Returns:
        Number of files written.
    """
    rng = np.random.default_rng(seed)
    samples = int(round(seconds * sample_rate))
    for quality, intervals in QUALITIES.items():
        os.makedirs(os.path.join(directory, quality), exist_ok=True)
        for i in range(clips_per_class):
            wave = _chord(rng, intervals, sample_rate, samples)
            path = os.path.join(directory, quality, f"{quality}_{i:04d}.wav")
            sf.write(path, wave.astype(np.float32), sample_rate, subtype="PCM_16")
    return clips_per_class * len(QUALITIES)


def builtin_dir(clips_per_class=160, seed=0, sample_rate=16000, seconds=1.0, root=None):
    """Return the cache folder of the built-in chord set, generating it on first use.

    Args:
        clips_per_class: clips per quality (8 qualities; 160 gives 1,280 clips).
        seed: generator seed; different seeds are cached separately.
        sample_rate: Hz.
        seconds: clip length.
        root: cache root; default `cache_root()`.

    Returns:
        Path of a folder with one sub-folder of WAV files per chord quality.

    Example:
        >>> path = builtin_dir()
        >>> sorted(os.listdir(path))[:2]
        ['augmented', 'builtin.json']
    """
    params = {
        "clips_per_class": clips_per_class,
        "seed": seed,
        "sample_rate": sample_rate,
        "seconds": seconds,
        "qualities": QUALITIES,
        "version": GENERATOR_VERSION,
    }
    return cached_folder(
        root or cache_root(),
        "builtin",
        params,
        lambda folder: make_chords(folder, clips_per_class, seed, sample_rate, seconds),
    )
