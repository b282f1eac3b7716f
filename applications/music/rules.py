"""Counterpoint-rule statistics of a four-part (steps, 4) token grid, SATB top to bottom.

Counted per 100 beats (a beat is a quarter note, 4 steps):

- parallel fifths / octaves: two voices a perfect fifth (or octave/unison)
  apart, both moving in the same direction to the same interval class at their
  next change (compound intervals count);
- voice crossing: a lower voice above a higher one where some voice starts a note;
- out of range: notes outside each voice's usual range (`RANGES`);
- spacing: soprano-alto or alto-tenor farther than an octave where a note starts.

`pitch_class_histogram` is the key-relative, duration-weighted pitch-class
distribution; `histogram_distance` is the total-variation distance of two.

Example:
    >>> counts = rule_counts(grid["tokens"])
    >>> per_100_beats(counts, len(grid["tokens"]))["parallel_fifths"]
"""

import numpy as np

from zoo.music.vocab import HOLD, STEPS_PER_QUARTER, sounding_pitches, token_pitch

__all__ = [
    "RANGES",
    "sounding_pitches",
    "rule_counts",
    "per_100_beats",
    "pitch_class_histogram",
    "histogram_distance",
]

# MIDI ranges (soprano C4-G5, alto G3-D5, tenor C3-G4, bass E2-C4).
RANGES = ((60, 79), (55, 74), (48, 67), (40, 60))
RULES = ("parallel_fifths", "parallel_octaves", "voice_crossing", "out_of_range", "spacing")


def _parallels(pitches, changes, upper, lower):
    fifths = octaves = 0
    events = np.flatnonzero(changes[:, upper] | changes[:, lower])
    for a, b in zip(events[:-1], events[1:]):
        p0, p1 = pitches[a, [upper, lower]], pitches[b, [upper, lower]]
        if np.isnan(p0).any() or np.isnan(p1).any():
            continue
        move = p1 - p0
        if move[0] == 0 or move[1] == 0 or np.sign(move[0]) != np.sign(move[1]):
            continue
        i0, i1 = (p0[0] - p0[1]) % 12, (p1[0] - p1[1]) % 12
        if i0 == i1 == 7:
            fifths += 1
        elif i0 == i1 == 0:
            octaves += 1
    return fifths, octaves


def rule_counts(tokens):
    """Counts of each rule's breaches in a (steps, voices) grid (`RULES` keys).

    Example:
        >>> rule_counts(tokens)["parallel_octaves"]
        0
    """
    tokens = np.asarray(tokens)
    pitches = sounding_pitches(tokens)
    changes = tokens != HOLD
    onsets = tokens >= 3
    voices = tokens.shape[1]
    counts = dict.fromkeys(RULES, 0)
    for upper in range(voices):
        for lower in range(upper + 1, voices):
            fifths, octaves = _parallels(pitches, changes, upper, lower)
            counts["parallel_fifths"] += fifths
            counts["parallel_octaves"] += octaves
    starts = onsets.any(axis=1)
    with np.errstate(invalid="ignore"):
        for upper in range(voices - 1):
            above = pitches[starts, upper + 1] > pitches[starts, upper]
            counts["voice_crossing"] += int(above.sum())
        for upper in range(min(voices - 1, 2)):
            wide = pitches[starts, upper] - pitches[starts, upper + 1] > 12
            counts["spacing"] += int(wide.sum())
    for v in range(min(voices, len(RANGES))):
        low, high = RANGES[v]
        notes = token_pitch(tokens[onsets[:, v], v])
        counts["out_of_range"] += int(((notes < low) | (notes > high)).sum())
    return counts


def per_100_beats(counts, steps):
    """`counts` scaled to breaches per 100 beats of a piece of `steps` 16ths."""
    beats = steps / STEPS_PER_QUARTER
    return {k: 100.0 * v / beats for k, v in counts.items()}


def pitch_class_histogram(tokens, key):
    """Duration-weighted pitch classes relative to the tonic of `key` (12 values summing to 1)."""
    pitches = sounding_pitches(tokens)
    tonic = int(key) % 12
    sounding = pitches[~np.isnan(pitches)].astype(int)
    histogram = np.bincount((sounding - tonic) % 12, minlength=12).astype(float)
    return histogram / max(histogram.sum(), 1.0)


def histogram_distance(a, b):
    """Total-variation distance (half the L1 distance) of two histograms: 0 same, 1 disjoint."""
    return 0.5 * float(np.abs(np.asarray(a) - np.asarray(b)).sum())
