"""In-graph sampling (Keras ops), for decoding loops that run compiled.

Inverse-CDF sampling turns one uniform per row into a class, so a draw is a
pure function of the logits and the noise, whatever computed them.
"""

from keras import ops

__all__ = ["inverse_cdf", "tempered_softmax"]


def tempered_softmax(logits, temperature):
    """`softmax(logits / temperature)` over the last axis.

    Example:
        >>> ops.convert_to_numpy(tempered_softmax(ops.array([[0.0, 0.0]]), 2.0))
        array([[0.5, 0.5]], dtype=float32)
    """
    return ops.softmax(logits / temperature, axis=-1)


def inverse_cdf(probs, uniforms):
    """Draw one class per row of `probs` (batch, classes) from `uniforms` (batch,) in [0, 1).

    The class is the first whose cumulative probability exceeds `u` times the
    total, so rounding in the cumulative sum never picks past the last class.

    Example:
        >>> probs = ops.array([[0.25, 0.75], [0.25, 0.75]])
        >>> ops.convert_to_numpy(inverse_cdf(probs, ops.array([0.2, 0.3])))
        array([0, 1], dtype=int32)
    """
    cdf = ops.cumsum(probs, axis=-1)
    u = uniforms * cdf[:, -1]
    index = ops.sum(ops.cast(cdf < u[:, None], "int32"), axis=-1)
    return ops.minimum(index, ops.shape(probs)[-1] - 1)
