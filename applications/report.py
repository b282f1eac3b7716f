"""Classification metrics, the JSON report, and atomic file writes.

Every output goes to a temporary file in the destination folder first and is
then renamed over the target (`os.replace` is atomic on one file system), so
a run killed mid-write never leaves a truncated `model.keras` or `report.json`.
"""

import contextlib
import csv
import json
import os
import tempfile

import numpy as np

__all__ = [
    "atomic_path",
    "write_json",
    "confusion_matrix",
    "per_class_metrics",
    "classification_summary",
    "read_csv_history",
]


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; on success rename it to `path`.

    The temporary name keeps `path`'s suffixes (Keras checks `.keras`,
    `.weights.h5`).
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(directory, exist_ok=True)
    base = os.path.basename(path)
    suffix = base[base.index("."):] if "." in base else ""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=directory)
    os.close(fd)
    os.remove(tmp)  # writers such as Keras refuse to overwrite without asking
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path, data):
    """Write `data` as indented JSON to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=False)
            f.write("\n")


def confusion_matrix(y_true, y_pred, num_classes):
    """`num_classes x num_classes` counts; rows are true classes, columns predictions."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return matrix


def per_class_metrics(matrix, class_names):
    """Precision, recall, F1 and support per class from a confusion matrix.

    A class never predicted has precision 0 (no true positives), the
    scikit-learn convention with `zero_division=0`.
    """
    matrix = np.asarray(matrix)
    result = {}
    for i, name in enumerate(class_names):
        tp = float(matrix[i, i])
        predicted, actual = float(matrix[:, i].sum()), float(matrix[i, :].sum())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[name] = {"precision": precision, "recall": recall, "f1": f1, "support": int(actual)}
    return result


def classification_summary(y_true, y_pred, class_names):
    """Accuracy, macro F1, per-class metrics and the confusion matrix as JSON-ready data."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.size == 0:
        raise ValueError("Cannot score an empty split: it holds no examples.")
    matrix = confusion_matrix(y_true, y_pred, len(class_names))
    per_class = per_class_metrics(matrix, class_names)
    return {
        "accuracy": float(np.mean(y_true == y_pred)),
        "macro_f1": float(np.mean([m["f1"] for m in per_class.values()])),
        "chance_accuracy": float(np.max(np.bincount(y_true, minlength=len(class_names))) / y_true.size),
        "per_class": per_class,
        "confusion_matrix": matrix.tolist(),
    }


def read_csv_history(path):
    """Per-epoch metrics from a Keras `CSVLogger` file, keeping the last row of each epoch.

    A run killed between logging and backing up an epoch repeats that epoch
    when resumed; the repeated row wins.
    """
    if not os.path.exists(path):
        return {}
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[int(row["epoch"])] = row
    history = {}
    for epoch in sorted(rows):
        for key, value in rows[epoch].items():
            if key != "epoch" and value not in ("", None):
                history.setdefault(key, []).append(float(value))
    return history
