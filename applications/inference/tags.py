"""Predictions of a multi-label model (`audiozoo finetune --multilabel`): tags over thresholds.

Every tag whose probability is at or over its threshold (chosen on validation,
`thresholds.json` beside the model) is printed with its probability, for whole
files and for windows; text, `json` and `csv` as for classifiers.
"""

import csv
import json
import math
import os
import sys

from applications.errors import UsageError
from applications.inference.predict import check_window
from applications.trained import THRESHOLDS_FILE, read_json

__all__ = ["load_thresholds", "over_threshold", "predict_tags"]


def load_thresholds(model_path, names):
    """The per-tag thresholds stored beside a multi-label model, in `names` order.

    Args:
        model_path: `OUT/model.keras`.
        names: the tags of its `labels.json`.

    Returns:
        A list of floats in [0, 1].

    Raises:
        UsageError: the file is missing, damaged, or names other tags.
    """
    path = os.path.join(os.path.dirname(os.path.abspath(model_path)), THRESHOLDS_FILE)
    hint = "`audiozoo finetune --multilabel` writes thresholds.json next to model.keras; copy it"
    if not os.path.isfile(path):
        raise UsageError(f"{path!r} is missing (a multi-label model needs it).", hint=hint)
    stored = read_json(path, "thresholds file", hint).get("thresholds")
    if not isinstance(stored, dict) or sorted(stored) != sorted(names):
        got = sorted(stored) if isinstance(stored, dict) else stored
        raise UsageError(
            f"thresholds file {path!r} must map each tag of labels.json {names} to a "
            f"threshold. Received: thresholds={got!r}",
            hint=hint,
        )
    values = [stored[n] for n in names]
    for name, value in zip(names, values):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not 0 <= value <= 1:
            raise UsageError(
                f"thresholds file {path!r}: tag {name!r} needs a threshold in [0, 1]. "
                f"Received: {name}={value!r}",
                hint=hint,
            )
    return values


def over_threshold(row, names, thresholds):
    """`[{"label", "probability", "threshold"}]` of the tags at or over their threshold, likeliest first."""
    hits = [i for i, (p, t) in enumerate(zip(row, thresholds)) if p >= t]
    hits.sort(key=lambda i: -row[i])
    return [
        {"label": names[i], "probability": float(row[i]), "threshold": float(thresholds[i])}
        for i in hits
    ]


def _text(tags, row, names):
    if tags:
        return ", ".join(f"{t['label']} {t['probability']:.3f}" for t in tags)
    best = int(row.argmax())
    return f"(no tag over its threshold; likeliest {names[best]} {row[best]:.3f})"


def predict_tags(model, labels, files, model_path, clips=None, window=None, hop=None, fmt="text"):
    """Print the tags of each file (`clips`: their waveforms) or of each window.

    Args:
        model: the multi-label model.
        labels: its `labels.json`.
        files: the audio file paths.
        model_path: the model file (`thresholds.json` lies beside it).
        clips: `(files, clip_samples)` waveforms; None with `window`.
        window, hop: seconds per window and between windows, or None for whole files.
        fmt: `text`, `json`, or with `window` `csv`.

    Returns:
        0.

    Example:
        >>> predict_tags(model, labels, ["a.wav"], "runs/t/model.keras", clips=waves)
        a.wav: rain 0.871, wind 0.640
    """
    import numpy as np

    from applications.reporting.windows import predict_windows
    from zoo.audio.checks import printable_path

    names, rate, samples = labels["class_names"], labels["sample_rate"], labels["clip_samples"]
    thresholds = load_thresholds(model_path, names)
    if window is None:
        probs = np.asarray(model.predict(clips, verbose=0), dtype=np.float32)
        rows = [(path, None, None, row) for path, row in zip(files, probs)]
    else:
        check_window(window, hop, rate)
        rows = (
            (path, start, end, row)
            for path in files
            for start, end, row in predict_windows(model, path, rate, samples, window, hop)
        )
    out = csv.writer(sys.stdout) if fmt == "csv" else None
    if out:
        out.writerow(["file", "start", "end", "tags", *names])
    items = []
    for path, start, end, row in rows:
        shown, tags = printable_path(path), over_threshold(row, names, thresholds)
        span = {} if start is None else {"start": start, "end": end}
        if out:
            joined = ";".join(t["label"] for t in tags)
            out.writerow([shown, f"{start:.3f}", f"{end:.3f}", joined, *(f"{p:.4f}" for p in row)])
        elif fmt == "json":
            everything = {n: float(p) for n, p in zip(names, row)}
            items.append({"file": shown, **span, "tags": tags, "probabilities": everything})
        else:
            where = shown if start is None else f"{shown} {start:.3f}-{end:.3f}"
            print(f"{where}: {_text(tags, row, names)}")
    if fmt == "json":
        print(json.dumps(items, indent=2))
    return 0
