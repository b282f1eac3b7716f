"""`audiozoo predict` with a multi-label model (`audiozoo finetune --multilabel`).

Every tag whose probability is at or over its threshold (chosen on validation,
`OUT/thresholds.json`) is printed with its probability, for whole files and
for the windows of `--window`; text, `--json` and `--csv` as for classifiers.
"""

import json
import math
import os
import sys

from applications.cli import checks
from applications.errors import UsageError

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
    from applications.finetune.multilabel import THRESHOLDS_FILE

    path = os.path.join(os.path.dirname(os.path.abspath(model_path)), THRESHOLDS_FILE)
    hint = "`audiozoo finetune --multilabel` writes thresholds.json next to model.keras; copy it"
    if not os.path.isfile(path):
        raise UsageError(f"{path!r} is missing (a multi-label model needs it).", hint=hint)
    stored = checks.read_json(path, "thresholds file", hint).get("thresholds")
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


def predict_tags(args, model, labels, clips=None):
    """Print the tags of each file (`clips`: their waveforms) or of each `--window`.

    Args:
        args: the parsed `predict` flags.
        model: the multi-label model.
        labels: its `labels.json`.
        clips: `(files, clip_samples)` waveforms; None with `--window`.

    Returns:
        0.
    """
    import csv

    import numpy as np

    from applications.reporting.windows import predict_windows
    from zoo.audio.checks import printable_path

    names, rate, samples = labels["class_names"], labels["sample_rate"], labels["clip_samples"]
    thresholds = load_thresholds(args.model, names)
    if args.window is None:
        probs = np.asarray(model.predict(clips, verbose=0), dtype=np.float32)
        rows = [(path, None, None, row) for path, row in zip(args.files, probs)]
    else:
        hop = args.window if args.hop is None else args.hop
        if args.window * rate < 1 or hop * rate < 1:
            raise UsageError(f"--window and --hop must each span at least one sample at {rate} Hz.")
        rows = (
            (path, start, end, row)
            for path in args.files
            for start, end, row in predict_windows(model, path, rate, samples, args.window, hop)
        )
    out = csv.writer(sys.stdout) if getattr(args, "csv", False) else None
    if out:
        out.writerow(["file", "start", "end", "tags", *names])
    items = []
    for path, start, end, row in rows:
        shown, tags = printable_path(path), over_threshold(row, names, thresholds)
        span = {} if start is None else {"start": start, "end": end}
        if out:
            joined = ";".join(t["label"] for t in tags)
            out.writerow([shown, f"{start:.3f}", f"{end:.3f}", joined, *(f"{p:.4f}" for p in row)])
        elif args.json:
            everything = {n: float(p) for n, p in zip(names, row)}
            items.append({"file": shown, **span, "tags": tags, "probabilities": everything})
        else:
            where = shown if start is None else f"{shown} {start:.3f}-{end:.3f}"
            print(f"{where}: {_text(tags, row, names)}")
    if args.json:
        print(json.dumps(items, indent=2))
    return 0
