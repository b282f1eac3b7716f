"""Between annotations and frames: targets for training, events and chords from scores.

A `FrameGrid` says where output frame `i` sits in time: its centre is
`first + i * step` seconds. A frame is active for an event when its centre lies
in `[onset, offset)`. Decoding is the DCASE baseline's: threshold each class,
median-filter the binary activity over time, and turn runs of active frames
into events `[centre - step/2, centre + step/2)`.
"""

import dataclasses

import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d

__all__ = [
    "FrameGrid",
    "event_targets",
    "chord_targets",
    "decode_events",
    "decode_chords",
    "choose_thresholds",
]


@dataclasses.dataclass(frozen=True)
class FrameGrid:
    """Output-frame times: centre of frame `i` is `first + i * step` seconds."""

    step: float
    first: float = 0.0

    def centres(self, frames):
        return self.first + self.step * np.arange(frames)

    @classmethod
    def for_model(cls, sample_rate, hop_length, time_pool):
        """The grid of a CRNN: mel frames centred at `j * hop`, pooled `time_pool` at a time."""
        return cls(
            hop_length * time_pool / sample_rate, (time_pool - 1) / 2 * hop_length / sample_rate
        )


def event_targets(annotations, frames, grid, classes):
    """0/1 targets `(frames, classes)`: overlapping events set several columns."""
    y = np.zeros((frames, len(classes)), np.float32)
    t = grid.centres(frames)
    index = {c: i for i, c in enumerate(classes)}
    for a in annotations:
        y[(t >= a.onset) & (t < a.offset), index[a.label]] = 1.0
    return y


def chord_targets(annotations, frames, grid, classes, reduce):
    """Class indices `(frames,)`; frames outside every annotation are `N` (index 0)."""
    y = np.zeros(frames, np.int32)
    t = grid.centres(frames)
    index = {c: i for i, c in enumerate(classes)}
    for a in annotations:
        y[(t >= a.onset) & (t < a.offset)] = index[reduce(a.label)]
    return y


def _runs(active):
    """`(start, stop)` frame ranges where the boolean vector is True."""
    edges = np.diff(np.concatenate([[0], active.astype(np.int8), [0]]))
    return zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))


def _binarise(scores, thresholds, median_frames):
    active = scores >= np.asarray(thresholds, dtype=np.float32)[None, :]
    if median_frames > 1:
        active = median_filter(active.astype(np.uint8), size=(median_frames, 1), mode="nearest") > 0
    return active


def decode_events(scores, grid, classes, thresholds, median_frames=1, duration=None):
    """Frame scores `(frames, classes)` -> `[(onset, offset, label), ...]` sorted by onset.

    Args:
        scores: sigmoid outputs of one file.
        grid: its `FrameGrid`.
        classes: the class names, one per column.
        thresholds: one threshold per class.
        median_frames: odd median-filter length over time (1: none).
        duration: the file's length in seconds; offsets are clipped to it.
    """
    active = _binarise(np.asarray(scores), thresholds, median_frames)
    half = grid.step / 2
    events = []
    for c, name in enumerate(classes):
        for a, b in _runs(active[:, c]):
            onset = max(0.0, grid.first + a * grid.step - half)
            offset = grid.first + (b - 1) * grid.step + half
            offset = offset if duration is None else min(offset, duration)
            events.append((round(float(onset), 3), round(float(offset), 3), name))
    return sorted(events)


def decode_chords(scores, grid, classes, smooth_frames=1, duration=None):
    """Frame scores `(frames, classes)` -> contiguous `[(onset, offset, chord), ...]`.

    The class scores are averaged over `smooth_frames` before the per-frame argmax
    (a majority filter for one label per frame); the segments tile `[0, duration]`.
    """
    scores = np.asarray(scores, np.float32)
    if smooth_frames > 1:
        scores = uniform_filter1d(scores, smooth_frames, axis=0, mode="nearest")
    best = scores.argmax(axis=1)
    cuts = np.flatnonzero(np.diff(best)) + 1
    starts = np.concatenate([[0], cuts])
    stops = np.concatenate([cuts, [len(best)]])
    end = grid.first + len(best) * grid.step - grid.step / 2 if duration is None else duration
    segments = []
    for a, b in zip(starts, stops):
        onset = 0.0 if a == 0 else grid.first + a * grid.step - grid.step / 2
        offset = end if b == len(best) else grid.first + b * grid.step - grid.step / 2
        segments.append((round(float(onset), 3), round(float(offset), 3), classes[best[a]]))
    return segments


def choose_thresholds(scores, targets, median_frames=1, grid=np.arange(0.1, 0.91, 0.05)):
    """Per-class thresholds maximising frame-wise F1 on validation frames.

    Args:
        scores: list of `(frames, classes)` sigmoid outputs (one per file).
        targets: the matching 0/1 targets.
        median_frames: the median filter applied after thresholding.
        grid: candidate thresholds.

    Returns:
        A list of floats, one per class (0.5 for a class absent from validation).
    """
    classes = scores[0].shape[1]
    best = []
    for c in range(classes):
        truth = np.concatenate([t[:, c] for t in targets]) > 0.5
        if not truth.any():
            best.append(0.5)
            continue
        f1s = []
        for th in grid:
            pred = np.concatenate(
                [_binarise(s[:, c : c + 1], [th], median_frames)[:, 0] for s in scores]
            )
            tp = np.sum(pred & truth)
            f1s.append(2 * tp / max(1, pred.sum() + truth.sum()))
        best.append(round(float(grid[int(np.argmax(f1s))]), 2))
    return best
