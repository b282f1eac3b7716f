"""The settings of one fine-tuning run: a typed, frozen `FinetuneConfig`.

Built once, from weakest to strongest: the field defaults, the dataset's
preset (`applications.finetune.presets`), a `--config` JSON file, then the
flags given on the command line (`FinetuneConfig.from_sources`), and passed
whole to the job. Every value is checked on construction, so a wrong type or
range stops the run before anything starts, with an error naming the setting.
"""

import dataclasses
import json
import os
import sys

from applications.errors import UsageError
from applications.finetune.checks import (
    boolean,
    check_ranges,
    image_size,
    integer,
    number,
    optional,
    text,
)
from applications.finetune.presets import preset_for

DEFAULT_EPOCHS = 40

__all__ = ["BACKBONES", "FinetuneConfig", "load_config"]

BACKBONES = ("auto", "vgg11", "vgg13", "vgg16", "vgg19", "cnn6", "cnn10", "cnn14", "cnn10_compact")


@dataclasses.dataclass(frozen=True)
class FinetuneConfig:
    """Everything `audiozoo finetune` needs to know; the keys of `--config` files.

    Attributes:
        data: `builtin`, a folder, or `gtzan`, `esc50`, `urbansound8k`, `speech_commands`.
        weights: `auto`, `imagenet`, `none` (or None), a weights file, or `kaggle://...`.
        backbone: `auto` (VGG16 transfer when pretrained weights load, else the
            compact CNN from scratch), `vgg11`..`vgg19` (transfer recipe), or
            `cnn6`, `cnn10`, `cnn14`, `cnn10_compact` (from-scratch recipe).
        strategy: a `tf.distribute` kind (`applications.training.strategy.KINDS`).
        logical_cpus: split the CPU into this many devices for `mirrored`.
        precision: a dtype policy (`applications.training.precision.POLICIES`).
        out: output folder.
        seed: seeds the split, the shuffles, the crops and the weights.
        batch_size: global batch, split over the replicas.
        sample_rate: Hz every clip is resampled to.
        clip_seconds: clip length; None requires clips of one length.
        n_fft, hop_length, n_mels, fmin, fmax: the log-mel front end.
        image_size: the backbone's input, one int (square) or `(height, width)`.
        epochs: head epochs (phase 1), or all epochs of the from-scratch recipe;
            None (the default): `DEFAULT_EPOCHS`, which from scratch grows on a
            small dataset to reach `min_steps` (an explicit value is exact).
        finetune_epochs: phase-2 epochs (block 5 pretrained, or every layer from scratch).
        learning_rate, finetune_learning_rate, scratch_learning_rate: Adam's rate
            for the head, pretrained phase 2 and random-VGG phase 2; `learning_rate`
            is also the peak AdamW rate of the from-scratch recipe.
        weight_decay: AdamW's decoupled weight decay (from scratch).
        warmup_fraction: share of the from-scratch steps warming the rate up from 0.
        patience: from scratch, stop after this many epochs without a better
            validation accuracy (0: never stop early).
        mixup_alpha: mixup's Beta(alpha, alpha) (0: no mixup), from scratch.
        gain_db: from scratch, add a random level offset in U(-gain_db, gain_db)
            dB to each training clip's log-mels (0: off).
        min_steps: from scratch with the default `epochs`, train at least this
            many optimizer steps: on a small dataset the epochs (and the
            patience) grow in proportion to reach it.
        crop_seconds: from scratch, train on random crops of this length and
            average the predictions of `tta_crops` evenly spaced crops at test
            (None: the whole clip).
        tta_crops: crops averaged at test time when `crop_seconds` is shorter than the clip.
        dropout: the head's dropout rate.
        freq_mask, time_mask: SpecAugment's largest mask widths.
        skip_bad: skip unreadable audio files instead of stopping.
        baseline: also score the hand-crafted-feature baseline on the same split.
        fuse_baseline: save (and score) the network joined to that baseline, the
            geometric mean of their probabilities (`applications.finetune.fusion`);
            the network's own accuracy is reported beside it.
        refit: from scratch, retrain on train + val after early stopping chose
            the recipe on val (`applications.finetune.scratch.refit_wanted`):
            `auto` (small datasets), `on` or `off`.
        multilabel: tags from the data folder's `labels.csv`: sigmoid outputs,
            binary cross-entropy, per-tag thresholds (`applications.finetune.multilabel`).
        cluster_timeout: seconds multi-worker training waits for every peer
            named by `TF_CONFIG` to be reachable before it fails.
        verbose: Keras verbosity: 0, 1 (progress bar), 2 (one line per epoch) or
            `auto` (1 when stdout is a terminal, else 2).

    Example:
        >>> config = FinetuneConfig.from_sources({"epochs": 2}, "my.json")
        >>> config.epochs, config.image_hw
        (2, (64, 64))
    """

    data: str = "builtin"
    weights: str | None = "auto"
    backbone: str = "auto"
    strategy: str = "auto"
    logical_cpus: int | None = None
    precision: str = "auto"
    out: str = "finetune_out"
    seed: int = 0
    batch_size: int = 32
    sample_rate: int = 16000
    clip_seconds: float | None = 1.0
    n_fft: int = 1024
    hop_length: int = 256
    n_mels: int = 64
    fmin: float = 0.0
    fmax: float | None = None
    image_size: int | tuple[int, int] = 96
    epochs: int | None = None
    finetune_epochs: int = 4
    learning_rate: float = 1e-3
    finetune_learning_rate: float = 1e-4
    scratch_learning_rate: float = 1e-4
    weight_decay: float = 1e-2
    warmup_fraction: float = 0.05
    patience: int = 10
    mixup_alpha: float = 0.3
    gain_db: float = 10.0
    min_steps: int = 1600
    crop_seconds: float | None = None
    tta_crops: int = 5
    dropout: float = 0.3
    freq_mask: int = 8
    time_mask: int = 8
    skip_bad: bool = False
    baseline: bool = True
    fuse_baseline: bool = True
    refit: str = "auto"
    multilabel: bool = False
    verbose: int | str = "auto"
    cluster_timeout: float = 300.0

    def __post_init__(self):
        for name, check in _CHECKS.items():
            # Frozen: normalised values (1 -> 1.0, [h, w] -> (h, w)) go in this way.
            object.__setattr__(self, name, check(name, getattr(self, name)))
        check_ranges(self, BACKBONES)

    @classmethod
    def from_sources(cls, flags=None, config_path=None):
        """Combine the defaults, the dataset's preset, a `--config` file and flags.

        Args:
            flags: dict of settings given on the command line; None values
                (flags not given) and keys that are not settings are ignored.
            config_path: optional `--config` JSON file (see `load_config`).

        Returns:
            A `FinetuneConfig`.

        Raises:
            FileNotFoundError: `config_path` does not exist.
            ValueError: an unknown key in the file, or a value of the wrong type or range.
        """
        from_file = load_config(config_path) if config_path else {}
        given = {k: v for k, v in (flags or {}).items() if v is not None and k in _CHECKS}
        data = given.get("data", from_file.get("data", cls.data))
        return cls(**{**preset_for(data), **from_file, **given})

    @property
    def base_epochs(self):
        """`epochs`, or `DEFAULT_EPOCHS` when it is left to the job (None)."""
        return DEFAULT_EPOCHS if self.epochs is None else self.epochs

    def dataset_options(self):
        """`load_dataset` keyword arguments of this run, so every job reads the same splits."""
        keys = ("sample_rate", "clip_seconds", "batch_size", "seed", "skip_bad", "multilabel")
        hint = 'Pass --skip-bad (or "skip_bad": true in --config) to skip bad files.'
        return {**{key: getattr(self, key) for key in keys}, "bad_file_hint": hint}

    @property
    def verbosity(self):
        """Keras `verbose`: `auto` is 1 (progress bars) in a terminal, 2 (a line per epoch) else."""
        if self.verbose == "auto":
            return 1 if sys.stdout.isatty() else 2
        return self.verbose

    @property
    def image_hw(self):
        """`(height, width)` of the backbone's input image."""
        if isinstance(self.image_size, int):
            return self.image_size, self.image_size
        return self.image_size

    def to_dict(self):
        """The settings as a JSON-ready dict, in field order (the report's `settings`)."""
        return dataclasses.asdict(self)


