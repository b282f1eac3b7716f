"""`audiozoo baseline`: hand-crafted or learned features -> logistic regression, on finetune's splits.

The dataset, its splits, sample rate, clip length and front-end settings
(`n_fft`, `hop_length`, `n_mels`, `fmax`) resolve exactly as for `audiozoo
finetune` (defaults, then the dataset's preset, then flags), so the two
reports score the same test clips.
"""

from applications.baseline.config import BaselineConfig
from applications.cli import checks

__all__ = ["register", "run_baseline_command"]


def register(subparsers):
    """Add `baseline` to the `audiozoo` parser."""
    checks.add_command(
        subparsers,
        "baseline",
        run_baseline_command,
        "features + logistic regression on finetune's splits (hand-crafted, MFCC, PCA, NMF)",
        settings=BaselineConfig,
        description="Score hand-crafted or learned features with logistic regression on exactly the "
        "splits and front end `audiozoo finetune` uses.",
    )


def run_baseline_command(args, log=print):
    """`audiozoo baseline`: check the flags, then score the baseline (`applications.baseline.job`).

    Example:
        audiozoo baseline --data my_sounds/ --features mfcc --out runs/mfcc
    """
    from applications.baseline.job import run_baseline_job

    config = BaselineConfig.from_args(args)
    checks.data_spec(config.data)
    checks.output_folder("--out", config.out)
    run_baseline_job(config, log)
    return 0
