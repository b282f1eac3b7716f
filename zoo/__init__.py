"""keras-audio-zoo: Keras 3 builders for the classic architectures of audio deep learning.

The builders are functions here (`zoo.vgg16`, `zoo.mlp`, ...); the families are
packages (`zoo.convnets`, `zoo.recurrent`, `zoo.wavenet`, `zoo.events`), next to `zoo.audio`
(front ends), `zoo.sampling` (the decoders' shared sampling) and `zoo.weights`
(pretrained weights).

Example:
    >>> import zoo
    >>> zoo.list_models("vgg*")
    ['vgg11', 'vgg13', 'vgg16', 'vgg19']
    >>> model = zoo.create_model("lwls_cnn")
"""

from zoo.registry import create_model, get_entry, list_models, register_model

# Importing a family package registers its builders.
from zoo import (  # noqa: E402
    audio,
    convnets,
    events,
    features,
    layers,
    music,
    musicnn,
    recurrent,
    sampling,
    separation,
    wavenet,
    weights,
)
from zoo.convnets.alexnet import alexnet  # noqa: E402
from zoo.convnets.lwls_cnn import lwls_cnn  # noqa: E402
from zoo.convnets.mlp import logistic_regression, mlp, mlp_mnist  # noqa: E402
from zoo.convnets.panns import cnn6, cnn10, cnn14, panns  # noqa: E402
from zoo.convnets.vgg import vgg, vgg11, vgg13, vgg16, vgg19  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "create_model",
    "get_entry",
    "list_models",
    "register_model",
    "mlp",
    "logistic_regression",
    "mlp_mnist",
    "lwls_cnn",
    "alexnet",
    "vgg",
    "vgg11",
    "vgg13",
    "vgg16",
    "vgg19",
    "panns",
    "cnn6",
    "cnn10",
    "cnn14",
    "audio",
    "convnets",
    "events",
    "features",
    "layers",
    "music",
    "musicnn",
    "recurrent",
    "sampling",
    "separation",
    "wavenet",
    "weights",
]
