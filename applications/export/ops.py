"""What a `.tflite` file runs: its operators, whether each is a builtin, and in which type.

Read from the flatbuffer itself (no interpreter, so a file with Flex or custom
ops is inspected as well as a clean one). The front end is every op that feeds
a LOG op (the spectrogram and its log); the rest is the network. An operator's
type is that of its first input tensor: `CONV_2D int8` runs an integer kernel, `CONV_2D float32` a
float one; `QUANTIZE float32` is where float activations enter the integer part.
"""

import collections

__all__ = [
    "NETWORK_OPS",
    "custom_ops",
    "float_network_ops",
    "front_end_ops",
    "front_end_tensors",
    "op_types",
]

# The ops whose float kernels hold the network's weights: int8 export needs them integer.
NETWORK_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "BATCH_MATMUL", "TRANSPOSE_CONV")


def _model(blob):
    from tensorflow.lite.tools import flatbuffer_utils

    return flatbuffer_utils.convert_bytearray_to_object(bytearray(blob))


def _names():
    from tensorflow.lite.python import schema_py_generated as schema

    codes = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    types = {v: k.lower() for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    return codes, types


def _code_name(code, codes):
    builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
    name = codes.get(builtin, f"BUILTIN_{builtin}")
    if name == "CUSTOM":
        custom = code.customCode
        return "CUSTOM:" + (custom.decode() if isinstance(custom, bytes) else str(custom))
    return name


def _subgraph(model, signature):
    for sig in model.signatureDefs or []:
        key = sig.signatureKey.decode() if isinstance(sig.signatureKey, bytes) else sig.signatureKey
        if key == signature:
            return model.subgraphs[sig.subgraphIndex]
    return model.subgraphs[0]


def op_types(blob, signature="serving_default"):
    """What `signature`'s subgraph runs, front end (ops up to each LOG) and network apart.

    Args:
        blob: the `.tflite` bytes.
        signature: the signature whose subgraph is counted (the first subgraph if absent).

    Returns:
        `{"front_end": {"RFFT2D float32": 1, ...}, "network": {"CONV_2D int8": 8, ...}}`.
    """
    model = _model(blob)
    codes, types = _names()
    graph = _subgraph(model, signature)
    front = _front_end(model, graph, codes)
    counts = {"front_end": collections.Counter(), "network": collections.Counter()}
    for index, op in enumerate(graph.operators):
        name = _code_name(model.operatorCodes[op.opcodeIndex], codes)
        inputs = [i for i in (op.inputs if op.inputs is not None else []) if i >= 0]
        kind = types.get(graph.tensors[inputs[0]].type, "?") if inputs else "none"
        counts["front_end" if index in front else "network"][f"{name} {kind}"] += 1
    return {part: dict(count) for part, count in counts.items()}


def custom_ops(blob):
    """The names of every non-builtin operator in the file (Flex ops are custom ones)."""
    model = _model(blob)
    codes, _ = _names()
    names = {_code_name(code, codes) for code in model.operatorCodes}
    return sorted(name for name in names if name.startswith("CUSTOM:"))


def float_network_ops(types):
    """The weight-holding ops of `op_types(...)["network"]` that still run in float."""
    return sorted(
        key for key in types if key.split()[0] in NETWORK_OPS and key.split()[1] == "float32"
    )


def _front_end(model, graph, codes):
    """Indices of the ops that feed a LOG op, and of the LOG ops, in `graph`."""
    producer = {}
    for index, op in enumerate(graph.operators):
        for tensor in op.outputs if op.outputs is not None else []:
            producer[int(tensor)] = index
    stack = [
        index
        for index, op in enumerate(graph.operators)
        if _code_name(model.operatorCodes[op.opcodeIndex], codes) == "LOG"
    ]
    seen = set()
    while stack:
        index = stack.pop()
        if index in seen:
            continue
        seen.add(index)
        inputs = graph.operators[index].inputs
        stack += [producer[int(t)] for t in (inputs if inputs is not None else []) if t in producer]
    return seen


def front_end_ops(model):
    """`(subgraph, op)` of every front-end op of a flatbuffer object `model`."""
    codes, _ = _names()
    for graph in model.subgraphs:
        for index in sorted(_front_end(model, graph, codes)):
            yield graph, graph.operators[index]


def front_end_tensors(blob):
    """Output tensor names of the front end's ops (`_front_end`) in every subgraph.

    These make the spectrogram and its log: what int8 export keeps float.
    """
    model = _model(blob)
    codes, _ = _names()
    names = []
    for graph in model.subgraphs:
        for index in _front_end(model, graph, codes):
            for tensor in graph.operators[index].outputs:
                name = graph.tensors[int(tensor)].name
                names.append(name.decode() if isinstance(name, bytes) else name)
    return names
