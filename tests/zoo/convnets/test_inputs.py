"""What the image models share: the keras.applications arguments passed whole,
one loader that reads the first conv and the weights source from the config."""

import functools

import keras
import numpy as np
import pytest

import zoo
from zoo.convnets.inputs import ImageArgs, ImageModelConfig, dense_top, image_model

CONFIG = ImageModelConfig(default_size=16, min_size=4, first_conv="stem")


def _features(x):
    x = keras.layers.Conv2D(4, 3, padding="same", name="stem")(x)
    return keras.layers.MaxPooling2D(2, name="pool")(x)


def _model(**kwargs):
    top = functools.partial(dense_top, names=("fc1",), units=5, dropout=0.1)
    return image_model(CONFIG, _features, top, name="tiny", **kwargs)


def test_a_new_backbone_gets_the_keras_applications_arguments():
    model = _model(classes=3)
    assert model.input.shape == (None, 16, 16, 3)
    assert [layer.name for layer in model.layers[-5:]] == [
        "pool",
        "flatten",
        "fc1",
        "drop1",
        "predictions",
    ]
    assert model.output.shape == (None, 3)
    pooled = _model(include_top=False, input_shape=(None, 8, 1), pooling="max")
    assert pooled.output.shape == (None, 4)
    assert pooled.name == "tiny"


def test_weights_load_through_the_configs_first_conv(tmp_path):
    rgb = _model(include_top=False, input_shape=(8, 8, 3))
    path = tmp_path / "tiny.weights.h5"
    rgb.save_weights(path)
    grey = _model(include_top=False, input_shape=(8, 8, 1), weights=str(path))
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(grey(x), rgb(np.repeat(x, 3, -1)), rtol=1e-5, atol=1e-5)


def test_imagenet_without_a_file_names_the_configs_arch():
    with pytest.raises(ValueError, match="no ImageNet weights for None"):
        _model(include_top=False, weights="imagenet")


def test_unknown_arguments_are_a_type_error_naming_them():
    with pytest.raises(TypeError, match="poolin"):
        zoo.vgg16(include_top=False, poolin="avg")
    with pytest.raises(TypeError, match="input_shap"):
        zoo.alexnet(input_shap=(67, 67, 1))
    assert ImageArgs().classes == 1000
