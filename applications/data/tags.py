"""Multi-label folders: `labels.csv` (`filename,tags`, tags separated by `;`), checked row by row.

A folder holds audio files (any sub-folders) and a `labels.csv` naming every
one of them, or `train/` (and optionally `val/`, `test/`) folders laid out so.
Every problem stops the load with an error naming the file and row: an empty
tag column, an empty tag between separators, a repeated tag, a file named
twice, a named file that does not exist, an audio file without a row, a tag
that no training clip carries, fewer than two tags overall. Nothing is dropped.

Splits missing as folders are drawn by iterative stratification (Sechidis et
al. 2011, simplified): clips are placed rarest tag first, each in the split
that most lacks that tag, so every tag with at least 3 clips reaches train,
val and test.
"""

import csv
import os

import numpy as np

from applications.data.checks import require_fractions
from applications.data.folders import list_audio
from applications.errors import UsageError
from zoo.audio import AUDIO_EXTENSIONS
from zoo.audio.checks import printable_path

__all__ = [
    "LABELS_FILE",
    "TAGS_HELP",
    "read_labels",
    "multilabel_split",
    "scan_tagged",
    "require_train_tags",
]

LABELS_FILE = "labels.csv"
SEPARATOR = ";"
TAGS_HELP = (
    f"Put the audio files in one folder with a {LABELS_FILE} whose header is `filename,tags` "
    f"and whose rows name each file (relative to the folder) and its tags separated by "
    f"'{SEPARATOR}', e.g. `dog_bark.wav,dog;outdoor` (or train/, val/, test/ folders laid out so)."
)


def _error(where, problem):
    return UsageError(f"{where}: {problem}", hint=TAGS_HELP)


def read_labels(folder):
    """The `(path, tags)` rows of `folder/labels.csv`, checked.

    Args:
        folder: holds `labels.csv` and the audio files it names.

    Returns:
        A list of `(absolute path, tuple of tags)` in the file's order.

    Raises:
        UsageError: a missing or malformed `labels.csv`, naming the row, or
            an audio file in `folder` that no row names.

    Example:
        >>> read_labels("my_tags")[0]
        ('/data/my_tags/a.wav', ('dog', 'outdoor'))
    """
    path = os.path.join(folder, LABELS_FILE)
    shown = printable_path(path)
    if not os.path.isfile(path):
        raise _error(shown, "missing; --multilabel reads the tags of each file from it")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows or [c.strip().lower() for c in rows[0]] != ["filename", "tags"]:
        header = rows[0] if rows else None
        raise _error(shown, f"the header must be `filename,tags`. Received: header={header!r}")
    seen, out = {}, []
    root = os.path.realpath(folder)
    for line, row in enumerate(rows[1:], start=2):
        where = f"{shown} row {line}"
        if not any(cell.strip() for cell in row):
            raise _error(where, "blank row; remove it")
        if len(row) != 2:
            raise _error(where, f"needs 2 columns (filename,tags), has {len(row)}. Received: {row}")
        name, column = row[0].strip(), row[1].strip()
        if not column:
            raise _error(where, f"the tags column of {name!r} is empty; every clip needs a tag")
        tags = tuple(t.strip() for t in column.split(SEPARATOR))
        if "" in tags:
            raise _error(where, f"an empty tag between '{SEPARATOR}' separators in {column!r}")
        if len(set(tags)) != len(tags):
            raise _error(where, f"a tag is repeated in {column!r}")
        full = os.path.realpath(os.path.join(folder, name))
        if not name or os.path.commonpath([root, full]) != root:
            raise _error(where, f"filename {name!r} must be a path inside the folder")
        if not name.lower().endswith(AUDIO_EXTENSIONS):
            raise _error(where, f"{name!r} is not an audio file ({', '.join(AUDIO_EXTENSIONS)})")
        if not os.path.exists(full):
            raise _error(where, f"names {name!r}, which does not exist in {printable_path(folder)}")
        if full in seen:
            raise _error(where, f"names {name!r} again (first on row {seen[full]}); keep one row")
        seen[full] = line
        out.append((full, tags))
    if not out:
        raise _error(shown, "has a header but no rows")
    found, _ = list_audio(folder)
    unlisted = [p for p in found if os.path.realpath(p) not in seen]
    if unlisted:
        names = [printable_path(os.path.relpath(p, folder)) for p in unlisted[:5]]
        raise _error(
            shown,
            f"{len(unlisted)} audio file(s) in the folder have no row, e.g. {names}; "
            "add rows for them or move them out (nothing is dropped silently)",
        )
    return out


