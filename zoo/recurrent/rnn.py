"""Recurrent families: N->N tagger, N->1 classifier (and the 1->N generator).

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

from zoo.recurrent.checks import sequence_input
from zoo.recurrent.generator import CONDITIONING, ZeroSequence, rnn_generator
from zoo.recurrent.stacks import check_stack, recurrent_stack
from zoo.registry import register_model
from zoo.validation import check_positive_int

# The 1->N generator lives in `zoo.recurrent.generator`, the stacked layers in
# `zoo.recurrent.stacks`; the generator stays importable from here.
__all__ = [
    "CONDITIONING",
    "ZeroSequence",
    "recommended_compile_kwargs",
    "rnn_labeller",
    "rnn_tagger",
    "rnn_classifier",
    "rnn_generator",
]


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
    check_stack(cell, units, num_layers, dropout)
    check_positive_int("num_classes", num_classes)
    inputs = sequence_input(input_shape)
    x = keras.layers.Masking(mask_value, name="masking")(inputs) if masking else inputs
    x = recurrent_stack(
        x, cell, units, num_layers, bidirectional, dropout, last_returns_sequences=per_step
    )
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
