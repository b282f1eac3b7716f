"""Classify audio files with a trained model (`audiozoo predict`): whole files or windows.

A whole file is centre-cropped or zero-padded to the model's clip length, as
for evaluation; `window` seconds classifies windows of a long file read in
blocks (`applications.reporting.windows`). A multi-label model prints every tag
over its threshold instead of a top k (`applications.inference.tags`).
Output is text, `json` or (windows only) `csv`, on stdout.
"""

import csv
import json
import sys

import numpy as np

from applications.errors import UsageError

__all__ = ["predict", "read_clips", "check_window"]


def read_clips(files, sample_rate, clip_samples):
    """`(files, clip_samples)` float32 waveforms: each file centre-cropped or zero-padded."""
    import zoo.audio

    clips = []
    for path in files:
        waveform, _ = zoo.audio.load(path, sample_rate=sample_rate)
        # The model takes clips of one length: centre crop or zero-pad, as for evaluation.
        clips.append(zoo.audio.fix_length(waveform, clip_samples, "centre"))
    return np.stack([np.asarray(clip, dtype=np.float32) for clip in clips])


def check_window(window, hop, sample_rate):
    """Raise a `UsageError` unless `window` and `hop` (seconds) each span a sample."""
    if window * sample_rate < 1 or hop * sample_rate < 1:
        raise UsageError(
            f"--window and --hop must each span at least one sample at {sample_rate} Hz."
        )


def predict(model, labels, files, model_path, top_k=3, window=None, hop=None, fmt="text"):
    """Print the top-k classes (or the tags) of each file, or of each window of each file.

    Args:
        model: the trained model.
        labels: its `labels.json` dict.
        files: audio file paths.
        model_path: the model file (a tagger's `thresholds.json` lies beside it).
        top_k: classes shown per file or window.
        window: seconds per window, or None for whole files.
        hop: seconds between windows (default: `window`).
        fmt: `text`, `json`, or with `window` `csv`.

    Returns:
        0.

    Example:
        >>> predict(model, labels, ["a.wav"], "runs/a/model.keras", top_k=2)
        a.wav: dog 0.912, cat 0.071
    """
    from applications.inference.tags import predict_tags

    names, rate, samples = labels["class_names"], labels["sample_rate"], labels["clip_samples"]
    tagger = labels.get("multilabel", False)  # every tag over its threshold, not a top k
    if window is not None:
        hop = window if hop is None else hop
        if tagger:
            return predict_tags(model, labels, files, model_path, window=window, hop=hop, fmt=fmt)
        return _predict_windows(model, names, rate, samples, files, top_k, window, hop, fmt)
    clips = read_clips(files, rate, samples)
    if tagger:
        return predict_tags(model, labels, files, model_path, clips=clips, fmt=fmt)
    probs = np.asarray(model.predict(clips, verbose=0), dtype=np.float32)
    _print_top(files, probs, names, min(top_k, len(names)), fmt == "json")
    return 0


def _print_top(files, probs, names, k, as_json):
    from zoo.audio.checks import printable_path

    results = []
    for path, row in zip(files, probs):
        top = np.argsort(-row)[:k]
        results.append(
            {
                "file": printable_path(path),
                "top": [{"label": names[i], "probability": float(row[i])} for i in top],
            }
        )
    if as_json:
        print(json.dumps(results, indent=2))
        return
    for item in results:
        ranked = ", ".join(f"{t['label']} {t['probability']:.3f}" for t in item["top"])
        print(f"{item['file']}: {ranked}")


def _predict_windows(model, names, rate, samples, files, top_k, window, hop, fmt):
    """One line (text, CSV row or JSON item) per window of each file."""
    from applications.reporting.windows import predict_windows
    from zoo.audio.checks import printable_path

    check_window(window, hop, rate)
    k = min(top_k, len(names))
    out = csv.writer(sys.stdout) if fmt == "csv" else None
    if out:
        out.writerow(["file", "start", "end", "label", "probability", *names])
    items = []
    for path in files:
        shown = printable_path(path)
        for start, end, row in predict_windows(model, path, rate, samples, window, hop):
            top = np.argsort(-row)[:k]
            if out:
                best = top[0]
                probs = [f"{p:.4f}" for p in row]
                out.writerow(
                    [shown, f"{start:.3f}", f"{end:.3f}", names[best], probs[best], *probs]
                )
            elif fmt == "json":
                ranked = [{"label": names[i], "probability": float(row[i])} for i in top]
                items.append({"file": shown, "start": start, "end": end, "top": ranked})
            else:
                ranked = ", ".join(f"{names[i]} {row[i]:.3f}" for i in top)
                print(f"{shown} {start:.3f}-{end:.3f}: {ranked}")
    if fmt == "json":
        print(json.dumps(items, indent=2))
    return 0
