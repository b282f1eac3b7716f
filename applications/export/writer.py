"""Write a `ServingModule` as a SavedModel folder or a `.tflite` file, atomically.

The SavedModel takes any batch and any length. The TFLite file takes
`(batch, clip_samples)`: its shape signature keeps the batch free (resize the
input for more than one clip), and its flatbuffer carries the metadata JSON
under the name `audiozoo` (`read_tflite_metadata`). It holds the graph once, as one
subgraph with two outputs; its signatures `serving_default` and `embed` each name
one of them. `quantize="dynamic"` stores
the network's weights as int8 (dynamic-range quantisation; activations stay float;
the front end's mel matrix is restored to float32),
`"float16"` stores them as float16, and `"int8"` quantises weights and
activations on a representative set (full-integer post-training quantisation),
except the front end (the spectrogram and its log), which computes in float32
from float16-stored constants.
"""

import copy
import json
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

from applications.atomic_io import atomic_path
from applications.export.float16 import float_front_end, to_float16

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


def tflite_bytes(archive, metadata, quantize=None, calibration=None, signatures=None):
    """The TFLite flatbuffer of `archive` (built with the clip length), builtin ops only.

    Args:
        archive: an `ExportArchive` from `build_archive(..., length=clip_samples)`.
        metadata: the dict stored in the file.
        quantize: None (float32), `"dynamic"` (int8 weights, float activations),
            `"float16"` (float16 weights) or `"int8"` (int8 weights and activations
            wherever TFLite has an integer kernel; input and output stay float32).
        calibration: the representative set of `"int8"`: `(clips, clip_samples)`
            float32 waveforms, or a list of the endpoint's input dicts.
        signatures: the file's signatures, each naming its outputs of the one
            converted function; None: `module.TFLITE_SIGNATURES`.

    Returns:
        The `.tflite` bytes.
    """
    from applications.export.module import TFLITE_ENDPOINT

    with tempfile.TemporaryDirectory(prefix="audiozoo-tflite-") as tmp:
        folder = os.path.join(tmp, "saved")
        archive.write_out(folder, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(
            folder, signature_keys=[TFLITE_ENDPOINT]
        )
        if quantize in ("dynamic", "int8"):
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if quantize == "int8":
            converter.representative_dataset = _representative(calibration)
            converter.target_spec.supported_ops = [
                tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
                tf.lite.OpsSet.TFLITE_BUILTINS,
            ]
            # The float front end's constants (window, DFT and mel matrices) are stored
            # as float16.
            return _finish(to_float16(_integer(converter)), metadata, signatures)
        blob = converter.convert()
    if quantize == "float16":
        blob = to_float16(blob)
    elif quantize == "dynamic":
        blob = float_front_end(blob)
    return _finish(blob, metadata, signatures)


def _finish(blob, metadata, signatures):
    """The file's signatures split over its one subgraph, and its metadata, in one pass."""
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(blob))
    _split_signatures(model, signatures)
    _add_metadata(model, metadata)
    _short_names(model)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _short_names(model):
    """Cut each tensor name the converter joined from its fused ops to the first.

    `conv/Relu;bn/add_1;conv/convolution;bn/sub` names one tensor by every op fused
    into it: about 4 % of a small int8 file. The first names it as well (the output's
    op); signatures address tensors by index, so nothing reads the rest.
    """
    for graph in model.subgraphs:
        for tensor in graph.tensors:
            name = _text(tensor.name) or ""
            if ";" in name:
                tensor.name = name.split(";")[0]


def _split_signatures(model, signatures=None):
    """Make the converted function's one signature `signatures` over its one subgraph.

    By default `serving_default` names the probabilities and `embed` the
    embedding (`module.TFLITE_SIGNATURES`); both run the same ops, so the file
    holds the graph once. `model` is a flatbuffer object, changed in place.
    """
    from applications.export.module import TFLITE_SIGNATURES

    (both,) = model.signatureDefs
    model.signatureDefs = []
    for key, outputs in (signatures or TFLITE_SIGNATURES).items():
        signature = copy.deepcopy(both)
        signature.signatureKey = key
        signature.outputs = [t for t in both.outputs if _text(t.name) in outputs]
        model.signatureDefs.append(signature)


def _add_metadata(model, metadata):
    """Store `metadata` as JSON under `METADATA_NAME` in the flatbuffer object `model`."""
    from tensorflow.lite.python import schema_py_generated as schema

    buffer = schema.BufferT()
    buffer.data = np.frombuffer(json.dumps(metadata).encode("utf-8"), np.uint8)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = [*(model.metadata or []), entry]


def _text(name):
    return name.decode() if isinstance(name, bytes) else name


def _integer(converter):
    """Calibrate, then quantise every op but the front end (the ops up to each LOG).

    int8 power spectra would floor every quiet bin to zero before the log, so the
    front end stays float (as `tf.lite.experimental.QuantizationDebugger` does for
    its denylisted nodes, through the same `mlir_quantize`).
    """
    from tensorflow.lite.python import convert

    from applications.export.ops import front_end_tensors

    converter.experimental_mlir_quantizer = True
    converter._experimental_calibrate_only = True  # noqa: SLF001 (the debugger's path)
    calibrated = converter.convert()
    return convert.mlir_quantize(calibrated, denylisted_nodes=front_end_tensors(calibrated))


def _representative(clips):
    """The converter's calibration feed: one clip (or one dict of inputs) at a time."""
    from applications.export.module import TFLITE_ENDPOINT

    def feed():
        for clip in clips:
            inputs = clip if isinstance(clip, dict) else {"waveform": clip[None]}
            yield TFLITE_ENDPOINT, {k: np.asarray(v, np.float32) for k, v in inputs.items()}

    return feed


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
