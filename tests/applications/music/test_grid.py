"""The 16th-note grid: chorale -> tokens -> MIDI -> tokens gives the same notes; the cached
corpus, its fixed split, transpositions and training windows (on 3 chorales)."""

import numpy as np
import pytest
from music21 import converter, corpus

from applications.music.corpus import load_chorales, split_of, transpositions
from applications.music.grid import score_grid
from applications.music.render import write_score
from applications.music.windows import harmonizer_windows, transpose
from zoo.music.vocab import HOLD, MASK, REST, pitch_token


@pytest.fixture(scope="module")
def chorale():
    score = corpus.parse("bach/bwv10.7")
    return score_grid(score, "bwv10.7")


def test_chorale_tokens_round_trip_through_midi(chorale, tmp_path):
    tokens = chorale["tokens"]
    assert tokens.shape[1] == 4 and tokens[0, 0] >= 3
    assert chorale["fermata"].any() and 0 <= chorale["key"] < 24
    path = write_score(tokens, tmp_path / "x.mid", ["S", "A", "T", "B"])
    again = score_grid(converter.parse(path), "x.mid")["tokens"]
    np.testing.assert_array_equal(again[: len(tokens)], tokens)
    assert len(again) == len(tokens)


def test_beat_positions_follow_the_measures(chorale):
    beat = chorale["beat"]
    downbeats = np.flatnonzero(beat == 0)
    assert len(downbeats) > 5 and set(np.diff(downbeats)) == {16}


def test_corpus_is_cached_and_split_by_piece(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOZOO_CACHE", str(tmp_path))
    data = load_chorales(limit=3)
    cached = list((tmp_path / "music").glob("chorales-*.npz"))
    assert len(cached) == 1 and not list((tmp_path / "music").glob(".tmp*"))
    again = load_chorales(limit=3)
    np.testing.assert_array_equal(again.tokens, data.tokens)
    assert len(data.pieces()) == 3 and len(data.pieces("train")) == 3
    assert [split_of(i) for i in (0, 8, 9, 18, 19)] == ["train", "val", "test", "val", "test"]


def test_transposition_keeps_the_tokens_in_range_and_moves_the_key():
    tokens = np.array([[pitch_token(30), HOLD, REST, pitch_token(90)]]).T
    assert transpositions(tokens) == [-2, -1, 0, 1, 2, 3, 4, 5]  # E1..C7 holds 30-2 and 90+6
    moved, key = transpose(tokens, 12 + 11, 2)  # B minor up a tone: C# minor
    assert key == 12 + 1 and moved[0, 0] == pitch_token(32) and moved[1, 0] == HOLD


def test_harmonizer_windows_hide_the_written_voice(chorale):
    piece = dict(chorale, name="bwv10.7")
    x, y = harmonizer_windows([piece], np.random.default_rng(0), length=32)
    voice = x["voice"][:, 0]
    assert x["parts"].shape[1:] == (32, 4) and y.shape == x["previous"].shape
    assert (x["parts"][np.arange(len(voice)), :, voice] == MASK).all()
    assert (x["previous"][:, 0] == MASK).all()
    np.testing.assert_array_equal(x["previous"][:, 1:], y[:, :-1])


def test_a_folder_of_midi_files_is_read_like_the_chorales(tmp_path):
    satb = np.array([[pitch_token(p) for p in (72, 67, 64, 48)]] + [[HOLD] * 4] * 7)
    for i in range(3):
        write_score(satb + np.where(satb >= 3, i, 0), tmp_path / f"piece{i}.mid", list("SATB"))
    (tmp_path / "notes.txt").write_text("not music")
    data = load_chorales(tmp_path, cache=False)
    assert len(data.pieces()) == 3 and data.skipped == 0
    tokens = data.pieces()[1]["tokens"]
    np.testing.assert_array_equal(tokens[:8], satb + np.where(satb >= 3, 1, 0))
    assert (tokens[8] == REST).all() and (tokens[9:] == HOLD).all()  # MIDI fills the 4/4 bar
