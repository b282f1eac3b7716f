"""The settings of one fine-tuning run: a typed, frozen `FinetuneConfig`.

Built once, from weakest to strongest: the field defaults, the dataset's
preset (`applications.finetune.presets`), a `--config` JSON file, then the
flags given on the command line (`FinetuneConfig.from_sources`), and passed
whole to the job. Every value is checked on construction, so a wrong type or
range stops the run before anything starts, with an error naming the setting.
"""

import dataclasses
import json
import numbers
import os

from applications.finetune.presets import preset_for

__all__ = ["FinetuneConfig", "load_config"]


@dataclasses.dataclass(frozen=True)
class FinetuneConfig:
    """Everything `audiozoo finetune` needs to know; the keys of `--config` files.

    Attributes:
        data: `builtin`, a folder, or `gtzan`, `esc50`, `urbansound8k`, `speech_commands`.
        weights: `auto`, `imagenet`, `none` (or None), a weights file, or `kaggle://...`.
        backbone: `vgg11`, `vgg13`, `vgg16` or `vgg19`.
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
        epochs: head epochs (phase 1).
        finetune_epochs: phase-2 epochs (block 5 pretrained, or every layer from scratch).
        learning_rate, finetune_learning_rate, scratch_learning_rate: Adam's rate
            for the head, pretrained phase 2 and random-backbone phase 2.
        dropout: the head's dropout rate.
        freq_mask, time_mask: SpecAugment's largest mask widths.
        skip_bad: skip unreadable audio files instead of stopping.
        verbose: Keras verbosity (0, 1 or 2).

    Example:
        >>> config = FinetuneConfig.from_sources({"epochs": 2}, "my.json")
        >>> config.epochs, config.image_hw
        (2, (64, 64))
    """

    data: str = "builtin"
    weights: str | None = "auto"
    backbone: str = "vgg16"
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
    epochs: int = 8
    finetune_epochs: int = 4
    learning_rate: float = 1e-3
    finetune_learning_rate: float = 1e-4
    scratch_learning_rate: float = 1e-4
    dropout: float = 0.3
    freq_mask: int = 8
    time_mask: int = 8
    skip_bad: bool = False
    verbose: int = 1

    def __post_init__(self):
        for name, check in _CHECKS.items():
            # Frozen: normalised values (1 -> 1.0, [h, w] -> (h, w)) go in this way.
            object.__setattr__(self, name, check(name, getattr(self, name)))
        if self.epochs < 1 or self.finetune_epochs < 0 or self.batch_size < 1:
            raise ValueError(
                "--epochs and --batch-size must be >= 1 and --finetune-epochs >= 0. Received: "
                f"epochs={self.epochs}, finetune_epochs={self.finetune_epochs}, "
                f"batch_size={self.batch_size}"
            )
        for name in ("sample_rate", "n_fft", "hop_length", "n_mels"):
            _require(
                getattr(self, name) >= 1,
                name,
                getattr(self, name),
                f"`{name}` must be an integer >= 1.",
            )
        for name in ("learning_rate", "finetune_learning_rate", "scratch_learning_rate"):
            _require(getattr(self, name) > 0, name, getattr(self, name), f"`{name}` must be > 0.")
        _require(0 <= self.dropout < 1, "dropout", self.dropout, "`dropout` must be in [0, 1).")
        for name in ("freq_mask", "time_mask"):
            _require(getattr(self, name) >= 0, name, getattr(self, name), f"`{name}` must be >= 0.")
        _require(self.verbose in (0, 1, 2), "verbose", self.verbose, "`verbose` must be 0, 1 or 2.")
        clip = self.clip_seconds
        _require(clip is None or clip > 0, "clip_seconds", clip, "`clip_seconds` must be positive.")

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
            raise ValueError(f"--config file {path!r} is not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        # ValueError, as for every bad --config: the CLI reports it in one line.
        raise ValueError(f"--config file {path!r} must hold a JSON object of settings.")  # noqa: TRY004
    config = {key.replace("-", "_"): value for key, value in raw.items()}
    unknown = sorted(set(config) - set(_CHECKS))
    if unknown:
        raise ValueError(
            f"--config file {path!r} has unknown settings {unknown}; known: {sorted(_CHECKS)}."
        )
    return config


def _require(condition, name, value, problem):
    if not condition:
        # Importing zoo loads TensorFlow: only on failure, so `--help` stays fast.
        from zoo.validation import received

        raise received(name, value, problem)


def _instance_of(kind, noun, convert):
    def check(name, value):
        # bool is an int to Python, never a count or a rate to a user.
        valid = isinstance(value, kind) and not isinstance(value, bool)
        _require(valid, name, value, f"`{name}` must be {noun}.")
        return convert(value)

    return check


_integer = _instance_of(numbers.Integral, "an integer", int)
_number = _instance_of(numbers.Real, "a number", float)


def _text(name, value):
    value = os.fspath(value) if isinstance(value, os.PathLike) else value
    _require(isinstance(value, str), name, value, f"`{name}` must be a string.")
    return value


def _boolean(name, value):
    _require(isinstance(value, bool), name, value, f"`{name}` must be true or false.")
    return value


def _image_size(name, value):
    sizes = tuple(value) if isinstance(value, (list, tuple)) and len(value) == 2 else (value,)
    valid = all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in sizes
    )
    _require(valid, name, value, "image_size must be an int or [height, width].")
    return (int(sizes[0]), int(sizes[1])) if len(sizes) == 2 else int(sizes[0])


def _optional(check):
    return lambda name, value: None if value is None else check(name, value)


# One check per field, in field order; `__post_init__` runs them all.
_CHECKS = {
    "data": _text,
    "weights": _optional(_text),
    "backbone": _text,
    "strategy": _text,
    "logical_cpus": _optional(_integer),
    "precision": _text,
    "out": _text,
    "seed": _integer,
    "batch_size": _integer,
    "sample_rate": _integer,
    "clip_seconds": _optional(_number),
    "n_fft": _integer,
    "hop_length": _integer,
    "n_mels": _integer,
    "fmin": _number,
    "fmax": _optional(_number),
    "image_size": _image_size,
    "epochs": _integer,
    "finetune_epochs": _integer,
    "learning_rate": _number,
    "finetune_learning_rate": _number,
    "scratch_learning_rate": _number,
    "dropout": _number,
    "freq_mask": _integer,
    "time_mask": _integer,
    "skip_bad": _boolean,
    "verbose": _integer,
}
