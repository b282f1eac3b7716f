"""Issue 28, item 6: chord rows of one file that overlap are refused, naming both rows."""

import pytest

from applications.errors import UsageError
from applications.events.annotations import read_folder
from tests.applications.events.test_annotations import _folder


def test_overlapping_chord_rows_name_the_file_and_both_rows(tmp_path):
    rows = ["a.wav,0.0,1.0,C:maj", "b.wav,0.0,1.0,G:maj", "a.wav,0.8,2.0,A:min"]
    folder = _folder(tmp_path, rows, column="chord")
    with pytest.raises(UsageError, match=r"annotations.csv: rows 2 and 4 overlap in 'a.wav'") as e:
        read_folder(str(folder), "chords", {"a.wav": 2.0, "b.wav": 1.0})
    assert "0-1 s C:maj and 0.8-2 s A:min" in str(e.value)


def test_chords_that_touch_are_kept_and_events_may_overlap(tmp_path):
    rows = ["a.wav,1.0,2.0,A:min", "a.wav,0.0,1.0002,C:maj"]  # a rounding's overlap is slack
    folder = _folder(tmp_path, rows, column="chord")
    chords = read_folder(str(folder), "chords", {"a.wav": 2.0, "b.wav": 1.0})
    assert [a.label for a in chords["a.wav"]] == ["C:maj", "A:min"]
    (tmp_path / "events").mkdir()
    events = _folder(tmp_path / "events", ["a.wav,0.0,1.5,dog", "a.wav,1.0,2.0,cat"])
    assert len(read_folder(str(events), "events", {"a.wav": 2.0, "b.wav": 1.0})["a.wav"]) == 2
