"""`EventsConfig`: the settings of `audiozoo events train`, typed, frozen, checked once."""

import dataclasses
import math

from applications.errors import UsageError

__all__ = ["EventsConfig", "TASKS"]

TASKS = ("events", "chords")


@dataclasses.dataclass(frozen=True)
class EventsConfig:
    """Settings of one training run.

    Attributes:
        data: `builtin` or a folder with `train/` and `test/`.
        out: output folder.
        task: `events` (overlapping sound events, sigmoid) or `chords` (one
            major/minor chord or `N` per frame, softmax).
        epochs: passes over the training clips.
        batch_size: clips per step.
        clip_seconds: training clip length (files are cut into such clips).
        learning_rate: Adam step size.
        sample_rate: model rate in Hz.
        median_ms: median filter (events) or majority window (chords) in ms.
        val_fraction: share of `train/` files held out to choose thresholds.
        time_limit_s: stop training after this many seconds (None: no limit).
        plots: write a PNG per test file.
        seed: makes the run repeatable.
    """

    data: str = "builtin"
    out: str = "runs/events"
    task: str = "events"
    epochs: int = 30
    batch_size: int = 16
    clip_seconds: float = 5.0
    learning_rate: float = 2e-3
    sample_rate: int = 16000
    median_ms: float = 200.0
    val_fraction: float = 0.15
    time_limit_s: float = None
    plots: bool = True
    seed: int = 0

    def __post_init__(self):
        if self.task not in TASKS:
            raise UsageError(f"--task must be one of {TASKS}. Received: task={self.task!r}")
        for flag, value in (
            ("--epochs", self.epochs),
            ("--batch-size", self.batch_size),
            ("--sample-rate", self.sample_rate),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"{flag} must be a positive integer. Received: {value!r}")
        for flag, value, low in (
            ("--clip-seconds", self.clip_seconds, 0.5),
            ("--learning-rate", self.learning_rate, 0.0),
            ("--median-ms", self.median_ms, 0.0),
        ):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= low):
                raise UsageError(f"{flag} must be a finite number >= {low:g}. Received: {value!r}")
        if not 0.0 < self.val_fraction < 1.0:
            raise UsageError(f"--val-fraction must be in (0, 1). Received: {self.val_fraction!r}")
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise UsageError(f"--time-limit must be positive. Received: {self.time_limit_s!r}")

    @classmethod
    def from_flags(cls, **flags):
        """Defaults, with every flag that is not None on top."""
        return cls(**{k: v for k, v in flags.items() if v is not None})
