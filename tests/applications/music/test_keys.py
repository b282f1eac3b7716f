"""Key estimation: the Krumhansl-Schmuckler baseline on hand-made melodies, the key
training windows, and the report by beats heard on a hand-made corpus."""

import numpy as np

import zoo
from applications.music.corpus import Chorales
from applications.music.evaluate import evaluate_duet
from applications.music.keys import evaluate_key, key_name, krumhansl_schmuckler
from applications.music.windows import key_windows
from zoo.music.vocab import HOLD, pitch_token


def _melody(pitches, length=4):
    return np.array(
        [pitch_token(p) if i % length == 0 else HOLD for p in pitches for i in range(length)]
    )


def test_krumhansl_schmuckler_names_scales_and_arpeggios():
    c_major = _melody([60, 62, 64, 65, 67, 69, 71, 72, 67, 64, 60])
    assert krumhansl_schmuckler(c_major)[-1] == 0
    a_minor = _melody([69, 72, 76, 69, 71, 72, 74, 76, 68, 69, 64, 69])
    assert key_name(krumhansl_schmuckler(a_minor)[-1]) == "A minor"
    g_major = _melody([67, 71, 74, 66, 67, 72, 74, 67])
    assert key_name(krumhansl_schmuckler(g_major)[-1]) == "G major"
    assert krumhansl_schmuckler(np.array([0, 1, 1]))[-1] == 0  # a rest: C major


def _corpus(pieces=10, steps=80):
    rng = np.random.default_rng(0)
    tokens = rng.integers(30, 60, (pieces * steps, 4)).astype(np.int16)
    return Chorales(
        tokens=tokens,
        beat=np.tile(np.arange(steps) % 16, pieces).astype(np.int8),
        fermata=np.zeros(pieces * steps, bool),
        names=np.array([f"p{i}" for i in range(pieces)]),
        keys=(np.arange(pieces) % 24).astype(np.int8),
        starts=np.arange(pieces) * steps,
    )


def test_key_windows_target_the_transposed_key_at_every_step():
    data = _corpus()
    pieces = data.pieces("train")
    x, y = key_windows(pieces, np.random.default_rng(0), length=16, stride=32, voices=(0, 2))
    assert x["human"].shape == x["beat"].shape == y.shape
    assert (y == y[:, :1]).all()
    plain, _ = key_windows(pieces, np.random.default_rng(0), 16, 32, voices=(0,), augment=False)
    assert plain["human"].shape[0] * 2 == x["human"].shape[0]
    shift = x["human"][0, 0] - pieces[0]["tokens"][0, 0]
    assert y[0, 0] == (pieces[0]["key"] + shift) % 12 + 12 * (pieces[0]["key"] >= 12)


def test_key_report_by_beats_heard():
    data = _corpus(pieces=20, steps=40)  # 10 beats: no 16-beat checkpoint
    model = zoo.create_model("bachduet_key_estimator", units=8, embedding_dim=4, context_dim=2)
    report = evaluate_key(model, data)
    assert report["pieces"] == 2 and report["1_beats"]["count"] == 2
    assert report["16_beats"] == {"count": 0, "model": None, "baseline": None}
    assert report["every_step"]["count"] == 80
    for mark in ("1_beats", "8_beats", "end", "every_step"):
        for name in ("model", "baseline"):
            scores = report[mark][name]
            assert 0 <= scores["accuracy"] <= scores["mirex_score"] <= 1
    duet = zoo.create_model("bachduet", units=8, num_layers=1, embedding_dim=4, context_dim=2)
    label = evaluate_duet(duet, data)["scores"]["model"]
    estimated = evaluate_duet(duet, data, key_model=model)["scores"]["model"]
    assert label["nll_per_step"] != estimated["nll_per_step"]
