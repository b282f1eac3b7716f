"""Scores <-> the 16th-note token grid (`zoo.music.vocab`), with the errors a user can fix.

A score becomes `tokens` (steps, voices): a pitch token where a note starts,
`HOLD` while it sounds, `REST` where a rest starts (then `HOLD`); plus per
step the position in the measure (`beat`), the measure number (`measures`)
and whether the top voice holds a fermata (`fermata`), and the key of the
piece (tonic pitch class + 12 for minor, from music21's key analysis).

Example:
    >>> grid = score_grid(music21.corpus.parse("bach/bwv1.6"), "bwv1.6")
    >>> grid["tokens"].shape[1]
    4
"""

import numpy as np

from applications.errors import UsageError
from zoo.music.vocab import (
    BEAT_POSITIONS,
    HIGHEST_PITCH,
    HOLD,
    LOWEST_PITCH,
    REST,
    STEPS_PER_QUARTER,
    pitch_token,
    token_pitch,
)

__all__ = ["parse_file", "score_grid", "part_tokens", "grid_score", "key_token", "read_melody"]


def parse_file(path):
    """Parse a MusicXML / MIDI file with music21; `UsageError` naming the file if it cannot."""
    from music21 import converter

    try:
        return converter.parse(str(path))
    except Exception as error:  # music21 raises many types for a bad file
        raise UsageError(
            f"{path}: cannot be parsed as MusicXML or MIDI ({type(error).__name__}: {error})",
            hint="Pass a .mid, .midi, .musicxml, .xml or .mxl file.",
        ) from None


def _steps(quarter_length, path, measure, what):
    steps = float(quarter_length) * STEPS_PER_QUARTER
    if abs(steps - round(steps)) > 1e-6:
        raise UsageError(
            f"{path}: measure {measure}: {what} {float(quarter_length):g} quarter notes is finer "
            "than the 16th-note grid",
            hint="Quantise the file to 16th notes (no triplets or 32nds).",
        )
    return int(round(steps))


def part_tokens(part, path, total_steps=None):
    """The token sequence of one monophonic music21 part.

    Args:
        part: a music21 `Part` (or any stream of notes and rests).
        path: the file's name, for error messages.
        total_steps: pad with `REST` to this length (None: the part's length).

    Returns:
        `(tokens, fermata, measures)`: int arrays of one entry per 16th note.

    Raises:
        UsageError: chords or overlapping notes (polyphony), pitches outside the
            vocabulary, or onsets/durations finer than a 16th note; the message
            names the file and the measure.
    """
    events = list(part.stripTies().flatten().notesAndRests)
    end = max(
        (_steps(e.offset + e.quarterLength, path, e.measureNumber, "end at") for e in events),
        default=0,
    )
    length = max(end, total_steps or 0)
    tokens = np.full(length, HOLD, np.int16)
    tokens[:1] = REST
    fermata = np.zeros(length, bool)
    measures = np.zeros(length, np.int32)
    covered = 0
    for e in events:
        measure = e.measureNumber
        start = _steps(e.offset, path, measure, "an onset at offset")
        stop = start + _steps(e.quarterLength, path, measure, "a duration of")
        if e.isChord:
            raise UsageError(
                f"{path}: measure {measure}: a chord where one voice is expected (polyphonic melody)",
                hint="Keep one note at a time in the melody part.",
            )
        if stop == start:
            continue  # grace notes take no time on the grid
        if start < covered and e.isNote:
            raise UsageError(
                f"{path}: measure {measure}: notes overlap (polyphonic melody)",
                hint="Keep one note at a time in the melody part.",
            )
        if start < covered:
            continue  # a rest under a sounding note of another layer
        if e.isNote:
            midi = e.pitch.midi
            if not LOWEST_PITCH <= midi <= HIGHEST_PITCH:
                raise UsageError(
                    f"{path}: measure {measure}: pitch {e.pitch.nameWithOctave} is outside "
                    f"MIDI {LOWEST_PITCH}..{HIGHEST_PITCH}",
                    hint="Transpose the melody into that range.",
                )
            tokens[start] = pitch_token(midi)
            fermata[start:stop] = any(type(x).__name__ == "Fermata" for x in e.expressions)
        else:
            tokens[start] = REST
        if covered < start:
            tokens[covered] = REST  # a gap between events is a rest
        measures[start:] = measure or 0
        covered = stop
    if covered < length:
        tokens[covered] = REST
    return tokens, fermata, measures


