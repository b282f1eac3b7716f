"""Host-side (NumPy) pieces of sampling one token from a distribution.

Temperature scaling, top-p / nucleus filtering (Holtzman et al., "The
Curious Case of Neural Text Degeneration", ICLR 2020), restriction to
allowed tokens, the greedy pick and the categorical draw. Every function
takes and returns float64 probabilities over the last axis.
"""

import numpy as np

__all__ = ["draw", "greedy", "nucleus", "restrict", "temper"]


def greedy(scores):
    """The index of the best score on the last axis; ties go to the lower index.

    Example:
        >>> greedy(np.array([0.2, 0.5, 0.5]))
        np.int64(1)
    """
    return np.argmax(scores, axis=-1)


def temper(probs, temperature):
    """`probs ** (1 / temperature)`, renormalised: < 1 sharpens, > 1 flattens.

    Computed in log space, so a token of probability 0 (one a guard refused)
    stays at 0 at any temperature. Temperature 0 is the greedy pick: all the
    mass on the most probable token.

    Args:
        probs: (vocab,) probabilities.
        temperature: a number >= 0.

    Returns:
        (vocab,) float64 probabilities.

    Example:
        >>> temper(np.array([0.2, 0.8]), 0.5)
        array([0.05882353, 0.94117647])
        >>> temper(np.array([0.2, 0.8]), 0)
        array([0., 1.])
    """
    if temperature == 0:
        return np.eye(len(probs))[greedy(probs)]
    with np.errstate(divide="ignore"):
        logits = np.where(probs > 0, np.log(probs), -np.inf) / temperature
    tempered = np.exp(logits - logits.max())
    return tempered / tempered.sum()


def nucleus(probs, top_p):
    """`probs` kept on the fewest most probable tokens holding at least `top_p`, renormalised.

    Ties go to the lower token; `top_p >= 1` returns `probs` as they are.

    Example:
        >>> nucleus(np.array([0.5, 0.3, 0.2]), 0.7)
        array([0.625, 0.375, 0.   ])
    """
    if top_p >= 1:
        return probs
    order = np.argsort(-probs, kind="stable")
    mass = np.cumsum(probs[order])
    count = min(int(np.searchsorted(mass, top_p * mass[-1])) + 1, len(order))
    kept = np.zeros_like(probs)
    kept[order[:count]] = probs[order[:count]]
    return kept / kept.sum()


def restrict(probs, allowed):
    """`probs` kept on the `allowed` tokens and renormalised; unchanged if none is allowed.

    Example:
        >>> restrict(np.array([0.5, 0.25, 0.25]), np.array([False, True, True]))
        array([0. , 0.5, 0.5])
    """
    kept = np.where(allowed, probs, 0.0)
    total = kept.sum()
    return kept / total if total > 0 else probs


def draw(rng, probs):
    """One token drawn from `probs` with the NumPy generator `rng`.

    Example:
        >>> draw(np.random.default_rng(0), np.array([0.0, 1.0, 0.0]))
        1
    """
    return int(rng.choice(len(probs), p=probs))
