"""A clip classifier as a streaming TFLite signature: one hop of audio per call, its context kept.

The signature `stream` takes `audio (1, hop)` and `context (1, clip - hop)`,
the previous call's `context` output (zeros before the first call), and gives
`probabilities (1, classes)` of the window ending with this hop (the context
and the new audio, `clip` samples) and the new `context`, that window's last
`clip - hop` samples. The ring buffer is an explicit input and output, not a
TFLite variable, so every runtime runs it with builtin ops only.

Call `m` (from 0) classifies the samples `[(m + 1) * hop - clip, (m + 1) * hop)`
of the stream; when `hop` divides `clip`, that is `audiozoo predict --window
CLIP --hop HOP`'s window `m + 1 - clip / hop`, and the first `clip / hop - 1`
calls see the zero context in front of the stream. Each call runs the whole
window through the model (the compact CNNs end in a global pool over the clip,
so windows share no computation worth keeping).
"""

import keras
import numpy as np
import tensorflow as tf

from applications.export.module import TFLITE_ENDPOINT

__all__ = [
    "STREAM_SIGNATURES",
    "build_stream_archive",
    "calibration_feed",
    "run_stream",
    "stream_metadata",
]

STREAM_SIGNATURES = {"stream": ("probabilities", "context")}  # signature -> its outputs


def build_stream_archive(classifier, metadata, hop):
    """An `ExportArchive` with the one endpoint `tflite_bytes` converts, as the ring buffer.

    Args:
        classifier: Keras model, `(batch, clip_samples)` waveform -> probabilities.
        metadata: from `module.metadata_dict`; `clip_samples` is the window.
        hop: samples per call, at most the clip.

    Returns:
        A `keras.export.ExportArchive`.
    """
    clip = int(metadata["clip_samples"])
    archive = keras.export.ExportArchive()
    archive.track(classifier)

    def stream(audio, context):
        window = tf.concat([context, audio], axis=1)
        probs = classifier(window, training=False)
        return {"probabilities": tf.cast(probs, tf.float32), "context": window[:, hop:]}

    spec = [
        tf.TensorSpec([1, hop], tf.float32, name="audio"),
        tf.TensorSpec([1, clip - hop], tf.float32, name="context"),
    ]
    archive.add_endpoint(TFLITE_ENDPOINT, stream, input_signature=spec)
    return archive


def stream_metadata(meta, hop):
    """The export's metadata, its signatures those of the stream."""
    clip = int(meta["clip_samples"])
    signatures = {
        "stream": "audio (1, hop), context (1, clip - hop) -> probabilities, context: "
        "call m classifies the stream's samples [(m + 1) * hop - clip, (m + 1) * hop)"
    }
    stream = {"hop_samples": hop, "context_samples": clip - hop}
    return {**meta, "signatures": signatures, "stream": stream}


def calibration_feed(clips, hop):
    """int8's representative inputs of the stream: each clip as its context and last hop."""
    return [{"context": clip[None, :-hop], "audio": clip[None, -hop:]} for clip in clips]


def run_stream(blob, streams, hop):
    """Feed each row of `streams` to a streaming `.tflite` (bytes or path) a hop at a time.

    Each stream starts from a zero context; one interpreter serves them all.

    Args:
        blob: the file's bytes or path.
        streams: `(n, samples)` float32 audio.
        hop: samples per call.

    Returns:
        `(n, calls, classes)`: the probabilities after each whole hop (a last
        partial hop is not fed).
    """
    from applications.export import interpreter

    runner = interpreter(blob).get_signature_runner("stream")
    zeros = np.zeros(runner.get_input_details()["context"]["shape"], np.float32)
    results = []
    for audio in np.asarray(streams, np.float32):
        context, outputs = zeros, []
        for start in range(0, len(audio) - hop + 1, hop):
            result = runner(audio=audio[None, start : start + hop], context=context)
            context = result["context"]
            outputs.append(result["probabilities"][0])
        results.append(np.stack(outputs))
    return np.stack(results)
