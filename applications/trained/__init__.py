"""What every use of a trained model shares, below the jobs: loading it and cutting its embedding.

`load`: `load_keras_file` (safe mode, errors naming the flag and the file,
NaN weights refused), `load_trained` (a finetune `model.keras` and the
`labels.json` it needs), `load_classifier` (a finetune folder or any `.keras`
classifier, labels when present). `labels`: the `labels.json` check and the
file names. `embedding` (imported on its own: it imports Keras): the
classifier cut before its last dense layer, on waveforms (`audio_embedder`),
as the HEAR API and the exports use it. Importing this package imports no
TensorFlow, so the `audiozoo` parser can.

Example:
    >>> model, labels = load_trained("runs/a/model.keras")
    >>> from applications.trained.embedding import audio_embedder
    >>> network, rate = audio_embedder(model, labels)
"""

from applications.trained.labels import LABELS_FILE, THRESHOLDS_FILE, check_labels
from applications.trained.load import (
    CLASSIFIER_HINT,
    TRAINED_HINT,
    load_classifier,
    load_keras_file,
    load_trained,
    read_json,
)

__all__ = [
    "CLASSIFIER_HINT",
    "LABELS_FILE",
    "THRESHOLDS_FILE",
    "TRAINED_HINT",
    "check_labels",
    "load_classifier",
    "load_keras_file",
    "load_trained",
    "read_json",
]
