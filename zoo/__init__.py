"""keras-audio-zoo: Keras 3 builders for the classic architectures of audio deep learning.

Example:
    >>> import zoo
    >>> zoo.list_models("vgg*")
    ['vgg11', 'vgg13', 'vgg16', 'vgg19']
    >>> model = zoo.create_model("lwls_cnn")
"""

from zoo.registry import create_model, get_entry, list_models, register_model

# Importing a family module registers its builders. `zoo.mlp` is the builder
# function (the keras.applications style); the module stays importable.
from zoo.lwls_cnn import lwls_cnn
from zoo.mlp import logistic_regression, mlp, mlp_mnist
from zoo import wavenet  # noqa: E402,F401  (zoo.wavenet.wavenet, zoo.wavenet.mu_law_encode)
from zoo.alexnet import alexnet
from zoo.vgg import vgg, vgg11, vgg13, vgg16, vgg19
from zoo import layers, weights  # noqa: E402,F401
from zoo import audio  # noqa: E402,F401  (zoo.audio.load, zoo.audio.LogMelSpectrogram)
from zoo.convnets import panns  # noqa: F401  (throwaway: replaced at merge)
from zoo.convnets.panns import cnn6, cnn10, cnn14  # noqa: F401

# Recurrent families stay namespaced (zoo.rnn.rnn_tagger, zoo.seq2seq.Seq2Seq).
from zoo import rnn, schedules, scheduled_sampling, seq2seq  # noqa: E402,F401

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
]
