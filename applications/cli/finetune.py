"""`audiozoo finetune` (`evaluate` and `predict` live in `applications.cli.trained`).

Flags left unset fall back to a `--config` JSON file, then to the dataset's
preset, then to the defaults of `applications.finetune.config.FinetuneConfig`.
"""

from applications.cli import checks
from applications.finetune.config import BACKBONES, FinetuneConfig
from applications.training.strategy import KINDS
from applications.training.precision import POLICIES

__all__ = ["register", "run_finetune_command"]


def _verbose(text):
    return text if text == "auto" else int(text)


def _int_or_hw(text):
    parts = text.lower().split("x")
    values = [int(p) for p in parts]
    return values[0] if len(values) == 1 else values


def register(subparsers):
    """Add `finetune` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser(
        "finetune",
        help="train an audio classifier: VGG16 transfer, or a compact CNN from scratch offline",
        description=__doc__.splitlines()[0],
    )
    p.add_argument(
        "--data",
        help="builtin | DIR | gtzan | esc50 | urbansound8k | speech_commands (default builtin)",
    )
    p.add_argument(
        "--weights",
        help="auto | imagenet | none | PATH (.weights.h5, .pth, or an earlier run's model.keras "
        "to fine-tune from) | kaggle://... (default auto)",
    )
    p.add_argument(
        "--backbone",
        choices=BACKBONES,
        help="default auto: vgg16 transfer if pretrained weights load, else cnn10_compact "
        "from scratch",
    )
    p.add_argument("--strategy", choices=KINDS, help="default auto")
    p.add_argument("--logical-cpus", type=int, help="split the CPU into N devices for mirrored")
    p.add_argument("--precision", choices=POLICIES, help="default auto")
    p.add_argument(
        "--epochs",
        type=int,
        help="head epochs (transfer) or all epochs (scratch); default 40, grown from scratch on small data to --min-steps",
    )
    p.add_argument(
        "--finetune-epochs", type=int, help="epochs with block 5 unfrozen (pretrained only)"
    )
    p.add_argument("--batch-size", type=int, help="global batch size, split over replicas")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--finetune-learning-rate", type=float)
    p.add_argument("--scratch-learning-rate", type=float)
    p.add_argument("--image-size", type=_int_or_hw, help="N or HxW image fed to the backbone")
    p.add_argument("--clip-seconds", type=float)
    p.add_argument("--sample-rate", type=int)
    p.add_argument("--n-mels", type=int)
    p.add_argument("--weight-decay", type=float, help="AdamW weight decay (from scratch)")
    p.add_argument("--patience", type=int, help="early-stopping patience, 0 = off (from scratch)")
    p.add_argument("--mixup-alpha", type=float, help="mixup Beta(a, a); 0 = off (from scratch)")
    p.add_argument(
        "--gain-db", type=float, help="random level offset, +-dB; 0 = off (from scratch)"
    )
    p.add_argument(
        "--min-steps",
        type=int,
        help="from scratch without --epochs: grow the 40 epochs to this many steps (1600)",
    )
    p.add_argument(
        "--crop-seconds", type=float, help="train on random crops; test averages --tta-crops"
    )
    p.add_argument("--tta-crops", type=int, help="crops averaged at test (default 5)")
    p.add_argument("--time-mask", type=int, help="widest time mask (frames)")
    p.add_argument("--freq-mask", type=int, help="widest frequency mask (mel bins)")
    p.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_const",
        const=False,
        help="skip the hand-crafted-feature baseline (and so its fusion with the network)",
    )
    p.add_argument(
        "--multilabel",
        action="store_const",
        const=True,
        help="tags from DATA/labels.csv (filename,tags; tags separated by ';'): sigmoid "
        "outputs, per-tag thresholds chosen on val",
    )
    p.add_argument(
        "--no-fuse-baseline",
        dest="fuse_baseline",
        action="store_const",
        const=False,
        help="save the network alone, not joined to the baseline",
    )
    p.add_argument(
        "--refit",
        choices=("auto", "on", "off"),
        help="from scratch, retrain on train + val after early stopping (auto: small datasets)",
    )
    p.add_argument(
        "--skip-bad", action="store_const", const=True, help="skip unreadable audio files"
    )
    p.add_argument("--out", help=f"output folder (default {FinetuneConfig.out})")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="discard an earlier run in --out and start afresh (a rerun with other settings "
        "is refused without it)",
    )
    p.add_argument("--seed", type=int)
    p.add_argument(
        "--verbose",
        type=_verbose,
        choices=(0, 1, 2, "auto"),
        help="auto (default): progress bars in a terminal, one line per epoch otherwise",
    )
    p.add_argument(
        "--cluster-timeout",
        type=float,
        help="multi-worker: seconds to wait for every TF_CONFIG peer (default 300)",
    )
    p.add_argument("--config", help="JSON file of settings (keys as the flags, e.g. image_size)")
    p.set_defaults(func=run_finetune_command)


def run_finetune_command(args):
    """`audiozoo finetune`: build the `FinetuneConfig` from the flags and run the job.

    Args:
        args: the parsed flags; None means not given (the `--config` file,
            the preset or the default decides).

    Returns:
        0.

    Raises:
        UsageError: a bad flag or `--config` value, `--data` that is neither a
            named dataset nor a folder, an unwritable `--out`, or a batch that
            does not split over the replicas (all before any data is loaded).

    Example:
        audiozoo finetune --data my_sounds/ --epochs 10 --out runs/mine
    """
    from applications.finetune.job import run_finetune

    skip = ("func", "command", "config", "overwrite")
    flags = {k: v for k, v in vars(args).items() if k not in skip}
    config = FinetuneConfig.from_sources(flags, args.config)
    checks.data_spec(config.data)
    checks.output_folder("--out", config.out)
    kind = _check_strategy(config)
    if kind == "multi_worker":
        from applications.training.cluster import wait_for_peers

        wait_for_peers(config.cluster_timeout)
    run_finetune(config, overwrite=args.overwrite)
    return 0


def _check_strategy(config):
    """Check `TF_CONFIG` and that the global batch splits over the replicas; return the kind."""
    import tensorflow as tf

    from applications.training import strategy

    gpus = len(tf.config.list_physical_devices("GPU"))
    kind = strategy.choose_kind(
        config.strategy,
        num_workers=strategy.cluster_workers(),
        tpu_configured=strategy._tpu_configured(),
        num_gpus=gpus,
        logical_cpus=config.logical_cpus,
    )
    replicas = strategy.expected_replicas(kind, num_gpus=gpus, logical_cpus=config.logical_cpus)
    strategy.check_global_batch(config.batch_size, replicas, kind)
    return kind
