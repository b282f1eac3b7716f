"""Official PANNs `.pth` checkpoints, read without torch: both `torch.save` formats, the
official key layout, layouts converted so the Keras model computes the official forward."""

import os
import pickle
import zipfile

import numpy as np
import pytest

import zoo
from zoo.convnets.panns_checkpoint import read_torch_checkpoint

from . import panns_reference as ref

MELS, FRAMES, CLASSES, WIDTH = 32, 40, 3, 0.125


def _tiny_state(name, seed=0):
    widths = [round(w * WIDTH) for w in ref.OFFICIAL[name][2]]
    shapes = {
        **ref.front_end_shapes(window_size=64, mel_bins=MELS),
        **ref.state_shapes(name, classes=CLASSES, mel_bins=MELS, widths=widths),
    }
    return ref.random_state_dict(shapes, seed)


def _checkpoint(state):
    """What `pytorch/main.py` saves: iteration, the model's state dict, the sampler's state."""
    return {
        "iteration": 660000,
        "model": {k: ref.Tensor(v) for k, v in state.items()},
        "sampler": {"indexes": np.arange(10), "random_state": np.random.RandomState(0).get_state()},
    }


def _tiny(name, **kwargs):
    return zoo.create_model(
        name, width=WIDTH, classes=CLASSES, input_shape=(FRAMES, MELS, 1), **kwargs
    )


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_reads_both_torch_save_formats(tmp_path, legacy):
    state = _tiny_state("cnn6")
    path = tmp_path / "Cnn6_mAP=0.343.pth"
    ref.save(_checkpoint(state), path, legacy=legacy)
    assert zipfile.is_zipfile(path) is not legacy
    loaded = read_torch_checkpoint(path)
    assert loaded["iteration"] == 660000
    assert list(loaded["model"]) == list(state)
    for key, value in state.items():
        assert loaded["model"][key].dtype == value.dtype
        np.testing.assert_array_equal(loaded["model"][key], value)
    np.testing.assert_array_equal(loaded["sampler"]["indexes"], np.arange(10))


@pytest.mark.parametrize("name", ["cnn6", "cnn10", "cnn14"])
@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_loaded_model_computes_the_official_forward(tmp_path, name, legacy):
    state = _tiny_state(name, seed=1)
    path = tmp_path / f"{name}.pth"
    ref.save(_checkpoint(state), path, legacy=legacy)
    x = np.random.default_rng(2).normal(size=(2, FRAMES, MELS, 1)).astype("float32")
    clipwise, embedding = ref.forward(name, state, x.transpose(0, 3, 1, 2).astype("float64"))
    model = _tiny(name, weights=str(path))
    np.testing.assert_allclose(model(x, training=False), clipwise, rtol=1e-4, atol=1e-5)
    backbone = _tiny(name, weights=str(path), include_top=False, pooling="embedding")
    np.testing.assert_allclose(backbone(x, training=False), embedding, rtol=1e-4, atol=1e-4)


def test_stereo_input_repeats_the_mono_first_kernel(tmp_path):
    state = _tiny_state("cnn10", seed=3)
    path = tmp_path / "cnn10.pth"
    ref.save(_checkpoint(state), path)
    mono = _tiny("cnn10", weights=str(path))
    stereo = zoo.cnn10(
        width=WIDTH, classes=CLASSES, input_shape=(FRAMES, MELS, 2), weights=str(path)
    )
    x = np.random.default_rng(4).normal(size=(2, FRAMES, MELS, 1)).astype("float32")
    np.testing.assert_allclose(
        stereo(np.concatenate([x, x], axis=-1)), mono(x), rtol=1e-4, atol=1e-6
    )


def test_checkpoint_of_another_architecture_is_refused_and_nothing_changes(tmp_path):
    path = tmp_path / "cnn14.pth"
    ref.save(_checkpoint(_tiny_state("cnn14")), path)
    # CNN10's blocks 1-4 have CNN14's shapes: only the extra keys give it away.
    model = _tiny("cnn10", include_top=False)
    before = [w.copy() for w in model.get_weights()]
    from zoo.convnets.panns_checkpoint import load_torch_checkpoint

    with pytest.raises(ValueError, match="another architecture.*Received: weights="):
        load_torch_checkpoint(model, path)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_wrong_class_count_names_the_key(tmp_path):
    path = tmp_path / "cnn6.pth"
    ref.save(_checkpoint(_tiny_state("cnn6")), path)
    with pytest.raises(ValueError, match="'fc_audioset.weight' has shape .*Received: weights="):
        zoo.cnn6(width=WIDTH, classes=527, input_shape=(FRAMES, MELS, 1), weights=str(path))


def test_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.pth"
    path.write_text("not a checkpoint")
    with pytest.raises(ValueError, match="Cannot read .* as a torch checkpoint"):
        _tiny("cnn6", weights=str(path))


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_no_code_in_the_file_runs(tmp_path, legacy):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    if legacy:
        path.write_bytes(pickle.dumps(_Exploit(marker), protocol=2))
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("evil/data.pkl", pickle.dumps({"model": _Exploit(marker)}))
    with pytest.raises(ValueError, match="Received: weights="):
        _tiny("cnn6", weights=str(path))
    assert not marker.exists()


def test_strided_tensors_and_storage_bounds():
    from zoo.weights.torch_pickle import _rebuild_tensor_v2, _Storage

    storage = _Storage(np.arange(6, dtype="<f4"), "<f4")
    # A transposed (non-contiguous) tensor: size (3, 2), strides (1, 3).
    np.testing.assert_array_equal(
        _rebuild_tensor_v2(storage, 0, (3, 2), (1, 3)), np.arange(6).reshape(2, 3).T
    )
    np.testing.assert_array_equal(_rebuild_tensor_v2(storage, 2, (2,), (2,)), [2, 4])
    with pytest.raises(pickle.UnpicklingError, match="exceeds its storage"):
        _rebuild_tensor_v2(storage, 2, (5,), (1,))
