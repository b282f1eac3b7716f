"""`annotations.csv` of a sound-event or chord folder, read and checked row by row.

The DCASE format: a header `filename,onset,offset,event_label` (chords:
`filename,onset,offset,chord` in Harte notation), times in seconds, one row per
event; a file with no events has no rows, so every audio file in the folder is
part of the set. Every problem stops with one line naming the CSV row. Chords are
one class per frame, so two chord rows of a file that overlap in time are refused
(naming both rows); sound events may overlap.
"""

import csv
import dataclasses
import math
import os

from applications.errors import UsageError

__all__ = ["Annotation", "COLUMNS", "read_folder", "chord_class", "chord_classes", "NO_CHORD"]

COLUMNS = {"events": "event_label", "chords": "chord"}
NO_CHORD = "N"
PITCHES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


@dataclasses.dataclass(frozen=True)
class Annotation:
    """One row: `filename`, `onset` and `offset` in seconds, `label`."""

    filename: str
    onset: float
    offset: float
    label: str


def chord_classes():
    """The major/minor vocabulary: `N`, then `C:maj` ... `B:maj`, `C:min` ... `B:min`."""
    return [NO_CHORD] + [f"{p}:{q}" for q in ("maj", "min") for p in PITCHES]


def chord_class(symbol):
    """Reduce a Harte chord symbol to the major/minor vocabulary (`Db:7` -> `C#:maj`).

    Args:
        symbol: a Harte label such as `C:maj`, `A:min7/5`, `N`.

    Returns:
        The class name from `chord_classes()`.

    Raises:
        ValueError: the symbol is not Harte notation or has neither a major nor a
            minor triad (e.g. `C:dim`).
    """
    import mir_eval

    if symbol in ("N", "X"):
        if symbol == "X":
            raise ValueError("'X' (unknown chord) cannot be a training target")
        return NO_CHORD
    try:
        root, bitmap, _ = mir_eval.chord.encode(symbol)
    except mir_eval.chord.InvalidChordException as error:  # not a ValueError subclass
        raise ValueError(str(error)) from None
    if bitmap[4] and bitmap[7]:
        quality = "maj"
    elif bitmap[3] and bitmap[7]:
        quality = "min"
    else:
        raise ValueError(f"chord {symbol!r} has no major or minor triad")
    return f"{PITCHES[root % 12]}:{quality}"


def _number(text, column, where):
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise UsageError(f"{where}: {column} {text!r} is not a number.") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{where}: {column} {text!r} must be a finite number >= 0 (seconds).")
    return value


def read_folder(folder, task="events", durations=None):
    """Read `folder/annotations.csv` and check it against the folder's audio files.

    Args:
        folder: a folder holding audio files and `annotations.csv`.
        task: `"events"` (column `event_label`) or `"chords"` (column `chord`).
        durations: `{filename: seconds}` of the audio files; each row must name
            one of them and end within it.

    Returns:
        `{filename: [Annotation, ...]}` with every audio file as a key (sorted rows).

    Raises:
        UsageError: a missing file or column, an unknown file, onset >= offset,
            a time beyond the file's end, an unknown chord symbol, two chord rows
            of one file that overlap; the message names the CSV row(s).
    """
    path = os.path.join(folder, "annotations.csv")
    if not os.path.isfile(path):
        raise UsageError(
            f"{path!r} is missing.",
            hint="each of DIR/train and DIR/test needs annotations.csv "
            f"(filename,onset,offset,{COLUMNS[task]})",
        )
    durations = dict(durations or {})
    rows = {name: [] for name in durations}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        expected = ["filename", "onset", "offset", COLUMNS[task]]
        if header != expected:
            raise UsageError(
                f"{path!r}: header {','.join(header)!r}; expected {','.join(expected)!r}.",
                hint="--task chords reads a 'chord' column, sound events an 'event_label' one",
            )
        for number, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip():
                continue  # a blank line carries no event
            where = f"{path}:{number}"
            if len(row) != 4:
                raise UsageError(f"{where}: expected 4 columns, found {len(row)}: {row!r}.")
            name, onset, offset, label = (c.strip() for c in row)
            if name not in rows:
                raise UsageError(
                    f"{where}: file {name!r} is not an audio file in {folder!r}.",
                    hint="name a file in the same folder (relative name, as listed by ls)",
                )
            onset = _number(onset, "onset", where)
            offset = _number(offset, "offset", where)
            if onset >= offset:
                raise UsageError(f"{where}: onset {onset:g} >= offset {offset:g}.")
            # Half a millisecond of slack for times rounded when the CSV was written.
            if offset > durations[name] + 5e-4:
                raise UsageError(
                    f"{where}: offset {offset:g} s is beyond the end of {name!r} "
                    f"({durations[name]:g} s)."
                )
            if not label:
                raise UsageError(f"{where}: empty {COLUMNS[task]}.")
            if task == "chords":
                try:
                    chord_class(label)
                except ValueError as error:
                    raise UsageError(
                        f"{where}: unknown chord symbol {label!r} ({error}).",
                        hint="use Harte notation reducible to major/minor: C:maj, A:min, G:7, N",
                    ) from None
            rows[name].append((Annotation(name, onset, offset, label), number))
    for items in rows.values():
        items.sort(key=lambda item: (item[0].onset, item[0].offset))
        if task == "chords":
            _check_no_overlap(path, items)
    return {name: [a for a, _ in items] for name, items in rows.items()}


def _check_no_overlap(path, items):
    """Refuse chord rows of one file that overlap (the same half-millisecond slack)."""
    for (before, first), (after, second) in zip(items, items[1:]):
        if after.onset < before.offset - 5e-4:
            rows = sorted((first, second))
            raise UsageError(
                f"{path}: rows {rows[0]} and {rows[1]} overlap in {before.filename!r} "
                f"({before.onset:g}-{before.offset:g} s {before.label} and "
                f"{after.onset:g}-{after.offset:g} s {after.label}); chords are one per frame.",
                hint="end the earlier chord where the next one starts",
            )
