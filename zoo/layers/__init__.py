"""Layers that trained models hold beyond a family's builder; `import zoo` registers them.

`crops`: `TimeCrops` and `CropMean`, test-time crops of log-mels and the mean of
their predictions (the from-scratch recipe of `audiozoo finetune`). `fusion`:
`GeometricMean`, the weighted product of several classifiers' probabilities
(a network joined to its hand-crafted baseline). `config`: `attribute_config`, the
`get_config` body of the zoo's serialisable layers.

Example:
    >>> zoo.layers.CropMean(2)(np.array([[1.0, 0.0], [0.0, 1.0]], "float32")).numpy()
    array([[0.5, 0.5]], dtype=float32)
"""

from zoo.layers.config import attribute_config
from zoo.layers.crops import CropMean, TimeCrops, crop_offsets
from zoo.layers.fusion import EPSILON, GeometricMean

__all__ = ["TimeCrops", "CropMean", "crop_offsets", "GeometricMean", "EPSILON", "attribute_config"]
