"""The settings of one fine-tuning run: `FinetuneConfig`, a `Settings` of typed, frozen fields.

Built once, from weakest to strongest: the field defaults, the dataset's
preset (`applications.data.presets`), a `--config` JSON file, then the
flags given on the command line (`FinetuneConfig.from_sources`), and passed
whole to the job. The `audiozoo finetune` flags are generated from the fields.
"""

import dataclasses
import sys

from applications.settings import DataSettings
from applications.settings import require, setting
from applications.training.precision import POLICIES
from applications.training.strategy import KINDS

DEFAULT_EPOCHS = 40

__all__ = ["FinetuneConfig", "DEFAULT_EPOCHS"]


def _image_size(name, value):
    sizes = tuple(value) if isinstance(value, (list, tuple)) and len(value) == 2 else (value,)
    valid = all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in sizes)
    require(valid, name, value, "image_size must be an int or [height, width].")
    return (int(sizes[0]), int(sizes[1])) if len(sizes) == 2 else int(sizes[0])


def _int_or_hw(text):
    values = [int(p) for p in text.lower().split("x")]
    return values[0] if len(values) == 1 else values


def _verbose(name, value):
    if value != "auto":
        valid = isinstance(value, int) and not isinstance(value, bool) and value in (0, 1, 2)
        require(valid, name, value, "`verbose` must be 0, 1, 2 or 'auto'.")
    return value


def _verbose_flag(text):
    return text if text == "auto" else int(text)


