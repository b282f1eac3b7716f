"""`audiozoo baseline`: hand-crafted or learned features -> logistic regression, on finetune's splits.

The dataset, its splits, sample rate, clip length and front-end settings
(`n_fft`, `hop_length`, `n_mels`, `fmax`) resolve exactly as for `audiozoo
finetune` (defaults, then the dataset's preset, then flags), so the two
reports score the same test clips.
"""

import os

from applications.baseline import FEATURE_SETS
from applications.cli import checks

__all__ = ["register", "run_baseline_command"]


def register(subparsers):
    """Add `baseline` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser(
        "baseline",
        help="features + logistic regression on finetune's splits (hand-crafted, MFCC, PCA, NMF)",
        description=__doc__.splitlines()[0],
    )
    p.add_argument(
        "--data",
        default="builtin",
        help="builtin | DIR | gtzan | esc50 | urbansound8k | speech_commands (default builtin)",
    )
    p.add_argument(
        "--features",
        choices=FEATURE_SETS,
        default="handcrafted",
        help="feature set (default handcrafted); pca and nmf also draw OUT/bases.png",
    )
    p.add_argument("--out", default="baseline_out", help="output folder (default baseline_out)")
    p.add_argument("--seed", type=int, help="split and fit seed (default 0, as finetune)")
    p.add_argument("--sample-rate", type=int, help="Hz (default: the dataset's preset)")
    p.add_argument("--clip-seconds", type=float, help="crop/pad length (default: preset)")
    p.add_argument("--n-mels", type=int, help="mel bands (default: preset)")
    p.add_argument("--n-components", type=int, default=20, help="PCA/NMF bases (default 20)")
    p.add_argument("--batch-size", type=int, help="clips per feature batch (default 32)")
    p.add_argument(
        "--skip-bad", action="store_const", const=True, help="skip unreadable audio files"
    )
    p.set_defaults(func=run_baseline_command)


def _settings(args):
    from applications.finetune.config import FinetuneConfig

    flags = {
        "data": args.data,
        "seed": args.seed,
        "sample_rate": args.sample_rate,
        "clip_seconds": args.clip_seconds,
        "n_mels": args.n_mels,
        "batch_size": args.batch_size,
        "skip_bad": args.skip_bad,
    }
    return FinetuneConfig.from_sources(flags)


def run_baseline_command(args, log=print):
    """`audiozoo baseline`: score a baseline and write OUT/report.json and its pictures.

    Writes `report.json` (the scores of `applications.baseline.baseline_scores`,
    the dataset and the settings), `confusion_matrix.png`, and for `pca`/`nmf`
    `bases.png`, each atomically.

    Args:
        args: the parsed flags.
        log: prints progress lines.

    Returns:
        0.

    Raises:
        UsageError: a bad flag, `--data` that is neither a named dataset nor a
            folder, or an unwritable `--out` (before any data is loaded).
        ValueError: a bad dataset (one class, NaN samples, ...).

    Example:
        audiozoo baseline --data my_sounds/ --features mfcc --out runs/mfcc
    """
    from applications.atomic_io import write_json
    from applications.baseline import FeatureOptions, run_baseline
    from applications.baseline.features import mel_band_centres
    from applications.data import load_dataset
    from applications.reporting.bases import plot_bases
    from applications.reporting.plots import plot_confusion_matrix

    checks.number("--n-components", args.n_components, minimum=1)
    config = _settings(args)
    checks.data_spec(config.data)
    checks.output_folder("--out", args.out)
    data = load_dataset(config.data, **config.dataset_options())
    log(data.summary())
    options = FeatureOptions(
        n_fft=config.n_fft,
        hop_length=config.hop_length,
        n_mels=config.n_mels,
        fmax=config.fmax,
        n_components=args.n_components,
    )
    result, learned, _, _ = run_baseline(data, args.features, config.seed, log, options)
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
    os.makedirs(args.out, exist_ok=True)
    plot_confusion_matrix(
        result["confusion_matrix"],
        result["class_names"],
        os.path.join(args.out, "confusion_matrix.png"),
        title=f"Baseline ({args.features}) test confusion matrix",
    )
    if learned is not None:
        plot_bases(
            learned.bases,
            os.path.join(args.out, "bases.png"),
            frequencies=mel_band_centres(data.sample_rate, options),
            title=f"{args.features.upper()} bases of log-mel frames ({config.data})",
        )
    write_json(os.path.join(args.out, "report.json"), report)
    for name, m in result["per_class"].items():
        log(
            f"  {name:<16} precision {m['precision']:.3f}  recall {m['recall']:.3f}  n={m['support']}"
        )
    log(f"Outputs in {args.out}/")
    return 0
