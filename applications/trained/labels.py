"""The files beside a trained model: `labels.json` (checked here) and `thresholds.json`.

`audiozoo finetune` writes `labels.json` (class names, sample rate, clip
length, seed, `multilabel`) next to `model.keras`; a multi-label run adds
`thresholds.json` (one threshold per tag, chosen on validation).
"""

from applications.settings import SEED_MAX
from applications.errors import UsageError

__all__ = ["LABELS_FILE", "THRESHOLDS_FILE", "check_labels"]

LABELS_FILE = "labels.json"
THRESHOLDS_FILE = "thresholds.json"


def check_labels(labels, labels_path, model, hint):
    """Raise a `UsageError` naming `labels_path` unless `labels` fits `model`.

    Args:
        labels: the dict read from `labels.json`.
        labels_path: its path, for the messages.
        model: the Keras model beside it.
        hint: what to do about a bad file.
    """
    names = labels.get("class_names")
    if not (isinstance(names, list) and len(names) >= 2 and all(isinstance(n, str) for n in names)):
        raise UsageError(
            f"labels file {labels_path!r}: 'class_names' must list at least two class names. "
            f"Received: class_names={names!r}",
            hint=hint,
        )
    for key in ("sample_rate", "clip_samples"):
        value = labels.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(
                f"labels file {labels_path!r}: {key!r} must be a positive integer. "
                f"Received: {key}={value!r}",
                hint=hint,
            )
    if labels.get("multilabel", False) not in (True, False):
        raise UsageError(f"labels file {labels_path!r}: 'multilabel' must be true or false.")
    seed = labels.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise UsageError(f"labels file {labels_path!r}: bad 'seed' {seed!r}.", hint=hint)
    outputs = model.output_shape[-1] if len(getattr(model, "outputs", []) or []) == 1 else None
    if outputs is not None and outputs != len(names):
        raise UsageError(
            f"labels file {labels_path!r} names {len(names)} classes, but the model "
            f"{model.name!r} has {outputs} outputs: they come from different runs.",
            hint="use the labels.json written by the same `audiozoo finetune` run",
        )
