"""The music models: parameter counts, streaming steps equal to the full forward pass,
part invariance (one network for every voice), and the decoders."""

import numpy as np
import pytest

import zoo
from zoo.music import DuetStream, HarmonizerSteps, beam_voice, harmonize, sample_voice
from zoo.music.decoding import nucleus
from zoo.music.vocab import MASK, VOCAB_SIZE


def _lstm(inputs, units):
    return 4 * units * (inputs + units + 1)


def test_bachduet_parameter_count():
    model = zoo.create_model("bachduet", units=16, num_layers=2, embedding_dim=6, context_dim=3)
    expected = (
        2 * VOCAB_SIZE * 6
        + 16 * 3
        + 24 * 3  # token, beat and key embeddings
        + _lstm(2 * 6 + 2 * 3, 16)
        + _lstm(16, 16)
        + 16 * VOCAB_SIZE
        + VOCAB_SIZE
    )
    assert model.count_params() == expected


def test_harmonizer_parameter_count():
    model = zoo.create_model("part_invariant_harmonizer", units=8, embedding_dim=5, context_dim=2)
    context_in = 4 * 5 + 3 * 2
    expected = (
        2 * VOCAB_SIZE * 5
        + 4 * 2
        + 16 * 2
        + 24 * 2
        + 2 * _lstm(context_in, 8)
        + _lstm(5 + 2 * 8 + 2, 8)
        + 8 * VOCAB_SIZE
        + VOCAB_SIZE
        + 2 * 4 * (2 * 36 + 2) * (2 * 36 + 1)  # interval table: side x motion x before x now
    )
    assert model.count_params() == expected


def _duet_sequence(rng, steps):
    return {
        "human": rng.integers(0, VOCAB_SIZE, (1, steps)).astype("int32"),
        "machine_previous": rng.integers(0, VOCAB_SIZE, (1, steps)).astype("int32"),
        "beat": (np.arange(steps) % 16)[None].astype("int32"),
        "key": np.full((1, steps), 7, "int32"),
    }


def test_duet_streaming_steps_equal_the_full_forward_pass():
    model = zoo.create_model("bachduet", units=12, num_layers=2, embedding_dim=4, context_dim=3)
    x = _duet_sequence(np.random.default_rng(0), 10)
    full = np.asarray(model(x, training=False))[0]
    stream = DuetStream(model)
    steps = [
        stream.step(x["human"][0, t], x["beat"][0, t], x["key"][0, t], x["machine_previous"][0, t])
        for t in range(10)
    ]
    np.testing.assert_allclose(np.stack(steps), full, atol=1e-5)
    stream.reset()
    again = stream.step(
        x["human"][0, 0], x["beat"][0, 0], x["key"][0, 0], x["machine_previous"][0, 0]
    )
    np.testing.assert_allclose(again, full[0], atol=1e-5)


def test_duet_commit_feeds_the_machine_history():
    model = zoo.create_model("bachduet", units=8, num_layers=1, embedding_dim=4, context_dim=2)
    stream = DuetStream(model)
    first = stream.step(40, 0, 0)
    stream.commit(int(first.argmax()))
    second = stream.step(40, 1, 0)
    stream2 = DuetStream(model)
    stream2.step(40, 0, 0)
    np.testing.assert_allclose(second, stream2.step(40, 1, 0, int(first.argmax())), atol=1e-6)


def _harmonizer_case(steps=9, voice=2):
    rng = np.random.default_rng(1)
    parts = rng.integers(3, VOCAB_SIZE, (steps, 4)).astype("int32")
    parts[:, voice] = MASK
    own = rng.integers(0, VOCAB_SIZE, steps).astype("int32")
    previous = np.concatenate([[MASK], own[:-1]]).astype("int32")
    beat = (np.arange(steps) % 16).astype("int32")
    return parts, previous, beat


