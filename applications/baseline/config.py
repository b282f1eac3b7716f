"""`BaselineConfig`: the settings of `audiozoo baseline`, the splits and front end of finetune's."""

import dataclasses

from applications.baseline import FEATURE_CHOICES
from applications.settings import DataSettings
from applications.settings import setting

__all__ = ["BaselineConfig"]


@dataclasses.dataclass(frozen=True)
class BaselineConfig(DataSettings):
    """The dataset and front end as `audiozoo finetune` resolves them, plus the feature set.

    Example:
        >>> BaselineConfig(features="mfcc").n_components
        20
    """

    features: str = setting(
        "auto",
        "feature set; auto: hand-crafted or MFCC, whichever scores better on val; pca and "
        "nmf also draw OUT/bases.png",
        choices=FEATURE_CHOICES,
    )
    out: str = setting("runs/baseline", "output folder")
    n_components: int = setting(20, "PCA/NMF bases", minimum=1)
