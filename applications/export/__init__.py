"""Export a trained classifier for serving: SavedModel (any batch, any length) or TFLite.

Both take raw waveforms and give probabilities (`serving_default`) and
embeddings (`embed`, the input of the last dense layer: `applications.trained.embedding`);
both carry the class names and sample rate. `run_tflite` runs a `.tflite` file in
the TFLite interpreter (parity checks, the quantisation report). `flow.export_model`
is all of `audiozoo export` after its flag checks: write, run back, compare.

Example:
    >>> parts = serving_parts(keras_model, labels)
    >>> write_saved_model(build_archive(*parts), "exported/", parts[2])
"""

import numpy as np

from applications.export.module import build_archive, centre_fit, metadata_dict
from applications.export.writer import (
    read_tflite_metadata,
    tflite_bytes,
    write_saved_model,
    write_tflite,
)

__all__ = [
    "build_archive",
    "interpreter",
    "serving_parts",
    "centre_fit",
    "metadata_dict",
    "read_tflite_metadata",
    "run_tflite",
    "tflite_bytes",
    "write_saved_model",
    "write_tflite",
]


def serving_parts(model, labels=None, where="model"):
    """The classifier, its embedding network and the metadata of a waveform classifier.

    Args:
        model: a Keras classifier on `(batch, clip_samples)` waveforms.
        labels: its `labels.json` dict (class names, sample rate), or None.
        where: names the model in errors.

    Returns:
        `(classifier, embedder, metadata)`, the arguments of `build_archive`.
    """
    from applications.errors import UsageError
    from applications.trained.embedding import audio_embedder

    shape = model.input_shape
    outputs = model.output_shape
    if isinstance(outputs, list) or (len(outputs) == 3 and isinstance(shape, tuple)):
        kind = _kind(shape, outputs)
        raise UsageError(
            f"{where}: {model.name!r} is {kind}; export writes clip classifiers and taggers "
            "(waveform -> one probability per class), so it is not exported."
        )
    if not (isinstance(shape, tuple) and len(shape) == 2 and shape[1]):
        raise UsageError(
            f"{where}: {model.name!r} takes {shape}; export needs a classifier on raw waveforms "
            "of a fixed length (batch, samples), such as `audiozoo finetune`'s model.keras."
        )
    embedder, rate = audio_embedder(model, labels, where)
    outputs = int(model.output_shape[-1])
    names = (labels or {}).get("class_names") or [f"class_{i}" for i in range(outputs)]
    meta = metadata_dict(names, rate, shape[1], int(embedder.output.shape[-1]))
    return model, embedder, meta


def _kind(shape, outputs):
    """What a model that is not a clip classifier is, for the refusal."""
    if isinstance(outputs, list) or (len(shape) == 2 and outputs[-1] is None):
        return f"a source separator (output {outputs}: waveforms per source)"
    return f"a frame-wise event model (output {outputs}: probabilities per frame)"


def interpreter(blob):
    """A `tf.lite.Interpreter` of a `.tflite` file's bytes or path."""
    import warnings

    import tensorflow as tf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        if isinstance(blob, (bytes, bytearray)):
            return tf.lite.Interpreter(model_content=bytes(blob))
        return tf.lite.Interpreter(model_path=str(blob))


def run_tflite(blob, waveforms, signature="serving_default"):
    """Run a `.tflite` file's (bytes or path) `signature` on `(batch, clip_samples)` waveforms.

    Returns:
        The signature's single output as a NumPy array.
    """
    runner = interpreter(blob).get_signature_runner(signature)
    waveforms = np.asarray(waveforms, np.float32)
    (output,) = runner(waveform=waveforms).values()
    return np.asarray(output)
