"""`audiozoo finetune`: flags generated from `FinetuneConfig`, then the job.

Flags left unset fall back to a `--config` JSON file, then to the dataset's
preset, then to the defaults of `applications.finetune.config.FinetuneConfig`.
"""

from applications.cli import checks
from applications.finetune.config import FinetuneConfig

__all__ = ["register", "run_finetune_command"]


def register(subparsers):
    """Add `finetune` to the `audiozoo` parser."""
    checks.add_command(
        subparsers,
        "finetune",
        run_finetune_command,
        "train an audio classifier: VGG16 transfer, or a compact CNN from scratch offline",
        settings=FinetuneConfig,
        overwrite=True,
        description="Train an audio classifier on a folder (one sub-folder per class) or a "
        "named dataset, beside a hand-crafted-feature baseline scored on the same split.",
    )


def run_finetune_command(args):
    """`audiozoo finetune`: build the `FinetuneConfig` from the flags and run the job.

    Raises:
        UsageError: a bad flag or `--config` value, `--data` that is neither a
            named dataset nor a folder, an unwritable `--out`, or a batch that
            does not split over the replicas (all before any data is loaded).

    Example:
        audiozoo finetune --data my_sounds/ --epochs 10 --out runs/mine
    """
    from applications.finetune.job import run_finetune
    from applications.training.strategy import preflight

    config = FinetuneConfig.from_args(args)
    checks.data_spec(config.data)
    checks.output_folder("--out", config.out)
    preflight(config.strategy, config.logical_cpus, config.batch_size, config.cluster_timeout)
    run_finetune(config, overwrite=args.overwrite)
    return 0
