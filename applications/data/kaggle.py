"""Public audio corpora downloaded with `kagglehub`, split by their official folds.

| name | split |
|---|---|
| `gtzan` | none ships with it: stratified, seeded (like a class folder) |
| `esc50` | `meta/esc50.csv` folds: 1-3 train, 4 val, 5 test |
| `urbansound8k` | `metadata/UrbanSound8K.csv` folds: 1-8 train, 9 val, 10 test |
| `speech_commands` | `validation_list.txt`, `testing_list.txt`, the rest train |

Files are found by name anywhere under the download, so the layout variants of
the official archives and of their Kaggle mirrors both parse.
"""

import collections
import csv
import os
import re

from applications.data.folders import LAYOUT_HELP, files_by_class, scan_folder

__all__ = ["DATASETS", "KaggleDataset", "resolve", "download"]

KaggleDataset = collections.namedtuple("KaggleDataset", ["handle", "parse"])
KaggleDataset.__doc__ = """A Kaggle-hosted corpus: its kagglehub `handle`, and how to `parse` its files.

`parse(root, seed, val_fraction, test_fraction)` returns `(entries,
class_names, notes)` as `applications.data.folders.scan_folder` does; the
seed and fractions only matter for a corpus without an official split.
"""


def _find(root, name, directory=False):
    """Shortest path under `root` whose basename is `name`."""
    hits = []
    for dirpath, dirnames, filenames in os.walk(root):
        if name in (dirnames if directory else filenames):
            hits.append(os.path.join(dirpath, name))
    if not hits:
        kind = "folder" if directory else "file"
        raise FileNotFoundError(
            f"{root}: no {kind} named {name!r}; is this the right dataset? "
            f"Otherwise use a folder spec. {LAYOUT_HELP}"
        )
    return min(hits, key=lambda p: (p.count(os.sep), p))


def _index_wavs(root):
    """{basename: path} of audio under root; with duplicates (several sample-rate
    copies), prefer the one outside folders named after a lower rate."""
    out = {}
    for dirpath, _, filenames in os.walk(root):
        for f in filenames:
            if f.lower().endswith((".wav", ".ogg", ".flac")):
                path = os.path.join(dirpath, f)
                if f not in out or "16000" in out[f] or "16k" in out[f]:
                    out[f] = path
    return out


def _read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _by_folds(rows, path_of, label_col, name_col, fold_col, folds):
    """Entries and class names from metadata rows with numbered folds."""
    names = {}
    for row in rows:
        names[int(row[label_col])] = row[name_col]
    class_names = [names[i] for i in sorted(names)]
    index = {n: i for i, n in enumerate(class_names)}
    entries = {s: [] for s in folds}
    for row in rows:
        fold = int(row[fold_col])
        split = next(s for s, fs in folds.items() if fold in fs)
        entries[split].append((path_of(row), index[row[name_col]]))
    return entries, class_names


def _parse_gtzan(root, seed, val_fraction, test_fraction):
    """GTZAN's genre folders, split stratified and seeded (it ships no split)."""
    try:
        genres = _find(root, "genres_original", directory=True)
    except FileNotFoundError:
        genres = _find(root, "genres", directory=True)
    entries, class_names, _ = scan_folder(genres, seed, val_fraction, test_fraction)
    return entries, class_names, ["GTZAN has no official split: stratified, seeded"]


def _parse_esc50(root, seed, val_fraction, test_fraction):
    """ESC-50 by `esc50.csv`'s folds: 1-3 train, 4 val, 5 test."""
    rows = _read_csv(_find(root, "esc50.csv"))
    wavs = _index_wavs(root)
    missing = [r["filename"] for r in rows if r["filename"] not in wavs]
    if missing:
        raise FileNotFoundError(
            f"{root}: {len(missing)} file(s) listed in esc50.csv are missing, e.g. {missing[0]}."
        )
    entries, names = _by_folds(
        rows,
        lambda r: wavs[r["filename"]],
        "target",
        "category",
        "fold",
        {"train": (1, 2, 3), "val": (4,), "test": (5,)},
    )
    return entries, names, ["ESC-50 official folds: train 1-3, val 4, test 5"]


