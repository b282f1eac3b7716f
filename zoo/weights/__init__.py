"""Pretrained weights: where they come from (`sources`) and how files map onto layers (`files`).

See `zoo.weights.sources` for the accepted `weights=` forms.
"""

from zoo.weights.files import adapt_input_conv, read_preset, read_weights
from zoo.weights.sources import (
    IMAGENET_WEIGHTS,
    ImagenetFile,
    WeightsUnavailableError,
    imagenet_weights_path,
    kaggle_preset_dir,
    keras_cache_dir,
    load_pretrained,
    resolve_weights,
)

__all__ = [
    "WeightsUnavailableError",
    "IMAGENET_WEIGHTS",
    "ImagenetFile",
    "adapt_input_conv",
    "imagenet_weights_path",
    "keras_cache_dir",
    "kaggle_preset_dir",
    "load_pretrained",
    "read_preset",
    "read_weights",
    "resolve_weights",
]
