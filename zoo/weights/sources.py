"""Where pretrained weights come from: `None | "imagenet" | PATH | "kaggle://..."`.

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

`weights_source` turns each form into a local file or directory (fetching
it if needed); `zoo.weights.files` reads that into the model's layers.
"""

import collections
import hashlib
import os
import re

import keras

from zoo.validation import argument_error

__all__ = [
    "WeightsUnavailableError",
    "IMAGENET_WEIGHTS",
    "ImagenetFile",
    "imagenet_weights_path",
    "keras_cache_dir",
    "kaggle_preset_dir",
    "weights_source",
]

ImagenetFile = collections.namedtuple("ImagenetFile", "fname url md5")

_KA = "https://storage.googleapis.com/tensorflow/keras-applications/{0}/{0}_weights_tf_dim_ordering_tf_kernels{1}.h5"
# (architecture, include_top) -> the file keras.applications downloads, with
# its MD5 (keras.applications.vgg16/vgg19). Tests swap entries to point the
# hash check at fixture files.
IMAGENET_WEIGHTS = {
    (arch, top): ImagenetFile(url.rsplit("/", 1)[1], url, md5)
    for arch, top, md5 in (
        ("vgg16", True, "64373286793e3c8b2b4e3219cbf3544b"),
        ("vgg16", False, "6d6bbae143d832006294945121d1f1fc"),
        ("vgg19", True, "cbe5617147190e668d6c5d5026f83318"),
        ("vgg19", False, "253f8cb515780f3b799900260a226db6"),
    )
    for url in [_KA.format(arch, "" if top else "_notop")]
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


def file_digest(path, algorithm="sha256"):
    """The hex digest of a file, read in 1 MiB blocks (md5 for keras.applications files)."""
    digest = hashlib.new(algorithm)
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
        >>> path = zoo.weights.imagenet_weights_path("vgg16", include_top=False)  # doctest: +SKIP
    """
    entry = IMAGENET_WEIGHTS.get((arch, bool(include_top)))
    if entry is None:
        have = sorted({a for a, _ in IMAGENET_WEIGHTS})
        raise argument_error(
            "weights",
            "imagenet",
            f"keras.applications publishes no ImageNet weights for {arch!r} (only for "
            f"{', '.join(have)}). Pass weights=PATH to a weights file you trained or converted, "
            "or weights=None.",
        )
    cache_dir = keras_cache_dir()
    target = os.path.join(cache_dir, "models", entry.fname)
    if os.path.exists(target):
        found = file_digest(target, "md5")
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
        >>> zoo.weights.kaggle_preset_dir("kaggle://keras/vgg/keras/vgg_16_imagenet/2")  # doctest: +SKIP
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


def weights_source(weights, *, arch=None, include_top=False):
    """Turn `weights` into a local file or preset directory, downloading if needed.

    Builders call this before building, so an offline machine fails fast.

    Args:
        weights: `None`, `"imagenet"`, a path, or a `kaggle://` handle.
        arch: key into `IMAGENET_WEIGHTS`.
        include_top: picks the ImageNet file with or without the classifier.

    Returns:
        `None` or the local path.

    Example:
        >>> weights_source("kaggle://keras/vgg/keras/vgg_16_imagenet/2")  # doctest: +SKIP
    """
    if weights is None:
        return None
    if not isinstance(weights, (str, os.PathLike)):
        raise ValueError(
            f"`weights` must be None, 'imagenet', a path or a kaggle:// handle. Received: weights={weights!r}"
        )
    weights = os.fspath(weights)
    if weights == "imagenet":
        return imagenet_weights_path(arch, include_top)
    if weights.startswith("kaggle://"):
        return kaggle_preset_dir(weights)
    if not os.path.exists(weights):
        raise ValueError(
            "`weights` must be None, 'imagenet', the path of a weights file or preset directory, "
            f"or 'kaggle://OWNER/MODEL/keras/VARIANT[/VERSION]'; no such file. Received: weights={weights!r}"
        )
    return weights
