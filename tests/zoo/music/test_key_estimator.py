"""The key estimator: parameter count, causality, and streamed estimates equal to the
full-sequence forward pass (alone and feeding the duet model through `DuetStream`)."""

import numpy as np
import pytest

import zoo
from zoo.music import DuetStream
from zoo.music.vocab import BEAT_POSITIONS, KEYS, VOCAB_SIZE


def _lstm(inputs, units):
    return 4 * units * (inputs + units + 1)


def test_key_estimator_parameter_count():
    model = zoo.create_model(
        "bachduet_key_estimator", units=10, num_layers=2, embedding_dim=6, context_dim=3
    )
    expected = (
        VOCAB_SIZE * 6 + BEAT_POSITIONS * 3 + _lstm(6 + 3, 10) + _lstm(10, 10) + 10 * KEYS + KEYS
    )
    assert model.count_params() == expected


def _sequence(steps, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "human": rng.integers(0, VOCAB_SIZE, (1, steps)).astype("int32"),
        "beat": (np.arange(steps) % 16)[None].astype("int32"),
    }


def test_key_estimates_are_causal():
    model = zoo.create_model("bachduet_key_estimator", units=8, embedding_dim=4, context_dim=2)
    x = _sequence(12)
    y = _sequence(12, seed=1)
    y["human"][:, :6] = x["human"][:, :6]
    a, b = np.asarray(model(x)), np.asarray(model(y))
    np.testing.assert_allclose(a[0, :6], b[0, :6], atol=1e-6)
    assert not np.allclose(a[0, 6:], b[0, 6:])
    np.testing.assert_allclose(a.sum(-1), 1.0, atol=1e-5)


def test_streamed_key_estimates_equal_the_full_forward_pass():
    duet = zoo.create_model("bachduet", units=12, num_layers=2, embedding_dim=4, context_dim=3)
    key_model = zoo.create_model(
        "bachduet_key_estimator", units=9, num_layers=2, embedding_dim=4, context_dim=3
    )
    steps = 14
    x = _sequence(steps)
    keys_full = np.asarray(key_model(x, training=False))[0]
    machine = np.random.default_rng(2).integers(0, VOCAB_SIZE, (1, steps)).astype("int32")
    estimated = keys_full.argmax(-1)[None].astype("int32")
    duet_full = np.asarray(
        duet(
            {"human": x["human"], "machine_previous": machine, "beat": x["beat"], "key": estimated},
            training=False,
        )
    )[0]
    stream = DuetStream(duet, key_model=key_model)
    streamed_keys, streamed_probs = [], []
    for t in range(steps):
        probs = stream.step(x["human"][0, t], x["beat"][0, t], None, machine[0, t])
        streamed_keys.append(stream.key_probs[0])
        streamed_probs.append(probs)
        assert int(stream.key[0]) == estimated[0, t]
    np.testing.assert_allclose(np.stack(streamed_keys), keys_full, atol=1e-5)
    np.testing.assert_allclose(np.stack(streamed_probs), duet_full, atol=1e-5)
    stream.reset()
    assert stream.key is None
    stream.step(x["human"][0, 0], x["beat"][0, 0], None, machine[0, 0])
    np.testing.assert_allclose(stream.key_probs[0], keys_full[0], atol=1e-5)


def test_key_none_without_an_estimator_is_a_clear_error():
    duet = zoo.create_model("bachduet", units=8, num_layers=1, embedding_dim=4, context_dim=2)
    with pytest.raises(ValueError, match="key_model=.*Received: key=None"):
        DuetStream(duet).step(40, 0)
