"""Luong and Bahdanau attention over the encoder outputs, for the `Seq2Seq` decoder.

`"luong"` scores the current decoder state h_t against every encoder output
("general" score, output h~_t = tanh(W_c [c_t; h_t])); `"bahdanau"` scores the
previous decoder state with an additive score, and the decoder feeds the
context into its recurrence. The Dense layers stay attributes of the model
(`attention_keys`, `attention_combine`, `attention_query`, `attention_score`),
so saved weights keep their names.

References: D. Bahdanau, K. Cho, Y. Bengio, "Neural Machine Translation by
Jointly Learning to Align and Translate", 2015; M.-T. Luong, H. Pham,
C. Manning, "Effective Approaches to Attention-based Neural Machine
Translation", 2015.
"""

import keras
from keras import ops

__all__ = ["ATTENTION", "attention_layers", "luong", "bahdanau"]

ATTENTION = ("luong", "bahdanau", None)
_NEG = -1e9  # added to the scores of padded source steps before the softmax


def attention_layers(attention, units):
    """Build the Dense layers an attention kind needs, keyed by the model attribute that holds each.

    Args:
        attention: `"luong"`, `"bahdanau"` or `None` (no layers).
        units: units of the encoder and decoder layers.

    Returns:
        A dict `{attribute name: built layer}`, in creation order.

    Example:
        >>> list(attention_layers("luong", 8))
        ['attention_keys', 'attention_combine']
    """
    layers = {}
    if attention is not None:
        layers["attention_keys"] = keras.layers.Dense(units, use_bias=False, name="attention_keys")
        layers["attention_keys"].build((None, None, units))
    if attention == "luong":
        layers["attention_combine"] = keras.layers.Dense(
            units, activation="tanh", name="attention_combine"
        )
        layers["attention_combine"].build((None, None, 2 * units))
    if attention == "bahdanau":
        layers["attention_query"] = keras.layers.Dense(units, name="attention_query")
        layers["attention_query"].build((None, units))
        layers["attention_score"] = keras.layers.Dense(1, use_bias=False, name="attention_score")
        layers["attention_score"].build((None, None, units))
    return layers


def _attend(scores, memory, mask):
    scores = ops.where(ops.expand_dims(mask, 1), scores, _NEG)
    weights = ops.softmax(scores, axis=-1)
    return ops.matmul(weights, memory)


def luong(h, memory, keys, mask, combine):
    """Luong attention output h~_t = tanh(W_c [c_t; h_t]) for every decoder output.

    Args:
        h: decoder outputs `(batch, T, units)`.
        memory: encoder outputs `(batch, S, units)`.
        keys: `attention_keys(memory)`, `(batch, S, units)`.
        mask: `(batch, S)`, false at padded source steps.
        combine: the `attention_combine` layer (W_c).

    Returns:
        `(batch, T, units)`.
    """
    # score(h_t, m_s) = h_t . W_a m_s  (Luong et al.'s "general" score)
    context = _attend(ops.matmul(h, ops.transpose(keys, (0, 2, 1))), memory, mask)
    return combine(ops.concatenate([context, h], axis=-1))


def bahdanau(query, memory, keys, mask, query_layer, score_layer):
    """Bahdanau context vector for the previous decoder state.

    Args:
        query: previous decoder state s_{t-1}, `(batch, units)`.
        memory: encoder outputs `(batch, S, units)`.
        keys: `attention_keys(memory)`, `(batch, S, units)`.
        mask: `(batch, S)`, false at padded source steps.
        query_layer: the `attention_query` layer (W_2).
        score_layer: the `attention_score` layer (v).

    Returns:
        The context `(batch, units)`.
    """
    # score(s_{t-1}, m_s) = v . tanh(W_1 m_s + W_2 s_{t-1})
    q = ops.expand_dims(query_layer(query), 1)
    scores = ops.squeeze(score_layer(ops.tanh(keys + q)), -1)
    return _attend(ops.expand_dims(scores, 1), memory, mask)[:, 0]
