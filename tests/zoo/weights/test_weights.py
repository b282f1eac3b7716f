"""Weights: keras.applications files load by name into the zoo and back, the
ImageNet cache and hash checks, keras-hub presets, the in_channels rule, and the
offline error. Every file is made here; nothing is downloaded."""

import hashlib
import inspect
import json
import re
import urllib.error

import h5py
import keras
import numpy as np
import pytest
import requests
from keras.src.legacy.saving import legacy_h5_format
from keras.src.utils import file_utils

import zoo
from zoo import weights as zw

SHAPE = (32, 32, 3)  # VGG's smallest input keeps the files' conv weights only (59 MB).
X = np.random.default_rng(0).uniform(0, 255, size=(2,) + SHAPE).astype("float32")


def _legacy_h5(model, path):
    """Write `model` in the Keras-2 layout keras.applications publishes."""
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path


def _names(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def _md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """keras.applications VGG16 (no top, random weights), its outputs and its files."""
    keras.utils.set_random_seed(7)
    model = keras.applications.VGG16(weights=None, include_top=False, input_shape=SHAPE)
    folder = tmp_path_factory.mktemp("reference")
    legacy = _legacy_h5(model, folder / "vgg16_notop.h5")
    keras3 = folder / "vgg16_notop.weights.h5"
    model.save_weights(keras3)
    return dict(model=model, out=np.asarray(model(X)), legacy=legacy, keras3=keras3)


def test_legacy_file_is_the_keras_applications_layout(reference):
    with h5py.File(reference["legacy"], "r") as f:
        assert "block1_conv1" in _names(f.attrs["layer_names"])
        names = _names(f["block1_conv1"].attrs["weight_names"])
        assert f["block1_conv1"][names[0]].shape == (3, 3, 3, 64)


@pytest.mark.parametrize("kind", ["legacy", "keras3"])
def test_keras_applications_files_load_into_the_zoo(reference, kind):
    model = zoo.vgg16(include_top=False, input_shape=SHAPE, weights=reference[kind])
    np.testing.assert_array_equal(np.asarray(model(X)), reference["out"])


def test_zoo_weights_load_into_keras_applications(reference, tmp_path):
    ours = zoo.vgg16(include_top=False, input_shape=SHAPE, weights=reference["legacy"])
    for layer in ours.layers:  # Change every weight so the check cannot pass by accident.
        for w in layer.weights:
            w.assign(w * 0.5 + 0.01)
    expected = np.asarray(ours(X))
    keras3 = tmp_path / "zoo.weights.h5"
    ours.save_weights(keras3)
    legacy = _legacy_h5(ours, tmp_path / "zoo.h5")
    for path in (keras3, legacy):
        theirs = keras.applications.VGG16(weights=str(path), include_top=False, input_shape=SHAPE)
        np.testing.assert_array_equal(np.asarray(theirs(X)), expected)


def test_one_channel_model_equals_rgb_model_on_repeated_grey(reference):
    grey = X[..., :1]
    rgb = zoo.vgg16(include_top=False, input_shape=SHAPE, weights=reference["legacy"])
    mono = zoo.vgg16(include_top=False, input_shape=SHAPE[:2] + (1,), weights=reference["legacy"])
    assert mono.get_layer("block1_conv1").kernel.shape == (3, 3, 1, 64)
    expected = np.asarray(rgb(np.concatenate([grey] * 3, axis=-1)))
    np.testing.assert_allclose(np.asarray(mono(grey)), expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("channels", [2, 4, 7])
def test_other_channel_counts_follow_timms_rule(channels):
    kernel = np.random.default_rng(1).normal(size=(3, 3, 3, 8))
    adapted = zw.adapt_input_conv(kernel, channels)
    assert adapted.shape == (3, 3, channels, 8)
    for c in range(channels):  # channel c reuses RGB kernel c mod 3, scaled by 3/C
        np.testing.assert_allclose(adapted[:, :, c], kernel[:, :, c % 3] * 3 / channels)


def test_shape_mismatch_names_the_layer_and_both_shapes(reference, tmp_path):
    path = tmp_path / "wrong.h5"
    with h5py.File(reference["legacy"], "r") as src, h5py.File(path, "w") as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        for name in src:
            src.copy(src[name], dst, name=name)
        group = dst["block2_conv1"]
        kernel_name = _names(group.attrs["weight_names"])[0]
        del group[kernel_name]
        group.create_dataset(kernel_name, data=np.zeros((3, 3, 64, 100), "float32"))
    model = zoo.vgg16(include_top=False, input_shape=SHAPE)
    before = [np.asarray(w) for w in model.weights]
    with pytest.raises(ValueError, match=r"'block2_conv1'.*\(3, 3, 64, 100\).*\(3, 3, 64, 128\)"):
        zw.load_pretrained(model, path)
    # Nothing was assigned: the load checks every tensor first.
    for b, w in zip(before, model.weights):
        np.testing.assert_array_equal(b, np.asarray(w))


def test_file_of_another_architecture_is_rejected(reference):
    with pytest.raises(ValueError, match="has no weights for layer 'block3_conv4'"):
        zoo.vgg19(include_top=False, input_shape=SHAPE, weights=reference["legacy"])
    with pytest.raises(ValueError, match="13 weighted 'conv2d' layers but 'vgg19' has 16"):
        zoo.vgg19(include_top=False, input_shape=SHAPE, weights=reference["keras3"])


def test_corrupted_file_is_a_clear_error_naming_it(tmp_path):
    path = tmp_path / "broken.h5"
    path.write_bytes(b"this is not HDF5" * 100)
    with pytest.raises(ValueError, match=f"Cannot read {path} as an HDF5"):
        zoo.vgg16(include_top=False, input_shape=SHAPE, weights=str(path))


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return tmp_path


def _offline(*args, **kwargs):
    raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))


