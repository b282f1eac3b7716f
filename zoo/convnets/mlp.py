"""Multi-layer perceptrons: logistic regression and the 2-layer MNIST MLP."""

import keras

from zoo.convnets.inputs import ACTIVATIONS
from zoo.registry import register_model
from zoo.validation import check_choice, check_input_shape, check_positive_int, argument_error

__all__ = ["mlp", "logistic_regression", "mlp_mnist"]


def mlp(
    input_shape,
    hidden_units,
    num_classes,
    activation="sigmoid",
    output_activation="softmax",
    name="mlp",
):
    """A fully connected network; `hidden_units=()` is logistic regression.

    Inputs of rank > 1 (e.g. 28x28 images) are flattened first.

    Args:
        input_shape: shape of one example, e.g. `(784,)` or `(28, 28, 1)`.
        hidden_units: widths of the hidden layers, e.g. `(200,)`.
        num_classes: output units.
        activation: hidden activation, one of `ACTIVATIONS`.
        output_activation: activation of the output layer (`"softmax"`,
            `"sigmoid"` or `None` for logits).
        name: model name.

    Returns:
        A `keras.Model`.

    Example:
        >>> model = zoo.mlp((784,), (200,), 10)
        >>> model.count_params()
        159010
    """
    input_shape = check_input_shape("input_shape", input_shape)
    check_choice("activation", activation, ACTIVATIONS)
    check_positive_int("num_classes", num_classes)
    if isinstance(hidden_units, int):
        raise argument_error(
            "hidden_units",
            hidden_units,
            "`hidden_units` must be a sequence of widths, e.g. (200,).",
        )
    hidden_units = tuple(hidden_units)
    for units in hidden_units:
        check_positive_int("hidden_units", units)

    inputs = keras.Input(input_shape, name="inputs")
    x = inputs
    if len(input_shape) > 1:
        x = keras.layers.Flatten(name="flatten")(x)
    for i, units in enumerate(hidden_units, start=1):
        x = keras.layers.Dense(units, activation=activation, name=f"hidden{i}")(x)
    outputs = keras.layers.Dense(num_classes, activation=output_activation, name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


@register_model(
    paper="Cox 1958 (logistic regression); LWLS ch. 3",
    tiny=dict(input_shape=(16,), num_classes=3),
)
def logistic_regression(input_shape=(784,), num_classes=10, name="logistic_regression"):
    """Multinomial logistic regression (784 -> 10 softmax: 7,850 parameters).

    Example:
        >>> zoo.create_model("logistic_regression").count_params()
        7850
    """
    return mlp(input_shape, (), num_classes, name=name)


@register_model(
    paper="LWLS ch. 6 / LeCun et al. 1998 (MNIST 784-200-10)",
    tiny=dict(input_shape=(16,), hidden_units=(8,), num_classes=3),
)
def mlp_mnist(
    input_shape=(784,),
    hidden_units=(200,),
    num_classes=10,
    activation="sigmoid",
    name="mlp_mnist",
):
    """The 2-layer MNIST MLP (784 -> 200 -> 10: 159,010 parameters).

    Example:
        >>> zoo.create_model("mlp_mnist", activation="relu").count_params()
        159010
    """
    return mlp(input_shape, hidden_units, num_classes, activation=activation, name=name)
