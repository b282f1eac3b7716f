"""Windows over a long audio file, read in blocks: memory bounded by block + window, not file.

`windows(path, rate, window, hop)` yields `(start, end, samples)` for windows
starting every `hop` samples; the file is read with `soundfile` in blocks, mixed
to mono per block, and never held whole. A tail the regular windows miss gets
one last window, zero-padded, whose `end` is the file's end. The file must be at
the model's rate: resampling block by block would change the samples at every
block edge, so a file at another rate is refused rather than silently altered.
"""

import dataclasses

import numpy as np

from applications.errors import UsageError

__all__ = ["Window", "windows", "window_starts"]

BLOCK_SAMPLES = 1 << 18  # 16 s at 16 kHz per read


@dataclasses.dataclass(frozen=True)
class Window:
    """One window: `start` and `end` in samples (end <= file length), `samples` padded."""

    start: int
    end: int
    samples: np.ndarray


def window_starts(total, window, hop):
    """Window start samples for a file of `total` samples.

    Regular windows `k * hop` that fit whole; then, if samples after the last
    one are left and the next `k * hop` is inside the file (or the file is
    shorter than a window), one last window there, which runs past the end.

    Example:
        >>> window_starts(11, 4, 3)
        [0, 3, 6, 9]
    """
    starts = list(range(0, total - window + 1, hop)) if total >= window else []
    covered = starts[-1] + window if starts else 0
    following = starts[-1] + hop if starts else 0
    if covered < total and following < total:
        starts.append(following)
    return starts


def windows(path, sample_rate, window, hop, block=BLOCK_SAMPLES):
    """Yield `Window`s of `window` samples every `hop` samples, reading `block` at a time.

    Args:
        path: an audio file soundfile reads (WAV, FLAC, OGG, MP3).
        sample_rate: the rate the file must have.
        window: window length in samples.
        hop: samples between window starts.
        block: samples per read.

    Yields:
        `Window(start, end, samples)`; `samples` is float32 of length `window`.

    Raises:
        UsageError: a file that cannot be opened or has another rate.
    """
    import soundfile as sf

    try:
        f = sf.SoundFile(path)
    except (RuntimeError, sf.LibsndfileError) as error:
        raise UsageError(f"Audio file {path!r} cannot be read ({error}).") from None
    with f:
        if f.samplerate != sample_rate:
            raise UsageError(
                f"Audio file {path!r} is at {f.samplerate} Hz; the model takes {sample_rate} Hz.",
                hint=f"resample it first, e.g. `sox IN -r {sample_rate} OUT.wav`",
            )
        total = f.frames
        starts = window_starts(total, window, hop)
        buffer = np.zeros(0, np.float32)
        offset = 0  # file position of buffer[0]
        for start in starts:
            end = start + window
            while offset + len(buffer) < min(end, total):
                data = f.read(block, dtype="float32", always_2d=True)
                if not len(data):
                    break
                buffer = np.concatenate([buffer, data.mean(axis=1)])
            piece = buffer[start - offset : end - offset]
            samples = np.zeros(window, np.float32)
            samples[: len(piece)] = piece
            yield Window(start, min(end, total), samples)
            # Keep only what later windows need (they start at start + hop or later).
            drop = max(0, min(start + hop - offset, len(buffer)))
            buffer, offset = buffer[drop:], offset + drop
