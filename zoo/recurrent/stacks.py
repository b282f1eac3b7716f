"""Stacked (deep, optionally bidirectional) recurrent layers, shared by the `rnn` builders.

Dropout sits between the recurrent layers, not inside the recurrence, so the
cuDNN kernels stay usable on GPUs.
"""

import keras

from zoo.recurrent.cells import CELLS
from zoo.validation import check_choice, check_positive_int, check_rate

__all__ = ["check_stack", "recurrent_layer", "recurrent_stack"]

# The token models (seq2seq, scheduled sampling) share the harness's tiny size and training.
TINY_TOKEN_RNN = dict(cell="gru", units=4, embedding_dim=3)
TOKEN_TRAINING = dict(loss="categorical_crossentropy", learning_rate=0.1)


def check_stack(cell, units, num_layers, dropout):
    """Check the arguments every stacked builder takes; raises `ValueError`."""
    check_choice("cell", cell, tuple(CELLS))
    check_positive_int("units", units)
    check_positive_int("num_layers", num_layers)
    check_rate("dropout", dropout)


def recurrent_layer(cell, units, return_sequences, bidirectional, name):
    """One `cell` layer named `name`, wrapped as `bi_{name}` when bidirectional."""
    layer = CELLS[cell].layer(units, return_sequences=return_sequences, name=name)
    if bidirectional:
        return keras.layers.Bidirectional(layer, name=f"bi_{name}")
    return layer


def recurrent_stack(
    x, cell, units, num_layers, bidirectional, dropout, last_returns_sequences, initial_states=None
):
    """`num_layers` recurrent layers over `x`, dropout between them.

    Layer `i` is named `{cell}{i}` (1-based) and starts from `initial_states[i - 1]`
    when given; the last layer returns sequences only if `last_returns_sequences`.

    Example:
        >>> x = recurrent_stack(keras.Input((None, 3)), "gru", 4, 2, False, 0.1, True)
    """
    for i in range(1, num_layers + 1):
        return_sequences = last_returns_sequences or i < num_layers
        layer = recurrent_layer(cell, units, return_sequences, bidirectional, f"{cell}{i}")
        if initial_states is not None:
            x = layer(x, initial_state=initial_states[i - 1])
        else:
            x = layer(x)
        if dropout and i < num_layers:
            x = keras.layers.Dropout(dropout, name=f"dropout{i}")(x)
    return x
