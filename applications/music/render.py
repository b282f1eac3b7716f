"""Write token grids as MIDI or MusicXML (atomically), render WAV with fluidsynth, draw piano rolls.

Example:
    >>> write_score(tokens, "out.mid", ["Soprano", "Alto", "Tenor", "Bass"])
    >>> render_wav("out.mid", "out.wav")
"""

import os
import shutil
import subprocess

import numpy as np

from applications.atomic_io import atomic_path
from applications.errors import JobFailed, UsageError
from applications.music.grid import grid_score
from applications.music.rules import sounding_pitches

__all__ = ["SCORE_SUFFIXES", "write_score", "render_wav", "SOUNDFONT", "piano_roll_png"]

SCORE_SUFFIXES = {".mid": "midi", ".midi": "midi", ".musicxml": "musicxml", ".xml": "musicxml"}
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"


def score_format(path):
    """music21's format name for an output path; `UsageError` for another suffix."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix not in SCORE_SUFFIXES:
        raise UsageError(
            f"--out {path}: unknown score format {suffix or '(none)'}",
            hint="End it in .mid, .midi, .musicxml or .xml.",
        )
    return SCORE_SUFFIXES[suffix]


def write_score(tokens, path, names, bpm=90):
    """Write a (steps, voices) grid as MIDI or MusicXML (by suffix), temp-then-rename."""
    fmt = score_format(path)
    score = grid_score(np.asarray(tokens), names, bpm=bpm)
    with atomic_path(str(path)) as tmp:
        score.write(fmt, fp=tmp)
    return str(path)


def render_wav(midi_path, wav_path, soundfont=SOUNDFONT, sample_rate=44100):
    """Render a MIDI file to WAV with fluidsynth; `JobFailed` saying what is missing."""
    fluidsynth = shutil.which("fluidsynth")
    if fluidsynth is None or not os.path.exists(soundfont):
        missing = "fluidsynth" if fluidsynth is None else f"the soundfont {soundfont}"
        raise JobFailed(
            f"--wav needs {missing}, which is not installed; the score was written without audio",
            hint="apt-get install fluidsynth fluid-soundfont-gm",
        )
    with atomic_path(str(wav_path)) as tmp:
        command = [fluidsynth, "-ni", "-g", "0.8", "-r", str(sample_rate), "-F", tmp]
        done = subprocess.run(
            command + [soundfont, str(midi_path)], capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0 or not os.path.exists(tmp):
            raise JobFailed(f"fluidsynth failed on {midi_path}: {done.stderr.strip()[-300:]}")
    return str(wav_path)


def piano_roll_png(grids, path, titles, names=("S", "A", "T", "B"), steps=None):
    """One piano roll per grid, stacked, voices in colours; saved atomically as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        len(grids), 1, figsize=(12, 3 * len(grids)), sharex=True, squeeze=False
    )
    for ax, grid, title in zip(axes[:, 0], grids, titles):
        pitches = sounding_pitches(np.asarray(grid)[:steps])
        for v in range(pitches.shape[1]):
            ax.plot(pitches[:, v], drawstyle="steps-post", lw=3, label=names[v])
        ax.set_title(title)
        ax.set_ylabel("MIDI pitch")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", ncol=4)
    axes[-1, 0].set_xlabel("16th notes")
    fig.tight_layout()
    with atomic_path(str(path)) as tmp:
        fig.savefig(tmp, format="png", dpi=80)
    plt.close(fig)
    return str(path)
