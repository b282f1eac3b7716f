"""`BaselineConfig`: the settings of `audiozoo baseline`, the splits and front end of finetune's."""

import dataclasses

from applications.baseline import FEATURE_SETS
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
        "handcrafted",
        "feature set; pca and nmf also draw OUT/bases.png",
        choices=FEATURE_SETS,
    )
    out: str = setting("baseline_out", "output folder")
    n_components: int = setting(20, "PCA/NMF bases", minimum=1)
