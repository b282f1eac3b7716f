import keras
import numpy as np
import pytest

import zoo
from zoo.convnets.inputs import ACTIVATIONS

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
XOR_Y = np.array([0, 1, 1, 0], dtype="float32")


def test_logistic_regression_has_7850_parameters():
    model = zoo.create_model("logistic_regression")
    assert model.count_params() == 7_850
    assert [layer.name for layer in model.layers if layer.weights] == ["predictions"]


def test_mlp_mnist_has_159010_parameters():
    model = zoo.create_model("mlp_mnist")
    assert model.count_params() == 159_010
    assert [layer.count_params() for layer in model.layers if layer.weights] == [157_000, 2_010]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_offered_activation_builds(activation):
    model = zoo.mlp((4,), (3,), 2, activation=activation)
    assert model.get_layer("hidden1").activation.__name__ == activation


def test_image_inputs_are_flattened():
    model = zoo.mlp((28, 28, 1), (200,), 10)
    assert model.count_params() == 159_010


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        (dict(activation="swish"), "activation"),
        (dict(num_classes=0), "num_classes"),
        (dict(hidden_units=200), "hidden_units"),
        (dict(hidden_units=(0,)), "hidden_units"),
        (dict(input_shape=(-1,)), "input_shape"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, arg):
    args = dict(input_shape=(4,), hidden_units=(3,), num_classes=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=rf"Received: {arg}="):
        zoo.mlp(**args)


def _fit_xor(hidden_units):
    keras.utils.set_random_seed(0)
    model = zoo.mlp((2,), hidden_units, 1, activation="tanh", output_activation="sigmoid")
    model.compile(
        optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"]
    )
    # 400 full-batch steps: the 4 points repeated, in order, as 100 batches of 4 per
    # epoch (one step per epoch would pay Keras' per-epoch overhead 400 times).
    repeats = 100
    x, y = np.tile(XOR_X, (repeats, 1)), np.tile(XOR_Y, repeats)
    model.fit(x, y, epochs=400 // repeats, batch_size=4, shuffle=False, verbose=0)
    return model.evaluate(XOR_X, XOR_Y, verbose=0, return_dict=True)["accuracy"]


def test_one_layer_network_cannot_fit_xor():
    # A linear decision boundary separates at most 3 of the 4 XOR points.
    assert _fit_xor(()) <= 0.75


def test_two_layer_mlp_fits_xor_exactly():
    assert _fit_xor((8,)) == 1.0
