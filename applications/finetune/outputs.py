"""The files every fine-tuning run leaves in `OUT`: `model.keras` and `labels.json`."""

import os

from applications.atomic_io import atomic_path, write_json

__all__ = ["write_model_and_labels"]


def write_model_and_labels(out, model, result, **extra):
    """Write `OUT/model.keras` and `OUT/labels.json` (each atomically) for a finished run.

    Args:
        out: the output folder.
        model: the model to save.
        result: the run's report (class names, dataset, settings).
        **extra: more `labels.json` keys (e.g. `multilabel=True`).
    """
    with atomic_path(os.path.join(out, "model.keras")) as tmp:
        model.save(tmp)
    write_json(
        os.path.join(out, "labels.json"),
        {
            "class_names": result["class_names"],
            "sample_rate": result["dataset"]["sample_rate"],
            "clip_samples": result["dataset"]["clip_samples"],
            "seed": result["settings"]["seed"],
            **extra,
        },
    )
