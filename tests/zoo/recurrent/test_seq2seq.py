import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import zoo
from zoo.recurrent.seq2seq import ATTENTION, Seq2Seq

ROOT = Path(__file__).resolve().parents[3]


def _tokens(shape, vocab, seed=0, low=1):
    return np.random.default_rng(seed).integers(low, vocab, shape).astype("int32")


def _model(attention=None, cell="lstm", **kwargs):
    kwargs = {
        "source_vocab_size": 7,
        "target_vocab_size": 5,
        "units": 6,
        "embedding_dim": 4,
        **kwargs,
    }
    return zoo.create_model("seq2seq", cell=cell, attention=attention, **kwargs)


@pytest.mark.parametrize("attention", ATTENTION)
def test_token_shapes_with_different_lengths(attention):
    model = _model(attention, num_layers=2)
    probs = np.asarray(model((_tokens((3, 9), 7), _tokens((3, 4), 5))))
    assert probs.shape == (3, 4, 5)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)


def test_frames_to_frames_and_frames_to_tokens():
    frames = zoo.create_model("seq2seq", source_dim=3, target_dim=2, units=4, attention="luong")
    x = np.random.default_rng(0).standard_normal((2, 8, 3)).astype("float32")
    assert frames((x, np.zeros((2, 5, 2), "float32"))).shape == (2, 5, 2)
    assert frames.decode(x, max_length=6, start_token=0.0).shape == (2, 6, 2)
    asr = zoo.create_model(
        "seq2seq", source_dim=3, target_vocab_size=6, units=4, attention="bahdanau"
    )
    assert asr((x, _tokens((2, 3), 6))).shape == (2, 3, 6)


@pytest.mark.parametrize(
    "attention, cell", [(None, "lstm"), ("luong", "gru"), ("bahdanau", "simple")]
)
def test_decoder_steps_match_the_teacher_forced_pass(attention, cell):
    """`decode` runs the cells step by step; training runs whole sequences (a
    keras.layers.RNN, or a scan for Bahdanau). Both must compute the same thing."""
    model = _model(attention, cell, num_layers=2)
    source, target_in = _tokens((2, 6), 7), _tokens((2, 5), 5)
    source[1, -2:] = 0
    parallel = np.asarray(model((source, target_in)))
    memory, mask, states = model.encode(source)
    keys = model.attention_keys(memory) if attention else memory
    steps = []
    for t in range(5):
        out, states = model._step(
            model._target_features(target_in[:, t]), states, memory, keys, mask
        )
        steps.append(keras.ops.softmax(out))
    np.testing.assert_allclose(np.stack(steps, 1), parallel, atol=1e-5)


@pytest.mark.parametrize("attention", ATTENTION)
def test_padding_of_the_source_is_invisible(attention):
    model = _model(attention)
    source, target_in = _tokens((1, 5), 7), _tokens((1, 4), 5)
    padded = np.concatenate([source, np.zeros((1, 3), "int32")], axis=1)
    np.testing.assert_allclose(model((source, target_in)), model((padded, target_in)), atol=1e-6)


def _log_prob(model, source, start, sequence):
    decoder_in = np.concatenate([[start], sequence[:-1]])[None].astype("int32")
    probs = np.asarray(model((source, decoder_in)))[0]
    return float(np.log(probs[np.arange(len(sequence)), sequence]).sum())


@pytest.mark.parametrize("attention", ATTENTION)
def test_greedy_decoding_takes_the_argmax_of_its_own_prefix(attention):
    model = _model(attention)
    source = _tokens((3, 6), 7)
    greedy = model.decode(source, max_length=6, start_token=0)
    assert greedy.shape == (3, 6)
    decoder_in = np.concatenate([np.zeros((3, 1), "int32"), greedy[:, :-1]], axis=1).astype("int32")
    np.testing.assert_array_equal(np.asarray(model((source, decoder_in))).argmax(-1), greedy)


