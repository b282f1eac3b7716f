"""The recurrent cells every recurrent model offers: one table, two views.

`CELLS[name].layer` is the Keras layer that runs a whole sequence (and uses
the cuDNN kernels on GPUs); `CELLS[name].step` is the cell that a model
calls one step at a time (decoders, scheduled sampling).

References: J. Elman, "Finding Structure in Time", 1990 (simple);
S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory", 1997;
K. Cho et al. 2014 (GRU).
"""

import collections

import keras

__all__ = ["CELLS", "Cell", "state_sizes"]

Cell = collections.namedtuple("Cell", "layer step")
Cell.__doc__ = """A recurrent cell kind: `layer` runs sequences, `step` runs one step.

Example:
    >>> CELLS["gru"].layer(8, return_sequences=True)
    <GRU name=gru..., built=False>
"""

CELLS = {
    "simple": Cell(keras.layers.SimpleRNN, keras.layers.SimpleRNNCell),
    "lstm": Cell(keras.layers.LSTM, keras.layers.LSTMCell),
    "gru": Cell(keras.layers.GRU, keras.layers.GRUCell),
}


def state_sizes(cell):
    """The sizes of a step cell's state tensors: `[h, c]` for an LSTM, `[h]` otherwise.

    Example:
        >>> state_sizes(keras.layers.LSTMCell(4))
        [4, 4]
    """
    sizes = cell.state_size
    return list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
