"""`WaveNetConfig`: the settings of `audiozoo wavenet train`, a `Settings` of typed, frozen fields.

Built once, from weakest to strongest: the field defaults, a `--config` JSON
file, then the flags given (`WaveNetConfig.from_sources`); every field's type
and range is checked on construction. The `wavenet train` flags are generated
from the fields. Importing it imports no TensorFlow.
"""

import dataclasses

from applications.settings import MAX_RATE, MAX_SECONDS, Settings, require, setting

__all__ = ["WaveNetConfig", "MODELS"]

# The registered builders `wavenet train` fits.
MODELS = ("wavenet_small", "wavenet")


@dataclasses.dataclass(frozen=True)
class WaveNetConfig(Settings):
    """Settings of one `wavenet train` run; the keys of `--config` files.

    Attributes:
        data: 'builtin', a folder, or a Kaggle corpus name.
        out: the folder for `model.keras` and `wavenet.json`.
        model: the registered builder, `wavenet_small` or `wavenet`.
        epochs: epochs of `steps_per_epoch` batches.
        steps_per_epoch: batches per epoch.
        batch_size: windows per batch.
        segment: samples per training window; the clips need one more.
        sample_rate: rate the clips are decoded at (Hz).
        clip_seconds: clip length (seconds); None keeps the dataset's.
        learning_rate: Adam's learning rate.
        conditioned: use the labels as the global condition (`--unconditioned`: not).
        seed: seeds the weights, the windows and the data order.

    Example:
        >>> WaveNetConfig.from_sources({"data": "builtin", "out": "runs/wn"}).segment
        4000
    """

    data: str | None = setting(
        "builtin", "'builtin' (synthetic chords), a folder, or a Kaggle corpus name"
    )
    out: str | None = setting("runs/wavenet", "output folder for model.keras, wavenet.json")
    model: str = setting("wavenet_small", "the registered WaveNet to fit", choices=MODELS)
    epochs: int = setting(5, "epochs of --steps-per-epoch batches", minimum=1)
    steps_per_epoch: int = setting(100, "batches per epoch", minimum=1)
    batch_size: int = setting(8, "windows per batch", minimum=1)
    segment: int = setting(
        4000, "samples per training window (the clips need one more)", unit="samples", minimum=1
    )
    sample_rate: int = setting(
        16000, "rate the clips are decoded at", unit="Hz", minimum=1, maximum=MAX_RATE
    )
    clip_seconds: float | None = setting(
        None, "clip length (default: the dataset's)", unit="s", above=0.0, maximum=MAX_SECONDS
    )
    learning_rate: float = setting(1e-3, "Adam's learning rate", above=0.0)
    conditioned: bool = setting(
        True, "ignore the labels (no global conditioning)", flag="--unconditioned"
    )

    # What a run writes into OUT besides the shared run files (`--overwrite` removes them).
    OUTPUTS = ("model.keras", "wavenet.json")
    # `data` may name a folder: stored absolute, so a rerun from elsewhere still matches.
    PATHS = ("data",)

    def validate(self):
        """`data` and `out` cannot be null (a `--config` file could set them so)."""
        super().validate()
        for name in ("data", "out"):
            require(getattr(self, name) is not None, name, None, f"`{name}` is required.")
