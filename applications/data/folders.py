"""Finding labelled audio files in a folder, and stratified seeded splits."""

import os

import numpy as np

from applications.data.checks import require_fractions
from zoo.audio import AUDIO_EXTENSIONS
from zoo.audio.checks import printable_path

__all__ = ["scan_folder", "stratified_split", "files_by_class", "list_audio", "LAYOUT_HELP"]

LAYOUT_HELP = (
    "Lay the files out as <root>/<class>/*.wav (split automatically, stratified and seeded) "
    "or <root>/train/<class>/*.wav, <root>/val/<class>/..., <root>/test/<class>/..."
)
_SPLIT_NAMES = {
    "train": ("train", "training"),
    "val": ("val", "valid", "validation"),
    "test": ("test", "testing"),
}


def list_audio(folder):
    """The audio files under `folder` (recursive), and how many other files there are.

    Args:
        folder: the folder to search; hidden entries are skipped.

    Returns:
        `(sorted audio paths, count of non-audio files)`.
    """
    found, other = [], 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        # A *directory* named like an audio file is listed, so the probe reports it.
        names = filenames + [d for d in dirnames if d.lower().endswith(AUDIO_EXTENSIONS)]
        for name in names:
            if name.startswith("."):
                continue
            if name.lower().endswith(AUDIO_EXTENSIONS):
                found.append(os.path.join(dirpath, name))
            else:
                other += 1
    return sorted(found), other


def _class_dirs(folder):
    return sorted(
        d
        for d in os.listdir(folder)
        if os.path.isdir(os.path.join(folder, d))
        and not d.startswith((".", "_"))
        and not d.lower().endswith(AUDIO_EXTENSIONS)
    )


def files_by_class(folder):
    """The audio files of a folder with one sub-folder per class.

    Args:
        folder: holds `<class>/...` sub-folders of audio files (searched
            recursively); sub-folders starting with `.` or `_` are skipped.

    Returns:
        `({class: [paths]}, ignored)`: `ignored` counts the non-audio files.

    Raises:
        ValueError: no class sub-folders, or one without audio files.
    """
    names = _class_dirs(folder)
    if not names:
        loose, _ = list_audio(folder)
        hint = f" It holds {len(loose)} audio file(s) directly;" if loose else ""
        raise ValueError(f"{printable_path(folder)}: no class sub-folders.{hint} {LAYOUT_HELP}")
    out, ignored = {}, 0
    for name in names:
        files, other = list_audio(os.path.join(folder, name))
        ignored += other
        if not files:
            raise ValueError(
                f"{printable_path(os.path.join(folder, name))}: class folder has no audio files "
                f"({', '.join(AUDIO_EXTENSIONS)}); add some or remove the folder."
            )
        out[name] = files
    return out, ignored


def stratified_split(by_class, seed, val_fraction, test_fraction):
    """Split `{label: [paths]}` per class into train/val/test lists of `(path, label)`.

    Each class of n >= 3 files gives round(n * fraction) files, at least one,
    to val and to test (when the fraction is positive); the rest train.

    Args:
        by_class: `{label: [paths]}`.
        seed: seeds the permutation of each class's files.
        val_fraction, test_fraction: shares of each class for val and test.

    Returns:
        `{"train": [...], "val": [...], "test": [...]}` of `(path, label)`.
    """
    require_fractions(val_fraction, test_fraction)
    rng = np.random.default_rng(seed)
    splits = {"train": [], "val": [], "test": []}
    for label, paths in sorted(by_class.items()):
        paths = sorted(paths)
        order = rng.permutation(len(paths))
        n = len(paths)
        n_val = max(round(n * val_fraction), 1 if val_fraction > 0 and n >= 3 else 0)
        n_test = max(round(n * test_fraction), 1 if test_fraction > 0 and n >= 3 else 0)
        chosen = [paths[i] for i in order]
        splits["test"] += [(p, label) for p in chosen[:n_test]]
        splits["val"] += [(p, label) for p in chosen[n_test : n_test + n_val]]
        splits["train"] += [(p, label) for p in chosen[n_test + n_val :]]
    return splits


