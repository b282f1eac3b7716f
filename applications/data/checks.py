"""Checks that a dataset can train and score a classifier: split shares, classes, clips per split."""

from zoo.validation import argument_error

__all__ = ["require_fractions", "require_classes", "require_split_sizes"]

SPLITS = ("train", "val", "test")


def require_fractions(val_fraction, test_fraction):
    """Raise unless the val and test shares are each in [0, 1) and leave clips to train.

    Raises:
        ValueError: naming both shares.
    """
    if not (0 <= val_fraction < 1 and 0 <= test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError(
            "Need 0 <= val_fraction, test_fraction and val_fraction + test_fraction < 1. "
            f"Received: val_fraction={val_fraction!r}, test_fraction={test_fraction!r}"
        )


def require_classes(class_names, source):
    """Raise unless there are at least two classes: one class cannot train a classifier.

    Args:
        class_names: the dataset's classes.
        source: where they came from, for the message.

    Raises:
        ValueError: fewer than two classes, naming `source`.
    """
    if len(class_names) < 2:
        raise argument_error(
            "class_names",
            list(class_names),
            f"{source}: a classifier needs at least two classes, found {len(class_names)}; "
            "add one sub-folder of audio files per class.",
        )


def require_split_sizes(entries, class_names, source, fractions):
    """Raise unless every split that should hold clips does, stating the minimum per class.

    An automatic split gives a class val and test clips only from 3 files up
    (one each for train, val and test), so tiny classes leave them empty.

    Args:
        entries: `{split: [(path, label)]}` after bad files are left out.
        class_names: the dataset's classes.
        source: where they came from, for the message.
        fractions: `{"val": ..., "test": ...}`; a split asked for with 0 may stay empty.

    Raises:
        ValueError: an empty split that was asked for, naming the smallest classes.
    """
    empty = [s for s in ("val", "test") if fractions.get(s, 0) > 0 and not entries[s]]
    if not empty:
        return
    per_class = [0] * len(class_names)
    for split in SPLITS:
        for _, label in entries[split]:
            per_class[label] += 1
    smallest = sorted(zip(per_class, class_names))[:3]
    listed = ", ".join(f"{name!r} {count}" for count, name in smallest)
    raise argument_error(
        "spec",
        source,
        f"{source}: the {' and '.join(empty)} split(s) would hold no clips. Each class needs "
        f"at least 3 usable audio files (one each for train, val and test); the smallest "
        f"have {listed}. Add files, or add val/ and test/ folders.",
    )
