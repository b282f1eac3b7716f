"""The settings of one `audiozoo separate train` run, a frozen dataclass built once from the flags."""

import dataclasses

__all__ = ["SeparateConfig", "MODELS"]

# --model choice -> registered zoo name.
MODELS = {"unmix": "unmix", "unet": "unet"}


@dataclasses.dataclass(frozen=True)
class SeparateConfig:
    """What a separation training run computes, and where it writes.

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
    """

    sources: str = "builtin"
    out: str = "runs/separate"
    model: str = "unet"
    epochs: int = 8
    steps_per_epoch: int = 50
    batch_size: int = 8
    segment_seconds: float = 1.0
    test_mixtures: int = 8
    test_seconds: float = 3.0
    sample_rate: int = 16000
    learning_rate: float = 1e-3
    mixture_consistency: bool = False
    seed: int = 0

    def to_dict(self):
        """The settings as a dict (stored in OUT/settings.json; a rerun must match them)."""
        return dataclasses.asdict(self)
