"""Weights files into the zoo's layers: keras.applications files load by name into
the zoo and back, the in_channels rule, and clear errors for wrong files.
Every file is made here; nothing is downloaded."""

import h5py
import keras
import numpy as np
import pytest
from keras.src.legacy.saving import legacy_h5_format

import zoo
from tests.zoo.weights.conftest import SHAPE, X, legacy_h5
from zoo import weights as zw


def _names(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


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
    legacy = legacy_h5(ours, tmp_path / "zoo.h5")
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