def test_wide_beam_search_is_exact_search():
    # With beam_width >= V^(L-1) nothing is pruned: the result is the most
    # probable of all V^L sequences, found here by brute force.
    keras.utils.set_random_seed(3)
    model = _model("luong", target_vocab_size=3)
    source = _tokens((1, 5), 7)
    every = [np.array(s) for s in itertools.product(range(3), repeat=3)]
    scores = [_log_prob(model, source, 0, s) for s in every]
    best = every[int(np.argmax(scores))]
    np.testing.assert_array_equal(model.decode(source, 3, start_token=0, beam_width=9)[0], best)
    greedy = model.decode(source, 3, start_token=0)[0]
    assert _log_prob(model, source, 0, greedy) <= max(scores) + 1e-6


def test_beam_search_stops_at_the_end_token_and_scores_at_least_greedy():
    keras.utils.set_random_seed(5)
    model = _model("bahdanau", target_vocab_size=4)
    source = _tokens((4, 6), 7)
    for beam in (1, 3):
        out = model.decode(source, max_length=8, start_token=0, end_token=3, beam_width=beam)
        for row in out:
            if 3 in row:
                assert np.all(row[list(row).index(3) :] == 3)
    greedy = model.decode(source, 8, start_token=0, beam_width=1)
    beam = model.decode(source, 8, start_token=0, beam_width=4)
    for i in range(4):
        assert (
            _log_prob(model, source[i : i + 1], 0, beam[i])
            >= _log_prob(model, source[i : i + 1], 0, greedy[i]) - 1e-5
        )


@pytest.mark.parametrize(
    "make, arg",
    [
        (
            lambda: Seq2Seq(source_vocab_size=5, source_dim=3, target_vocab_size=5),
            "source_vocab_size",
        ),
        (lambda: Seq2Seq(source_vocab_size=5, target_vocab_size=1), "target_vocab_size"),
        (lambda: _model("dot"), "attention"),
        (lambda: _model(cell="rnn"), "cell"),
        (lambda: _model(num_layers=0), "num_layers"),
        (lambda: _model()((_tokens((1, 3), 7), _tokens((1, 3), 9))), "decoder_inputs"),
        (
            lambda: _model()((_tokens((1, 3), 7).astype("float32"), _tokens((1, 3), 5))),
            "encoder_inputs",
        ),
        (lambda: _model()(_tokens((1, 3), 7)), "inputs"),
        (lambda: _model().decode(_tokens((1, 3), 7), 4, start_token=5), "start_token"),
        (lambda: _model().decode(_tokens((1, 3), 7), 0, start_token=1), "max_length"),
        (
            lambda: _model().decode(
                _tokens((1, 3), 7), 4, start_token=1, beam_width=2, length_penalty=-1.0
            ),
            "length_penalty",
        ),
        (
            lambda: zoo.create_model("seq2seq", source_dim=3, target_dim=2, units=4)(
                (np.zeros((1, 4, 2), "float32"), np.zeros((1, 4, 2), "float32"))
            ),
            "encoder_inputs",
        ),
        (
            lambda: zoo.create_model("seq2seq", source_dim=3, target_dim=2, units=4).decode(
                np.zeros((1, 4, 3), "float32"), 4, start_token=0.0, beam_width=2
            ),
            "beam_width",
        ),
        (
            lambda: zoo.create_model("seq2seq", source_dim=3, target_dim=2, units=4).decode(
                np.zeros((1, 4, 3), "float32"), 4, start_token=np.zeros(3)
            ),
            "start_token",
        ),
    ],
)
def test_bad_shapes_vocabularies_and_lengths_name_themselves(make, arg):
    with pytest.raises(ValueError, match=rf"Received: {arg}="):
        make()


@pytest.mark.slow
def test_learns_to_reverse_digit_sequences():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "seq2seq_reverse.py"), "--seed", "1"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
    report = json.loads(result.stdout)
    assert report["exact_sequence_accuracy_greedy"] >= 0.99, report
    assert report["test_sequences"] >= 1000
