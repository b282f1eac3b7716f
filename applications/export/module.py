"""The exported model: a Keras `ExportArchive` with `serving_default` (probabilities),
`embed` and `metadata` signatures, over the trained classifier and its embedding network.

Inputs are raw waveforms `(batch, samples)` float32 at the model's sample rate.
A clip of any length is centre-cropped or zero-padded to the model's clip
length inside the graph, exactly as `audiozoo predict` prepares files; the
TFLite export takes the clip length itself (`(batch, clip_samples)`).
`ExportArchive`, not a bare `tf.Module`: it tracks the Keras 3 variables so the
TFLite converter can freeze them (a bare module leaves uninitialised
`VAR_HANDLE` ops that read garbage).
"""

import json

import keras
import tensorflow as tf

__all__ = ["build_archive", "centre_fit", "metadata_dict", "TFLITE_ENDPOINT", "TFLITE_SIGNATURES"]

# signature -> its outputs, over the one converted function `TFLITE_ENDPOINT`
TFLITE_SIGNATURES = {"serving_default": ("probabilities",), "embed": ("embedding",)}
TFLITE_ENDPOINT = "serving_default"  # the one converted function, with both outputs


def centre_fit(waveforms, length):
    """Centre-crop or zero-pad `(batch, samples)` to `(batch, length)` (`zoo.audio.fix_length`)."""
    n = tf.shape(waveforms)[1]
    slack = tf.abs(n - length)
    offset = slack // 2
    cropped = waveforms[:, offset : offset + length]
    padded = tf.pad(waveforms, [[0, 0], [offset, slack - offset]])
    out = tf.cond(n >= length, lambda: cropped, lambda: padded)
    return tf.ensure_shape(out, [None, length])


def metadata_dict(class_names, sample_rate, clip_samples, embedding_size):
    """What every export carries: labels, rate, clip length, embedding size, signatures."""
    return {
        "class_names": list(class_names),
        "sample_rate": int(sample_rate),
        "clip_samples": int(clip_samples),
        "embedding_size": int(embedding_size),
        "inputs": "waveform (batch, samples) float32 in [-1, 1] at sample_rate",
        "signatures": {
            "serving_default": "waveform -> probabilities (batch, classes)",
            "embed": "waveform -> embedding (batch, embedding_size)",
            "metadata": "() -> class_names, sample_rate, json (SavedModel only)",
        },
    }


def build_archive(classifier, embedder, metadata, length=None):
    """An `ExportArchive` with the waveform signatures.

    Args:
        classifier: Keras model, `(batch, clip_samples)` waveform -> probabilities.
        embedder: Keras model, same input -> `(batch, D)` embeddings.
        metadata: from `metadata_dict`.
        length: input samples; None: any length (SavedModel), else the TFLite window,
            with one endpoint `TFLITE_ENDPOINT` giving both outputs.

    Returns:
        A `keras.export.ExportArchive` (call `write_out(path)`).
    """
    clip = int(metadata["clip_samples"])
    spec = [tf.TensorSpec([None, length], tf.float32, name="waveform")]
    archive = keras.export.ExportArchive()
    archive.track(classifier)
    archive.track(embedder)

    def serving_default(waveform):
        probs = classifier(centre_fit(waveform, clip), training=False)
        return {"probabilities": tf.cast(probs, tf.float32)}

    def embed(waveform):
        emb = embedder(centre_fit(waveform, clip), training=False)
        return {"embedding": tf.cast(emb, tf.float32)}

    def metadata_fn():
        return {
            "class_names": tf.constant(metadata["class_names"]),
            "sample_rate": tf.constant(metadata["sample_rate"], tf.int64),
            "json": tf.constant(json.dumps(metadata)),
        }

    def both(waveform):
        return {**serving_default(waveform), **embed(waveform)}

    if length is not None:
        # TFLite: one function, one subgraph; `writer` splits it into the two
        # signatures, which then share every op and tensor (a second subgraph
        # would repeat the whole graph's structure in the file).
        archive.add_endpoint(TFLITE_ENDPOINT, both, input_signature=spec)
        return archive
    archive.add_endpoint("serving_default", serving_default, input_signature=spec)
    archive.add_endpoint("embed", embed, input_signature=spec)
    archive.add_endpoint("metadata", metadata_fn, input_signature=[])
    return archive
