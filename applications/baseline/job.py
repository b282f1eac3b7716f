"""`audiozoo baseline` as a job: features -> logistic regression on finetune's splits, reported."""

import os

from applications.atomic_io import write_json
from applications.baseline.features import FeatureOptions, mel_band_centres
from applications.baseline.scores import run_baseline
from applications.data import load_dataset
from applications.reporting.bases import plot_bases
from applications.reporting.plots import plot_confusion_matrix

__all__ = ["run_baseline_job"]


def run_baseline_job(config, log=print):
    """Score a baseline on the run's split; write OUT/report.json and its pictures.

    Writes `report.json` (the scores of `applications.baseline.baseline_scores`,
    the dataset and the settings), `confusion_matrix.png`, and for `pca`/`nmf`
    `bases.png`, each atomically.

    Args:
        config: a `BaselineConfig`.
        log: prints progress lines.

    Raises:
        ValueError: a bad dataset (one class, NaN samples, ...).
    """
    data = load_dataset(config.data, **config.dataset_options())
    log(data.summary())
    options = FeatureOptions(
        n_fft=config.n_fft,
        hop_length=config.hop_length,
        n_mels=config.n_mels,
        fmax=config.fmax,
        n_components=config.n_components,
    )
    result, learned, _, _ = run_baseline(data, config.features, config.seed, log, options)
    report = {
        **result,
        "dataset": {**data.describe(config.data), "counts": dict(data.counts)},
        "settings": {
            "seed": config.seed,
            "n_fft": options.n_fft,
            "hop_length": options.hop_length,
            "n_mels": options.n_mels,
            "fmax": options.fmax,
            "n_components": options.n_components,
            "max_frames": options.max_frames,
        },
    }
    os.makedirs(config.out, exist_ok=True)
    plot_confusion_matrix(
        result["confusion_matrix"],
        result["class_names"],
        os.path.join(config.out, "confusion_matrix.png"),
        title=f"Baseline ({result['features']}) test confusion matrix",
    )
    if learned is not None:
        plot_bases(
            learned.bases,
            os.path.join(config.out, "bases.png"),
            frequencies=mel_band_centres(data.sample_rate, options),
            title=f"{config.features.upper()} bases of log-mel frames ({config.data})",
        )
    write_json(os.path.join(config.out, "report.json"), report)
    for name, m in result["per_class"].items():
        log(
            f"  {name:<16} precision {m['precision']:.3f}  recall {m['recall']:.3f}  n={m['support']}"
        )
    log(f"Outputs in {config.out}/")
