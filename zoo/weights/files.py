"""Read weights files into a model's layers: Keras-2 HDF5 (by layer name), Keras 3
`.weights.h5` (by the order of same-class layers), keras-hub preset directories;
adapt an RGB first convolution to other channel counts (`adapt_input_conv`).

`load_pretrained` checks every tensor before assigning any, so a failed load
leaves the model untouched.
"""

import collections
import json
import math
import os
import re

import h5py
import numpy as np

from zoo.validation import argument_error
from zoo.weights.sources import weights_source

__all__ = ["adapt_input_conv", "load_pretrained", "read_weights", "read_preset"]


def adapt_input_conv(kernel, in_channels):
    """Adapt an RGB first-convolution kernel `(kh, kw, 3, out)` to `in_channels` inputs.

    One channel: the sum over RGB, so a grey input `x` gives exactly what the RGB
    kernel gives on `[x, x, x]`. Other counts (timm's `adapt_input_conv`): repeat
    the RGB kernels `ceil(C / 3)` times, keep the first `C`, scale by `3 / C`.

    Example:
        >>> adapt_input_conv(np.ones((3, 3, 3, 64)), 1).shape
        (3, 3, 1, 64)
    """
    kernel = np.asarray(kernel)
    if in_channels == kernel.shape[2]:
        return kernel
    if in_channels == 1:
        return kernel.sum(axis=2, keepdims=True)
    repeats = math.ceil(in_channels / kernel.shape[2])
    tiled = np.concatenate([kernel] * repeats, axis=2)[:, :, :in_channels]
    return tiled * (kernel.shape[2] / in_channels)


def _attr_list(group, name):
    """A list attribute as Keras 2 writes it, including its chunked form (`name0`, `name1`...)."""
    if name in group.attrs:
        values = list(group.attrs[name])
    else:
        values, i = [], 0
        while f"{name}{i}" in group.attrs:
            values.extend(group.attrs[f"{name}{i}"])
            i += 1
    return [v.decode("utf8") if hasattr(v, "decode") else str(v) for v in values]