def test_imagenet_loads_the_cached_keras_applications_file(reference, keras_home, monkeypatch):
    entry = zw.IMAGENET_WEIGHTS[("vgg16", False)]
    cached = keras_home / "models" / entry.fname
    cached.parent.mkdir()
    cached.write_bytes(reference["legacy"].read_bytes())
    # The real hash cannot match a fixture: point the table at the fixture's MD5.
    monkeypatch.setitem(zw.IMAGENET_WEIGHTS, ("vgg16", False), entry._replace(md5=_md5(cached)))
    monkeypatch.setattr(file_utils, "urlretrieve", _offline)  # a cache hit must not download
    model = zoo.vgg16(include_top=False, input_shape=SHAPE, weights="imagenet")
    np.testing.assert_array_equal(np.asarray(model(X)), reference["out"])


def test_imagenet_table_is_keras_applications(keras_home):
    from keras.src.applications import vgg16, vgg19

    assert zw.IMAGENET_WEIGHTS[("vgg16", True)].url == vgg16.WEIGHTS_PATH
    assert zw.IMAGENET_WEIGHTS[("vgg16", False)].url == vgg16.WEIGHTS_PATH_NO_TOP
    assert zw.IMAGENET_WEIGHTS[("vgg19", True)].url == vgg19.WEIGHTS_PATH
    assert zw.IMAGENET_WEIGHTS[("vgg19", False)].url == vgg19.WEIGHTS_PATH_NO_TOP
    for (arch, top), entry in zw.IMAGENET_WEIGHTS.items():
        source = inspect.getsource(vgg16 if arch == "vgg16" else vgg19)
        # keras.applications passes (file name, URL constant, ..., file_hash=MD5).
        assert re.search(
            rf'"{entry.fname}",\s*WEIGHTS_PATH{"" if top else "_NO_TOP"},'
            rf'\s*cache_subdir="models",\s*file_hash="{entry.md5}"',
            source,
        )


def test_cached_file_with_wrong_md5_is_rejected(keras_home, monkeypatch):
    entry = zw.IMAGENET_WEIGHTS[("vgg16", False)]
    cached = keras_home / "models" / entry.fname
    cached.parent.mkdir()
    cached.write_bytes(b"truncated download")
    monkeypatch.setattr(file_utils, "urlretrieve", _offline)
    with pytest.raises(ValueError, match=f"{cached} has MD5 .*not {entry.md5}.*Delete it"):
        zoo.vgg16(include_top=False, weights="imagenet")


def test_offline_imagenet_is_one_clear_error(keras_home, monkeypatch):
    monkeypatch.setattr(file_utils, "urlretrieve", _offline)
    entry = zw.IMAGENET_WEIGHTS[("vgg19", True)]
    with pytest.raises(zw.WeightsUnavailableError) as info:
        zw.imagenet_weights_path("vgg19", include_top=True)
    message = str(info.value)
    assert entry.url in message
    assert str(keras_home / "models" / entry.fname) in message
    assert "weights=PATH" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert not (keras_home / "models" / entry.fname).exists()


def _fake_preset(folder, reference, repeats=(2, 2, 3, 3, 3)):
    folder.mkdir()
    config = {
        "module": "keras_hub.src.models.vgg.vgg_backbone",
        "class_name": "VGGBackbone",
        "config": {
            "name": "vgg_backbone",
            "trainable": True,
            "stackwise_num_repeats": list(repeats),
            "stackwise_num_filters": [64, 128, 256, 512, 512],
            "image_shape": [None, None, 3],
        },
        "registered_name": "keras_hub>VGGBackbone",
    }
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "metadata.json").write_text(json.dumps({"keras_version": keras.__version__}))
    # A VGGBackbone is Input + the same Conv2D/MaxPooling2D sequence, so its
    # Keras 3 weights file has the same `layers/conv2d_<k>` keys.
    (folder / "model.weights.h5").write_bytes(reference["keras3"].read_bytes())
    return folder


