"""float16 weights in a float32 `.tflite` file, and a dynamic-range file's front end back in float.

The converter's own float16 option casts every float constant, so the log-mel's
`max(S, 1e-10)` floor becomes `max(S, 0)` (1e-10 is below float16's smallest
subnormal) and silent frames give `log(0) = -inf`, then NaN. Here only weight
matrices (any constant of rank >= 2: kernels, the mel filterbank's blocks, the DFT's
matrices) and constants of at least `MIN_ELEMENTS` values (the window) are stored as
float16, each behind a DEQUANTIZE op that restores float32 at load time; scalars and
short vectors (floors, scales, biases) stay float32.
"""

import numpy as np

__all__ = ["MIN_ELEMENTS", "float_front_end", "to_float16"]

MIN_ELEMENTS = 1024  # the converter's threshold for quantising weights (dynamic range)


def _opcode(model, schema, code):
    for index, entry in enumerate(model.operatorCodes):
        if max(entry.builtinCode, entry.deprecatedBuiltinCode) == code:
            return index
    entry = schema.OperatorCodeT()
    entry.builtinCode, entry.deprecatedBuiltinCode, entry.version = code, code, 3
    model.operatorCodes.append(entry)
    return len(model.operatorCodes) - 1


def to_float16(blob):
    """The `.tflite` bytes `blob` with its large float32 constants stored as float16.

    Args:
        blob: a float32 `.tflite` file's bytes.

    Returns:
        The new bytes: about half the size; outputs within float16 rounding of the weights.
    """
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(blob))
    dequantize = _opcode(model, schema, schema.BuiltinOperator.DEQUANTIZE)
    halves = {}  # buffer index -> its float16 buffer (subgraphs share weights)
    for graph in model.subgraphs:
        added = []
        for index, tensor in enumerate(list(graph.tensors)):
            data = model.buffers[tensor.buffer].data if tensor.buffer else None
            if tensor.type != schema.TensorType.FLOAT32 or data is None:
                continue
            if len(data) // 4 < MIN_ELEMENTS and len(tensor.shape) < 2:
                continue
            if tensor.buffer not in halves:
                values = np.frombuffer(bytes(data), np.float32).astype(np.float16)
                half = schema.BufferT()
                half.data = np.frombuffer(values.tobytes(), np.uint8)
                model.buffers.append(half)
                halves[tensor.buffer] = len(model.buffers) - 1
            stored = schema.TensorT()
            stored.shape, stored.type = tensor.shape, schema.TensorType.FLOAT16
            stored.buffer, stored.name = halves[tensor.buffer], _name(tensor) + "_float16"
            graph.tensors.append(stored)
            tensor.buffer = 0  # now an activation: the DEQUANTIZE op's float32 output
            op = schema.OperatorT()
            op.opcodeIndex, op.inputs = dequantize, [len(graph.tensors) - 1]
            op.outputs = [index]
            added.append(op)
        graph.operators = added + list(graph.operators)  # before every consumer
    for old in halves:  # the float32 copies are no longer read
        model.buffers[old].data = None
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _name(tensor):
    return tensor.name.decode() if isinstance(tensor.name, bytes) else str(tensor.name)


def float_front_end(blob):
    """A dynamic-range `.tflite` file with its front end's int8 weights made float32 again.

    Dynamic-range quantisation also stores the mel matrix as int8 and quantises
    the power spectrum on the fly, flooring quiet bands before the log. Here each
    int8 constant of the front end (`ops.front_end_tensors`' ops) is replaced by its
    dequantised float32 values, so those ops run float kernels.
    """
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    from applications.export.ops import front_end_ops

    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(blob))
    done = {}
    for graph, op in front_end_ops(model):
        for index in op.inputs if op.inputs is not None else []:
            tensor = graph.tensors[int(index)]
            if tensor.type != schema.TensorType.INT8 or not tensor.buffer:
                continue
            if model.buffers[tensor.buffer].data is None and tensor.buffer not in done:
                continue
            if tensor.buffer not in done:
                q = tensor.quantization
                values = np.frombuffer(bytes(model.buffers[tensor.buffer].data), np.int8)
                values = values.reshape(tensor.shape).astype(np.float32)
                shape = [1] * values.ndim
                if len(q.scale) > 1:
                    shape[q.quantizedDimension] = -1
                scale = np.asarray(q.scale, np.float32).reshape(shape)
                zero = np.asarray(q.zeroPoint, np.float32).reshape(shape)
                floats = ((values - zero) * scale).astype(np.float32)
                model.buffers[tensor.buffer].data = np.frombuffer(floats.tobytes(), np.uint8)
                done[tensor.buffer] = True
            tensor.type, tensor.quantization = schema.TensorType.FLOAT32, None
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))
