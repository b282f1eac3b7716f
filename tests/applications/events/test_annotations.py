"""annotations.csv: rows read and checked; each bad row stops with one line naming it."""

import numpy as np
import pytest
import soundfile as sf

from applications.errors import UsageError
from applications.events.annotations import chord_class, chord_classes, read_folder
from applications.events.data import read_split


def _folder(tmp_path, rows, column="event_label", seconds=2.0):
    sf.write(tmp_path / "a.wav", np.zeros(int(seconds * 8000), np.float32), 8000)
    sf.write(tmp_path / "b.wav", np.zeros(8000, np.float32), 8000)
    text = "\n".join([f"filename,onset,offset,{column}", *rows]) + "\n"
    (tmp_path / "annotations.csv").write_text(text)
    return tmp_path


def test_rows_are_read_and_files_without_events_are_kept(tmp_path):
    folder = _folder(tmp_path, ["a.wav,1.0,1.5,dog", "a.wav,0.2,1.2,cat", ""])
    split = read_split(str(folder), "events", 8000)
    assert split.names == ["a.wav", "b.wav"]
    assert [(r.onset, r.offset, r.label) for r in split.annotations["a.wav"]] == [
        (0.2, 1.2, "cat"),
        (1.0, 1.5, "dog"),
    ]
    assert split.annotations["b.wav"] == []  # no rows: no events, still part of the set


@pytest.mark.parametrize(
    "row, match",
    [
        ("c.wav,0,1,dog", r"annotations.csv:2: file 'c.wav' is not an audio file"),
        ("a.wav,1.0,1.0,dog", r"annotations.csv:2: onset 1 >= offset 1"),
        ("a.wav,0.5,2.5,dog", r"annotations.csv:2: offset 2.5 s is beyond the end of 'a.wav'"),
        ("a.wav,x,1,dog", r"annotations.csv:2: onset 'x' is not a number"),
        ("a.wav,-1,1,dog", r"annotations.csv:2: onset '-1' must be a finite number"),
        ("a.wav,0,1", r"annotations.csv:2: expected 4 columns"),
        ("a.wav,0,1, ", r"annotations.csv:2: empty event_label"),
    ],
)
def test_bad_rows_name_the_row(tmp_path, row, match):
    folder = _folder(tmp_path, [row])
    with pytest.raises(UsageError, match=match):
        read_split(str(folder), "events", 8000)


def test_wrong_header_and_missing_csv(tmp_path):
    folder = _folder(tmp_path, ["a.wav,0,1,C:maj"], column="chord")
    with pytest.raises(UsageError, match="expected 'filename,onset,offset,event_label'"):
        read_split(str(folder), "events", 8000)
    (tmp_path / "annotations.csv").unlink()
    with pytest.raises(UsageError, match="annotations.csv' is missing"):
        read_folder(str(folder), "events", {"a.wav": 2.0})


def test_unknown_chord_symbols_name_the_row(tmp_path):
    folder = _folder(tmp_path, ["a.wav,0,1,C:maj", "a.wav,1,2,H:maj"], column="chord")
    with pytest.raises(UsageError, match=r"annotations.csv:3: unknown chord symbol 'H:maj'"):
        read_split(str(folder), "chords", 8000)
    folder = _folder(tmp_path, ["a.wav,0,1,C:dim"], column="chord")
    with pytest.raises(UsageError, match="no major or minor triad"):
        read_split(str(folder), "chords", 8000)


def test_chord_reduction_to_the_majmin_vocabulary():
    assert len(chord_classes()) == 25 and chord_classes()[0] == "N"
    assert chord_class("C:maj") == "C:maj"
    assert chord_class("Db:7") == "C#:maj"
    assert chord_class("A:min7/5") == "A:min"
    assert chord_class("Bb") == "A#:maj"  # Harte shorthand: a bare root is major
    assert chord_class("N") == "N"
