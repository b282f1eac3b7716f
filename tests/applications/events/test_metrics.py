"""Scores against examples computed by hand from the DCASE and MIREX definitions."""

import pytest

from applications.events.metrics import chord_scores, event_scores

REF = {"a.wav": [(0.0, 2.0, "dog"), (3.0, 4.5, "cat")], "b.wav": []}
EST = {"a.wav": [(0.1, 2.1, "dog"), (3.5, 4.5, "cat")], "b.wav": [(0.0, 1.0, "cat")]}


def test_segment_based_scores_by_hand():
    # 1 s segments. dog: true in 0,1; found in 0,1,2. cat: true in 3,4 of a.wav, found
    # in 3,4 of a.wav and 0 of b.wav. TP 4, FP 2, FN 0 -> P 2/3, R 1, F 0.8.
    # Error rate: insertions in a.wav[2] and b.wav[0], none substituted or deleted,
    # 4 active reference segment-labels -> ER = 2 / 4.
    o = event_scores(REF, EST, ["dog", "cat"])["overall"]
    assert o["segment_precision"] == pytest.approx(2 / 3)
    assert o["segment_recall"] == pytest.approx(1.0)
    assert o["segment_f1"] == pytest.approx(0.8)
    assert o["segment_error_rate"] == pytest.approx(0.5)


def test_event_based_scores_by_hand():
    # dog: onset 0.1 within 0.2 s, offset 2.1 within max(0.2, 20% of 2 s) -> hit.
    # cat in a.wav: onset 0.5 s late -> a miss and a false alarm; cat in b.wav: false
    # alarm. TP 1, FP 2, FN 1 -> P 1/3, R 1/2, F 0.4.
    result = event_scores(REF, EST, ["dog", "cat"])
    o = result["overall"]
    assert (o["event_precision"], o["event_recall"]) == (pytest.approx(1 / 3), 0.5)
    assert o["event_f1"] == pytest.approx(0.4)
    assert result["per_class"]["dog"]["event_f1"] == 1.0
    assert result["per_class"]["cat"]["event_f1"] == 0.0


def test_offset_tolerance_is_the_larger_of_collar_and_fraction():
    ref = {"a.wav": [(0.0, 5.0, "dog")]}
    # 20 % of 5 s = 1 s: an offset 0.9 s late still matches, 1.1 s late does not.
    assert event_scores(ref, {"a.wav": [(0.0, 5.9, "dog")]}, ["dog"])["overall"]["event_f1"] == 1
    assert event_scores(ref, {"a.wav": [(0.0, 6.1, "dog")]}, ["dog"])["overall"]["event_f1"] == 0


def test_chord_scores_are_duration_weighted():
    ref = {
        "a.wav": [(0.0, 1.0, "C:maj"), (1.0, 2.0, "A:min")],
        "b.wav": [(0.0, 2.0, "G:maj")],
    }
    est = {"a.wav": [(0.0, 2.0, "C:maj")], "b.wav": [(0.0, 2.0, "G:7")]}
    scores = chord_scores(ref, est)
    # a.wav: half right (1 of 2 s); b.wav: G:7 has G's root and majmin G:maj -> 2 of 2 s;
    # mirex needs 3 shared notes: G:7 contains G:maj -> right too.
    assert scores["root"] == pytest.approx(3 / 4)
    assert scores["majmin"] == pytest.approx(3 / 4)
    assert scores["mirex"] == pytest.approx(3 / 4)
    assert scores["seconds"] == 4.0
    # A:min (A C E) vs C:maj (C E G) share two notes: a miss for mirex, a root miss.
    assert scores["per_file"]["a.wav"] == {"root": 0.5, "majmin": 0.5, "mirex": 0.5}
