"""musicnn (Pons & Serra 2019) and its VGG-like baseline, with the published checkpoints.

`musicnn` and `musicnn_vgg` rebuild the two architectures of the musicnn 0.1.0
package (ISC licence) in Keras 3; `weights="mtt"` / `"msd"` load its
MagnaTagATune / Million Song Dataset checkpoints by variable name (fetched once
from the package index with `fetch_weights`, cached under
`$KERAS_HOME/models/musicnn-0.1.0`). `MusicnnLogMel` is the official log-mel
front end; `MTT_LABELS` / `MSD_LABELS` name the 50 outputs.

Example:
    >>> model = zoo.musicnn.musicnn(include_top=False, pooling="penultimate")
    >>> model.output.shape
    (None, 200)
    >>> len(zoo.musicnn.MTT_LABELS), zoo.musicnn.MSD_LABELS[:2]
    (50, ['rock', 'pop'])
    >>> tagger = zoo.musicnn.musicnn(weights="mtt", include_preprocessing=True)  # doctest: +SKIP
"""

from zoo.musicnn.checkpoint import load_checkpoint, read_checkpoint
from zoo.musicnn.layers import MSD_LABELS, MTT_LABELS, MusicnnLogMel
from zoo.musicnn.model import PARAMETERS, musicnn
from zoo.musicnn.vgg import musicnn_vgg
from zoo.weights.musicnn_wheel import cache_root, cached_weights, fetch_weights

__all__ = [
    "MSD_LABELS",
    "MTT_LABELS",
    "MusicnnLogMel",
    "PARAMETERS",
    "cache_root",
    "cached_weights",
    "fetch_weights",
    "load_checkpoint",
    "musicnn",
    "musicnn_vgg",
    "read_checkpoint",
]
