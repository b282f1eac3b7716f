"""Write a `ServingModule` as a SavedModel folder or a `.tflite` file, atomically.

The SavedModel takes any batch and any length. The TFLite file takes
`(batch, clip_samples)`: its shape signature keeps the batch free (resize the
input for more than one clip), and its flatbuffer carries the metadata JSON
under the name `audiozoo` (`read_tflite_metadata`). `quantize="dynamic"` stores
the weights as int8 (dynamic-range quantisation); activations stay float.
"""

import json
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

from applications.atomic_io import atomic_path

__all__ = ["write_saved_model", "tflite_bytes", "write_tflite", "read_tflite_metadata"]

METADATA_NAME = "audiozoo"


def write_saved_model(archive, out, metadata):
    """Write `archive` (an `ExportArchive`) to the folder `out` (replaced only when complete).

    The metadata JSON is also written to `out/assets.extra/audiozoo.json`.
    """
    out = os.path.abspath(out)
    if os.path.isdir(out) and os.listdir(out):
        if not os.path.isfile(os.path.join(out, "saved_model.pb")):
            raise ValueError(
                f"{out!r} is a non-empty folder that is not a SavedModel; not replaced."
            )
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-export-", dir=parent)
    try:
        shutil.rmtree(tmp)  # write_out wants a new folder
        archive.write_out(tmp, verbose=False)
        os.makedirs(os.path.join(tmp, "assets.extra"), exist_ok=True)
        with open(os.path.join(tmp, "assets.extra", "audiozoo.json"), "w") as f:
            json.dump(metadata, f, indent=2)
        if os.path.isdir(out):
            old = tempfile.mkdtemp(prefix=".old-export-", dir=parent)
            os.replace(out, os.path.join(old, "model"))
            os.replace(tmp, out)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
    return out


def _with_metadata(blob, metadata):
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(blob))
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(json.dumps(metadata).encode("utf-8"), np.uint8)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = [*(model.metadata or []), entry]
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def tflite_bytes(archive, metadata, quantize=None):
    """The TFLite flatbuffer of `archive` (built with the clip length), builtin ops only.

    Args:
        archive: an `ExportArchive` from `build_archive(..., length=clip_samples)`.
        metadata: the dict stored in the file.
        quantize: None (float32) or `"dynamic"` (int8 weights).

    Returns:
        The `.tflite` bytes.
    """
    from applications.export.module import TFLITE_SIGNATURES

    with tempfile.TemporaryDirectory(prefix="audiozoo-tflite-") as tmp:
        folder = os.path.join(tmp, "saved")
        archive.write_out(folder, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(
            folder, signature_keys=list(TFLITE_SIGNATURES)
        )
        if quantize == "dynamic":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        blob = converter.convert()
    return _with_metadata(blob, metadata)


def write_tflite(blob, out):
    """Write the bytes `blob` to `out` (temp file, then rename)."""
    with atomic_path(out) as tmp:
        with open(tmp, "wb") as f:
            f.write(blob)
    return out


def read_tflite_metadata(path_or_bytes):
    """The metadata dict stored in a `.tflite` file by `tflite_bytes`, or None."""
    from tensorflow.lite.tools import flatbuffer_utils

    blob = path_or_bytes
    if isinstance(path_or_bytes, (str, os.PathLike)):
        with open(path_or_bytes, "rb") as f:
            blob = f.read()
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(blob))
    for entry in model.metadata or []:
        name = entry.name.decode() if isinstance(entry.name, bytes) else entry.name
        if name == METADATA_NAME:
            return json.loads(bytes(model.buffers[entry.buffer].data).decode("utf-8"))
    return None