def _parse_urbansound8k(root, seed, val_fraction, test_fraction):
    """UrbanSound8K by `UrbanSound8K.csv`'s folds: 1-8 train, 9 val, 10 test."""
    rows = _read_csv(_find(root, "UrbanSound8K.csv"))
    folds = {}
    for dirpath, dirnames, _ in os.walk(root):
        for d in dirnames:
            if re.fullmatch(r"fold\d+", d):
                folds.setdefault(d, os.path.join(dirpath, d))

    def path_of(row):
        path = os.path.join(folds.get(f"fold{row['fold']}", ""), row["slice_file_name"])
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"{root}: {row['slice_file_name']} (fold {row['fold']}) listed in "
                "UrbanSound8K.csv is missing."
            )
        return path

    entries, names = _by_folds(
        rows,
        path_of,
        "classID",
        "class",
        "fold",
        {"train": tuple(range(1, 9)), "val": (9,), "test": (10,)},
    )
    return entries, names, ["UrbanSound8K official folds: train 1-8, val 9, test 10"]


def _parse_speech_commands(root, seed, val_fraction, test_fraction):
    """Speech Commands by `validation_list.txt` and `testing_list.txt`; the rest train."""
    base = os.path.dirname(_find(root, "validation_list.txt"))
    by_class, _ = files_by_class(base)  # skips _background_noise_
    class_names = sorted(by_class)
    index = {c: i for i, c in enumerate(class_names)}

    def listed(name):
        with open(os.path.join(base, name)) as f:
            return {os.path.normpath(line.strip()) for line in f if line.strip()}

    val, test = listed("validation_list.txt"), listed("testing_list.txt")
    entries = {"train": [], "val": [], "test": []}
    for c, paths in sorted(by_class.items()):
        for p in paths:
            rel = os.path.normpath(os.path.relpath(p, base))
            split = "val" if rel in val else "test" if rel in test else "train"
            entries[split].append((p, index[c]))
    return entries, class_names, ["Speech Commands official validation/testing lists"]


DATASETS = {
    "gtzan": KaggleDataset("andradaolteanu/gtzan-dataset-music-genre-classification", _parse_gtzan),
    "esc50": KaggleDataset("mmoreaux/environmental-sound-classification-50", _parse_esc50),
    "urbansound8k": KaggleDataset("chrisfilo/urbansound8k", _parse_urbansound8k),
    "speech_commands": KaggleDataset("neehakurelli/google-speech-commands", _parse_speech_commands),
}


def download(name):
    """Download (or reuse kagglehub's cache of) a named dataset.

    Args:
        name: a key of `DATASETS`.

    Returns:
        The folder kagglehub put it in.

    Raises:
        RuntimeError: the download failed (offline, no credentials, no
            kagglehub), naming the handle and the folder-spec fallback.
    """
    handle = DATASETS[name].handle
    try:
        import kagglehub

        return kagglehub.dataset_download(handle)
    except Exception as e:  # offline, auth, missing package: all end the same way
        raise RuntimeError(
            f"Could not download Kaggle dataset {handle!r} (spec {name!r}): "
            f"{type(e).__name__}: {e}. If this machine is offline, download it elsewhere, "
            f"copy it here and pass its folder as the spec instead. {LAYOUT_HELP}"
        ) from e


def resolve(name, seed=0, val_fraction=0.1, test_fraction=0.1):
    """The labelled files of a named dataset, downloading it if needed.

    Args:
        name: a key of `DATASETS`.
        seed, val_fraction, test_fraction: for corpora without an official split.

    Returns:
        `(entries, class_names, notes)`, as `scan_folder` returns them.

    Example:
        >>> entries, class_names, notes = resolve("esc50")
    """
    return DATASETS[name].parse(download(name), seed, val_fraction, test_fraction)