def test_kaggle_preset_is_downloaded_and_loaded(reference, tmp_path, monkeypatch):
    import kagglehub

    preset = _fake_preset(tmp_path / "vgg_16_imagenet", reference)
    calls = []
    monkeypatch.setattr(
        kagglehub, "model_download", lambda handle: calls.append(handle) or str(preset)
    )
    model = zoo.vgg16(
        include_top=False, input_shape=SHAPE, weights="kaggle://keras/vgg/keras/vgg_16_imagenet/2"
    )
    assert calls == ["keras/vgg/keras/vgg_16_imagenet/2"]
    np.testing.assert_array_equal(np.asarray(model(X)), reference["out"])
    # The preset directory also works as a PATH, and holds no classifier.
    model = zoo.vgg16(include_top=False, input_shape=SHAPE, weights=str(preset))
    np.testing.assert_array_equal(np.asarray(model(X)), reference["out"])
    with pytest.raises(ValueError, match="backbone only: use include_top=False"):
        zoo.vgg16(input_shape=SHAPE, classes=3, weights=str(preset))


def test_kaggle_preset_of_another_depth_is_rejected(reference, tmp_path):
    preset = _fake_preset(tmp_path / "vgg_19", reference, repeats=(2, 2, 4, 4, 4))
    with pytest.raises(ValueError, match="stackwise_num_repeats=\\[2, 2, 4, 4, 4\\]"):
        zoo.vgg16(include_top=False, input_shape=SHAPE, weights=str(preset))


def test_offline_kaggle_is_one_clear_error(monkeypatch):
    import kagglehub

    def offline(handle):
        raise requests.exceptions.ConnectionError("Failed to resolve 'api.kaggle.com'")

    monkeypatch.setattr(kagglehub, "model_download", offline)
    with pytest.raises(
        zw.WeightsUnavailableError, match="keras/vgg/keras/vgg_16_imagenet.*weights=PATH"
    ):
        zoo.vgg16(include_top=False, weights="kaggle://keras/vgg/keras/vgg_16_imagenet")
    with pytest.raises(ValueError, match="kaggle://OWNER/MODEL/keras/VARIANT"):
        zoo.vgg16(include_top=False, weights="kaggle://keras/vgg")


def test_alexnet_weights_round_trip_through_a_file(tmp_path):
    source = zoo.alexnet(include_top=False, input_shape=(67, 67, 3))
    path = tmp_path / "alexnet.weights.h5"
    source.save_weights(path)
    x = np.random.default_rng(3).normal(size=(1, 67, 67, 3)).astype("float32")
    loaded = zoo.alexnet(include_top=False, input_shape=(67, 67, 3), weights=str(path))
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(source(x)))
    mono = zoo.alexnet(include_top=False, input_shape=(67, 67, 1), weights=str(path))
    np.testing.assert_allclose(
        np.asarray(mono(x[..., :1])),
        np.asarray(source(np.repeat(x[..., :1], 3, -1))),
        rtol=1e-5,
        atol=1e-5,
    )


def test_downloaded_file_with_wrong_md5_is_rejected_and_removed(keras_home, monkeypatch):
    def serve_garbage(url, target, *args):
        with open(target, "wb") as f:
            f.write(b"<html>captive portal</html>")

    monkeypatch.setattr(file_utils, "urlretrieve", serve_garbage)
    entry = zw.IMAGENET_WEIGHTS[("vgg16", False)]
    with pytest.raises(ValueError, match=f"Downloaded {entry.url} but it failed the MD5 check"):
        zw.imagenet_weights_path("vgg16", include_top=False)


def test_hdf5_file_that_holds_no_weights_is_a_clear_error(tmp_path):
    path = tmp_path / "data.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("spectrogram", data=np.zeros((4, 4)))
    with pytest.raises(ValueError, match=f"{path} is HDF5 but not a Keras weights file"):
        zoo.alexnet(include_top=False, input_shape=(67, 67, 3), weights=str(path))


def test_weights_inside_a_legacy_whole_model_file_load_by_name(tmp_path):
    # Keras 2 `model.save("x.h5")` nests the same layout under `model_weights`;
    # only arrays are read, no model code is deserialised.
    source = zoo.alexnet(include_top=False, input_shape=(67, 67, 3))
    path = tmp_path / "whole_model.h5"
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f.create_group("model_weights"), source)
        f.attrs["model_config"] = "{}"
    loaded = zoo.alexnet(include_top=False, input_shape=(67, 67, 3), weights=str(path))
    x = np.random.default_rng(4).normal(size=(1, 67, 67, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(source(x)))