def _pad(column, length):
    tokens, fermata, measures = column
    extra = length - len(tokens)
    if extra <= 0:
        return column
    pad = np.full(extra, HOLD, tokens.dtype)
    pad[0] = REST
    last = measures[-1] if len(measures) else 0
    return (
        np.concatenate([tokens, pad]),
        np.concatenate([fermata, np.zeros(extra, bool)]),
        np.concatenate([measures, np.full(extra, last, measures.dtype)]),
    )


def _beat_positions(part, length):
    """Position of each 16th in its measure, counted from the downbeat (pickups included)."""
    beat = np.arange(length) % BEAT_POSITIONS
    for m in part.getElementsByClass("Measure"):
        start = int(round(float(m.offset) * STEPS_PER_QUARTER))
        size = int(round(float(m.duration.quarterLength) * STEPS_PER_QUARTER))
        pad = int(round(float(m.paddingLeft) * STEPS_PER_QUARTER))
        beat[start : start + size] = (np.arange(size) + pad)[: max(0, length - start)][
            : len(beat[start : start + size])
        ] % BEAT_POSITIONS
    return beat.astype(np.int8)


def key_token(score):
    """The key of `score` as tonic pitch class + 12 for minor (music21's key analysis)."""
    try:
        key = score.analyze("key")
    except Exception:  # no pitches to analyse: C major
        return 0
    return int(key.tonic.pitchClass) + (12 if key.mode == "minor" else 0)


def score_grid(score, path, parts=None):
    """The grid of a score's parts (default: all parts with notes), top part first.

    Args:
        score: a music21 `Score`.
        path: the file's name, for error messages.
        parts: the parts to read (None: every part of `score`).

    Returns:
        dict with `tokens` (steps, voices) int16, `beat`, `fermata`, `measures`
        (steps,), and `key` (int).
    """
    parts = list(score.parts) if parts is None else list(parts)
    if not parts and score.flatten().notes:
        parts = [score]
    if not parts or not any(p.flatten().notes for p in parts):
        raise UsageError(f"{path}: no notes found", hint="Pass a file that contains a melody.")
    columns = [part_tokens(p, path) for p in parts]
    length = max(len(c[0]) for c in columns)
    columns = [_pad(c, length) for c in columns]
    return {
        "tokens": np.stack([c[0] for c in columns], axis=1),
        "fermata": columns[0][1],
        "measures": columns[0][2],
        "beat": _beat_positions(parts[0], length),
        "key": key_token(score),
    }


def grid_score(tokens, names=None, bpm=None):
    """A music21 `Score` from a (steps, voices) token grid: one part per voice.

    Example:
        >>> grid_score(grid["tokens"], ["Soprano", "Alto", "Tenor", "Bass"]).write("midi", "x.mid")
    """
    from music21 import meter, note, stream, tempo

    score = stream.Score()
    names = names or [f"Voice {i + 1}" for i in range(tokens.shape[1])]
    for v, name in enumerate(names):
        part = stream.Part()
        part.partName = name
        part.insert(0, meter.TimeSignature("4/4"))
        if bpm and v == 0:
            part.insert(0, tempo.MetronomeMark(number=bpm))
        column = np.asarray(tokens[:, v])
        starts = [t for t in range(len(column)) if column[t] != HOLD or t == 0] + [len(column)]
        for start, stop in zip(starts[:-1], starts[1:]):
            token = int(column[start])
            length = (stop - start) / STEPS_PER_QUARTER
            if token >= 3:
                event = note.Note(int(token_pitch(token)), quarterLength=length)
            else:
                event = note.Rest(quarterLength=length)
            part.insert(start / STEPS_PER_QUARTER, event)
        score.insert(0, part)
    return score


def read_melody(path):
    """One voice from a MusicXML/MIDI file: `(tokens, beat, key)` on the 16th-note grid.

    Raises:
        UsageError: the file cannot be parsed, has no notes, holds more than one
            part with notes or chords/overlaps (polyphonic), or uses durations
            finer than a 16th; the message names the file (and the measure).
    """
    score = parse_file(path)
    parts = [p for p in getattr(score, "parts", [])] or [score]
    voiced = [p for p in parts if p.flatten().notes]
    if not voiced:
        raise UsageError(f"{path}: no notes found", hint="Pass a file that contains a melody.")
    if len(voiced) > 1:
        raise UsageError(
            f"{path}: {len(voiced)} parts have notes; one melody is expected (polyphonic melody)",
            hint="Keep only the melody part in the file.",
        )
    tokens, _, _ = part_tokens(voiced[0], path)
    return tokens, _beat_positions(voiced[0], len(tokens)), key_token(score)
