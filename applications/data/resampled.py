"""A long file at any rate, read in blocks and resampled block by block with edge context.

`resampled_blocks(path, rate)` yields the file's mono samples at `rate`, a block
at a time, so memory stays bounded by the block whatever the file's length.
Each block is resampled (scipy's `resample_poly`, the filter `zoo.audio.resample`
uses) together with `CONTEXT` input periods of its neighbours, which are then cut
away: the filter never sees a block edge, so the blocks join into what
resampling the whole file gives (to float rounding; tested).
"""

import math

import numpy as np

from applications.errors import UsageError

__all__ = ["resampled_blocks", "read_resampled"]

# Neighbour samples resampled with each block, in units of the rate ratio's
# denominator: resample_poly's filter spans 10 periods of the slower rate.
CONTEXT = 16
BLOCK_PERIODS = 1024


def _open(path):
    import soundfile as sf

    try:
        return sf.SoundFile(path)
    except (RuntimeError, sf.LibsndfileError) as error:
        raise UsageError(f"Audio file {path!r} cannot be read ({error}).") from None


def resampled_blocks(path, rate, block_periods=BLOCK_PERIODS):
    """Yield float32 mono blocks of `path` resampled to `rate`, in order.

    Args:
        path: an audio file soundfile reads.
        rate: the wanted rate in Hz.
        block_periods: input periods (`rate_in / gcd`) per block.

    Yields:
        1-D float32 arrays; together `ceil(frames * rate / rate_in)` samples.
    """
    from scipy.signal import resample_poly

    with _open(path) as f:
        rate_in = f.samplerate
        g = math.gcd(rate_in, rate)
        up, down = rate // g, rate_in // g
        if up == down:
            while len(block := f.read(down * block_periods, dtype="float32", always_2d=True)):
                yield block.mean(axis=1)
            return
        # A block at least as long as the context, so one neighbour supplies all of it.
        step, pad = down * max(block_periods, CONTEXT), down * CONTEXT
        previous = np.zeros(0, np.float32)  # the context before the current block
        current = f.read(step, dtype="float32", always_2d=True).mean(axis=1)
        start = 0
        while len(current):
            following = f.read(step, dtype="float32", always_2d=True).mean(axis=1)
            before, after = previous[-pad:], following[:pad]
            piece = np.concatenate([before, current, after])
            out = resample_poly(piece.astype(np.float64), up, down)
            first = len(before) * up // down
            count = -(-(start + len(current)) * up // down) - (-(-start * up // down))
            yield out[first : first + count].astype(np.float32)
            start += len(current)
            previous, current = current, following


def read_resampled(path, rate):
    """The whole file at `rate` (for short files and tests), via `resampled_blocks`."""
    return np.concatenate(list(resampled_blocks(path, rate)) or [np.zeros(0, np.float32)])