@dataclasses.dataclass(frozen=True)
class FinetuneConfig(DataSettings):
    """Everything `audiozoo finetune` needs to know; the keys of `--config` files.

    Attributes:
        data: `builtin`, a folder, or `gtzan`, `esc50`, `urbansound8k`, `speech_commands`.
        weights: `auto`, `imagenet`, `mtt` / `msd` (musicnn's audio weights), `none`
            (or None), a weights file, or `kaggle://...`.
        backbone: `auto` (when musicnn's weights are cached, its frozen probe
            joined with `cnn10_compact` from scratch and the baseline, else VGG16
            transfer when pretrained weights load, else the compact CNN from scratch), `vgg11`..`vgg19` (transfer recipe),
            `cnn6`, `cnn10`, `cnn14`, `cnn10_compact` (from-scratch recipe), or
            `musicnn`, `musicnn_vgg` (audio-pretrained recipe, 16 kHz).
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
            the recipe on val (`applications.finetune.recipes.scratch.refit_wanted`):
            `auto` (small datasets), `on` or `off`. A frozen musicnn probe is
            refitted on train + val unless `off` (a regression: cheap at any size).
        multilabel: tags from the data folder's `labels.csv`: sigmoid outputs,
            binary cross-entropy, per-tag thresholds (`applications.finetune.multilabel`).
        cluster_timeout: seconds multi-worker training waits for every peer
            named by `TF_CONFIG` to be reachable before it fails; a peer that
            dies mid-training stops the others within it (`training.liveness`).
        cache: where the from-scratch recipe keeps its log-mels: `memory`,
            `disk` (`OUT/cache`, `applications.data.disk_cache`) or `auto`.
        verbose: Keras verbosity: 0, 1 (progress bar), 2 (one line per epoch) or
            `auto` (1 when stdout is a terminal, else 2).

    Example:
        >>> config = FinetuneConfig.from_sources({"epochs": 2})
        >>> config.epochs, config.image_hw
        (2, (64, 64))
    """

    weights: str | None = setting(
        "auto",
        "auto | imagenet | mtt | msd (musicnn's audio weights: MagnaTagATune, Million Song "
        "Dataset) | none | PATH (.weights.h5, .pth, or an earlier run's model.keras to "
        "fine-tune from) | kaggle://...",
    )
    backbone: str = setting(
        "auto",
        "auto: musicnn (mtt) probe + cnn10_compact from scratch + baseline, joined, if its "
        "weights are cached, else vgg16 transfer "
        "if ImageNet weights load, else cnn10_compact from scratch; or a registered backbone "
        "with a recipe (vgg11..vgg19; cnn6, cnn10, cnn14, cnn10_compact; musicnn, musicnn_vgg "
        "with --weights mtt|msd, at 16 kHz)",
    )
    strategy: str = setting("auto", "tf.distribute strategy", choices=KINDS)
    logical_cpus: int | None = setting(None, "split the CPU into N devices for mirrored", minimum=1)
    precision: str = setting("auto", "dtype policy", choices=POLICIES)
    out: str = setting("runs/finetune", "output folder")
    image_size: int | tuple[int, int] = setting(
        96, "N or HxW image fed to the backbone", check=_image_size, parse=_int_or_hw
    )
    epochs: int | None = setting(
        None,
        "head epochs (transfer) or all epochs (scratch); default 40, grown from scratch on "
        "small data to --min-steps",
        minimum=1,
    )
    finetune_epochs: int = setting(
        4, "epochs with block 5 unfrozen (VGG) or every layer (musicnn); pretrained only", minimum=0
    )
    learning_rate: float = setting(
        1e-3, "Adam's rate for the head; peak AdamW rate from scratch", above=0.0
    )
    finetune_learning_rate: float = setting(
        1e-4, "rate of pretrained phase 2 (musicnn: back end, 0.3x mid, 0.1x front)", above=0.0
    )
    scratch_learning_rate: float = setting(1e-4, "rate of random-VGG phase 2", above=0.0)
    weight_decay: float = setting(1e-2, "AdamW weight decay (from scratch)", minimum=0.0)
    warmup_fraction: float = setting(
        0.05, "share of the from-scratch steps warming the rate up", minimum=0.0, below=1.0
    )
    patience: int = setting(
        10, "early-stopping patience, 0 = off (from scratch)", unit="epochs", minimum=0
    )
    mixup_alpha: float = setting(0.3, "mixup Beta(a, a); 0 = off (from scratch)", minimum=0.0)
    gain_db: float = setting(
        10.0, "random level offset, +-dB; 0 = off (from scratch)", unit="dB", minimum=0.0
    )
    min_steps: int = setting(
        1600, "from scratch without --epochs: grow the 40 epochs to this many steps", minimum=0
    )
    crop_seconds: float | None = setting(
        None, "train on random crops; test averages --tta-crops", unit="s", above=0.0
    )
    tta_crops: int = setting(5, "crops averaged at test", minimum=1)
    dropout: float = setting(0.3, "the head's dropout rate", minimum=0.0, below=1.0)
    freq_mask: int = setting(8, "widest frequency mask", unit="mel bins", minimum=0)
    time_mask: int = setting(8, "widest time mask", unit="frames", minimum=0)
    baseline: bool = setting(
        True, "skip the hand-crafted-feature baseline (and so its fusion with the network)"
    )
    fuse_baseline: bool = setting(True, "save the network alone, not joined to the baseline")
    refit: str = setting(
        "auto",
        "from scratch, retrain on train + val after early stopping (auto: small datasets); "
        "a frozen musicnn probe refits unless off",
        choices=("auto", "on", "off"),
    )
    multilabel: bool = setting(
        False,
        "tags from DATA/labels.csv (filename,tags; tags separated by ';'): sigmoid outputs, "
        "per-tag thresholds chosen on val",
    )
    verbose: int | str = setting(
        "auto",
        "auto: progress bars in a terminal, one line per epoch otherwise",
        check=_verbose,
        parse=_verbose_flag,
        choices=(0, 1, 2, "auto"),
    )
    cluster_timeout: float = setting(
        300.0,
        "multi-worker: seconds to wait for every TF_CONFIG peer at start, and at most for a "
        "peer that dies mid-training",
        unit="s",
        above=0.0,
    )
    cache: str = setting(
        "auto",
        "the from-scratch recipe's log-mels: memory, disk (shards in OUT/cache), or auto "
        "(memory below a quarter of the available memory)",
        choices=("auto", "memory", "disk"),
    )

    PATHS = ("data", "weights")
    # What a run writes into OUT besides the shared run files (`--overwrite` removes them).
    OUTPUTS = (
        "model.keras",
        "labels.json",
        "history.png",
        "confusion_matrix.png",
        "examples.png",
        "thresholds.json",
    )

    def validate(self):
        """Checks that tie fields together (each field's own range is checked already)."""
        super().validate()
        from applications.finetune.recipes import backbones

        names = backbones()
        require(
            self.backbone in names,
            "backbone",
            self.backbone,
            f"`backbone` must be one of {', '.join(names)}.",
        )
        require(
            not (self.multilabel and self.refit == "on"),
            "refit",
            self.refit,
            "`refit` on cannot go with `multilabel`: a tagger's thresholds are chosen on the "
            "validation clips, which must stay out of training.",
        )

    @property
    def base_epochs(self):
        """`epochs`, or `DEFAULT_EPOCHS` when it is left to the job (None)."""
        return DEFAULT_EPOCHS if self.epochs is None else self.epochs

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
