"""The Bach chorales of music21 (or a folder of MusicXML/MIDI files) as cached token grids.

The corpus is parsed once into one `.npz` file under the user cache folder
(`$AUDIOZOO_CACHE`, else `$XDG_CACHE_HOME/keras-audio-zoo`, else
`~/.cache/keras-audio-zoo`), written temp-then-rename. Only four-part scores
are kept (parts named Soprano/Alto/Tenor/Bass, or exactly four parts); the
others are counted in `skipped`.

Split (fixed, by chorale): the pieces sorted by name; piece `i` goes to
validation when `i % 10 == 8`, to test when `i % 10 == 9`, else to training.

Example:
    >>> data = load_chorales(limit=3)
    >>> data.pieces("train")[0]["tokens"].shape[1]
    4
"""

import dataclasses
import hashlib
import os
from pathlib import Path

import numpy as np

from applications.atomic_io import atomic_path
from applications.errors import UsageError
from applications.music.grid import parse_file, score_grid
from zoo.music.vocab import HIGHEST_PITCH, LOWEST_PITCH, token_pitch

__all__ = ["Chorales", "load_chorales", "split_of", "cache_dir", "transpositions"]

VOICES = ("Soprano", "Alto", "Tenor", "Bass")
SUFFIXES = (".mid", ".midi", ".musicxml", ".xml", ".mxl")
CACHE_VERSION = 1


def cache_dir():
    """The folder of the parsed-corpus cache (see the module docstring)."""
    if os.environ.get("AUDIOZOO_CACHE"):
        return Path(os.environ["AUDIOZOO_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "keras-audio-zoo"


def split_of(index):
    """`"train"`, `"val"` or `"test"` for the piece at `index` in name order."""
    return {8: "val", 9: "test"}.get(index % 10, "train")


@dataclasses.dataclass
class Chorales:
    """Parsed four-part pieces, concatenated: `tokens` (steps, 4) with per-step
    `beat`, `fermata`, and per-piece `names`, `keys`, `starts` (offsets into steps)."""

    tokens: np.ndarray
    beat: np.ndarray
    fermata: np.ndarray
    names: np.ndarray
    keys: np.ndarray
    starts: np.ndarray
    skipped: int = 0

    def pieces(self, split=None):
        """The pieces (dicts of `name`, `tokens`, `beat`, `fermata`, `key`) of a split."""
        ends = list(self.starts[1:]) + [len(self.tokens)]
        out = []
        for i, (start, end) in enumerate(zip(self.starts, ends)):
            if split is None or split_of(i) == split:
                out.append(
                    {
                        "name": str(self.names[i]),
                        "tokens": self.tokens[start:end],
                        "beat": self.beat[start:end],
                        "fermata": self.fermata[start:end],
                        "key": int(self.keys[i]),
                    }
                )
        return out


def _four_parts(score):
    named = {p.partName: p for p in score.parts if p.partName in VOICES}
    if len(named) == 4:
        return [named[v] for v in VOICES]
    parts = [p for p in score.parts if p.flatten().notes]
    return parts if len(parts) == 4 else None


def _sources(folder, limit):
    if folder is None:
        from music21 import corpus

        paths = sorted(corpus.getComposer("bach"), key=lambda p: Path(p).name)
        paths = [p for p in paths if Path(p).suffix in (".mxl", ".xml", ".krn")]
    else:
        folder = Path(folder)
        if not folder.is_dir():
            raise UsageError(
                f"{folder}: not a folder", hint="Pass a folder of MusicXML/MIDI files."
            )
        paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES)
        if not paths:
            raise UsageError(f"{folder}: no MusicXML or MIDI files", hint=f"Use {SUFFIXES}.")
    return paths[:limit] if limit else paths


def _parse(paths, folder):
    from applications.reporting.progress import Progress

    grids, names, skipped = [], [], 0
    what = folder or "the music21 Bach chorales"
    # Minutes for the whole corpus, once: the count shows it is working.
    progress = Progress(len(paths), f"Parsing {len(paths)} files of {what} (cached after)", "file")
    for done, path in enumerate(paths):
        progress.update(done)
        if folder is None:
            from music21 import corpus

            score = corpus.parse(str(path))
        else:
            score = parse_file(path)
        parts = _four_parts(score)
        if parts is None:
            skipped += 1
            continue
        try:
            grids.append(score_grid(score, path, parts))
        except UsageError:
            if folder is not None:
                raise  # a user's file: say what is wrong with it
            skipped += 1  # a chorale with triplets or ornaments finer than 16ths
            continue
        names.append(Path(path).stem)
    progress.update(len(paths))
    progress.close()
    if not grids:
        raise UsageError(f"{folder or 'music21 corpus'}: no four-part pieces found")
    lengths = [len(g["tokens"]) for g in grids]
    return Chorales(
        tokens=np.concatenate([g["tokens"] for g in grids]),
        beat=np.concatenate([g["beat"] for g in grids]),
        fermata=np.concatenate([g["fermata"] for g in grids]),
        names=np.array(names),
        keys=np.array([g["key"] for g in grids], np.int8),
        starts=np.cumsum([0] + lengths[:-1]).astype(np.int64),
        skipped=skipped,
    )


def load_chorales(folder=None, limit=None, cache=True):
    """The four-part pieces of the music21 Bach corpus or of a user's folder, cached.

    Args:
        folder: None for the music21 chorales, or a folder of MusicXML/MIDI files.
        limit: parse only the first `limit` files in name order (tests use 2-3).
        cache: read/write the parsed form under `cache_dir()`.

    Returns:
        A `Chorales`.
    """
    paths = _sources(folder, limit)
    digest = hashlib.sha1(
        "\n".join(f"{p}:{os.path.getmtime(p)}" for p in paths).encode()
    ).hexdigest()[:16]
    path = cache_dir() / "music" / f"chorales-v{CACHE_VERSION}-{digest}.npz"
    if cache and path.exists():
        with np.load(path, allow_pickle=False) as f:
            return Chorales(
                **{k: f[k] for k in f.files if k != "skipped"}, skipped=int(f["skipped"])
            )
    data = _parse(paths, folder)
    if cache:
        with atomic_path(str(path)) as tmp:
            np.savez(tmp, **dataclasses.asdict(data))
    return data


def transpositions(tokens):
    """The semitone shifts in -6..5 that keep every pitch of `tokens` in the vocabulary."""
    pitches = token_pitch(tokens[tokens >= 3])
    if not len(pitches):
        return list(range(-6, 6))
    low, high = LOWEST_PITCH - pitches.min(), HIGHEST_PITCH - pitches.max()
    return [s for s in range(-6, 6) if low <= s <= high]
