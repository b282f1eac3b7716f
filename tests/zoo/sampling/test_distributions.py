"""The host-side sampling primitives: temperature, nucleus, restriction, greedy, draw."""

import numpy as np
import pytest

from zoo.sampling import draw, greedy, nucleus, restrict, temper


def test_nucleus_keeps_the_fewest_tokens_holding_top_p():
    probs = np.array([0.1, 0.5, 0.05, 0.3, 0.05])
    np.testing.assert_allclose(nucleus(probs, 0.7), [0, 0.625, 0, 0.375, 0])
    np.testing.assert_allclose(nucleus(probs, 0.8), [0, 0.625, 0, 0.375, 0])  # exactly reached
    np.testing.assert_allclose(nucleus(probs, 0.85), [0.1 / 0.9, 0.5 / 0.9, 0, 0.3 / 0.9, 0])
    np.testing.assert_allclose(nucleus(probs, 0.01), [0, 1, 0, 0, 0])


def test_nucleus_ties_go_to_the_lower_token():
    np.testing.assert_allclose(nucleus(np.full(4, 0.25), 0.5), [0.5, 0.5, 0, 0])
    np.testing.assert_allclose(nucleus(np.array([0.2, 0.4, 0.4]), 0.3), [0, 1, 0])


def test_nucleus_at_top_p_one_is_the_identity():
    probs = np.array([0.2, 0.8])
    assert nucleus(probs, 1.0) is probs


@pytest.mark.parametrize("seed", range(5))
def test_nucleus_is_minimal(seed):
    probs = np.random.default_rng(seed).dirichlet(np.ones(20))
    kept = nucleus(probs, 0.6) > 0
    held = probs[kept].sum()
    assert held >= 0.6 - 1e-12
    # Dropping the least probable kept token falls below top_p.
    assert held - probs[kept].min() < 0.6


def test_temperature_one_is_the_identity_and_zero_is_greedy():
    probs = np.array([0.1, 0.6, 0.3])
    np.testing.assert_allclose(temper(probs, 1.0), probs)
    np.testing.assert_array_equal(temper(probs, 0), [0, 1, 0])
    np.testing.assert_allclose(temper(probs, 1e-3), [0, 1, 0], atol=1e-12)
    assert greedy(probs) == 1


def test_temperature_flattens_above_one_and_keeps_zeros():
    probs = np.array([0.0, 0.2, 0.8])
    hot = temper(probs, 100.0)
    assert hot[0] == 0 and abs(hot[1] - hot[2]) < 0.02
    np.testing.assert_allclose(hot.sum(), 1.0)


def test_greedy_ties_go_to_the_lower_index():
    assert greedy(np.array([0.1, 0.45, 0.45])) == 1
    np.testing.assert_array_equal(greedy(np.array([[1, 3, 3], [2, 2, 0]])), [1, 0])


def test_restrict_renormalises_on_the_allowed_tokens_or_leaves_probs_alone():
    probs = np.array([0.5, 0.25, 0.25])
    np.testing.assert_allclose(restrict(probs, np.array([True, False, True])), [2 / 3, 0, 1 / 3])
    assert restrict(probs, np.zeros(3, bool)) is probs


def test_draw_follows_the_distribution_and_the_seed():
    probs = np.array([0.1, 0.0, 0.9])
    tokens = [draw(np.random.default_rng(s), probs) for s in range(200)]
    assert 1 not in tokens and 150 < tokens.count(2) < 200
    assert draw(np.random.default_rng(3), probs) == draw(np.random.default_rng(3), probs)
