"""Decoding with `ParallelGuard` writes no parallel fifths or octaves against the known voices."""

import numpy as np

import zoo
from applications.music.rules import rule_counts
from zoo.music import HarmonizerSteps
from zoo.music.decoding import ParallelGuard, harmonize
from zoo.music.vocab import HOLD, MASK, pitch_token


def _known_parts(steps=48):
    # Soprano and bass in contrary motion, a new note every step (many chances for parallels).
    parts = np.full((steps, 4), MASK, np.int32)
    parts[:, 0] = pitch_token(67 + (np.arange(steps) % 5))
    parts[:, 3] = pitch_token(48 - (np.arange(steps) % 5))
    return parts


def test_guard_refuses_the_parallel_continuations():
    parts = _known_parts()
    guard = ParallelGuard(parts, 1)
    # Alto C4 a fifth under the soprano's G4; the soprano moves up to G#4 at step 1,
    # so an alto C#4 would be a parallel fifth: refused; staying on C4 is fine.
    allowed = guard.allowed(1, np.array([pitch_token(60)]))
    assert not allowed[pitch_token(61)]
    assert allowed[pitch_token(60)] and allowed[HOLD]


def test_guarded_decoding_has_no_parallels_and_unguarded_has_some():
    model = zoo.create_model("part_invariant_harmonizer", units=8, embedding_dim=4, context_dim=2)
    steps = HarmonizerSteps(model)
    parts = _known_parts()
    beat = np.arange(len(parts)) % 16
    free = sum(
        rule_counts(harmonize(steps, parts, beat, 0, (1, 2), temperature=3.0, seed=s))[k]
        for s in range(3)
        for k in ("parallel_fifths", "parallel_octaves")
    )
    guarded = harmonize(
        steps, parts, beat, 0, (1, 2), temperature=3.0, seed=0, forbid_parallels=True
    )
    counts = rule_counts(guarded)
    assert counts["parallel_fifths"] == counts["parallel_octaves"] == 0
    assert free > 0
