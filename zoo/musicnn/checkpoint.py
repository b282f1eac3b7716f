"""Load the official musicnn TF1 checkpoints into the Keras models, by variable name.

The Keras layers carry the official variable scopes as names (`conv2d`,
`batch_normalization_3`, `dense_1`, `1CNN`, ...), so checkpoint key
`conv2d/kernel` is layer `conv2d`'s kernel (same `[h, w, in, out]` layout) and a
BN layer reads `gamma, beta, moving_mean, moving_variance`. Adam slots and step
counters are ignored. Every shape is checked before anything is assigned.
"""

import os

import numpy as np
import tensorflow as tf

from zoo.validation import argument_error
from zoo.weights import musicnn_wheel

__all__ = ["NAMED_WEIGHTS", "load_checkpoint", "read_checkpoint", "resolve_weights"]

NAMED_WEIGHTS = ("mtt", "msd")
_SLOTS = ("Adam", "beta1_power", "beta2_power", "global_step")
_BN = ("gamma", "beta", "moving_mean", "moving_variance")


def read_checkpoint(prefix):
    """`{name: array}` of a TF1 checkpoint's model variables (no optimizer slots).

    Raises:
        ValueError: a missing, truncated or foreign checkpoint, naming the files.
    """
    try:
        reader = tf.compat.v1.train.NewCheckpointReader(prefix)
        names = [n for n in reader.get_variable_to_shape_map() if not any(s in n for s in _SLOTS)]
        return {n: reader.get_tensor(n) for n in sorted(names)}
    except (tf.errors.OpError, ValueError, OSError, IndexError, RuntimeError) as e:
        detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise argument_error(
            "weights",
            prefix,
            f"Cannot read the TF1 checkpoint {prefix}.index / {prefix}.data-00000-of-00001 "
            f"({detail}); it is missing, truncated or not a checkpoint. Fetch it again with "
            "zoo.musicnn.fetch_weights().",
        ) from None


def _checkpoint_in(folder, arch, dataset):
    """The checkpoint prefix inside `folder`: itself, or `<folder>/<DATASET>_<arch>/`."""
    if os.path.isfile(os.path.join(folder, ".index")):
        return os.path.join(folder, "")
    sub = os.path.join(folder, f"{dataset.upper()}_{arch}")
    if os.path.isfile(os.path.join(sub, ".index")):
        return os.path.join(sub, "")
    raise argument_error(
        "weights",
        folder,
        f"{folder} holds no musicnn checkpoint (neither {folder}/.index nor {sub}/.index).",
    )


def resolve_weights(weights, arch):
    """What `weights=` names, before building: `None`, `("h5", path)` or `("tf1", prefix)`.

    Args:
        weights: `None`, `"mtt"`, `"msd"`, a `.weights.h5` file, the musicnn wheel
            (installed into the cache; loads its MTT checkpoint), the wheel's
            `musicnn/` folder or the cache folder (MTT), or one checkpoint folder.
        arch: `"musicnn"` or `"vgg"`.
    """
    if weights is None:
        return None
    if isinstance(weights, str) and weights.lower() in NAMED_WEIGHTS:
        root = musicnn_wheel.fetch_weights()
        return "tf1", _checkpoint_in(root, arch, weights.lower())
    if not isinstance(weights, (str, os.PathLike)) or not os.path.exists(weights):
        raise argument_error(
            "weights",
            weights,
            "`weights` must be None, 'mtt', 'msd', the musicnn wheel "
            f"({musicnn_wheel.WHEEL}), a folder holding its checkpoints, or a `.weights.h5` "
            "file.",
        )
    path = os.fspath(weights)
    if path.endswith(".weights.h5"):
        return "h5", path
    if path.endswith(".whl"):
        return "tf1", _checkpoint_in(musicnn_wheel.fetch_weights(wheel=path), arch, "mtt")
    if os.path.isdir(path):
        return "tf1", _checkpoint_in(path, arch, "mtt")
    if os.path.isfile(path + ".index"):  # a checkpoint prefix
        return "tf1", path
    raise argument_error("weights", weights, "Not a wheel, folder or weights file.")


def _plan(layer, values, used, source):
    names = _BN if type(layer).__name__ == "BatchNormalization" else ("kernel", "bias")
    plan = []
    for variable, short in zip(layer.weights, names):
        key = f"{layer.name}/{short}"
        if key not in values:
            raise argument_error("weights", source, f"The checkpoint has no {key!r}.")
        if tuple(values[key].shape) != tuple(variable.shape):
            raise argument_error(
                "weights",
                source,
                f"{key!r} has shape {values[key].shape}; layer {layer.name!r} needs "
                f"{tuple(variable.shape)} (the published models take 96 mel bands and, with "
                "the top, 50 classes; use include_top=False for other classes).",
            )
        plan.append((variable, values[key]))
        used.add(key)
    return plan


def load_checkpoint(model, prefix, head=("dense", "dense_1", "batch_normalization_10")):
    """Assign a TF1 checkpoint's variables to `model`'s layers by name; return `model`.

    Args:
        model: a `musicnn` or `musicnn_vgg` model.
        prefix: the checkpoint prefix (`.../MTT_musicnn/`).
        head: scopes a model without its top may leave unused.

    Raises:
        ValueError: a missing variable, a shape mismatch, or variables the model
            has no layer for (a checkpoint of the other architecture).
    """
    values = read_checkpoint(prefix)
    plan, used = [], set()
    for layer in model.layers:
        if layer.weights:
            plan += _plan(layer, values, used, prefix)
    extra = sorted(
        k
        for k in values
        if k not in used and k.split("/")[0] not in head + ("batch_normalization_9",)
    )
    if extra:
        raise argument_error(
            "weights",
            prefix,
            f"The checkpoint has variables the {model.name!r} model has no layer for "
            f"({', '.join(extra[:4])}{', ...' if len(extra) > 4 else ''}): it is for another "
            "architecture.",
        )
    for variable, value in plan:
        variable.assign(np.asarray(value, dtype=variable.dtype))
    return model
