"""A classifier as TFLite bytes with builtin ops only, or one line saying which op stops it.

`convert` builds the archive at the clip length, converts it (`writer.tflite_bytes`)
and checks the result: no custom or Flex op anywhere, and under int8 every
weight-holding op of the network integer. What the converter cannot lower is
named from its own message (`'tf.IRFFT' op is neither a custom op nor a flex op`),
not its thousands of lines of MLIR.
"""

import re

from applications.errors import UsageError
from applications.export.module import build_archive
from applications.export.ops import custom_ops, float_network_ops, op_types
from applications.export.stream import STREAM_SIGNATURES, build_stream_archive, calibration_feed
from applications.export.writer import tflite_bytes

__all__ = ["convert", "unsupported_ops"]

_UNSUPPORTED = re.compile(r"'(tf\.[A-Za-z0-9]+)' op is neither a custom op nor a flex op")
_TYPE = re.compile(r"tensor<[^>]*x?(f64|bf16|complex128)>")


def unsupported_ops(message):
    """The TensorFlow ops a converter error names as not lowerable, and any float64/bf16 type."""
    ops = sorted(set(_UNSUPPORTED.findall(message)))
    types = sorted(set(_TYPE.findall(message)))
    return ops, types


def convert(classifier, embedder, meta, quantize=None, calibration=None, where="model", hop=None):
    """`(blob, info)`: the `.tflite` bytes and what they run (`op_types`), or a `UsageError`.

    Args:
        classifier, embedder, meta: from `applications.export.serving_parts`.
        quantize: None, `"dynamic"`, `"float16"` or `"int8"`.
        calibration: the representative clips of `"int8"`.
        where: names the model in errors.
        hop: None, or samples per call of a streaming export (`stream.py`).
    """
    signatures = None
    if hop is None:
        archive = build_archive(classifier, embedder, meta, length=meta["clip_samples"])
    else:
        archive, signatures = build_stream_archive(classifier, meta, hop), STREAM_SIGNATURES
        if calibration is not None:
            calibration = calibration_feed(calibration, hop)
    try:
        blob = tflite_bytes(archive, meta, quantize, calibration, signatures)
    except Exception as error:  # the converter raises ConverterError with MLIR dumps
        ops, types = unsupported_ops(str(error))
        if not ops and not types:
            raise
        what = ", ".join(op.removeprefix("tf.") for op in ops) or "none by name"
        typed = f" on {', '.join(types)} tensors" if types else ""
        raise UsageError(
            f"{where}: TFLite has no builtin op for {what}{typed}; not exported.",
            hint="--format saved_model keeps every TensorFlow op",
        ) from None
    custom = custom_ops(blob)
    if custom:  # the converter was never asked for Flex ops; refuse if it made any
        raise UsageError(f"{where}: the TFLite file would need non-builtin ops {custom}.")
    info = op_types(blob)
    if quantize == "int8":
        left = float_network_ops(info["network"])
        if left:
            raise UsageError(
                f"{where}: int8 export left {left[0].split()[0]} in float (no integer kernel "
                "for it here), so the model is not fully integer; not exported.",
                hint="--quantize dynamic or float16 quantise its weights instead",
            )
    return blob, info
