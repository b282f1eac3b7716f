"""Frame targets and decoding: events in, frames, events back; thresholds; chord segments."""

import numpy as np

from applications.events import frames as fr
from applications.events.annotations import Annotation

GRID = fr.FrameGrid(step=0.1, first=0.05)  # frame i covers [0.1 i, 0.1 (i + 1))
CLASSES = ["cat", "dog"]


def test_overlapping_events_set_several_columns():
    rows = [Annotation("a", 0.2, 0.5, "dog"), Annotation("a", 0.4, 0.7, "cat")]
    y = fr.event_targets(rows, 10, GRID, CLASSES)
    np.testing.assert_array_equal(np.flatnonzero(y[:, 1]), [2, 3, 4])
    np.testing.assert_array_equal(np.flatnonzero(y[:, 0]), [4, 5, 6])


def test_decode_inverts_targets_and_median_filter_removes_blips():
    rows = [Annotation("a", 0.2, 0.5, "dog"), Annotation("a", 0.4, 0.7, "cat")]
    y = fr.event_targets(rows, 10, GRID, CLASSES)
    assert fr.decode_events(y, GRID, CLASSES, [0.5, 0.5]) == [
        (0.2, 0.5, "dog"),
        (0.4, 0.7, "cat"),
    ]
    long = fr.event_targets([Annotation("a", 0.1, 0.6, "dog")], 10, GRID, CLASSES)
    long[8, 1] = 1.0  # a one-frame blip
    long[3, 1] = 0.0  # a one-frame gap
    assert len(fr.decode_events(long, GRID, CLASSES, [0.5, 0.5])) == 3
    assert fr.decode_events(long, GRID, CLASSES, [0.5, 0.5], median_frames=3) == [(0.1, 0.6, "dog")]


def test_thresholds_maximise_frame_f1_per_class():
    truth = np.array([[1, 0], [1, 0], [0, 0], [0, 1]], np.float32)
    scores = np.array([[0.35, 0.1], [0.4, 0.2], [0.3, 0.2], [0.9, 0.95]], np.float32)
    # cat: 0.3 would fire on frame 2 too; 0.35 catches frames 0 and 1 (and 3, unavoidable).
    assert fr.choose_thresholds([scores], [truth]) == [0.35, 0.25]


def test_chord_segments_tile_the_file():
    classes = ["N", "C:maj", "A:min"]
    y = np.array([1, 1, 1, 2, 2, 0])
    scores = np.eye(3)[y]
    assert fr.decode_chords(scores, GRID, classes, duration=0.6) == [
        (0.0, 0.3, "C:maj"),
        (0.3, 0.5, "A:min"),
        (0.5, 0.6, "N"),
    ]
    targets = fr.chord_targets(
        [Annotation("a", 0.0, 0.3, "C:maj"), Annotation("a", 0.3, 0.5, "A:min")],
        6,
        GRID,
        classes,
        lambda s: s,
    )
    np.testing.assert_array_equal(targets, y)
