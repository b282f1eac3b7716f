"""The settings of one `audiozoo separate train` run: `SeparateConfig`, a `Settings` of typed fields.

Built once, from weakest to strongest: the field defaults, a `--config` JSON
file, then the flags given (`SeparateConfig.from_sources`), and passed whole
to the job. The `separate train` flags are generated from the fields.
"""

import dataclasses

from applications.settings import MAX_RATE, MAX_SECONDS, Settings, require, setting

__all__ = ["SeparateConfig", "MODELS", "FRAME_SAMPLES"]

# --model choice -> registered zoo name.
MODELS = {"unmix": "unmix", "unet": "unet"}
# The STFT frame of both separators: a training mixture must hold at least one.
FRAME_SAMPLES = 1024


@dataclasses.dataclass(frozen=True)
class SeparateConfig(Settings):
    """What a separation training run computes, and where it writes; the keys of `--config`.

    Attributes:
        sources: the `--sources` folder, or "builtin" (synthetic demo sources).
        out: the output folder.
        model: "unmix" (BLSTM) or "unet".
        epochs: training epochs.
        steps_per_epoch: batches per epoch (mixtures are made on the fly).
        batch_size: mixtures per batch.
        segment_seconds: length of a training mixture.
        test_mixtures: held-out mixtures scored in report.json.
        test_seconds: length of a test mixture.
        sample_rate: the model's rate in Hz (every clip is resampled to it).
        learning_rate: Adam's step size.
        mixture_consistency: make the estimates sum exactly to the mixture.
        seed: seeds the weights and the training mixtures.

    Example:
        >>> SeparateConfig.from_sources({"epochs": 2}).epochs
        2
    """

    sources: str = setting(
        "builtin",
        "DIR/<source>/*.wav or DIR/{train,test}/<source>/*.wav; builtin: the synthetic demo",
    )
    out: str = setting("runs/separation", "folder for model.keras, report.json, separation.png")
    model: str = setting("unet", "the mask estimator", choices=tuple(sorted(MODELS)))
    epochs: int = setting(8, "training epochs", minimum=1)
    steps_per_epoch: int = setting(50, "batches per epoch (mixtures made on the fly)", minimum=1)
    batch_size: int = setting(8, "mixtures per batch", minimum=1)
    segment_seconds: float = setting(
        1.0, "length of a training mixture", unit="s", above=0.0, maximum=MAX_SECONDS
    )
    test_mixtures: int = setting(8, "held-out mixtures scored in report.json", minimum=1)
    test_seconds: float = setting(
        3.0, "length of a test mixture", unit="s", above=0.0, maximum=MAX_SECONDS
    )
    sample_rate: int = setting(
        16000, "every clip is resampled to this rate", unit="Hz", minimum=1, maximum=MAX_RATE
    )
    learning_rate: float = setting(1e-3, "Adam's step size", above=0.0)
    mixture_consistency: bool = setting(
        False, "make the estimated sources sum exactly to the mixture"
    )

    PATHS = ("sources",)
    # What a run writes into OUT besides the shared run files (`--overwrite` removes them).
    OUTPUTS = ("model.keras", "separation.png")

    def validate(self):
        """A training mixture must hold at least one STFT frame."""
        samples = self.segment_seconds * self.sample_rate
        require(
            samples >= FRAME_SAMPLES,
            "segment_seconds",
            self.segment_seconds,
            f"`segment_seconds` is shorter than one STFT frame ({FRAME_SAMPLES} samples at "
            f"{self.sample_rate} Hz; e.g. segment_seconds 1).",
        )
