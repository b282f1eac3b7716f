"""Read what a run left behind: a `.keras` model (safe mode) and the `labels.json` beside it.

Every error is a `UsageError` naming the flag (or argument) and the file, so a
damaged, truncated or mismatched pair stops before any work. Loading
`.keras` files needs no registration call: `import zoo` registers every layer
a saved model holds.
"""

import json
import os
import zipfile

from applications.errors import UsageError
from applications.trained.pretrained import is_pretrained, load_pretrained
from applications.trained.labels import LABELS_FILE, check_labels

__all__ = [
    "load_keras_file",
    "read_json",
    "load_trained",
    "load_classifier",
    "TRAINED_HINT",
    "CLASSIFIER_HINT",
]

TRAINED_HINT = (
    "pass OUT/model.keras written by `audiozoo finetune` (rerun it if the file is damaged)"
)
CLASSIFIER_HINT = (
    "pass an `audiozoo finetune` output folder, its model.keras, or a .keras classifier"
)
LABELS_HINT = "`audiozoo finetune` writes labels.json next to model.keras; copy it along"


def load_keras_file(flag, path, hint):
    """Load a `.keras` model (safe mode), with errors naming `flag` and the file.

    Args:
        flag: e.g. `--model`.
        path: the `.keras` file.
        hint: how to get a good one.

    Returns:
        The loaded model; a model whose weights hold NaN or inf is refused.

    Example:
        >>> model = load_keras_file("--model", "runs/a/model.keras", TRAINED_HINT)
    """
    import keras

    import zoo  # noqa: F401  (registers every layer a saved model may hold)

    if os.path.isdir(path):
        raise UsageError(f"{flag} {path!r} is a folder, not a .keras model file.", hint=hint)
    if not os.path.isfile(path):
        raise UsageError(f"{flag} {path!r} does not exist.", hint=hint)
    # Keras answers "File not found" for any file it cannot open as a zip archive.
    size = os.path.getsize(path)
    problem = None
    if size == 0:
        problem = "is empty (0 bytes)"
    elif not zipfile.is_zipfile(path):
        problem = f"is not a .keras archive ({size} bytes, not a zip file: corrupt or truncated)"
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                if "config.json" not in archive.namelist():
                    problem = "is a zip archive without the config.json of a .keras model"
        except (zipfile.BadZipFile, OSError) as error:
            problem = f"is a damaged zip archive ({error})"
    if problem is None:
        try:
            model = keras.saving.load_model(path, safe_mode=True)
        except (ValueError, KeyError, OSError, TypeError, zipfile.BadZipFile) as error:
            problem = f"could not be loaded as a Keras model ({type(error).__name__}: {error})"
    if problem is None:
        return _finite(flag, path, _functional(model))
    raise UsageError(f"{flag} {path!r} {problem}.", hint=hint)


def _functional(model):
    """A loaded `Sequential` as the functional model of the same layers.

    Keras 3 restores a `Sequential` without calling it, so its `output` (which
    every job reads to cut embeddings or check shapes) is undefined.
    """
    import keras

    if not isinstance(model, keras.Sequential) or not model.inputs:
        return model
    return keras.Model(model.inputs[0], model.outputs[0], name=model.name)


def _finite(flag, path, model):
    """`model`, unless a weight is NaN/inf: such a model answers one constant output."""
    from applications.numerics import refuse_nonfinite

    refuse_nonfinite(
        model,
        f"{flag} {path!r}",
        "its outputs would be meaningless",
        "train it again (a lower --learning-rate), or use an earlier checkpoint",
    )
    return model


def read_json(path, what, hint=None):
    """Read a JSON object from `path`, raising a `UsageError` naming the file when it is not one.

    Args:
        path: the file.
        what: what the file is, for the message (e.g. "labels file").
        hint: what to do about a bad file.

    Returns:
        The dict it holds.
    """
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{what} {path!r} is not valid JSON ({error}).", hint=hint) from None
    except OSError as error:
        raise UsageError(f"{what} {path!r} cannot be read ({error.strerror}).", hint=hint) from None
    if not isinstance(data, dict):
        raise UsageError(f"{what} {path!r} must hold a JSON object.", hint=hint)
    return data


def _labels_path(model_file):
    return os.path.join(os.path.dirname(os.path.abspath(model_file)), LABELS_FILE)


def load_trained(path, flag="--model", hint=TRAINED_HINT):
    """Load a fine-tuned model (safe mode) and the `labels.json` that must lie beside it.

    Args:
        path: `OUT/model.keras` of `audiozoo finetune`.
        flag: names the model in errors.
        hint: how to get a good model file.

    Returns:
        `(model, labels)`: labels holds `class_names`, `sample_rate`,
        `clip_samples` and the training `seed` (checked against the model).

    Example:
        >>> model, labels = load_trained("runs/a/model.keras")
    """
    model = load_keras_file(flag, path, hint)
    labels_path = _labels_path(path)
    if not os.path.isfile(labels_path):
        raise UsageError(f"{labels_path!r} is missing.", hint=LABELS_HINT)
    labels = read_json(labels_path, "labels file", LABELS_HINT)
    check_labels(labels, labels_path, model, LABELS_HINT)
    return model, labels


def load_classifier(flag, path, hint=CLASSIFIER_HINT):
    """Load a finetune output folder or a `.keras` file, and its `labels.json` when present.

    Args:
        flag: names the model in errors (`--model`, or `model` for the HEAR API).
        path: a folder holding `model.keras`, a `.keras` file, or a published
            network's name (`musicnn:mtt`: `applications.trained.pretrained`).
        hint: how to get a good model.

    Returns:
        `(model, labels_or_None, model_file)`; labels are checked against the model.

    Example:
        >>> model, labels, file = load_classifier("--model", "runs/chords")
    """
    if is_pretrained(path) and not os.path.exists(path):
        # A published network by name (`musicnn:mtt`), not a file.
        model, labels = load_pretrained(flag, path)
        return model, labels, path
    file = os.path.join(path, "model.keras") if os.path.isdir(path) else path
    if os.path.isdir(path) and not os.path.isfile(file):
        raise UsageError(f"{flag} {path!r} is a folder without model.keras.", hint=hint)
    if os.path.isfile(_labels_path(file)):
        model, labels = load_trained(file, flag)
        return model, labels, file
    return load_keras_file(flag, file, hint), None, file
