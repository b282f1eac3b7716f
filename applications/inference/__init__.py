"""Inference with a trained model: score it on a dataset, classify or tag audio files.

`evaluate` (`evaluate`, `print_scores`): accuracy and per-class scores on a
dataset split. `predict` (`predict`): top-k classes of whole files or of the
windows of long files. `tags` (`load_thresholds`, `over_threshold`,
`predict_tags`): a multi-label model's tags over their thresholds. Functions
take plain arguments (a loaded model, its `labels.json` dict, paths);
`audiozoo evaluate` and `audiozoo predict` only check flags and call them.

Example:
    >>> from applications.trained import load_trained
    >>> model, labels = load_trained("runs/a/model.keras")
    >>> predict(model, labels, ["a.wav"], "runs/a/model.keras")
"""

from applications.inference.evaluate import evaluate, print_scores
from applications.inference.predict import predict
from applications.inference.tags import load_thresholds, over_threshold, predict_tags

__all__ = [
    "evaluate",
    "print_scores",
    "predict",
    "load_thresholds",
    "over_threshold",
    "predict_tags",
]