def multilabel_split(rows, tag_names, seed, val_fraction, test_fraction):
    """Split `(path, tags)` rows into train/val/test, rarest tag first (iterative stratification).

    Args:
        rows: `(path, tags)` pairs.
        tag_names: every tag, sorted.
        seed: breaks ties (a seeded permutation of the rows first).
        val_fraction, test_fraction: shares of the clips.

    Returns:
        `{"train": [...], "val": [...], "test": [...]}` of `(path, tags)`.
    """
    require_fractions(val_fraction, test_fraction)
    splits = ("test", "val", "train")
    rng = np.random.default_rng(seed)
    rows = [rows[i] for i in rng.permutation(len(rows))]
    totals = {t: 0 for t in tag_names}
    for _, tags in rows:
        for t in tags:
            totals[t] += 1

    def wanted(n):
        # As the class-folder split: at least one to val and test from 3 clips on.
        test = max(round(n * test_fraction), 1 if test_fraction > 0 and n >= 3 else 0)
        val = max(round(n * val_fraction), 1 if val_fraction > 0 and n >= 3 else 0)
        return np.array([test, val, n - test - val], np.float64)

    need_clips = wanted(len(rows))
    need_tag = {t: wanted(n) for t, n in totals.items()}
    out = {s: [] for s in splits}
    # Rarest tag first; a stable sort keeps the seeded order within a rarity.
    order = sorted(rows, key=lambda r: min(totals[t] for t in r[1]))
    for path, tags in order:
        want = need_tag[min(tags, key=lambda t: (totals[t], t))]
        # The split lacking the rarest tag most, then lacking clips most, then train.
        best = max(range(3), key=lambda i: (want[i], need_clips[i], i))
        out[splits[best]].append((path, tags))
        need_clips[best] -= 1
        for t in tags:
            need_tag[t][best] -= 1
    return out


def require_train_tags(entries, tag_names, source):
    """Raise unless every tag has a training clip (`entries` of `(path, multi-hot vector)`)."""
    counts = sum((vector for _, vector in entries["train"]), np.zeros(len(tag_names)))
    missing = [t for t, n in zip(tag_names, counts) if n == 0]
    if missing:
        raise UsageError(
            f"{source}: tag(s) {missing} occur in no training clip, so nothing can learn them.",
            hint="add training clips with these tags or remove the tags from labels.csv",
        )


def _check_tags(entries, source):
    tag_names = sorted({t for rows in entries.values() for _, tags in rows for t in tags})
    if len(tag_names) < 2:
        raise UsageError(
            f"{source}: multi-label tagging needs at least 2 tags; found {tag_names}.",
            hint="for one tag, lay the clips out as two class folders (tag / not tag) without "
            "--multilabel",
        )
    in_train = {t for _, tags in entries["train"] for t in tags}
    missing = [t for t in tag_names if t not in in_train]
    if missing:
        raise UsageError(
            f"{source}: tag(s) {missing} occur in no training clip, so nothing can learn them.",
            hint="add training clips with these tags or remove the tags from labels.csv",
        )
    return tag_names


def scan_tagged(root, seed=0, val_fraction=0.1, test_fraction=0.1):
    """Find the tagged files of a multi-label folder and split them.

    Args:
        root: holds `labels.csv` and audio files, or `train/` (optionally
            `val/`, `test/`) folders, each with its own `labels.csv`.
        seed: seeds the split of splits that have no folder.
        val_fraction, test_fraction: shares split off `train` where the folder has no such split.

    Returns:
        `(entries, tag_names, notes)`: entries maps "train"/"val"/"test" to
        lists of `(path, multi-hot float32 vector)`.

    Raises:
        UsageError: a bad `labels.csv`, naming the row; fewer than 2 tags; a
            tag without training clips.
    """
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise _error(printable_path(root), "is not a folder")
    folders = {s: os.path.join(root, s) for s in ("train", "val", "test")}
    notes = []
    if os.path.isdir(folders["train"]):
        given = {s: read_labels(f) for s, f in folders.items() if os.path.isdir(f)}
        missing = {"val": val_fraction, "test": test_fraction}
        missing = {s: f if s not in given else 0.0 for s, f in missing.items()}
        tag_names = sorted({t for rows in given.values() for _, tags in rows for t in tags})
        drawn = multilabel_split(given["train"], tag_names, seed, missing["val"], missing["test"])
        entries = {s: given.get(s, drawn[s]) for s in ("val", "test")}
        entries["train"] = drawn["train"]
        for s in ("val", "test"):
            if s not in given:
                notes.append(
                    f"no {s}/ folder: split {s} from train/ (stratified by tag, seed {seed})"
                )
    else:
        rows = read_labels(root)
        tag_names = sorted({t for _, tags in rows for t in tags})
        entries = multilabel_split(rows, tag_names, seed, val_fraction, test_fraction)
        notes.append(
            f"split by tag (iterative stratification), seed {seed}, val {val_fraction:g}, "
            f"test {test_fraction:g}"
        )
    tag_names = _check_tags(entries, f"folder {printable_path(root)}")
    index = {t: i for i, t in enumerate(tag_names)}

    def hot(tags):
        vector = np.zeros(len(tag_names), np.float32)
        vector[[index[t] for t in tags]] = 1.0
        return vector

    entries = {s: [(p, hot(tags)) for p, tags in rows] for s, rows in entries.items()}
    return entries, tag_names, notes
