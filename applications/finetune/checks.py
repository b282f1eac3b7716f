"""Value checks for the settings of `FinetuneConfig`: each takes `(name, value)`,
returns the normalised value, and raises a `UsageError` ending in `Received: name=value`
whose hint names the flag and the `--config` key to change."""

import math
import numbers
import os

from applications.errors import UsageError

__all__ = [
    "require",
    "integer",
    "number",
    "text",
    "boolean",
    "image_size",
    "optional",
    "check_ranges",
    "SEED_MAX",
]

# numpy and TensorFlow seeds are unsigned 32-bit integers.
SEED_MAX = 2**32 - 1


def flag_name(name):
    """`learning_rate` -> `--learning-rate`."""
    return "--" + name.replace("_", "-")


MIN_RATE, MAX_RATE = 1000, 384000
MAX_CLIP_SECONDS = 600.0


def require(condition, name, value, problem):
    if not condition:
        raise UsageError(
            f"{problem} Received: {name}={value!r}",
            hint=f"set {flag_name(name)} on the command line or {name!r} in the --config file",
        )


def instance_of(kind, noun, convert):
    def check(name, value):
        # bool is an int to Python, never a count or a rate to a user.
        valid = isinstance(value, kind) and not isinstance(value, bool)
        # inf and NaN are floats, never a usable rate, length or size.
        valid = valid and math.isfinite(value)
        require(valid, name, value, f"`{name}` must be {noun}.")
        return convert(value)

    return check


integer = instance_of(numbers.Integral, "an integer", int)
number = instance_of(numbers.Real, "a finite number", float)


def text(name, value):
    value = os.fspath(value) if isinstance(value, os.PathLike) else value
    require(isinstance(value, str), name, value, f"`{name}` must be a string.")
    return value


def boolean(name, value):
    require(isinstance(value, bool), name, value, f"`{name}` must be true or false.")
    return value


def image_size(name, value):
    sizes = tuple(value) if isinstance(value, (list, tuple)) and len(value) == 2 else (value,)
    valid = all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in sizes
    )
    require(valid, name, value, "image_size must be an int or [height, width].")
    return (int(sizes[0]), int(sizes[1])) if len(sizes) == 2 else int(sizes[0])


def check_ranges(config, backbones):
    """Raise a `UsageError` naming the first setting of `config` out of its range.

    Args:
        config: a `FinetuneConfig` whose types are already checked.
        backbones: the `--backbone` choices.
    """
    if (
        (config.epochs is not None and config.epochs < 1)
        or config.finetune_epochs < 0
        or config.batch_size < 1
    ):
        raise UsageError(
            "--epochs and --batch-size must be >= 1 and --finetune-epochs >= 0. Received: "
            f"epochs={config.epochs}, finetune_epochs={config.finetune_epochs}, "
            f"batch_size={config.batch_size}"
        )
    require(
        0 <= config.seed <= SEED_MAX,
        "seed",
        config.seed,
        f"`seed` must be an integer in [0, {SEED_MAX}].",
    )
    logical = config.logical_cpus
    require(
        logical is None or logical >= 1,
        "logical_cpus",
        logical,
        "`logical_cpus` must be >= 1.",
    )
    require(
        config.cluster_timeout > 0,
        "cluster_timeout",
        config.cluster_timeout,
        "`cluster_timeout` must be > 0 seconds.",
    )
    require(config.fmin >= 0, "fmin", config.fmin, "`fmin` must be >= 0.")
    fmax = config.fmax
    require(fmax is None or fmax > config.fmin, "fmax", fmax, "`fmax` must be > fmin.")
    for name in ("sample_rate", "n_fft", "hop_length", "n_mels"):
        require(
            getattr(config, name) >= 1,
            name,
            getattr(config, name),
            f"`{name}` must be an integer >= 1.",
        )
    # Bounds that keep the front end meaningful (a 1 Hz rate or an hour-long clip
    # would otherwise fail deep inside TensorFlow).
    require(
        MIN_RATE <= config.sample_rate <= MAX_RATE,
        "sample_rate",
        config.sample_rate,
        f"`sample_rate` must be between {MIN_RATE} and {MAX_RATE} Hz.",
    )
    require(
        config.n_mels <= config.n_fft // 2 + 1,
        "n_mels",
        config.n_mels,
        f"`n_mels` must be <= n_fft // 2 + 1 = {config.n_fft // 2 + 1} (more would leave "
        "mel filters empty).",
    )
    for name in ("learning_rate", "finetune_learning_rate", "scratch_learning_rate"):
        require(getattr(config, name) > 0, name, getattr(config, name), f"`{name}` must be > 0.")
    require(0 <= config.dropout < 1, "dropout", config.dropout, "`dropout` must be in [0, 1).")
    for name in ("freq_mask", "time_mask"):
        require(getattr(config, name) >= 0, name, getattr(config, name), f"`{name}` must be >= 0.")
    require(
        config.verbose in (0, 1, 2, "auto"),
        "verbose",
        config.verbose,
        "`verbose` must be 0, 1, 2 or 'auto'.",
    )
    require(
        config.backbone in backbones,
        "backbone",
        config.backbone,
        f"`backbone` must be one of {', '.join(backbones)}.",
    )
    for name in ("weight_decay", "mixup_alpha", "patience", "gain_db", "min_steps"):
        require(getattr(config, name) >= 0, name, getattr(config, name), f"`{name}` must be >= 0.")
    require(
        0 <= config.warmup_fraction < 1,
        "warmup_fraction",
        config.warmup_fraction,
        "`warmup_fraction` must be in [0, 1).",
    )
    require(
        config.refit in ("auto", "on", "off"),
        "refit",
        config.refit,
        "`refit` must be auto, on or off.",
    )
    require(
        not (config.multilabel and config.refit == "on"),
        "refit",
        config.refit,
        "`refit` on cannot go with `multilabel`: a tagger's thresholds are chosen on the "
        "validation clips, which must stay out of training.",
    )
    require(config.tta_crops >= 1, "tta_crops", config.tta_crops, "`tta_crops` must be >= 1.")
    crop = config.crop_seconds
    require(crop is None or crop > 0, "crop_seconds", crop, "`crop_seconds` must be positive.")
    clip = config.clip_seconds
    require(
        clip is None or 0 < clip <= MAX_CLIP_SECONDS,
        "clip_seconds",
        clip,
        f"`clip_seconds` must be in (0, {MAX_CLIP_SECONDS}] seconds; classify longer "
        "recordings in clips.",
    )


def optional(check):
    return lambda name, value: None if value is None else check(name, value)
