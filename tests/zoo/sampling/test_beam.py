"""Beam bookkeeping, GNMT's length penalty and the in-graph draw."""

import numpy as np
from keras import ops

from zoo.sampling import (
    best_candidates,
    extend,
    initial_scores,
    inverse_cdf,
    length_penalty,
    tempered_softmax,
)


def test_length_penalty_is_gnmts():
    assert length_penalty(7, 1.0) == 2.0
    assert length_penalty(3, 0.0) == 1.0
    np.testing.assert_allclose(length_penalty([1, 13], 0.5), [1.0, np.sqrt(3.0)])


def test_only_the_first_beam_starts_alive():
    scores = initial_scores((2, 3))
    np.testing.assert_array_equal(scores[:, 0], 0.0)
    assert np.isneginf(scores[:, 1:]).all()


def test_best_candidates_are_sorted_and_ties_go_to_the_lower_index():
    scores = np.array([[0.1, 0.7, 0.2, 0.7], [-np.inf, 0.0, -1.0, 0.0]])
    np.testing.assert_array_equal(best_candidates(scores, 3), [[1, 3, 2], [1, 3, 2]])


def test_extend_reorders_histories_along_the_beam_axis():
    history = np.array([[[1, 1], [2, 2]], [[3, 3], [4, 4]]])  # (batch, beams, length)
    out = extend(history, np.array([[1, 0], [1, 1]]), np.array([[7, 8], [9, 6]]))
    np.testing.assert_array_equal(out, [[[2, 2, 7], [1, 1, 8]], [[4, 4, 9], [4, 4, 6]]])
    empty = np.zeros((2, 0), "int64")
    np.testing.assert_array_equal(extend(empty, np.array([0, 0]), np.array([5, 6])), [[5], [6]])


def test_inverse_cdf_picks_the_first_class_past_u_and_never_past_the_last():
    probs = ops.array([[0.25, 0.5, 0.25]] * 4)
    u = ops.array([0.0, 0.3, 0.8, 0.999999])
    np.testing.assert_array_equal(ops.convert_to_numpy(inverse_cdf(probs, u)), [0, 1, 2, 2])
    short = ops.array([[0.5, 0.4]])  # sums below 1: u is scaled by the total
    np.testing.assert_array_equal(ops.convert_to_numpy(inverse_cdf(short, ops.array([0.99]))), [1])


def test_tempered_softmax_sharpens_towards_greedy():
    logits = ops.array([[1.0, 2.0, 0.5]])
    cold = ops.convert_to_numpy(tempered_softmax(logits, 0.01))
    np.testing.assert_allclose(cold, [[0, 1, 0]], atol=1e-6)
    warm = ops.convert_to_numpy(tempered_softmax(logits, 1.0))
    np.testing.assert_allclose(warm, ops.convert_to_numpy(ops.softmax(logits)), rtol=1e-6)
