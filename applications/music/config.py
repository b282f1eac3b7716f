"""`MusicConfig`: the settings of `audiozoo music train`, a `Settings` of typed, frozen fields.

Built once, from weakest to strongest: the field defaults, a `--config` JSON
file, then the flags given (`MusicConfig.from_sources`); every field's type
and range is checked on construction. The `music train` flags are generated
from the fields.
"""

import dataclasses
import os

from applications.settings import Settings, require, setting

__all__ = ["MusicConfig", "KINDS"]

KINDS = ("duet", "harmonize", "key")


@dataclasses.dataclass(frozen=True)
class MusicConfig(Settings):
    """Settings of one `music train` run; the keys of `--config` files.

    The field order is the order of `report.json`'s `settings`.

    Attributes:
        model: `duet`, `harmonize` or `key` (required).
        out: the folder for `model.keras` and `report.json` (None: `runs/music/MODEL`).
        epochs: passes, each over freshly drawn training windows (24: the README's run).
        batch_size: windows per step.
        units: the model's LSTM units.
        length: 16ths per training window.
        learning_rate: Adam's rate.
        limit: use the first N pieces only (None: all).
        data: a folder of MusicXML/MIDI (None: the music21 chorales).
        seed: seeds the weights and each epoch's windows (`seed + epoch`).
        key_voices: `--model key`: hear the soprano only, or each voice as an example.

    Example:
        >>> MusicConfig.from_sources({"model": "key", "out": "runs/key"}).length
        64
    """

    model: str | None = setting(
        None, "required: the duet model, its key estimator or the harmoniser", choices=KINDS
    )
    out: str | None = setting(
        None, "folder for model.keras and report.json (default: runs/music/MODEL)"
    )
    # 24: the run the README's figures measure (fewer epochs wrote parallel fifths).
    epochs: int = setting(24, "passes, each over freshly drawn windows", minimum=1)
    batch_size: int = setting(32, "windows per step", minimum=1)
    units: int = setting(128, "LSTM units of the model", minimum=1)
    length: int = setting(64, "16ths per training window", minimum=1)
    learning_rate: float = setting(2e-3, "Adam's rate", above=0.0)
    limit: int | None = setting(
        None,
        "use the first N pieces only",
        minimum=3,
        note=" Pieces 9 and 10 of every 10 are validation and test.",
    )
    data: str | None = setting(None, "folder of MusicXML/MIDI (default: the chorales)")
    key_voices: str = setting(
        "soprano",
        "--model key: hear the soprano only, or each of the four voices as an example",
        choices=("soprano", "all"),
    )

    # What a run writes into OUT besides the shared run files (`--overwrite` removes them).
    OUTPUTS = ("model.keras", "report.json")

    def validate(self):
        """`model` has no default: a flag or the `--config` file must give it; `out` follows it."""
        if self.out is None and self.model is not None:
            # Frozen: the default folder is set the way __post_init__ sets values.
            object.__setattr__(self, "out", os.path.join("runs", "music", self.model))
        super().validate()
        for name in ("model", "out"):
            require(getattr(self, name) is not None, name, None, f"`{name}` is required.")
