"""Resolve and load pretrained weights: `None | "imagenet" | PATH | "kaggle://..."`.

- `"imagenet"`: the very files, URLs and MD5 hashes of `keras.applications`,
  fetched with `keras.utils.get_file` into `$KERAS_HOME/models` (default
  `~/.keras/models`).
- PATH: a Keras-2 style HDF5 weights file (`layer_names` / `weight_names`
  attributes; what `keras.applications` publishes; matched BY LAYER NAME), a
  Keras 3 `.weights.h5` file (keyed `layers/conv2d`, `layers/conv2d_1`, ... by
  class name and order, so matched by the order of same-class layers), or a
  keras-hub preset directory (`config.json` + `model.weights.h5`).
- `"kaggle://OWNER/MODEL/keras/VARIANT[/VERSION]"`: a keras-hub preset fetched
  with `kagglehub.model_download`.

Loading checks every tensor before assigning any, so a failed load leaves the
model untouched. A first convolution with other than 3 input channels gets
the RGB kernel adapted (`adapt_input_conv`).
"""

import collections
import hashlib
import json
import math
import os
import re

import h5py
import keras
import numpy as np

__all__ = [
    "WeightsUnavailableError",
    "IMAGENET_WEIGHTS",
    "ImagenetFile",
    "adapt_input_conv",
    "imagenet_weights_path",
    "keras_cache_dir",
    "kaggle_preset_dir",
    "load_pretrained",
    "read_weights",
]

ImagenetFile = collections.namedtuple("ImagenetFile", "fname url md5")

_KA = "https://storage.googleapis.com/tensorflow/keras-applications/"
# (architecture, include_top) -> the file keras.applications downloads.
# Tests swap entries to point the hash check at fixture files.
IMAGENET_WEIGHTS = {
    ("vgg16", True): ImagenetFile(
        "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        _KA + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        "64373286793e3c8b2b4e3219cbf3544b",
    ),
    ("vgg16", False): ImagenetFile(
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _KA + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "6d6bbae143d832006294945121d1f1fc",
    ),
    ("vgg19", True): ImagenetFile(
        "vgg19_weights_tf_dim_ordering_tf_kernels.h5",
        _KA + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5",
        "cbe5617147190e668d6c5d5026f83318",
    ),
    ("vgg19", False): ImagenetFile(
        "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        _KA + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "253f8cb515780f3b799900260a226db6",
    ),
}

_KAGGLE = re.compile(r"^kaggle://([^/]+/[^/]+/keras/[^/]+(?:/\d+)?)$")


class WeightsUnavailableError(RuntimeError):
    """Pretrained weights could not be fetched (offline, hub unreachable).

    The message names the URL or handle, where to place the file by hand, and
    the `weights=PATH` alternative.
    """


def keras_cache_dir():
    """The directory `keras.utils.get_file` caches into: `$KERAS_HOME` or `~/.keras`.

    Read at call time (Keras reads `KERAS_HOME` once, at import); like
    `get_file`, falls back to `/tmp/.keras` when the directory is not writable.
    """
    root = os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))
    if os.path.isdir(root) and not os.access(root, os.W_OK):
        root = os.path.join("/tmp", ".keras")
    return root


