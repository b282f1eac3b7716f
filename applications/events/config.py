"""`EventsConfig`: the settings of `audiozoo events train`, a `Settings` of typed, frozen fields.

Built once, from weakest to strongest: the field defaults, a `--config` JSON
file, then the flags given (`EventsConfig.from_sources`); every field's type
and range is checked on construction. The `events train` flags are generated
from the fields.
"""

import dataclasses

from applications.settings import MAX_RATE, MAX_SECONDS, Settings, setting

__all__ = ["EventsConfig", "TASKS"]

TASKS = ("events", "chords")


@dataclasses.dataclass(frozen=True)
class EventsConfig(Settings):
    """Settings of one training run; the keys of `--config` files.

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

    Example:
        >>> EventsConfig.from_sources({"epochs": 2}, None).epochs
        2
    """

    data: str = setting("builtin", "'builtin' or DIR with train/ and test/")
    out: str = setting("runs/events", "output folder")
    task: str = setting(
        "events", "overlapping sound events (sigmoid) or chords (softmax)", choices=TASKS
    )
    epochs: int = setting(30, "passes over the training clips", minimum=1)
    batch_size: int = setting(16, "clips per step", minimum=1)
    clip_seconds: float = setting(
        5.0,
        "training clip length (files are cut into such clips)",
        unit="s",
        minimum=0.5,
        maximum=MAX_SECONDS,
    )
    learning_rate: float = setting(2e-3, "Adam step size", minimum=0.0)
    sample_rate: int = setting(16000, "model rate", unit="Hz", minimum=1, maximum=MAX_RATE)
    median_ms: float = setting(
        200.0,
        "median (events) or majority (chords) filter length",
        unit="ms",
        minimum=0.0,
        maximum=MAX_SECONDS * 1000,
    )
    val_fraction: float = setting(
        0.15, "share of train/ files held out to choose thresholds", above=0.0, below=1.0
    )
    time_limit_s: float | None = setting(
        None, "stop training after this many seconds", unit="s", above=0.0, flag="--time-limit"
    )
    plots: bool = setting(True, "write no PNG per test file")

    # What a run writes into OUT besides the shared run files (`--overwrite` removes them).
    OUTPUTS = ("model.keras", "events.json", "history.json", "plots")

    @classmethod
    def from_flags(cls, **flags):
        """Defaults, with every flag that is not None on top."""
        return cls.from_sources(flags)
