"""Where weights come from: the ImageNet cache and hash checks, keras-hub presets
from Kaggle, and the offline errors. Every file is made here; nothing is downloaded."""

import hashlib
import inspect
import json
import re
import urllib.error

import keras
import numpy as np
import pytest
import requests
from keras.src.utils import file_utils

import zoo
from tests.zoo.weights.conftest import SHAPE, X
from zoo import weights as zw


def _md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


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


def test_downloaded_file_with_wrong_md5_is_rejected_and_removed(keras_home, monkeypatch):
    def serve_garbage(url, target, *args):
        with open(target, "wb") as f:
            f.write(b"<html>captive portal</html>")

    monkeypatch.setattr(file_utils, "urlretrieve", serve_garbage)
    entry = zw.IMAGENET_WEIGHTS[("vgg16", False)]
    with pytest.raises(ValueError, match=f"Downloaded {entry.url} but it failed the MD5 check"):
        zw.imagenet_weights_path("vgg16", include_top=False)
