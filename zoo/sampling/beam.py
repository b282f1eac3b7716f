"""Beam-search bookkeeping shared by the beam decoders, and GNMT's length penalty.

A beam decoder holds `beams` hypotheses per input, scores every
`(beam, token)` continuation, keeps the best `beams` of them and extends
each kept hypothesis' history. Scores and histories carry any leading
batch axes: `(..., beams, vocab)` and `(..., beams, length)`.

References: the beam search of I. Sutskever, O. Vinyals, Q. Le, "Sequence to
Sequence Learning with Neural Networks", NeurIPS 2014, sec. 3.2; the length
penalty of Y. Wu et al., "Google's Neural Machine Translation System",
arXiv:1609.08144, 2016, sec. 7.
"""

import numpy as np

__all__ = ["best_candidates", "extend", "initial_scores", "length_penalty"]


def length_penalty(length, alpha):
    """GNMT's length penalty `((5 + length) / 6) ** alpha`; a hypothesis scores `log p / penalty`.

    `alpha = 0` gives 1 (rank by log-probability); larger values favour longer hypotheses.

    Example:
        >>> length_penalty(7, 1.0)
        np.float64(2.0)
    """
    return ((5.0 + np.asarray(length, dtype="float64")) / 6.0) ** alpha


def initial_scores(shape):
    """Log-probabilities of the starting beams: 0 for beam 0, `-inf` for the others.

    All beams start identical, so only the first is expanded at the first step.

    Example:
        >>> initial_scores((1, 3))
        array([[  0., -inf, -inf]])
    """
    scores = np.full(shape, -np.inf)
    scores[..., 0] = 0.0
    return scores


def best_candidates(scores, k):
    """Indices of the `k` best scores on the last axis, best first; ties go to the lower index.

    Flatten `(beams, vocab)` scores first; `divmod(index, vocab)` then gives
    `(beam, token)`.

    Example:
        >>> best_candidates(np.array([0.1, 0.7, 0.2, 0.7]), 3)
        array([1, 3, 2])
    """
    return np.argsort(-scores, axis=-1, kind="stable")[..., :k]


def extend(history, beam, token):
    """The histories of the kept `beam`s, each extended by its `token`.

    Args:
        history: (..., beams, length) tokens so far.
        beam: (..., k) the beam each kept hypothesis extends.
        token: (..., k) the token it adds.

    Returns:
        (..., k, length + 1) tokens.

    Example:
        >>> extend(np.array([[1], [2]]), np.array([1, 1]), np.array([5, 6]))
        array([[2, 5],
               [2, 6]])
    """
    kept = np.take_along_axis(history, beam[..., None], axis=-2)
    return np.concatenate([kept, token[..., None]], axis=-1)