def _snake(class_name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _layer_arrays(root, name, path):
    """The arrays a Keras-2 file lists for layer `name`, or a ValueError naming what is missing."""
    if name not in root:
        raise argument_error(
            "weights", str(path), f"{path} lists layer {name!r} but holds no group for it."
        )
    group = root[name]
    arrays = []
    for weight in _attr_list(group, "weight_names"):
        if weight not in group:
            raise argument_error(
                "weights",
                str(path),
                f"{path} lists weight {weight!r} of layer {name!r} but holds no such dataset: "
                "the file is incomplete or damaged.",
            )
        arrays.append(np.asarray(group[weight]))
    return arrays


def read_weights(path, model):
    """Read the arrays of a weights file for each layer of `model` that has weights.

    Args:
        path: a Keras-2 HDF5 weights file (matched by layer name) or a Keras 3
            `.weights.h5` file (matched by the order of same-class layers).
        model: the model whose layers name what to read.

    Returns:
        `{layer name: [arrays]}` for the model's layers found in the file.

    Raises:
        ValueError: the file is not HDF5 or not a weights file.
    """
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise argument_error(
            "weights", path, f"Cannot read {path} as an HDF5 weights file ({e})."
        ) from None
    found = {}
    with f:
        root = f["model_weights"] if "model_weights" in f else f
        layer_names = _attr_list(root, "layer_names")
        if layer_names:  # Keras 2 layout: one group per layer name.
            for layer in model.layers:
                if layer.weights and layer.name in layer_names:
                    found[layer.name] = _layer_arrays(root, layer.name, path)
        elif "layers" in f:  # Keras 3 layout: layers/<snake class name>[_<k>]/vars/<i>.
            seen = collections.Counter()
            file_counts = collections.Counter(
                re.sub(r"_\d+$", "", k) for k, g in f["layers"].items() if len(g.get("vars", ()))
            )
            model_counts = collections.Counter()
            for layer in model.layers:
                key = _snake(type(layer).__name__)
                index = seen[key]
                seen[key] += 1
                if not layer.weights:
                    continue
                model_counts[key] += 1
                name = key if index == 0 else f"{key}_{index}"
                if name in f["layers"] and "vars" in f["layers"][name]:
                    group = f["layers"][name]["vars"]
                    found[layer.name] = [np.asarray(group[str(i)]) for i in range(len(group))]
            for key, count in model_counts.items():
                # Order-keyed files are only meaningful when the sequences match.
                if file_counts[key] not in (0, count):
                    raise argument_error(
                        "weights",
                        str(path),
                        f"{path} holds {file_counts[key]} weighted {key!r} layers but "
                        f"{model.name!r} has {count}: it was saved from another architecture.",
                    )
        else:
            raise argument_error(
                "weights",
                str(path),
                f"{path} is HDF5 but not a Keras weights file (no `layer_names` attribute and "
                "no `layers` group).",
            )
    return found


def read_preset(directory, model, hub_config):
    """Read a keras-hub preset directory (`config.json` + `model.weights.h5`).

    Args:
        directory: the preset directory.
        model: the model whose layers name what to read.
        hub_config: `config.json` entries the preset must have (`class_name`
            and keys of its `config`); a false value also accepts an absent key.

    Returns:
        `{layer name: [arrays]}` as `read_weights` gives.

    Example:
        >>> read_preset("vgg_16_imagenet", zoo.vgg16(include_top=False), {"class_name": "VGGBackbone"})  # doctest: +SKIP
    """
    config_path = os.path.join(directory, "config.json")
    weights_path = os.path.join(directory, "model.weights.h5")
    for p in (config_path, weights_path):
        if not os.path.isfile(p):
            raise ValueError(f"{directory} is not a keras-hub preset: {p} is missing.")
    try:
        with open(config_path, encoding="utf-8") as f:
            config = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise argument_error(
            "weights", directory, f"The preset's {config_path} is not valid JSON ({error})."
        ) from None
    if not isinstance(config, dict) or not isinstance(config.get("config", {}), dict):
        raise argument_error(
            "weights",
            directory,
            f"The preset's {config_path} must hold a JSON object with a `config` object.",
        )
    if hub_config is None:
        raise argument_error(
            "weights", directory, f"{model.name!r} has no keras-hub preset layout."
        )
    got = {"class_name": config.get("class_name"), **config.get("config", {})}
    for key, want in hub_config.items():
        have = got.get(key)
        if isinstance(want, (list, tuple)):
            matches = have is not None and list(have) == list(want)
        else:  # A false `want` (e.g. include_rescaling=False) also accepts an absent key.
            matches = (have or None) == (want or None)
        if not matches:
            raise argument_error(
                "weights",
                directory,
                f"The preset in {directory} does not match {model.name!r}: its config has "
                f"{key}={have!r}, this model needs {want!r}.",
            )
    return read_weights(weights_path, model)


def load_pretrained(model, weights, *, arch=None, input_conv=None, hub_config=None):
    """Load `weights` into `model` (the forms of `zoo.weights.sources.weights_source`).

    Args:
        model: a zoo model built with the file's layer names.
        weights: `None`, `"imagenet"`, a file or preset directory path, or a `kaggle://` handle.
        arch: key into `IMAGENET_WEIGHTS` (with `include_top` read off the model).
        input_conv: name of the first convolution, whose RGB kernel is adapted
            when the model has another number of input channels.
        hub_config: keras-hub `config.json` entries a preset must have.

    Returns:
        `model`, with every weighted layer assigned (or untouched on error).

    Raises:
        ValueError: bad argument, unreadable file, missing layer or shape mismatch.
        WeightsUnavailableError: a download failed.

    Example:
        >>> load_pretrained(model, "vgg16_notop.h5", input_conv="block1_conv1")  # doctest: +SKIP
    """
    include_top = any(layer.name == "predictions" for layer in model.layers)
    path = weights_source(weights, arch=arch, include_top=include_top)
    if path is None:
        return model
    is_preset = os.path.isdir(path)
    arrays = read_preset(path, model, hub_config) if is_preset else read_weights(path, model)
    plan = []
    for layer in (layer for layer in model.layers if layer.weights):
        if layer.name not in arrays:
            hint = (
                " keras-hub presets hold the backbone only: use include_top=False."
                if is_preset
                else ""
            )
            raise ValueError(
                f"{path} has no weights for layer {layer.name!r}.{hint} Received: weights={weights!r}"
            )
        values = arrays[layer.name]
        if len(values) != len(layer.weights):
            raise ValueError(
                f"Layer {layer.name!r} has {len(layer.weights)} weights but {path} holds "
                f"{len(values)} for it. Received: weights={weights!r}"
            )
        for variable, value in zip(layer.weights, values):
            want = tuple(variable.shape)
            if (
                layer.name == input_conv
                and value.ndim == 4
                and value.shape[:2] + value.shape[3:] == want[:2] + want[3:]
            ):
                value = adapt_input_conv(value, want[2])
            if want != value.shape:
                raise ValueError(
                    f"Layer {layer.name!r}: {path} has shape {value.shape} for "
                    f"{variable.path!r}, the model has {want}. Received: weights={weights!r}"
                )
            plan.append((variable, value))
    for variable, value in plan:
        variable.assign(value)
    return model
