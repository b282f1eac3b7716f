"""Per-window predictions over a long file: a clip classifier slid along it, batch by batch.

The file is read block by block (`applications.data.stream`), so memory stays
bounded by a batch of windows whatever the file's length.
"""

import numpy as np

from applications.data.stream import windows

__all__ = ["predict_windows"]


def predict_windows(model, path, sample_rate, clip_samples, window, hop, batch_size=64):
    """Yield `(start_s, end_s, probabilities)` for each window of `path`.

    Args:
        model: waveform `(batch, clip_samples)` -> class probabilities.
        path: the audio file (at `sample_rate`).
        sample_rate: Hz.
        clip_samples: the model's input length; each window is centre-cropped or
            zero-padded to it, as `audiozoo predict` does for whole files.
        window: window length in seconds.
        hop: seconds between window starts.
        batch_size: windows per model call.

    Yields:
        `(start, end, probs)`: seconds, and a float32 vector per window.
    """
    import zoo.audio

    win, step = int(round(window * sample_rate)), int(round(hop * sample_rate))
    batch, spans = [], []

    def flush():
        probs = np.asarray(model.predict_on_batch(np.stack(batch)), np.float32)
        for (a, b), row in zip(spans, probs):
            yield a / sample_rate, b / sample_rate, row
        batch.clear()
        spans.clear()

    for w in windows(path, sample_rate, win, step):
        clip = w.samples if win == clip_samples else zoo.audio.fix_length(w.samples, clip_samples)
        batch.append(np.asarray(clip, np.float32))
        spans.append((w.start, w.end))
        if len(batch) == batch_size:
            yield from flush()
    if batch:
        yield from flush()
