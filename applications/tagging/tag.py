"""Tag audio files with a pretrained musicnn model: per-file tags and, with windows, a taggram.

The published models take 3 s patches (187 frames of 256 samples at 16 kHz). A
file is read in blocks (`applications.data.resampled`), cut into such windows
every `hop` seconds and tagged in batches, so memory is bounded by a block and
a batch whatever the file's length; the file's tags are the mean over its
windows (the official `musicnn.tagger.top_tags`). A file shorter than one
window is repeat-padded to it, as the models' training data was.
"""

import dataclasses

import numpy as np

from applications.data.resampled import resampled_blocks
from applications.errors import UsageError

__all__ = ["TagResult", "load_tagger", "tag_file", "window_samples", "WINDOW_SECONDS", "RATE"]

RATE = 16000
HOP = 256
# 187 centred frames of hop 256: the published models' 3 s input.
WINDOW_SECONDS = 3.0
BATCH = 16
# Shorter files carry too little to tag (less than one hop of the front end).
MIN_SAMPLES = 512


@dataclasses.dataclass
class TagResult:
    """One file's tags: `probabilities` per tag (mean over windows) and the taggram."""

    file: str
    starts: np.ndarray  # window start times, seconds
    taggram: np.ndarray  # (windows, tags) probabilities
    tags: tuple

    @property
    def probabilities(self):
        """`{tag: mean probability}` over the windows."""
        return dict(zip(self.tags, self.taggram.mean(axis=0).astype(float).tolist()))


def load_tagger(backbone="musicnn", weights="mtt"):
    """The pretrained tagger on 16 kHz waveforms and its tag names.

    Args:
        backbone: `musicnn` or `musicnn_vgg`.
        weights: `mtt` (MagnaTagATune) or `msd` (Million Song Dataset).

    Returns:
        `(model, tags)`.
    """
    import zoo

    model = zoo.create_model(backbone, weights=weights, include_preprocessing=True)
    tags = zoo.musicnn.MTT_LABELS if weights == "mtt" else zoo.musicnn.MSD_LABELS
    return model, tuple(tags)


def window_samples(seconds):
    """Samples giving the official frame count `int(seconds * 16000 / 256)` (3 s: 187 frames).

    Centred frames number `1 + samples // 256`, so 187 frames take 186 hops.
    """
    return (max(2, int(seconds * RATE / HOP)) - 1) * HOP


def _windows(path, window, hop_samples):
    """Yield `(start_sample, window)` of `path` at 16 kHz, holding a block at a time."""
    buffer, offset, start, total = np.zeros(0, np.float32), 0, 0, 0
    for block in resampled_blocks(path, RATE):
        buffer = np.concatenate([buffer, block])
        total += len(block)
        while start + window <= offset + len(buffer):
            yield start, buffer[start - offset : start - offset + window]
            start += hop_samples
            drop = min(start - offset, len(buffer))
            buffer, offset = buffer[drop:], offset + drop
    if total < MIN_SAMPLES:
        raise UsageError(
            f"Audio file {path!r} is {total / RATE:.3f} s long: too short to tag "
            f"(at least {MIN_SAMPLES / RATE:.3f} s).",
            hint="pass a longer recording",
        )
    if total < window:
        # Repeat-pad, as the published models' short training clips were.
        yield 0, np.resize(buffer, window)


def tag_file(model, tags, path, window_seconds=WINDOW_SECONDS, hop_seconds=None):
    """Tag the windows of one file.

    Args:
        model: from `load_tagger`.
        tags: its tag names.
        path: an audio file (any rate soundfile reads; mixed to mono).
        window_seconds: window length (the published models were trained on 3 s;
            `musicnn_vgg` takes only that).
        hop_seconds: seconds between windows (default: the window).

    Returns:
        A `TagResult`.
    """
    window = window_samples(window_seconds)
    hop = max(1, round((hop_seconds or window_seconds) * RATE))
    starts, rows, batch = [], [], []

    def flush():
        rows.append(np.asarray(model.predict_on_batch(np.stack(batch)), np.float32))
        batch.clear()

    for start, samples in _windows(path, window, hop):
        starts.append(start / RATE)
        batch.append(samples)
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    return TagResult(path, np.asarray(starts), np.concatenate(rows), tags)
