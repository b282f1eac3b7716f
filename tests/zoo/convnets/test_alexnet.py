import numpy as np
import pytest

import zoo
from zoo.convnets.alexnet import ALEXNET_MIN_SIZE
from zoo.convnets.alexnet import LocalResponseNormalization


def test_paper_model_has_60_965_224_parameters_and_shapes():
    model = zoo.create_model("alexnet")
    assert model.count_params() == 60_965_224
    assert model.input.shape == (None, 227, 227, 3)
    assert model.get_layer("conv1").output.shape == (None, 55, 55, 96)
    assert model.get_layer("pool1").output.shape == (None, 27, 27, 96)
    assert model.get_layer("pool2").output.shape == (None, 13, 13, 256)
    assert model.get_layer("pool3").output.shape == (None, 6, 6, 256)
    # Grouped layers see half the channels; conv3 reads both towers.
    assert model.get_layer("conv2").kernel.shape == (5, 5, 48, 256)
    assert model.get_layer("conv3").kernel.shape == (3, 3, 256, 384)
    assert model.get_layer("conv4").kernel.shape == (3, 3, 192, 384)
    assert model.get_layer("conv5").kernel.shape == (3, 3, 192, 256)
    assert [type(model.get_layer(n)) for n in ("norm1", "norm2")] == [
        LocalResponseNormalization
    ] * 2
    assert [model.get_layer(n).rate for n in ("drop6", "drop7")] == [0.5, 0.5]
    assert model.output.shape == (None, 1000)


def test_single_tower_has_62_378_344_parameters():
    assert zoo.alexnet(groups=1).count_params() == 62_378_344


def test_grouped_convolution_runs_forward_and_backward():
    model = zoo.alexnet(include_top=False, input_shape=(ALEXNET_MIN_SIZE, 96, 3), pooling="max")
    x = np.random.default_rng(0).normal(size=(2, ALEXNET_MIN_SIZE, 96, 3)).astype("float32")
    model.compile("sgd", "mse")
    loss = model.train_on_batch(x, np.zeros((2, 256), "float32"))
    assert np.isfinite(loss)


def test_minimum_size_is_the_smallest_that_fits_every_pool():
    # conv1 11/4 valid then three 3/2 pools: 67 -> 15 -> 7 -> 3 -> 1.
    assert ALEXNET_MIN_SIZE == 67
    model = zoo.alexnet(include_top=False, input_shape=(67, 67, 1))
    assert model.output.shape == (None, 1, 1, 256)
    with pytest.raises(ValueError, match="at least 67. Received: input_shape="):
        zoo.alexnet(include_top=False, input_shape=(66, 400, 1))


def test_spectrogram_input_with_pooling():
    model = zoo.alexnet(include_top=False, input_shape=(128, 400, 1), pooling="avg")
    x = np.random.default_rng(1).normal(size=(1, 128, 400, 1)).astype("float32")
    assert model(x).shape == (1, 256)


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        (dict(groups=3), "groups"),
        (dict(groups=0), "groups"),
        (dict(dropout=1.0), "dropout"),
        (dict(include_top=False, pooling="sum"), "pooling"),
    ],
)
def test_bad_arguments_raise_received(kwargs, arg):
    with pytest.raises(ValueError, match=f"Received: {arg}="):
        zoo.alexnet(**kwargs)


def test_no_imagenet_file_exists():
    with pytest.raises(ValueError, match="no ImageNet weights for 'alexnet'.*weights=PATH"):
        zoo.alexnet(include_top=False, weights="imagenet")
