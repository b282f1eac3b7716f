"""The official PANNs models as the tests see them, written from `pytorch/models.py` of
qiuqiangkong/audioset_tagging_cnn (commit d2f4b8c) and torchlibrosa's `stft.py`,
without torch: state-dict shapes, an eval-mode NumPy forward pass in torch's
channels-first layout, and writers of both `torch.save` file formats.
"""

import collections
import io
import pickle
import sys
import types
import zipfile

import numpy as np

# models.py: Cnn6 uses ConvBlock5x5 (one 5x5 conv + bn1), Cnn10/Cnn14 ConvBlock
# (conv1, bn1, conv2, bn2, 3x3); widths 64..512 (Cnn6, Cnn10) or 64..2048 (Cnn14);
# `fc1 = nn.Linear(w, w)`, `fc_audioset = nn.Linear(w, classes_num)`; Cnn14's
# sixth block is called with pool_size=(1, 1).
OFFICIAL = {
    "cnn6": (5, 1, (64, 128, 256, 512), (2, 2, 2, 2)),
    "cnn10": (3, 2, (64, 128, 256, 512), (2, 2, 2, 2)),
    "cnn14": (3, 2, (64, 128, 256, 512, 1024, 2048), (2, 2, 2, 2, 2, 1)),
}
BN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


def front_end_shapes(window_size=1024, mel_bins=64):
    """torchlibrosa's frozen parameters: `STFT.conv_real`/`conv_imag` are
    `nn.Conv1d(1, n_fft // 2 + 1, kernel_size=n_fft, bias=False)`, `LogmelFilterBank.melW`
    is `nn.Parameter` of shape `(n_fft // 2 + 1, n_mels)`; all `requires_grad=False`."""
    bins = window_size // 2 + 1
    return {
        "spectrogram_extractor.stft.conv_real.weight": (bins, 1, window_size),
        "spectrogram_extractor.stft.conv_imag.weight": (bins, 1, window_size),
        "logmel_extractor.melW": (bins, mel_bins),
    }


def state_shapes(name, classes=527, mel_bins=64, widths=None):
    """Shapes of the official `state_dict()` entries after the front end, in module order."""
    kernel, convs, default_widths, _ = OFFICIAL[name]
    widths = widths or default_widths
    shapes = {}

    def bn(prefix, channels):
        for key in ("weight", "bias", "running_mean", "running_var"):
            shapes[f"{prefix}.{key}"] = (channels,)
        shapes[f"{prefix}.num_batches_tracked"] = ()

    bn("bn0", mel_bins)
    cin = 1
    for i, w in enumerate(widths, start=1):
        for j in range(1, convs + 1):
            shapes[f"conv_block{i}.conv{j}.weight"] = (w, cin if j == 1 else w, kernel, kernel)
        for j in range(1, convs + 1):
            bn(f"conv_block{i}.bn{j}", w)
        cin = w
    shapes.update({"fc1.weight": (cin, cin), "fc1.bias": (cin,)})
    shapes.update({"fc_audioset.weight": (classes, cin), "fc_audioset.bias": (classes,)})
    return shapes


def parameter_count(shapes):
    """`sum(p.numel() for p in model.parameters())` over these entries (buffers excluded)."""
    return sum(int(np.prod(s)) for k, s in shapes.items() if not k.endswith(BN_BUFFERS))


def random_state_dict(shapes, seed=0):
    rng = np.random.default_rng(seed)
    state = collections.OrderedDict()
    for key, shape in shapes.items():
        if key.endswith("num_batches_tracked"):
            state[key] = np.array(7, dtype=np.int64)
        elif key.endswith("running_var"):
            state[key] = rng.uniform(0.5, 2.0, shape).astype(np.float32)
        else:
            state[key] = (0.3 * rng.standard_normal(shape)).astype(np.float32)
    return state


def _bn(x, state, prefix, eps=1e-5):  # eval mode, channels on axis 1
    shape = (1, -1, 1, 1)
    mean, var = state[prefix + ".running_mean"], state[prefix + ".running_var"]
    scale = state[prefix + ".weight"] / np.sqrt(var + eps)
    return (x - mean.reshape(shape)) * scale.reshape(shape) + state[prefix + ".bias"].reshape(shape)


