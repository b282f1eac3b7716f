import math

import pytest

import zoo

# Lindholm et al. (2022), Example 6.3: hidden units and parameters per layer.
BOOK_UNITS = [3_136, 1_568, 588, 200, 10]
BOOK_PARAMS = [104, 808, 1_548, 117_800, 2_010]


def _weighted_layers(model):
    return [layer for layer in model.layers if layer.weights]


def test_hidden_units_per_layer_match_the_book():
    model = zoo.create_model("lwls_cnn")
    units = [math.prod(layer.output.shape[1:]) for layer in _weighted_layers(model)]
    assert units == BOOK_UNITS


def test_parameters_per_layer_match_the_book():
    model = zoo.create_model("lwls_cnn")
    assert [layer.count_params() for layer in _weighted_layers(model)] == BOOK_PARAMS
    assert model.count_params() == 122_270 == sum(BOOK_PARAMS)


def test_wrong_input_rank_is_rejected():
    with pytest.raises(ValueError, match=r"Received: input_shape=\(28, 28\)"):
        zoo.lwls_cnn(input_shape=(28, 28))
