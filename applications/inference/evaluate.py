"""Score a trained classifier on a split of a dataset (`audiozoo evaluate`).

The training seed drew the train/val/test split, so by default the model's
own `labels.json` seed is reused: `split="test"` is the same held-out set.
"""

import json
import sys

from applications.errors import UsageError

__all__ = ["evaluate", "print_scores"]


def evaluate(model, labels, data, split="test", batch_size=32, seed=None, skip_bad=False):
    """Accuracy, macro F1 and per-class scores of `model` on a split of `data`.

    Args:
        model: a trained single-label classifier (waveform -> probabilities).
        labels: its `labels.json` dict (`class_names`, `sample_rate`, `clip_samples`, `seed`).
        data: a dataset spec, as for `audiozoo finetune` (a name or a folder).
        split: `train`, `val` or `test`.
        batch_size: clips per batch.
        seed: the split seed; None for the training run's.
        skip_bad: skip unreadable audio files (each listed on stderr).

    Returns:
        A dict: `split`, `count` and `classification_summary`'s scores.

    Raises:
        UsageError: the dataset's classes are not the model's.

    Example:
        >>> evaluate(model, labels, "my_sounds/")["accuracy"]
        0.92
    """
    from applications.data import load_dataset
    from applications.reporting.metrics import classification_summary
    from applications.reporting.predictions import predict_batches
    from zoo.audio.checks import printable_path

    rate, samples = labels["sample_rate"], labels["clip_samples"]
    dataset = load_dataset(
        data,
        sample_rate=rate,
        clip_seconds=samples / rate,
        batch_size=batch_size,
        seed=labels.get("seed", 0) if seed is None else seed,
        skip_bad=skip_bad,
        bad_file_hint="Pass --skip-bad to skip bad files.",
    )
    # On stderr, so JSON output stays one JSON document.
    for path, reason in dataset.skipped:
        print(f"skipped {printable_path(path)}: {reason}", file=sys.stderr)
    if list(dataset.class_names) != list(labels["class_names"]):
        raise UsageError(
            f"--data {data!r} has classes {dataset.class_names}, but the model was trained on "
            f"{labels['class_names']}; evaluate on a dataset with the same classes."
        )
    probs, y_true, _ = predict_batches(model, getattr(dataset, split))
    scores = classification_summary(y_true, probs.argmax(axis=1), dataset.class_names)
    return {"split": split, "count": int(len(y_true)), **scores}


def print_scores(scores, as_json=False):
    """Print `evaluate`'s scores: JSON, or a summary line and a line per class."""
    if as_json:
        print(json.dumps(scores, indent=2))
        return
    print(
        f"{scores['split']} accuracy {scores['accuracy']:.3f} on {scores['count']} clips "
        f"(chance {scores['chance_accuracy']:.3f}), macro F1 {scores['macro_f1']:.3f}"
    )
    for name, m in scores["per_class"].items():
        print(
            f"  {name:<16} precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
            f"f1 {m['f1']:.3f}  n={m['support']}"
        )
