"""The convolutional network of Example 6.3 in Lindholm, Wahlstrom, Lindsten and
Schon, *Machine Learning: A First Course for Engineers and Scientists* (2022).

28x28x1 input -> conv 4@5x5/1 -> conv 8@5x5/2 -> conv 12@4x4/2 -> dense 200 -> dense 10.
Hidden units per layer 3,136 / 1,568 / 588 / 200 / 10; parameters
104 / 808 / 1,548 / 117,800 / 2,010 (122,270 in all).
"""

import keras

from zoo.convnets.inputs import ACTIVATIONS
from zoo.registry import register_model
from zoo.validation import check_choice, check_input_shape, check_positive_int

__all__ = ["lwls_cnn", "LWLS_CNN_LAYERS"]

# (name, filters, kernel size, stride) of the three convolutional layers.
LWLS_CNN_LAYERS = (
    ("conv1", 4, 5, 1),
    ("conv2", 8, 5, 2),
    ("conv3", 12, 4, 2),
)


@register_model(
    paper="Lindholm et al. 2022, Example 6.3",
    tiny=dict(input_shape=(12, 12, 1), num_classes=3, dense_units=8),
)
def lwls_cnn(
    input_shape=(28, 28, 1),
    num_classes=10,
    dense_units=200,
    activation="relu",
    name="lwls_cnn",
):
    """The LWLS Example 6.3 CNN ("same" padding, so 28 -> 28 -> 14 -> 7).

    Args:
        input_shape: `(height, width, channels)`; the book uses `(28, 28, 1)`.
        num_classes: output classes (softmax).
        dense_units: width of the fully connected hidden layer (200 in the book).
        activation: hidden activation, `"relu"` (the book) or another of
            `zoo.convnets.inputs.ACTIVATIONS`.
        name: model name.

    Returns:
        A `keras.Model` with 122,270 parameters at the book's settings.

    Example:
        >>> model = zoo.create_model("lwls_cnn")
        >>> [l.count_params() for l in model.layers if l.weights]
        [104, 808, 1548, 117800, 2010]
    """
    input_shape = check_input_shape("input_shape", input_shape, rank=3)
    check_choice("activation", activation, ACTIVATIONS)
    check_positive_int("num_classes", num_classes)
    check_positive_int("dense_units", dense_units)

    inputs = keras.Input(input_shape, name="inputs")
    x = inputs
    for layer_name, filters, kernel, stride in LWLS_CNN_LAYERS:
        x = keras.layers.Conv2D(
            filters, kernel, strides=stride, padding="same", activation=activation, name=layer_name
        )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, activation=activation, name="dense1")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
