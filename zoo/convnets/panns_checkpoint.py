"""Load the official PANNs `.pth` checkpoints (`Cnn14_mAP=0.431.pth`, ...) without torch.

`load_state_dict` assigns an official state dict to a `zoo.convnets.panns`
model by layer name (`conv_block1.conv1.weight` -> `conv_block1_conv1`),
converting layouts: Conv2d `(out, in, kh, kw)` -> `(kh, kw, in, out)`, Linear
`(out, in)` -> `(in, out)`, BN `weight, bias, running_mean, running_var` ->
`gamma, beta, moving_mean, moving_variance`. Every shape is checked before
any weight is assigned. The file is read by `zoo.weights.torch_pickle`.
"""

import os
import pickle
import re
import zipfile

import numpy as np

from zoo.weights.torch_pickle import read_torch_checkpoint
from zoo.validation import argument_error

__all__ = [
    "check_weights",
    "load_state_dict",
    "load_torch_checkpoint",
    "read_torch_checkpoint",
    "torch_key",
]

# Official keys this Keras model has no layer for: the frozen torchlibrosa front
# end (the model takes log-mels) and BN's step counters.
_FRONT_END = re.compile(r"^(spectrogram_extractor|logmel_extractor)\.|\.num_batches_tracked$")
# What a truncated or foreign file raises while being read.
_UNREADABLE = (
    pickle.UnpicklingError,
    zipfile.BadZipFile,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
)


def check_weights(weights):
    """Return `weights` (None or a `.weights.h5` / `.pth` / `.pt` file path) or raise."""
    if weights is None:
        return None
    if (
        not isinstance(weights, (str, os.PathLike))
        or not os.path.isfile(weights)
        or not os.fspath(weights).endswith((".weights.h5", ".pth", ".pt"))
    ):
        raise argument_error(
            "weights",
            weights,
            "`weights` must be None or the path of an existing file: a Keras `.weights.h5` "
            "saved from the same architecture, or an official PANNs `.pth` / `.pt` checkpoint.",
        )
    return os.fspath(weights)


def torch_key(layer_name):
    """The official module path of a Keras layer: `conv_block1_conv1` -> `conv_block1.conv1`."""
    return re.sub(r"^(conv_block\d+)_", r"\1.", layer_name)


def _converted(layer):
    prefix = torch_key(layer.name)
    kind = type(layer).__name__
    if kind == "Conv2D":
        return {"weight": lambda w: w.transpose(2, 3, 1, 0)}, prefix
    if kind == "Dense":
        return {"weight": lambda w: w.T, "bias": None}, prefix
    if kind == "BatchNormalization":
        return dict.fromkeys(("weight", "bias", "running_mean", "running_var")), prefix
    raise ValueError(f"Layer {layer.name!r} ({kind}) has no official counterpart.")


def load_state_dict(model, state_dict, source="state_dict"):
    """Assign an official PANNs state dict (NumPy arrays by torch key) to `model` by layer name.

    Args:
        model: a `cnn6`/`cnn10`/`cnn14` model.
        state_dict: `{"conv_block1.conv1.weight": array, ...}` (a `module.` prefix
            from `DataParallel` is stripped).
        source: what to call the state dict in error messages.

    Returns:
        `model`, every weighted layer assigned (or untouched on error).

    Raises:
        ValueError: a missing key, a shape mismatch, or weights of layers the
            model lacks (a checkpoint for another architecture).
    """
    state = {re.sub(r"^module\.", "", k): np.asarray(v) for k, v in state_dict.items()}
    plan, used = [], set()
    for layer in (layer for layer in model.layers if layer.weights):
        names, prefix = _converted(layer)
        for variable, (name, convert) in zip(layer.weights, names.items()):
            key = f"{prefix}.{name}"
            if key not in state:
                raise argument_error("weights", source, f"The checkpoint has no {key!r}.")
            value = convert(state[key]) if convert else state[key]
            if layer.name == "conv_block1_conv1" and value.shape[2] == 1 < variable.shape[2]:
                # A C-channel input repeats the mono kernel, scaled so C equal channels
                # give the mono output.
                value = np.repeat(value, variable.shape[2], axis=2) / variable.shape[2]
            if tuple(value.shape) != tuple(variable.shape):
                raise argument_error(
                    "weights",
                    source,
                    f"{key!r} has shape {state[key].shape}; layer {layer.name!r} needs "
                    f"{tuple(variable.shape)} (after the torch -> Keras transpose).",
                )
            plan.append((variable, value))
            used.add(key)
    head = r"^(fc1|fc_audioset)\."  # a backbone without top leaves these out
    extra = sorted(
        k for k in state if k not in used and not _FRONT_END.search(k) and not re.match(head, k)
    )
    if extra:
        raise argument_error(
            "weights",
            source,
            f"The checkpoint has weights this {model.name!r} model has no layer for "
            f"({', '.join(extra[:4])}{', ...' if len(extra) > 4 else ''}): it is for another "
            "architecture.",
        )
    for variable, value in plan:
        variable.assign(value.astype(variable.dtype))
    return model


def load_torch_checkpoint(model, path):
    """Read an official `.pth` checkpoint (its `"model"` entry) into `model`; return `model`."""
    try:
        checkpoint = read_torch_checkpoint(path)
    except _UNREADABLE as e:
        raise argument_error(
            "weights", str(path), f"Cannot read {path} as a torch checkpoint ({e})."
        ) from None
    state = checkpoint.get("model", checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise argument_error("weights", str(path), f"{path} holds no state dict.")
    return load_state_dict(model, state, source=str(path))