@pytest.mark.parametrize("voice", [1, 3])
def test_harmonizer_steps_equal_the_full_forward_pass(voice):
    model = zoo.create_model("part_invariant_harmonizer", units=8, embedding_dim=4, context_dim=2)
    parts, previous, beat = _harmonizer_case(voice=voice)
    x = {
        "parts": parts[None],
        "voice": np.full((1, 9), voice, "int32"),
        "previous": previous[None],
        "beat": beat[None],
        "key": np.full((1, 9), 3, "int32"),
    }
    full = np.asarray(model(x, training=False))[0]
    steps = HarmonizerSteps(model)
    context = steps.encode(parts, voice, beat, 3)
    state, out = steps.initial(1), []
    for t in range(9):
        probs, state = steps.step(context[t : t + 1], previous[t : t + 1], state)
        out.append(probs[0])
    np.testing.assert_allclose(np.stack(out), full, atol=1e-5)


def test_one_network_writes_every_voice_and_the_voice_input_matters():
    model = zoo.create_model("part_invariant_harmonizer", units=8, embedding_dim=4, context_dim=2)
    steps = HarmonizerSteps(model)
    parts, _, beat = _harmonizer_case()
    bass = steps.encode(parts, 3, beat, 0)
    alto = steps.encode(parts, 1, beat, 0)
    assert not np.allclose(bass, alto)


def test_decoders_fill_every_masked_voice_and_beam_beats_greedy_or_ties():
    model = zoo.create_model("part_invariant_harmonizer", units=8, embedding_dim=4, context_dim=2)
    steps = HarmonizerSteps(model)
    parts, _, beat = _harmonizer_case()
    parts[:, 1:] = MASK
    filled = harmonize(steps, parts, beat, 0, temperature=0.7, seed=3)
    assert (filled[:, 1:] != MASK).any() and (filled[:, 0] == parts[:, 0]).all()
    context = steps.encode(parts, 3, beat, 0)

    def log_prob(tokens):
        state, prev, total = steps.initial(1), np.full(1, MASK, "int32"), 0.0
        for t, tok in enumerate(tokens):
            probs, state = steps.step(context[t : t + 1], prev, state)
            total += np.log(probs[0, tok])
            prev = np.array([tok], "int32")
        return total

    greedy = sample_voice(steps, context, temperature=0)
    beam = beam_voice(steps, context, width=3)
    assert log_prob(beam) >= log_prob(greedy) - 1e-4
    with pytest.raises(ValueError, match="Received: temperature=-1"):
        sample_voice(steps, context, temperature=-1)


def test_the_decoders_nucleus_is_the_shared_one():
    # Its unit tests (fewest tokens holding top_p, ties to the lower token) are in
    # tests/zoo/sampling.
    assert nucleus is zoo.sampling.nucleus


def test_nucleus_sampling_never_draws_outside_the_nucleus():
    model = zoo.create_model("part_invariant_harmonizer", units=8, embedding_dim=4, context_dim=2)
    steps = HarmonizerSteps(model)
    parts, _, beat = _harmonizer_case()
    parts[:, 1:] = MASK
    context = steps.encode(parts, 3, beat, 0)
    tokens = sample_voice(steps, context, temperature=2.0, seed=1, top_p=0.3)
    wide = sample_voice(steps, context, temperature=2.0, seed=1)
    state, prev = steps.initial(1), np.full(1, MASK, "int32")
    for t, token in enumerate(tokens):
        probs, state = steps.step(context[t : t + 1], prev, state)
        logits = np.log(probs[0].astype("float64")) / 2.0
        tempered = np.exp(logits - logits.max())
        assert nucleus(tempered / tempered.sum(), 0.3)[token] > 0
        prev = np.array([token], "int32")
    # An untrained model's near-uniform tail is sampled without the nucleus.
    assert not np.array_equal(tokens, wide)
    with pytest.raises(ValueError, match="Received: top_p=0"):
        sample_voice(steps, context, temperature=1.0, top_p=0)


class _UniformSteps:
    """A stand-in `HarmonizerSteps` whose every step is uniform over the vocabulary."""

    def initial(self, batch):
        return []

    def step(self, context, previous, state):
        return np.full((1, VOCAB_SIZE), 1.0 / VOCAB_SIZE, "float32"), state


class _OnlyToken:
    def __init__(self, token):
        self.token = token

    def allowed(self, t, history):
        return np.arange(VOCAB_SIZE) == self.token


def test_a_guarded_token_stays_refused_at_any_temperature():
    context = np.zeros((200, 1), "float32")
    tokens = sample_voice(_UniformSteps(), context, temperature=100.0, guard=_OnlyToken(5))
    assert (tokens == 5).all()