def _md5(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def imagenet_weights_path(arch, include_top):
    """Local path of the `keras.applications` ImageNet file for `arch`, fetching it if needed.

    Args:
        arch: `"vgg16"` or `"vgg19"`.
        include_top: whether the file holds the classifier (`fc1`, `fc2`, `predictions`).

    Returns:
        The path of the cached file; its MD5 has been checked.

    Raises:
        ValueError: no ImageNet file for `arch`, or a cached/downloaded file with the wrong MD5.
        WeightsUnavailableError: the file is not cached and could not be downloaded.

    Example:
        >>> path = zoo.weights.imagenet_weights_path("vgg16", include_top=False)
    """
    entry = IMAGENET_WEIGHTS.get((arch, bool(include_top)))
    if entry is None:
        have = sorted({a for a, _ in IMAGENET_WEIGHTS})
        raise ValueError(
            f"keras.applications publishes no ImageNet weights for {arch!r} (only for "
            f"{', '.join(have)}). Pass weights=PATH to a weights file you trained or converted, "
            "or weights=None. Received: weights='imagenet'"
        )
    cache_dir = keras_cache_dir()
    target = os.path.join(cache_dir, "models", entry.fname)
    if os.path.exists(target):
        found = _md5(target)
        if found != entry.md5:
            # Never silently replace or use a file we cannot vouch for.
            raise ValueError(
                f"The cached weights file {target} has MD5 {found}, not {entry.md5} "
                f"(the hash keras.applications expects for {entry.url}); it is incomplete or "
                "not that file. Delete it to download again, or place the right file there. "
                "Received: weights='imagenet'"
            )
        return target
    try:
        return keras.utils.get_file(
            entry.fname, entry.url, cache_subdir="models", file_hash=entry.md5, cache_dir=cache_dir
        )
    except ValueError as e:
        raise ValueError(f"Downloaded {entry.url} but it failed the MD5 check: {e}") from None
    except Exception as e:  # get_file wraps every urllib failure in a bare Exception.
        raise WeightsUnavailableError(
            f"Could not download the ImageNet weights for {arch} from {entry.url} ({e}). "
            f"If this machine is offline, fetch that URL elsewhere and place the file at "
            f"{target} (MD5 {entry.md5}), or pass weights=PATH with a local weights file."
        ) from None


def kaggle_preset_dir(uri):
    """Download a `kaggle://OWNER/MODEL/keras/VARIANT[/VERSION]` preset with kagglehub.

    Returns:
        The local preset directory.

    Raises:
        ValueError: `uri` is not of that form.
        WeightsUnavailableError: kagglehub could not fetch it.

    Example:
        >>> zoo.weights.kaggle_preset_dir("kaggle://keras/vgg/keras/vgg_16_imagenet/2")
    """
    match = _KAGGLE.match(uri)
    if not match:
        raise ValueError(
            "A Kaggle weights handle has the form kaggle://OWNER/MODEL/keras/VARIANT[/VERSION], "
            f"e.g. kaggle://keras/vgg/keras/vgg_16_imagenet/2. Received: weights={uri!r}"
        )
    handle = match.group(1)
    import kagglehub  # Imported here: it reads its configuration at import time.

    try:
        return kagglehub.model_download(handle)
    except Exception as e:  # kagglehub raises requests/HTTP/its own errors alike.
        cache = os.environ.get("KAGGLEHUB_CACHE") or os.path.expanduser("~/.cache/kagglehub")
        raise WeightsUnavailableError(
            f"Could not download the Kaggle model {handle} ({type(e).__name__}: {e}). "
            f"If this machine is offline, download the preset elsewhere and unpack it under "
            f"{os.path.join(cache, 'models', handle)}, or pass weights=PATH with the preset "
            "directory (config.json + model.weights.h5) or a weights file."
        ) from None


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
        raise ValueError(f"Cannot read {path} as an HDF5 weights file ({e}). Received: weights={path!r}") from None
    found = {}
    with f:
        root = f["model_weights"] if "model_weights" in f else f
        layer_names = _attr_list(root, "layer_names")
        if layer_names:  # Keras 2 layout: one group per layer name.
            for layer in model.layers:
                if layer.weights and layer.name in layer_names:
                    group = root[layer.name]
                    found[layer.name] = [np.asarray(group[w]) for w in _attr_list(group, "weight_names")]
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
                    raise ValueError(
                        f"{path} holds {file_counts[key]} weighted {key!r} layers but "
                        f"{model.name!r} has {count}: it was saved from another architecture. "
                        f"Received: weights={str(path)!r}"
                    )
        else:
            raise ValueError(
                f"{path} is HDF5 but not a Keras weights file (no `layer_names` attribute and "
                f"no `layers` group). Received: weights={str(path)!r}"
            )
    return found


def _read_preset(directory, model, hub_config):
    """Read a keras-hub preset directory after checking its `config.json`."""
    config_path = os.path.join(directory, "config.json")
    weights_path = os.path.join(directory, "model.weights.h5")
    for p in (config_path, weights_path):
        if not os.path.isfile(p):
            raise ValueError(f"{directory} is not a keras-hub preset: {p} is missing.")
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    if hub_config is None:
        raise ValueError(f"{model.name!r} has no keras-hub preset layout. Received: weights={directory!r}")
    got = {"class_name": config.get("class_name"), **config.get("config", {})}
    for key, want in hub_config.items():
        have = got.get(key)
        if isinstance(want, (list, tuple)):
            matches = have is not None and list(have) == list(want)
        else:  # A false `want` (e.g. include_rescaling=False) also accepts an absent key.
            matches = (have or None) == (want or None)
        if not matches:
            raise ValueError(
                f"The preset in {directory} does not match {model.name!r}: its config has "
                f"{key}={have!r}, this model needs {want!r}. Received: weights={directory!r}"
            )
    return read_weights(weights_path, model)


def load_pretrained(model, weights, *, arch=None, input_conv=None, hub_config=None):
    """Load `weights` into `model` by layer name (see the module docstring for the forms).

    Args:
        model: a zoo model built with the file's layer names.
        weights: `None`, `"imagenet"`, a file or preset directory path, or a `kaggle://` handle.
        arch: key into `IMAGENET_WEIGHTS` (with `include_top` read off the model).
        input_conv: name of the first convolution, whose RGB kernel is adapted
            when the model has another number of input channels.
        hub_config: keras-hub `config.json` entries the preset must have.

    Raises:
        ValueError: bad argument, unreadable file, missing layer or shape mismatch.
        WeightsUnavailableError: a download failed.

    Example:
        >>> load_pretrained(model, "vgg16_notop.h5", arch="vgg16", input_conv="block1_conv1")
    """
    if weights is None:
        return model
    if not isinstance(weights, (str, os.PathLike)):
        raise ValueError(f"`weights` must be None, 'imagenet', a path or a kaggle:// handle. Received: weights={weights!r}")
    weights = os.fspath(weights)
    include_top = any(layer.name == "predictions" for layer in model.layers)
    from_preset = weights.startswith("kaggle://") or os.path.isdir(weights)
    if weights == "imagenet":
        arrays = read_weights(imagenet_weights_path(arch, include_top), model)
    elif weights.startswith("kaggle://"):
        arrays = _read_preset(kaggle_preset_dir(weights), model, hub_config)
    elif os.path.isdir(weights):
        arrays = _read_preset(weights, model, hub_config)
    elif os.path.isfile(weights):
        arrays = read_weights(weights, model)
    else:
        raise ValueError(
            "`weights` must be None, 'imagenet', the path of a weights file or preset directory, "
            f"or 'kaggle://OWNER/MODEL/keras/VARIANT[/VERSION]'; no such file. Received: weights={weights!r}"
        )
    plan = []
    for layer in model.layers:
        if not layer.weights:
            continue
        if layer.name not in arrays:
            hint = " keras-hub presets hold the backbone only: use include_top=False." if from_preset else ""
            raise ValueError(f"The weights in {weights} have nothing for layer {layer.name!r}.{hint} Received: weights={weights!r}")
        values = arrays[layer.name]
        if len(values) != len(layer.weights):
            raise ValueError(
                f"Layer {layer.name!r} has {len(layer.weights)} weights but {weights} holds "
                f"{len(values)} for it. Received: weights={weights!r}"
            )
        for variable, value in zip(layer.weights, values):
            same_but_channels = value.ndim == 4 and value.shape[:2] + value.shape[3:] == tuple(variable.shape[:2]) + tuple(variable.shape[3:])
            if layer.name == input_conv and same_but_channels:
                value = adapt_input_conv(value, variable.shape[2])
            if tuple(variable.shape) != value.shape:
                raise ValueError(
                    f"Layer {layer.name!r}: the weights file has shape {value.shape} for "
                    f"{variable.path!r}, the model has {tuple(variable.shape)}. Received: weights={weights!r}"
                )
            plan.append((variable, value))
    for variable, value in plan:
        variable.assign(value)
    return model
