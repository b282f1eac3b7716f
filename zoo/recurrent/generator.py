"""The 1->N recurrent generator: a sequence of frames from one conditioning vector.

Reference: Goodfellow, Bengio, Courville, Deep Learning, sec. 10.2.4.
"""

import keras

from zoo.recurrent.stacks import check_stack, recurrent_stack
from zoo.registry import register_model
from zoo.validation import check_choice, check_positive_int

__all__ = ["CONDITIONING", "ZeroSequence", "rnn_generator"]

CONDITIONING = ("input", "state", "both")


@keras.saving.register_keras_serializable(package="zoo")
class ZeroSequence(keras.layers.Layer):
    """Zeros of shape `(batch, steps, 1)`: the input of a state-conditioned generator.

    With `conditioning="state"` all information enters through the initial
    state, and the recurrence runs on a constant input (its bias).

    Args:
        steps: number of time steps to emit.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`, ...).

    Example:
        >>> ZeroSequence(5)(np.ones((2, 3), "float32")).shape
        TensorShape([2, 5, 1])
    """

    def __init__(self, steps, **kwargs):
        super().__init__(**kwargs)
        self.steps = steps

    def call(self, inputs):
        batch = keras.ops.shape(inputs)[0]
        return keras.ops.zeros((batch, self.steps, 1), dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.steps, 1)

    def get_config(self):
        return {**super().get_config(), "steps": self.steps}


@register_model(
    paper="Goodfellow et al. 2016, sec. 10.2.4 (1->N RNN)",
    tiny=dict(
        conditioning_dim=3, steps=5, output_dim=2, conditioning="both", cell="simple", units=4
    ),
)
def rnn_generator(
    conditioning_dim=16,
    steps=20,
    output_dim=40,
    conditioning="input",
    cell="lstm",
    units=128,
    num_layers=2,
    bidirectional=False,
    dropout=0.0,
    output_activation=None,
    name="rnn_generator",
):
    """1->N recurrent network: a sequence of `steps` frames from one conditioning vector.

    `conditioning="input"` feeds the vector at every step; `"state"` maps it
    through a dense layer (tanh) to every layer's initial state and runs the
    recurrence on a zero input; `"both"` does both.

    Args:
        conditioning_dim: size of the conditioning vector.
        steps: output length.
        output_dim: features per output frame (or classes, with softmax).
        conditioning: `"input"`, `"state"` or `"both"`.
        cell: `"simple"`, `"lstm"` or `"gru"`.
        units: hidden units per direction and layer.
        num_layers: stacked recurrent layers.
        bidirectional: bidirectional layers (both directions get an initial state).
        dropout: dropout rate between layers.
        output_activation: per-frame output activation (`None`: regression).
        name: model name.

    Returns:
        A `keras.Model` mapping `(batch, conditioning_dim)` to `(batch, steps, output_dim)`.

    Example:
        >>> model = zoo.create_model("rnn_generator", conditioning="state", steps=50)
    """
    check_stack(cell, units, num_layers, dropout)
    check_positive_int("conditioning_dim", conditioning_dim)
    check_positive_int("steps", steps)
    check_positive_int("output_dim", output_dim)
    check_choice("conditioning", conditioning, CONDITIONING)
    inputs = keras.Input((conditioning_dim,), name="conditioning")
    if conditioning in ("input", "both"):
        x = keras.layers.RepeatVector(steps, name="repeat")(inputs)
    else:
        x = ZeroSequence(steps, name="zero_inputs")(inputs)
    initial_states = None
    if conditioning in ("state", "both"):
        # One dense map per state tensor: LSTMs carry (h, c), the others h;
        # a bidirectional layer takes the forward states then the backward ones.
        per_layer = 2 if cell == "lstm" else 1
        directions = ("fwd", "bwd") if bidirectional else ("fwd",)
        initial_states = [
            [
                keras.layers.Dense(units, activation="tanh", name=f"init_{d}{i}_{s}")(inputs)
                for d in directions
                for s in range(per_layer)
            ]
            for i in range(1, num_layers + 1)
        ]
    x = recurrent_stack(x, cell, units, num_layers, bidirectional, dropout, True, initial_states)
    outputs = keras.layers.Dense(output_dim, activation=output_activation, name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
