import keras
import numpy as np
import pytest

import zoo
from zoo.convnets.vgg import VGG_CONFIGS


@pytest.mark.parametrize(
    "name, params",
    [
        ("vgg11", 132_863_336),
        ("vgg13", 133_047_848),
        ("vgg16", 138_357_544),
        ("vgg19", 143_667_240),
    ],
)
def test_parameter_counts_with_top_match_the_paper(name, params):
    assert zoo.create_model(name).count_params() == params


def test_vgg16_without_top_has_14_714_688_parameters():
    assert zoo.vgg16(include_top=False).count_params() == 14_714_688


def test_configs_are_the_papers_a_b_d_e():
    assert VGG_CONFIGS == {
        "vgg11": (1, 1, 2, 2, 2),
        "vgg13": (2, 2, 2, 2, 2),
        "vgg16": (2, 2, 3, 3, 3),
        "vgg19": (2, 2, 4, 4, 4),
    }
    assert zoo.list_models("vgg*") == ["vgg11", "vgg13", "vgg16", "vgg19"]


@pytest.mark.parametrize("name, ka", [("vgg16", "VGG16"), ("vgg19", "VGG19")])
def test_layer_names_and_shapes_match_keras_applications(name, ka):
    ours = zoo.create_model(name, include_top=False, input_shape=(32, 32, 3))
    theirs = getattr(keras.applications, ka)(
        weights=None, include_top=False, input_shape=(32, 32, 3)
    )
    assert [layer.name for layer in ours.layers[1:]] == [layer.name for layer in theirs.layers[1:]]
    assert [w.shape for w in ours.weights] == [w.shape for w in theirs.weights]


def test_top_layer_names():
    model = zoo.vgg11(input_shape=(32, 32, 3), classes=7, classifier_activation=None)
    assert [layer.name for layer in model.layers[-4:]] == ["flatten", "fc1", "fc2", "predictions"]
    assert model.output.shape == (None, 7)
    assert model.name == "vgg11"


@pytest.mark.parametrize(
    "pooling, shape", [(None, (None, 4, 2, 512)), ("avg", (None, 512)), ("max", (None, 512))]
)
def test_spectrogram_inputs_without_top(pooling, shape):
    model = zoo.vgg13(include_top=False, input_shape=(128, 64, 1), pooling=pooling)
    assert model.output.shape == shape
    x = np.random.default_rng(0).normal(size=(2, 128, 64, 1)).astype("float32")
    assert model(x).shape[1:] == shape[1:]


def test_in_channels_sets_the_input_and_defaults_to_any_size_without_top():
    model = zoo.vgg16(include_top=False, in_channels=1)
    assert model.input.shape == (None, None, None, 1)
    assert zoo.vgg16(include_top=False, input_shape=(40, 50, 1), in_channels=1).input.shape == (
        None,
        40,
        50,
        1,
    )


def test_input_tensor_is_built_on():
    inputs = keras.Input((48, 48, 3))
    model = zoo.vgg11(include_top=False, input_tensor=inputs, pooling="avg")
    assert model.inputs[0] is inputs
    assert model.output.shape == (None, 512)


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        (dict(include_top=False, input_shape=(31, 64, 1)), "input_shape"),
        (dict(include_top=False, input_shape=(64, 64)), "input_shape"),
        (dict(include_top=True, input_shape=(None, None, 3)), "input_shape"),
        (dict(include_top=False, input_shape=(64, 64, 1), in_channels=3), "in_channels"),
        (dict(include_top=False, pooling="mean"), "pooling"),
        (dict(classes=0), "classes"),
        (dict(weights="imagenet", input_shape=(160, 160, 3)), "input_shape"),
        (dict(weights="imagenet", classes=10), "classes"),
        (dict(weights="imagenet", classifier_activation="sigmoid"), "classifier_activation"),
        (dict(include_top=False, weights="no/such/file.h5"), "weights"),
        (dict(include_top=False, input_tensor=np.zeros((1, 32, 32, 3))), "input_tensor"),
    ],
)
def test_bad_arguments_raise_received(kwargs, arg):
    with pytest.raises(ValueError, match=f"Received: {arg}="):
        zoo.vgg16(**kwargs)


def test_custom_config_tuple_and_bad_config():
    model = zoo.vgg((1, 1, 1, 1, 1), include_top=False, input_shape=(32, 32, 3))
    assert sum(1 for layer in model.layers if "conv" in layer.name) == 5
    with pytest.raises(ValueError, match="Received: config="):
        zoo.vgg((1, 1, 1))
    with pytest.raises(ValueError, match="Received: config="):
        zoo.vgg("vgg17")


def test_vgg11_has_no_imagenet_file_and_says_use_a_path():
    with pytest.raises(ValueError, match="weights=PATH"):
        zoo.vgg11(include_top=False, weights="imagenet")