def load_config(path):
    """Read a `--config` JSON object whose keys are `FinetuneConfig` fields (dashes allowed).

    Args:
        path: the JSON file.

    Returns:
        A dict of the settings it holds, keys with underscores.

    Raises:
        FileNotFoundError: `path` does not exist.
        ValueError: not a JSON object, or a key that is no setting.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--config file {path!r} does not exist.")
    with open(path, encoding="utf-8") as f:
        try:
            raw = json.load(f)
        except json.JSONDecodeError as error:
            raise UsageError(
                f"--config file {path!r} is not valid JSON: {error}",
                hint='fix the file, e.g. {"epochs": 10, "image_size": [64, 64]}',
            ) from None
        except UnicodeDecodeError as error:
            raise UsageError(f"--config file {path!r} is not UTF-8 text ({error}).") from None
    if not isinstance(raw, dict):
        # ValueError, as for every bad --config: the CLI reports it in one line.
        raise UsageError(f"--config file {path!r} must hold a JSON object of settings.")
    config = {key.replace("-", "_"): value for key, value in raw.items()}
    unknown = sorted(set(config) - set(_CHECKS))
    if unknown:
        raise UsageError(
            f"--config file {path!r} has unknown settings {unknown}; known: {sorted(_CHECKS)}."
        )
    return config


# One check per field, in field order; `__post_init__` runs them all.
_CHECKS = {
    "data": text,
    "weights": optional(text),
    "backbone": text,
    "strategy": text,
    "logical_cpus": optional(integer),
    "precision": text,
    "out": text,
    "seed": integer,
    "batch_size": integer,
    "sample_rate": integer,
    "clip_seconds": optional(number),
    "n_fft": integer,
    "hop_length": integer,
    "n_mels": integer,
    "fmin": number,
    "fmax": optional(number),
    "image_size": image_size,
    "epochs": optional(integer),
    "finetune_epochs": integer,
    "learning_rate": number,
    "finetune_learning_rate": number,
    "scratch_learning_rate": number,
    "weight_decay": number,
    "warmup_fraction": number,
    "patience": integer,
    "mixup_alpha": number,
    "crop_seconds": optional(number),
    "tta_crops": integer,
    "dropout": number,
    "freq_mask": integer,
    "time_mask": integer,
    "skip_bad": boolean,
    "baseline": boolean,
    "fuse_baseline": boolean,
    "refit": text,
    "multilabel": boolean,
    "verbose": lambda name, value: value if value == "auto" else integer(name, value),
    "cluster_timeout": number,
    "gain_db": number,
    "min_steps": integer,
}
