"""Samplers over a step function: greedy, beam search, and GNMT's length penalty.

The step functions here are tables of log-probabilities indexed by the
prefix, so every hypothesis' score can be computed by hand.
"""

import itertools

import numpy as np
import pytest
from keras import ops

from zoo.recurrent.seq2seq.samplers import (
    BeamSampler,
    GreedySampler,
    feed_back_frames,
    length_penalty,
)

END = 2


def _table_step(table, vocab):
    """A step function whose log-probabilities depend on the prefix so far.

    The state of a row is its prefix, coded as a number in base `vocab + 1`
    (digits are token + 1, so prefixes of different lengths differ).
    """

    def step(tokens, states):
        (codes,) = states
        codes = np.asarray(codes)
        logits = np.stack([table(int(c)) for c in codes])
        log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        new_codes = codes * (vocab + 1) + np.asarray(tokens) + 1
        return ops.convert_to_tensor(log_probs), (ops.convert_to_tensor(new_codes),)

    return step


def _random_step(vocab, seed):
    cache = {}
    rng = np.random.default_rng(seed)

    def table(code):
        if code not in cache:
            cache[code] = rng.normal(size=vocab) * 2
        return cache[code]

    return _table_step(table, vocab)


def _log_prob(step, sequence, start):
    """Sum of log-probabilities of `sequence`, stopping after the first END."""
    states, token, total = (ops.convert_to_tensor(np.zeros(1, "int64")),), start, 0.0
    for t in sequence:
        log_probs, states = step(ops.convert_to_tensor(np.array([token], "int32")), states)
        total += float(np.asarray(log_probs)[0, t])
        token = t
        if t == END:
            break
    return total


def _length(sequence):
    return list(sequence).index(END) + 1 if END in sequence else len(sequence)


def _canonical(sequence):
    """What a sampler returns for `sequence`: positions after the first END repeat it."""
    n = _length(sequence)
    return np.concatenate([sequence[:n], np.full(len(sequence) - n, END)]).astype("int64")


def _start_states(batch, codes=None):
    codes = np.zeros(batch, "int64") if codes is None else np.asarray(codes, "int64")
    return (ops.convert_to_tensor(codes),)


def test_gnmt_length_penalty_formula():
    assert length_penalty(1, 0.0) == 1.0
    assert length_penalty(7, 1.0) == 2.0
    np.testing.assert_allclose(length_penalty(10, 0.6), (15 / 6) ** 0.6)


@pytest.mark.parametrize("end_token", [None, END])
def test_greedy_is_beam_search_with_one_beam(end_token):
    step = _random_step(vocab=4, seed=0)
    greedy, greedy_scores = GreedySampler()(step, _start_states(3), 6, 0, end_token)
    beam, beam_scores = BeamSampler(num_beams=1)(step, _start_states(3), 6, 0, end_token)
    np.testing.assert_array_equal(greedy, beam)
    np.testing.assert_array_equal(greedy_scores, beam_scores)


def test_wide_beam_without_penalty_is_exact_search_over_log_probability():
    step = _random_step(vocab=3, seed=1)
    every = [np.array(s) for s in itertools.product(range(3), repeat=3)]
    best = max(every, key=lambda s: _log_prob(step, s, 0))
    tokens, scores = BeamSampler(num_beams=9)(step, _start_states(1), 3, 0, END)
    np.testing.assert_array_equal(tokens[0], _canonical(best))
    np.testing.assert_allclose(scores[0], _log_prob(step, best, 0))


def test_length_penalty_reranks_hypotheses_as_the_formula_says():
    # END at once has p = 0.5; token 1 then END has p = 0.45 * 0.95 = 0.4275:
    # less probable, but log(0.4275) / (7/6)**2 = -0.62 beats log(0.5) / 1 = -0.69.
    def table(code):
        if code == 0:
            return np.log([0.05, 0.45, 0.5])
        return np.log([0.025, 0.025, 0.95])

    step = _table_step(table, vocab=3)
    every = [np.array(s) for s in itertools.product(range(3), repeat=3)]
    chosen = {}
    for alpha in (0.0, 2.0):
        tokens, scores = BeamSampler(num_beams=9, length_penalty=alpha)(
            step, _start_states(1), 3, 0, END
        )
        ranked = max(every, key=lambda s: _log_prob(step, s, 0) / length_penalty(_length(s), alpha))
        np.testing.assert_array_equal(tokens[0], _canonical(ranked))
        expected = _log_prob(step, ranked, 0) / length_penalty(_length(ranked), alpha)
        np.testing.assert_allclose(scores[0], expected)
        chosen[alpha] = tuple(tokens[0])
    # Without the penalty the one-token hypothesis wins; alpha = 2 prefers the longer one.
    assert chosen[0.0] == (END, END, END)
    assert chosen[2.0][:2] == (1, END)


def test_inputs_decoded_together_get_what_they_get_alone():
    # Rows start from different prefixes, so their tables differ.
    step = _random_step(vocab=4, seed=2)
    together, scores = BeamSampler(num_beams=3)(step, _start_states(2, [0, 7]), 6, 0, END)
    for row, code in enumerate([0, 7]):
        alone, alone_scores = BeamSampler(num_beams=3)(step, _start_states(1, [code]), 6, 0, END)
        length = alone.shape[1]
        np.testing.assert_array_equal(together[row, :length], alone[0])
        assert np.all(together[row, length:] == END)
        np.testing.assert_allclose(scores[row], alone_scores[0])


def test_feed_back_frames_feeds_each_output_in():
    def step(frame, states):
        return frame * 2.0 + 1.0, states

    frames = feed_back_frames(step, ops.zeros((2, 3)), (), max_length=3)
    assert frames.shape == (2, 3, 3)
    np.testing.assert_array_equal(frames[0, :, 0], [1.0, 3.0, 7.0])


@pytest.mark.parametrize(
    "make, arg",
    [
        (lambda: BeamSampler(num_beams=0), "num_beams"),
        (lambda: BeamSampler(length_penalty=-0.5), "length_penalty"),
        (lambda: BeamSampler(length_penalty=float("inf")), "length_penalty"),
        (lambda: BeamSampler(length_penalty="0.6"), "length_penalty"),
        (lambda: GreedySampler()(_random_step(3, 0), _start_states(1), 0, 0), "max_length"),
    ],
)
def test_bad_sampler_arguments_name_themselves(make, arg):
    with pytest.raises(ValueError, match=rf"Received: {arg}="):
        make()