def _conv(x, weight):  # torch Conv2d, stride 1, padding k // 2, no bias (cross-correlation)
    k = weight.shape[-1]
    p = k // 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    t, f = x.shape[2:]
    out = 0.0
    for dt in range(k):
        for df in range(k):
            window = xp[:, :, dt : dt + t, df : df + f]
            out = out + np.einsum("bitf,oi->botf", window, weight[:, :, dt, df])
    return out


def forward(name, state, x):
    """The official eval-mode forward from the log-mel on: `x` is `(batch, 1, time, mel)`;
    returns `(clipwise_output, embedding)`."""
    _, convs, _, pools = OFFICIAL[name]
    x = _bn(x.transpose(0, 3, 2, 1), state, "bn0").transpose(0, 3, 2, 1)  # transpose(1, 3)
    for i, pool in enumerate(pools, start=1):
        for j in range(1, convs + 1):
            x = _conv(x, state[f"conv_block{i}.conv{j}.weight"])
            x = np.maximum(_bn(x, state, f"conv_block{i}.bn{j}"), 0.0)
        b, c, t, f = x.shape
        x = x[:, :, : t // pool * pool, : f // pool * pool]
        x = x.reshape(b, c, t // pool, pool, f // pool, pool).mean(axis=(3, 5))  # avg_pool2d
    x = x.mean(axis=3)
    x = x.max(axis=2) + x.mean(axis=2)
    x = np.maximum(x @ state["fc1.weight"].T + state["fc1.bias"], 0.0)
    logits = x @ state["fc_audioset.weight"].T + state["fc_audioset.bias"]
    return 1.0 / (1.0 + np.exp(-logits)), x


class Tensor:
    """Marks an array to be saved as a torch tensor."""

    def __init__(self, array):
        self.array = np.ascontiguousarray(array)


_STORAGES = {np.dtype("float32"): "FloatStorage", np.dtype("int64"): "LongStorage"}


def _fake_torch():
    """Stand-in `torch` / `torch._utils` modules, so pickle can name their globals."""
    torch = types.ModuleType("torch")
    utils = types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):  # never called: the file is only written
        raise AssertionError

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils._rebuild_tensor_v2 = _rebuild_tensor_v2
    torch._utils = utils
    for storage in _STORAGES.values():
        setattr(torch, storage, type(storage, (), {"__module__": "torch"}))
    return {"torch": torch, "torch._utils": utils}


class _Pickler(pickle.Pickler):
    def __init__(self, file, modules, legacy):
        super().__init__(file, protocol=2)
        self.modules, self.legacy, self.storages = modules, legacy, []

    def reducer_override(self, obj):
        if not isinstance(obj, Tensor):
            return NotImplemented
        a = obj.array
        stride = tuple(s // a.itemsize for s in a.strides)
        args = (_StorageRef(len(self.storages), a), 0, a.shape, stride, False)
        self.storages.append(a)
        return self.modules["torch._utils"]._rebuild_tensor_v2, (
            *args,
            collections.OrderedDict(),
        )

    def persistent_id(self, obj):
        if not isinstance(obj, _StorageRef):
            return None
        storage_type = getattr(self.modules["torch"], _STORAGES[obj.array.dtype])
        record = ("storage", storage_type, str(obj.key), "cpu", obj.array.size)
        return record + (None,) if self.legacy else record


class _StorageRef:
    def __init__(self, key, array):
        self.key, self.array = key, array


def save(obj, path, legacy=False):
    """Write `obj` (with `Tensor`s inside) as `torch.save` does: zip, or the legacy format."""
    modules = _fake_torch()
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        if legacy:
            with open(path, "wb") as f:
                for header in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
                    pickle.dump(header, f, protocol=2)
                pickler = _Pickler(f, modules, legacy=True)
                pickler.dump(obj)
                pickle.dump([str(i) for i in range(len(pickler.storages))], f, protocol=2)
                for a in pickler.storages:
                    f.write(np.int64(a.size).tobytes())
                    f.write(a.astype(a.dtype.newbyteorder("<")).tobytes())
            return
        buffer = io.BytesIO()
        pickler = _Pickler(buffer, modules, legacy=False)
        pickler.dump(obj)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("checkpoint/data.pkl", buffer.getvalue())
            archive.writestr("checkpoint/byteorder", "little")
            for i, a in enumerate(pickler.storages):
                archive.writestr(f"checkpoint/data/{i}", a.tobytes())
            archive.writestr("checkpoint/version", "3\n")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
