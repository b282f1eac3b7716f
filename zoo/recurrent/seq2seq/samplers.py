"""Decoding strategies over any step function: greedy and beam search (keras-hub's samplers).

A step function feeds one token per hypothesis and returns the
log-probabilities of the next one:

    step_fn(tokens, states) -> (log_probs, new_states)

with `tokens` of shape `(rows,)`, `log_probs` of shape `(rows, vocab)`, and
`states` any nest of tensors with one row per hypothesis (recurrent states,
and whatever the step reads, such as the encoder outputs). A sampler owns
the hypotheses: `BeamSampler` repeats every row of `states` per beam and
reorders the rows as beams are kept, so the step function never sees the
beam axis.

The greedy pick, the beam bookkeeping and GNMT's length penalty are the
shared ones of `zoo.sampling` (references there).
"""

import math

import numpy as np
from keras import ops, tree

from zoo.sampling import best_candidates, extend, greedy, initial_scores, length_penalty
from zoo.validation import argument_error, check_positive_int

__all__ = ["BeamSampler", "GreedySampler", "feed_back_frames", "length_penalty"]


def _rows(states):
    return int(tree.flatten(states)[0].shape[0])


def _take_rows(states, rows):
    return tree.map_structure(lambda t: ops.take(t, rows, axis=0), states)


def _masked(log_probs, finished, end_token):
    """A finished hypothesis may only be extended by `end_token`, at no cost."""
    if end_token is not None and finished.any():
        log_probs[finished] = -np.inf
        log_probs[finished, end_token] = 0.0
    return log_probs


class GreedySampler:
    """Feed back the most probable token at every step.

    Example:
        >>> def step_fn(tokens, states):  # every step: token 2 at 0.5, token 1 at 0.3
        ...     return np.log([[0.2, 0.3, 0.5]] * len(tokens)), states
        >>> tokens, scores = GreedySampler()(step_fn, np.zeros((2, 1)), max_length=3, start_token=0)
        >>> tokens
        array([[2, 2, 2],
               [2, 2, 2]])
    """

    def __call__(self, step_fn, states, max_length, start_token, end_token=None):
        """Decode every row of `states` greedily.

        Args:
            step_fn: `step_fn(tokens, states) -> (log_probs, new_states)`.
            states: the decoder's starting state, one row per input.
            max_length: most tokens to emit.
            start_token: token fed at the first step.
            end_token: token that ends a hypothesis; `None` always runs `max_length` steps.

        Returns:
            `(tokens, scores)`: int array `(batch, length)`, `length <= max_length`
            (positions after an `end_token` repeat it), and the log-probabilities `(batch,)`.
        """
        check_positive_int("max_length", max_length)
        batch = _rows(states)
        scores = np.zeros(batch)
        finished = np.zeros(batch, dtype=bool)
        tokens = np.full(batch, start_token, dtype="int32")
        emitted = []
        for _ in range(max_length):
            log_probs, states = step_fn(ops.convert_to_tensor(tokens), states)
            log_probs = _masked(np.array(log_probs, dtype="float64"), finished, end_token)
            total = scores[:, None] + log_probs
            token = greedy(total)  # the first best, as a stable sort takes it
            scores = total[np.arange(batch), token]
            emitted.append(token)
            if end_token is not None:
                finished |= token == end_token
            tokens = token.astype("int32")
            if end_token is not None and finished.all():
                break
        return np.stack(emitted, axis=1), scores