def _explicit_splits(root):
    found = {}
    for split, names in _SPLIT_NAMES.items():
        for name in names:
            if os.path.isdir(os.path.join(root, name)):
                found[split] = os.path.join(root, name)
                break
    return found


def scan_folder(root, seed=0, val_fraction=0.1, test_fraction=0.1):
    """Find the labelled files of a folder dataset.

    Args:
        root: `<root>/<class>/...` (split here, stratified and seeded) or
            `<root>/train/<class>/...` with optional `val/` and `test/`.
        seed: seeds the split.
        val_fraction, test_fraction: shares split off per class where the
            folder has no such split.

    Returns:
        `(entries, class_names, notes)`: entries maps "train"/"val"/"test"
        to lists of `(path, label_index)`; a class name is its folder's name,
        with bytes that are not UTF-8 written as `\\xNN` so it can be printed
        and stored in JSON.
    """
    root = os.fspath(root)
    if not os.path.isdir(root):
        what = "is a file, not a folder" if os.path.exists(root) else "does not exist"
        raise FileNotFoundError(
            f"Dataset folder {printable_path(root)} {what}. Pass 'builtin', one of 'gtzan', 'esc50', "
            f"'urbansound8k', 'speech_commands', or a folder. {LAYOUT_HELP}"
        )
    notes = []
    explicit = _explicit_splits(root)
    if "train" in explicit:
        per_split = {}
        for split, folder in explicit.items():
            per_split[split], ignored = files_by_class(folder)
            if ignored:
                notes.append(f"ignored {ignored} non-audio file(s) in {printable_path(folder)}")
        class_names = sorted(per_split["train"])
        for split, classes in per_split.items():
            extra = sorted(set(classes) - set(class_names))
            if extra:
                raise ValueError(
                    f"{printable_path(explicit[split])}: classes "
                    f"{[printable_path(c) for c in extra]} are not in "
                    f"{printable_path(explicit['train'])}; every class needs training files."
                )
        missing = [s for s in ("val", "test") if s not in explicit]
        train_split = stratified_split(
            per_split["train"],
            seed,
            val_fraction if "val" in missing else 0.0,
            test_fraction if "test" in missing else 0.0,
        )
        entries = {"train": train_split["train"]}
        for split in ("val", "test"):
            if split in missing:
                entries[split] = train_split[split]
                notes.append(
                    f"no {split}/ folder: split {split} from train/ (stratified, seed {seed})"
                )
            else:
                entries[split] = [(p, c) for c, ps in sorted(per_split[split].items()) for p in ps]
        notes.append("splits from train/ val/ test/ folders" if not missing else "")
    else:
        by_class, ignored = files_by_class(root)
        if ignored:
            notes.append(f"ignored {ignored} non-audio file(s)")
        class_names = sorted(by_class)
        entries = stratified_split(by_class, seed, val_fraction, test_fraction)
        notes.append(f"stratified split, seed {seed}, val {val_fraction:g}, test {test_fraction:g}")
    index = {c: i for i, c in enumerate(class_names)}
    entries = {s: [(p, index[c]) for p, c in entries[s]] for s in entries}
    return entries, _shown_names(root, class_names), [n for n in notes if n]


def _shown_names(root, class_names):
    """The class names as stored (`\\xNN` for non-UTF-8 bytes); two folders may not share one.

    A folder named `b\\xff` (a literal backslash) and one whose name holds the byte
    0xff print alike: stored as one name, their classes would be confused.
    """
    shown, seen = [], {}
    for name in class_names:
        text = printable_path(name)
        if text in seen:
            raise ValueError(
                f"{printable_path(root)}: class folders {os.fsencode(seen[text])!r} and "
                f"{os.fsencode(name)!r} "
                f"both read as class {text!r} (one name holds bytes that are not UTF-8); "
                "rename one of them."
            )
        seen[text] = name
        shown.append(text)
    return shown
