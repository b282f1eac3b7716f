"""Recurrent families: N->N tagger, N->1 classifier, 1->N generator.

Simple (Elman), LSTM and GRU cells; stacked (deep) and bidirectional layers;
dropout between layers; masking of padded time steps for variable-length input.

References: J. Elman, "Finding Structure in Time", 1990; S. Hochreiter and
J. Schmidhuber, "Long Short-Term Memory", 1997; K. Cho et al. 2014 (GRU);
M. Schuster and K. Paliwal 1997 (bidirectional RNNs); R. Pascanu, T. Mikolov,
Y. Bengio, "On the difficulty of training recurrent neural networks", 2013
(gradient clipping); Goodfellow, Bengio, Courville, Deep Learning, ch. 10.
"""

import keras
import numpy as np

from zoo.recurrent.cells import CELLS
from zoo.recurrent.checks import sequence_input
from zoo.registry import register_model
from zoo.validation import check_choice, check_positive_int, check_rate

__all__ = [
    "CONDITIONING",
    "ZeroSequence",
    "recommended_compile_kwargs",
    "rnn_labeller",
    "rnn_tagger",
    "rnn_classifier",
    "rnn_generator",
]

CONDITIONING = ("input", "state", "both")


def recommended_compile_kwargs(
    loss="sparse_categorical_crossentropy", learning_rate=1e-3, global_clipnorm=1.0, metrics=None
):
    """Compile settings for the recurrent models: Adam with gradient-norm clipping.

    Why clipping: back-propagation through time multiplies the gradient by the
    recurrent Jacobian once per step, so when its largest singular value
    exceeds 1 the gradient grows exponentially with sequence length
    ("exploding gradients") and a single step can throw the weights far off.
    Rescaling the whole gradient to norm at most `global_clipnorm` (Pascanu et
    al. 2013) keeps its direction and bounds every update to
    `learning_rate * global_clipnorm` for SGD. (Keras' `clipnorm` clips each
    variable separately; `global_clipnorm` is the paper's rule.)

    Args:
        loss: the loss to compile with.
        learning_rate: Adam step size.
        global_clipnorm: bound on the norm of the whole gradient.
        metrics: metrics to compile with.

    Returns:
        A dict for `model.compile(**kwargs)`.

    Example:
        >>> model = zoo.create_model("rnn_classifier")
        >>> model.compile(**recommended_compile_kwargs(metrics=["accuracy"]))
    """
    return {
        "optimizer": keras.optimizers.Adam(learning_rate, global_clipnorm=global_clipnorm),
        "loss": loss,
        "metrics": list(metrics or []),
    }


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


def _labelled_sequences(model, batch_size=4, seed=0):
    """Float frames with a padded tail in the first example, one-hot labels."""
    rng = np.random.default_rng(seed)
    steps = model.inputs[0].shape[1] or 6
    features = model.inputs[0].shape[2]
    x = rng.standard_normal((batch_size, steps, features)).astype("float32")
    x[0, -2:] = 0.0  # exercise masking: the first sequence is two steps shorter
    classes = model.outputs[0].shape[-1]
    shape = (batch_size, steps) if len(model.outputs[0].shape) == 3 else (batch_size,)
    y = np.eye(classes, dtype="float32")[rng.integers(0, classes, shape)]
    return x, y


def _check_common(cell, units, num_layers, dropout):
    check_choice("cell", cell, tuple(CELLS))
    check_positive_int("units", units)
    check_positive_int("num_layers", num_layers)
    check_rate("dropout", dropout)


def _recurrent(cell, units, return_sequences, bidirectional, name):
    layer = CELLS[cell].layer(units, return_sequences=return_sequences, name=name)
    if bidirectional:
        return keras.layers.Bidirectional(layer, name=f"bi_{name}")
    return layer


def _stack(
    x, cell, units, num_layers, bidirectional, dropout, last_returns_sequences, initial_states=None
):
    """`num_layers` recurrent layers with dropout between them (not inside the
    recurrence, so the cuDNN kernels stay usable on GPUs)."""
    for i in range(1, num_layers + 1):
        return_sequences = last_returns_sequences or i < num_layers
        layer = _recurrent(cell, units, return_sequences, bidirectional, f"{cell}{i}")
        if initial_states is not None:
            x = layer(x, initial_state=initial_states[i - 1])
        else:
            x = layer(x)
        if dropout and i < num_layers:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    return x


