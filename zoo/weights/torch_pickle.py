"""Read `torch.save` files without torch: dicts of NumPy arrays, no code from the file run.

Both formats `torch.save` writes: the zip format (torch >= 1.6:
`<archive>/data.pkl` plus one raw file per storage, `<archive>/data/<key>`)
and the legacy format (magic number, protocol, system info, the pickled
object, the storage keys, then each storage as an int64 element count and its
little-endian bytes). The pickle runs through a restricted unpickler:
`torch._utils._rebuild_tensor_v2` / `_rebuild_parameter` and the
`torch.*Storage` classes are mapped to NumPy; `collections.OrderedDict`,
`_codecs.encode` (latin-1 only) and NumPy's array reconstruction are allowed
(the official PANNs checkpoints also hold the sampler's NumPy state); every
other global becomes an inert placeholder.
"""

import codecs
import collections
import pickle
import zipfile

import numpy as np

try:  # NumPy >= 2 moved numpy.core to numpy._core
    from numpy._core import multiarray as _multiarray
except ImportError:  # pragma: no cover
    from numpy.core import multiarray as _multiarray

__all__ = ["read_torch_checkpoint"]

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_BF16 = "bfloat16"
_STORAGE_DTYPES = {
    "FloatStorage": "<f4",
    "DoubleStorage": "<f8",
    "HalfStorage": "<f2",
    "BFloat16Storage": _BF16,
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}


class _StorageType:
    def __init__(self, name):
        self.name = name


def _decode(raw, dtype):
    if dtype == _BF16:  # NumPy has no bfloat16: widen to float32 bit-exactly.
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
    return np.frombuffer(raw, dtype)


def _rebuild_tensor_v2(storage, offset, size, stride, *_):
    array = storage.array
    size, stride = tuple(int(n) for n in size), tuple(int(n) for n in stride)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if (
        len(size) != len(stride)
        or min((offset, *size, *stride), default=0) < 0
        or (all(size) and last >= len(array))
    ):  # as_strided would read outside the storage
        raise pickle.UnpicklingError(f"Tensor {size} at {offset} exceeds its storage.")
    view = np.lib.stride_tricks.as_strided(
        array[offset:], shape=size, strides=[s * array.itemsize for s in stride]
    )
    return np.array(view)


def _latin1_encode(text, encoding):
    if encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"Unexpected encoding {encoding!r}.")
    return codecs.encode(text, encoding)


def _rebuild_parameter(data, *_):
    return data


class _Placeholder:
    """Stands in for any global the file names but a state dict does not need."""

    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state


class _Storage:
    """A storage's elements; a legacy file's bytes arrive after the pickle, so `data` may
    be filled in later, and a legacy view reads its slice of the base storage."""

    def __init__(self, data=None, dtype=None, base=None, start=0, length=0):
        self.data, self.dtype, self.base, self.start, self.length = data, dtype, base, start, length

    @property
    def array(self):
        if self.base is not None:
            return self.base.array[self.start : self.start + self.length]
        return self.data


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, load_storage):
        super().__init__(file)
        self._load_storage = load_storage

    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("_codecs", "encode"):  # protocol 2 writes bytes through it
            return _latin1_encode
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and name in (
            "_reconstruct",
            "scalar",
        ):
            return getattr(_multiarray, name)
        if (module, name) in (("numpy", "ndarray"), ("numpy", "dtype")):
            return getattr(np, name)
        return type(name, (_Placeholder,), {"__module__": "zoo.placeholder." + module})

    def persistent_load(self, saved_id):
        if not isinstance(saved_id, tuple) or not saved_id or saved_id[0] != "storage":
            raise pickle.UnpicklingError(f"Unsupported persistent id {saved_id!r}.")
        storage_type, key = saved_id[1], str(saved_id[2])
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"Unsupported storage type {storage_type!r}.")
        storage = self._load_storage(key, _STORAGE_DTYPES[storage_type.name])
        view = saved_id[5] if len(saved_id) > 5 else None  # legacy storage views
        if view is not None:
            return _Storage(base=storage, start=int(view[1]), length=int(view[2]))
        return storage


def _read_zip(path):
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n.endswith("data.pkl")]
        if len(pickles) != 1:
            raise ValueError(f"{path} is a zip file but not a torch checkpoint (no data.pkl).")
        prefix = pickles[0][: -len("data.pkl")]
        storages = {}

        def load_storage(key, dtype):
            if key not in storages:  # tensors may share a storage
                raw = archive.read(f"{prefix}data/{key}")
                storages[key] = _Storage(_decode(raw, dtype), dtype)
            return storages[key]

        with archive.open(pickles[0]) as f:
            return _Unpickler(f, load_storage).load()


class _LazyTensor:
    def __init__(self, storage, args):
        self.storage, self.args = storage, args


class _LegacyUnpickler(_Unpickler):
    """Defers building tensors: a legacy file stores their bytes after the pickle."""

    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return lambda storage, *args: _LazyTensor(storage, args)
        return super().find_class(module, name)


def _resolve(obj):
    if isinstance(obj, _LazyTensor):
        return _rebuild_tensor_v2(obj.storage, *obj.args)
    if isinstance(obj, dict):
        for key in list(obj):
            obj[key] = _resolve(obj[key])
    elif isinstance(obj, list):
        obj[:] = [_resolve(v) for v in obj]
    return obj


def _read_legacy(path):
    with open(path, "rb") as f:
        storages = {}

        def load_storage(key, dtype):
            return storages.setdefault(key, _Storage(dtype=dtype))

        # Even the header goes through the restricted unpickler: no file runs code.
        magic = _LegacyUnpickler(f, load_storage).load()
        if magic != _LEGACY_MAGIC:
            raise ValueError(f"{path} is neither a zip nor a legacy torch checkpoint.")
        for _ in range(2):  # protocol version, system info
            _LegacyUnpickler(f, load_storage).load()
        result = _LegacyUnpickler(f, load_storage).load()
        for key in _LegacyUnpickler(f, load_storage).load():
            storage = storages[str(key)]
            count = int(np.frombuffer(f.read(8), "<i8")[0])
            itemsize = 2 if storage.dtype == _BF16 else np.dtype(storage.dtype).itemsize
            storage.data = _decode(f.read(count * itemsize), storage.dtype)
    return _resolve(result)


def read_torch_checkpoint(path):
    """Read a `torch.save` file (zip or legacy format) into dicts of NumPy arrays, without torch.

    Args:
        path: the `.pth` file.

    Returns:
        The saved object with every tensor as a `np.ndarray`.

    Raises:
        ValueError: not a torch checkpoint.

    Example:
        >>> state = read_torch_checkpoint("Cnn14_mAP=0.431.pth")["model"]  # doctest: +SKIP
        >>> state["conv_block1.conv1.weight"].shape  # doctest: +SKIP
        (64, 1, 3, 3)
    """
    path = str(path)
    if zipfile.is_zipfile(path):
        return _read_zip(path)
    return _read_legacy(path)
