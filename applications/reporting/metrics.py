"""Classification metrics per class and training history per epoch, for job reports."""

import csv
import os

import numpy as np

__all__ = [
    "confusion_matrix",
    "per_class_metrics",
    "classification_summary",
    "read_csv_history",
]


def confusion_matrix(y_true, y_pred, num_classes):
    """Count each (true, predicted) pair of labels.

    Args:
        y_true, y_pred: integer labels.
        num_classes: the number of classes.

    Returns:
        A `(num_classes, num_classes)` int64 array; rows are true classes,
        columns predictions.
    """
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return matrix


def per_class_metrics(matrix, class_names):
    """Precision, recall, F1 and support per class from a confusion matrix.

    A class never predicted has precision 0 (no true positives), the
    scikit-learn convention with `zero_division=0`.

    Args:
        matrix: a confusion matrix (rows true, columns predicted).
        class_names: the name of each row.

    Returns:
        `{name: {"precision", "recall", "f1", "support"}}`.
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
    """Accuracy, macro F1, per-class metrics and the confusion matrix as JSON-ready data.

    Args:
        y_true, y_pred: integer labels of one split.
        class_names: label `i` is `class_names[i]`.

    Returns:
        A dict with `accuracy`, `macro_f1`, `chance_accuracy` (always
        guessing the largest class), `per_class` and `confusion_matrix`.

    Raises:
        ValueError: the split is empty.

    Example:
        >>> classification_summary([0, 1, 1], [0, 1, 0], ["a", "b"])["accuracy"]
        0.6666666666666666
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.size == 0:
        raise ValueError("Cannot score an empty split: it holds no examples.")
    matrix = confusion_matrix(y_true, y_pred, len(class_names))
    per_class = per_class_metrics(matrix, class_names)
    return {
        "accuracy": float(np.mean(y_true == y_pred)),
        "macro_f1": float(np.mean([m["f1"] for m in per_class.values()])),
        "chance_accuracy": float(
            np.max(np.bincount(y_true, minlength=len(class_names))) / y_true.size
        ),
        "per_class": per_class,
        "confusion_matrix": matrix.tolist(),
    }


def read_csv_history(path):
    """Per-epoch metrics from a Keras `CSVLogger` file, keeping the last row of each epoch.

    A run killed between logging and backing up an epoch repeats that epoch
    when resumed; the repeated row wins.

    Args:
        path: the CSV file.

    Returns:
        `{metric: [value per epoch]}`; empty when the file does not exist.
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
            # "NA": the val_ columns Keras' CSVLogger adds to a fit without validation.
            if key != "epoch" and value not in ("", None, "NA"):
                history.setdefault(key, []).append(float(value))
    return history