class BeamSampler:
    """Keep the `num_beams` best prefixes; rank by log-probability over GNMT's length penalty.

    Hypotheses are ranked by `log p / ((5 + length) / 6) ** length_penalty`,
    with `length` counting the tokens emitted up to and including `end_token`.
    `length_penalty=0` ranks by log-probability alone; `num_beams=1` is greedy
    decoding.

    Args:
        num_beams: hypotheses kept per input.
        length_penalty: GNMT's alpha (>= 0; Wu et al. use 0.6 to 1).

    Example:
        >>> def step_fn(tokens, states):  # every step: token 2 at 0.5, token 1 at 0.3
        ...     return np.log([[0.2, 0.3, 0.5]] * len(tokens)), states
        >>> sampler = BeamSampler(num_beams=2, length_penalty=0.6)
        >>> tokens, scores = sampler(step_fn, np.zeros((1, 1)), max_length=4, start_token=0, end_token=2)
        >>> tokens
        array([[2, 2]])
    """

    def __init__(self, num_beams=4, length_penalty=0.0):
        self.num_beams = check_positive_int("num_beams", num_beams)
        alpha = length_penalty
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not alpha >= 0:
            raise argument_error("length_penalty", alpha, "`length_penalty` must be a number >= 0.")
        if not math.isfinite(alpha):
            raise argument_error("length_penalty", alpha, "`length_penalty` must be finite.")
        self.length_penalty = float(alpha)

    def __call__(self, step_fn, states, max_length, start_token, end_token=None):
        """Beam-search every row of `states`.

        Args:
            step_fn: `step_fn(tokens, states) -> (log_probs, new_states)`; it sees
                `batch * num_beams` rows (row `b * num_beams + j` is beam `j` of input `b`).
            states: the decoder's starting state, one row per input.
            max_length: most tokens to emit.
            start_token: token fed at the first step.
            end_token: token that ends a hypothesis; `None` always runs `max_length` steps.

        Returns:
            `(tokens, scores)`: the best hypothesis per input, an int array
            `(batch, length)` with `length <= max_length` (positions after an
            `end_token` repeat it), and its score `(batch,)`: the
            log-probability divided by the length penalty.
        """
        check_positive_int("max_length", max_length)
        k, batch = self.num_beams, _rows(states)
        states = tree.map_structure(lambda t: ops.repeat(t, k, axis=0), states)
        log_p = initial_scores((batch, k))
        lengths = np.zeros((batch, k), dtype="int64")
        finished = np.zeros((batch, k), dtype=bool)
        sequences = np.zeros((batch, k, 0), dtype="int64")
        tokens = np.full(batch * k, start_token, dtype="int32")
        rows = np.arange(batch)[:, None]
        for _ in range(max_length):
            log_probs, new_states = step_fn(ops.convert_to_tensor(tokens), states)
            log_probs = np.array(log_probs, dtype="float64").reshape(batch, k, -1)
            vocab = log_probs.shape[-1]
            total = (log_p[..., None] + _masked(log_probs, finished, end_token)).reshape(batch, -1)
            # A finished hypothesis keeps its length; a live one grows by the token.
            grown = np.repeat(lengths + ~finished, vocab, axis=1)
            score = (
                total / length_penalty(grown, self.length_penalty) if self.length_penalty else total
            )
            top = best_candidates(score, k)
            log_p = np.take_along_axis(total, top, axis=1)
            lengths = np.take_along_axis(grown, top, axis=1)
            beam, token = divmod(top, vocab)
            sequences = extend(sequences, beam, token)
            finished = finished[rows, beam]
            if end_token is not None:
                finished |= token == end_token
            gather = ops.convert_to_tensor((rows * k + beam).reshape(-1).astype("int32"))
            states = _take_rows(new_states, gather)
            tokens = token.reshape(-1).astype("int32")
            if end_token is not None and finished.all():
                break
        # Beams are sorted by score, so beam 0 is the best.
        return sequences[:, 0], np.take_along_axis(score, top, axis=1)[:, 0]


def feed_back_frames(step_fn, first, states, max_length):
    """Greedy decoding of frames: every step feeds back the previous output frame.

    Args:
        step_fn: `step_fn(frame, states) -> (next_frame, new_states)`.
        first: the frame fed at the first step, `(batch, dim)`.
        states: the decoder's starting state.
        max_length: frames to produce.

    Returns:
        NumPy `(batch, max_length, dim)`.

    Example:
        >>> step_fn = lambda frame, states: (frame + 1.0, states)
        >>> feed_back_frames(step_fn, ops.zeros((2, 3)), None, max_length=4)[0]
        array([[1., 1., 1.],
               [2., 2., 2.],
               [3., 3., 3.],
               [4., 4., 4.]], dtype=float32)
    """
    frame, frames = first, []
    for _ in range(max_length):
        frame, states = step_fn(frame, states)
        frames.append(frame)
    return np.asarray(ops.stack(frames, axis=1))