def rnn_labeller(
    per_step,
    input_shape=(None, 40),
    num_classes=10,
    cell="lstm",
    units=128,
    num_layers=2,
    bidirectional=True,
    dropout=0.0,
    masking=True,
    mask_value=0.0,
    output_activation="softmax",
    name="rnn_labeller",
):
    """A recurrent network that labels every time step (N->N) or the whole sequence (N->1).

    Padded steps (all features equal to `mask_value`) are masked: the
    recurrence skips them and Keras leaves them out of the loss. A sequence
    label reads the last layer's final state; with masking that is the state
    at each sequence's last real (unpadded) step.

    Args:
        per_step: `True`: one label per step (`rnn_tagger`); `False`: one per
            sequence (`rnn_classifier`).
        input_shape: `(time_steps, features)`; `time_steps=None` for variable length.
        num_classes: labels per step or per sequence.
        cell: `"simple"` (Elman), `"lstm"` or `"gru"`.
        units: hidden units per direction and layer.
        num_layers: stacked recurrent layers (a deep RNN).
        bidirectional: run each layer forwards and backwards (Schuster and Paliwal 1997).
        dropout: dropout rate between recurrent layers (and, per sequence,
            before the classifier).
        masking: mask padded steps.
        mask_value: feature value that marks padding.
        output_activation: activation of the output layer.
        name: model name.

    Returns:
        A `keras.Model` mapping `(batch, T, features)` to `(batch, T, num_classes)`
        per step, or to `(batch, num_classes)` per sequence.

    Example:
        >>> model = rnn_labeller(per_step=False, input_shape=(None, 13), num_classes=4)
    """
    _check_common(cell, units, num_layers, dropout)
    check_positive_int("num_classes", num_classes)
    inputs = sequence_input(input_shape)
    x = keras.layers.Masking(mask_value, name="masking")(inputs) if masking else inputs
    x = _stack(x, cell, units, num_layers, bidirectional, dropout, last_returns_sequences=per_step)
    if dropout and not per_step:
        x = keras.layers.Dropout(dropout, name=f"dropout{num_layers}")(x)
    outputs = keras.layers.Dense(num_classes, activation=output_activation, name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


# What the shared test harness trains the two labellers on.
_LABELLED = dict(example=_labelled_sequences, loss="categorical_crossentropy", learning_rate=0.1)


@register_model(
    paper="Graves and Schmidhuber 2005 (BLSTM framewise tagging), N->N",
    tiny=dict(input_shape=(None, 3), num_classes=3, cell="lstm", units=4, num_layers=2),
    **_LABELLED,
)
def rnn_tagger(input_shape=(None, 40), num_classes=10, *, name="rnn_tagger", **kwargs):
    """N->N recurrent network: one label per time step (e.g. frame-wise tagging).

    Takes the arguments of `rnn_labeller` (but `per_step`); past `input_shape`
    and `num_classes` they are keywords: `cell="lstm"`, `units=128`,
    `num_layers=2`, `bidirectional=True`, `dropout=0.0`, `masking=True`,
    `mask_value=0.0`, `output_activation="softmax"`.

    Example:
        >>> model = zoo.create_model("rnn_tagger", input_shape=(None, 13), num_classes=4)
        >>> model.compile(**zoo.recurrent.rnn.recommended_compile_kwargs())
    """
    return rnn_labeller(True, input_shape, num_classes, name=name, **kwargs)


@register_model(
    paper="Hochreiter and Schmidhuber 1997 (LSTM), N->1",
    tiny=dict(input_shape=(None, 3), num_classes=3, cell="gru", units=4, num_layers=2),
    **_LABELLED,
)
def rnn_classifier(input_shape=(None, 40), num_classes=10, *, name="rnn_classifier", **kwargs):
    """N->1 recurrent network: one label per sequence (e.g. sound-event classification).

    Takes the arguments of `rnn_labeller` (but `per_step`), with the same defaults
    as `rnn_tagger`; `dropout` also applies before the classifier.

    Example:
        >>> model = zoo.create_model("rnn_classifier", cell="gru", num_layers=1)
    """
    return rnn_labeller(False, input_shape, num_classes, name=name, **kwargs)


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
    _check_common(cell, units, num_layers, dropout)
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
    x = _stack(x, cell, units, num_layers, bidirectional, dropout, True, initial_states)
    outputs = keras.layers.Dense(output_dim, activation=output_activation, name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
