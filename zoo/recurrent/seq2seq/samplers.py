"""Beam search over a step function, shared by the sequence decoders.

Reference: the beam search of I. Sutskever, O. Vinyals, Q. Le, "Sequence to
Sequence Learning with Neural Networks", NeurIPS 2014, sec. 3.2.
"""

import numpy as np
from keras import ops, tree

__all__ = ["beam_search", "tile_beams"]


def tile_beams(structure, beam_width):
    """Repeat every row of every tensor in `structure` `beam_width` times (row b -> b*K ... b*K+K-1)."""
    return tree.map_structure(lambda t: ops.repeat(t, beam_width, axis=0), structure)


def beam_search(step_fn, states, batch_size, beam_width, max_length, start_token, end_token=None):
    """Keep the `beam_width` highest-scoring prefixes; score = sum of log-probabilities.

    With `beam_width=1` this is greedy decoding (argmax at every step).

    Args:
        step_fn: `step_fn(tokens, states) -> (log_probs, new_states)`, with
            `tokens` of shape `(batch * beam_width,)` and `log_probs` of shape
            `(batch * beam_width, vocab)`.
        states: decoder states (any nest of tensors), rows already tiled with `tile_beams`.
        batch_size: number of input sequences.
        beam_width: beams kept per input.
        max_length: most tokens to emit.
        start_token: token fed at the first step.
        end_token: token that ends a hypothesis; `None` always runs `max_length` steps.

    Returns:
        `(tokens, scores)`: the best hypothesis per input, an int array
        `(batch, length)` with `length <= max_length` (positions after an
        `end_token` repeat `end_token`), and its log-probability `(batch,)`.

    Example:
        >>> tokens, scores = beam_search(step, tile_beams(states, 4), 2, 4, 20, 1, 2)
    """
    k = beam_width
    scores = np.full((batch_size, k), -np.inf)
    scores[:, 0] = 0.0  # all beams start identical: expand only the first
    finished = np.zeros((batch_size, k), dtype=bool)
    sequences = np.zeros((batch_size, k, 0), dtype="int64")
    tokens = np.full(batch_size * k, start_token, dtype="int32")
    rows = np.arange(batch_size)[:, None]
    for _ in range(max_length):
        log_probs, new_states = step_fn(ops.convert_to_tensor(tokens), states)
        log_probs = np.asarray(log_probs, dtype="float64").reshape(batch_size, k, -1)
        vocab = log_probs.shape[-1]
        if end_token is not None and finished.any():
            # A finished hypothesis may only be extended by end_token, at no
            # cost, so it keeps its score and competes with the live ones.
            log_probs[finished] = -np.inf
            log_probs[finished, end_token] = 0.0
        total = (scores[..., None] + log_probs).reshape(batch_size, k * vocab)
        top = np.argsort(-total, axis=1, kind="stable")[:, :k]
        scores = np.take_along_axis(total, top, axis=1)
        beam, token = top // vocab, top % vocab
        sequences = np.concatenate([sequences[rows, beam], token[..., None]], axis=-1)
        finished = finished[rows, beam]
        if end_token is not None:
            finished |= token == end_token
        gather = ops.convert_to_tensor((rows * k + beam).reshape(-1).astype("int32"))
        states = tree.map_structure(lambda t: ops.take(t, gather, axis=0), new_states)
        tokens = token.reshape(-1).astype("int32")
        if end_token is not None and finished.all():
            break
    # Beams are sorted by score, so beam 0 is the best.
    return sequences[:, 0], scores[:, 0]
