"""The settings every job that reads a classification dataset shares: data, split, front end.

`DataSettings` holds what decides the splits and the log-mel front end, so
`audiozoo finetune` and `audiozoo baseline` read the same test clips. A named
dataset brings its preset (`applications.data.presets`); the front-end
defaults come from `zoo.audio.FRONT_ENDS["default"]` (read without importing TensorFlow).
"""

import dataclasses

from applications.data.presets import front_end, preset_for
from applications.settings.base import Settings
from applications.settings.fields import MAX_RATE, MAX_SECONDS, require, setting

__all__ = ["DataSettings"]

MIN_RATE = 1000
MAX_CLIP_SECONDS = MAX_SECONDS
FRONT_END = front_end("default")


@dataclasses.dataclass(frozen=True)
class DataSettings(Settings):
    """The dataset, its split and the log-mel front end (see the fields' help)."""

    data: str = setting("builtin", "builtin | DIR | gtzan | esc50 | urbansound8k | speech_commands")
    batch_size: int = setting(32, "global batch size, split over replicas", minimum=1)
    sample_rate: int = setting(
        FRONT_END["sample_rate"],
        "every clip is resampled to this rate",
        unit="Hz",
        minimum=MIN_RATE,
        maximum=MAX_RATE,
    )
    clip_seconds: float | None = setting(
        1.0,
        "clip length; none requires clips of one length",
        unit="s",
        above=0.0,
        maximum=MAX_CLIP_SECONDS,
        note=" Classify longer recordings in clips.",
    )
    n_fft: int = setting(
        FRONT_END["n_fft"], "FFT size of the log-mel front end", unit="samples", minimum=1
    )
    hop_length: int = setting(
        FRONT_END["hop_length"], "hop of the log-mel front end", unit="samples", minimum=1
    )
    n_mels: int = setting(FRONT_END["n_mels"], "mel bands", minimum=1)
    fmin: float = setting(FRONT_END["fmin"], "lowest mel frequency", unit="Hz", minimum=0.0)
    fmax: float | None = setting(
        FRONT_END["fmax"], "highest mel frequency (default: Nyquist)", unit="Hz"
    )
    skip_bad: bool = setting(False, "skip unreadable audio files")
    dedupe: bool = setting(
        False, "drop val/test files whose decoded audio repeats a file of an earlier split"
    )

    @classmethod
    def presets(cls, values):
        """The dataset preset of `--data` (a folder keeps the defaults)."""
        return preset_for(values.get("data", cls.data))

    def validate(self):
        """The mel range and band count must fit the FFT."""
        fmax = self.fmax
        require(fmax is None or fmax > self.fmin, "fmax", fmax, "`fmax` must be > fmin.")
        require(
            self.n_mels <= self.n_fft // 2 + 1,
            "n_mels",
            self.n_mels,
            f"`n_mels` must be <= n_fft // 2 + 1 = {self.n_fft // 2 + 1} (more would leave "
            "mel filters empty).",
        )

    def dataset_options(self):
        """`load_dataset` keyword arguments of this run, so every job reads the same splits."""
        keys = ("sample_rate", "clip_seconds", "batch_size", "seed", "skip_bad", "dedupe")
        hint = 'Pass --skip-bad (or "skip_bad": true in --config) to skip bad files.'
        options = {key: getattr(self, key) for key in keys}
        return {**options, "multilabel": getattr(self, "multilabel", False), "bad_file_hint": hint}
