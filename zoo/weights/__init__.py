"""Pretrained weights: where they come from (`sources`) and how files map onto layers (`files`).

`weights=` takes `None`, `"imagenet"` (the keras.applications files, MD5
checked), the path of a weights file or keras-hub preset directory, or
`"kaggle://OWNER/MODEL/keras/VARIANT[/VERSION]"`.

Example:
    >>> path = zoo.weights.weights_source("imagenet", arch="vgg16", include_top=False)  # doctest: +SKIP
    >>> zoo.weights.load_pretrained(model, path, input_conv="block1_conv1")  # doctest: +SKIP
"""

from zoo.weights.files import adapt_input_conv, load_pretrained, read_preset, read_weights
from zoo.weights.sources import (
    IMAGENET_WEIGHTS,
    ImagenetFile,
    WeightsUnavailableError,
    imagenet_weights_path,
    kaggle_preset_dir,
    keras_cache_dir,
    weights_source,
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
    "weights_source",
]
