"""The counterpoint counters on hand-made four-part examples."""

import numpy as np

from applications.music.rules import (
    histogram_distance,
    per_100_beats,
    pitch_class_histogram,
    rule_counts,
)
from zoo.music.vocab import HOLD, REST, pitch_token


def _grid(*chords, hold=3):
    """Each chord (S, A, T, B MIDI pitches, None = rest) lasts 1 + hold steps."""
    rows = []
    for chord in chords:
        rows.append([REST if p is None else pitch_token(p) for p in chord])
        rows += [[HOLD] * 4] * hold
    return np.array(rows)


def test_parallel_fifths_and_octaves_are_counted_but_contrary_motion_is_not():
    # S-B: C5/C3 -> D5/D3 parallel (compound) octaves; A-B: G4/C3 -> A4/D3 parallel fifths.
    grid = _grid((72, 67, 64, 48), (74, 69, 65, 50))
    counts = rule_counts(grid)
    assert (counts["parallel_octaves"], counts["parallel_fifths"]) == (1, 1)
    # The same intervals reached with the bass leaping down (contrary motion): none.
    contrary = rule_counts(_grid((72, 67, 64, 48), (74, 69, 65, 38)))
    assert (contrary["parallel_octaves"], contrary["parallel_fifths"]) == (0, 0)


def test_a_clean_progression_has_no_breaches():
    # I - IV - V - I in C, textbook voicing.
    grid = _grid((72, 67, 64, 48), (72, 69, 65, 53), (71, 67, 62, 55), (72, 67, 64, 48))
    assert rule_counts(grid) == {
        "parallel_fifths": 0,
        "parallel_octaves": 0,
        "voice_crossing": 0,
        "out_of_range": 0,
        "spacing": 0,
    }


def test_crossing_range_and_spacing():
    grid = _grid((60, 64, 55, 48))  # alto above soprano
    assert rule_counts(grid)["voice_crossing"] == 1
    grid = _grid((84, 67, 60, 36))  # soprano C6 and bass C2 out of range; S-A 17 semitones
    counts = rule_counts(grid)
    assert counts["out_of_range"] == 2 and counts["spacing"] == 1
    assert per_100_beats(counts, len(grid))["out_of_range"] == 200.0  # 2 in one beat


def test_rests_break_parallels():
    grid = _grid((72, 67, 60, 48), (None, 69, 62, None), (74, 69, 62, 50))
    assert rule_counts(grid)["parallel_octaves"] == 0


def test_pitch_class_histogram_is_key_relative():
    c_major = _grid((72, 67, 64, 48))
    d_major = _grid((74, 69, 66, 50))
    a, b = pitch_class_histogram(c_major, 0), pitch_class_histogram(d_major, 2)
    assert histogram_distance(a, b) == 0.0
    assert a[0] == 0.5 and a[7] == 0.25 and a[4] == 0.25
    assert histogram_distance(a, pitch_class_histogram(d_major, 0)) == 1.0
