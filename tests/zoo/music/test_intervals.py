"""The harmoniser's learned interval scores: sounding pitches, hand-made intervals, and
the step runner equal to the full forward pass with a non-zero table."""

import numpy as np
import pytest

import zoo
from zoo.music import HarmonizerSteps
from zoo.music.intervals import UNKNOWN, IntervalBias, sounding
from zoo.music.vocab import (
    HOLD,
    LOWEST_PITCH,
    MASK,
    REST,
    VOCAB_SIZE,
    pitch_token,
    sounding_pitches,
)

SPAN = 36
N = 2 * SPAN + 1


def test_sounding_fills_held_notes_like_the_vocab_helper():
    rng = np.random.default_rng(0)
    tokens = rng.choice([REST, HOLD, HOLD, HOLD, MASK, 10, 20, 30], (3, 40)).astype("int32")
    expected = sounding_pitches(tokens.T).T
    expected = np.where(np.isnan(expected), UNKNOWN, expected - LOWEST_PITCH)
    np.testing.assert_array_equal(np.asarray(sounding(tokens)), expected.astype(int))


def _table_row(motion, earlier):
    return motion * (N + 1) + earlier


def test_a_parallel_fifth_is_scored_by_its_table_entry():
    layer = IntervalBias(SPAN, gain=1.0)
    layer.build(None)
    table = np.zeros((2 * 4 * (N + 1), N), "float32")
    table[_table_row(1, SPAN + 7), SPAN + 7] = -5.0  # fifth above, other voice rises, fifth above
    layer.table.assign(table)
    # Bass C3 -> D3 (known); the tenor (written) sang G3, one step earlier.
    parts = np.full((1, 2, 4), MASK, "int32")
    parts[0, :, 3] = [pitch_token(48), pitch_token(50)]
    previous = np.array([[MASK, pitch_token(55)]], "int32")
    tenor = np.full((1, 2), 2, "int32")
    scores = np.asarray(layer([parts, previous, tenor]))[0]
    assert scores.shape == (2, VOCAB_SIZE)
    assert (scores[0] == 0).all()  # nothing sounds before
    assert scores[1, pitch_token(57)] == -5.0  # A3 over D3: the parallel fifth
    assert np.count_nonzero(scores[1]) == 1
    table[_table_row(1, SPAN + 7), SPAN + 5] = 2.0  # G3 held over D3: a fourth, oblique
    layer.table.assign(table)
    assert np.asarray(layer([parts, previous, tenor]))[0, 1, HOLD] == 2.0
    # The same pitches in a higher part (the soprano column) use the other half of the table.
    higher = parts[:, :, ::-1].copy()
    assert not np.asarray(layer([higher, previous, tenor]))[0, 1].any()


@pytest.mark.parametrize("voice", [1, 3])
def test_steps_with_interval_scores_equal_the_full_forward_pass(voice):
    model = zoo.create_model("part_invariant_harmonizer", units=8, embedding_dim=4, context_dim=2)
    rng = np.random.default_rng(voice)
    bias = model.get_layer("interval_bias")
    bias.table.assign(rng.normal(0, 2, bias.table.shape).astype("float32"))
    steps_n = 24
    parts = rng.choice([HOLD, HOLD, REST, 30, 35, 40, 47], (steps_n, 4)).astype("int32")
    parts[:, voice] = MASK
    own = rng.choice([HOLD, HOLD, REST, 33, 38, 45], steps_n).astype("int32")
    previous = np.concatenate([[MASK], own[:-1]]).astype("int32")
    beat = (np.arange(steps_n) % 16).astype("int32")
    x = {
        "parts": parts[None],
        "voice": np.full((1, steps_n), voice, "int32"),
        "previous": previous[None],
        "beat": beat[None],
        "key": np.full((1, steps_n), 3, "int32"),
    }
    full = np.asarray(model(x, training=False))[0]
    steps = HarmonizerSteps(model)
    context = steps.encode(parts, voice, beat, 3)
    state, out = steps.initial(1), []
    for t in range(steps_n):
        probs, state = steps.step(context[t : t + 1], previous[t : t + 1], state)
        out.append(probs[0])
    np.testing.assert_allclose(np.stack(out), full, atol=1e-5)
    no_bias = np.asarray(zoo.create_model("part_invariant_harmonizer", units=8, interval_span=0)(x))
    assert no_bias.shape == full[None].shape
