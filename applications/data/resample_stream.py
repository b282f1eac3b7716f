"""Resampling a stream of sample blocks (any block sizes) with edge context: bounded memory.

`resampled_blocks` (`applications.data.resampled`) reads a file; `resample_stream`
takes blocks a computation yields (a separator's sources, on their way back to
the input's rate). Blocks are regrouped into steps of whole rate periods, and
each step is resampled (scipy's `resample_poly`, `zoo.audio.resample`'s filter)
with `CONTEXT` periods of its neighbours, which are then cut away, so the
result equals resampling the whole signal at once (to float rounding; tested).

Example:
    >>> pieces = resample_stream(iter([np.ones((2, 441))] * 100), 44100, 16000)
    >>> sum(p.shape[-1] for p in pieces)
    16000
"""

import math

import numpy as np

from applications.data.resampled import BLOCK_PERIODS, CONTEXT

__all__ = ["resample_stream", "regroup"]


def regroup(blocks, size):
    """Blocks `(..., n)` (time last, any n) regrouped into blocks of `size` (the last shorter)."""
    held, count = [], 0
    for block in blocks:
        block = np.asarray(block, np.float32)
        held.append(block)
        count += block.shape[-1]
        if count >= size:
            joined = np.concatenate(held, axis=-1)
            cut = count - count % size
            for start in range(0, cut, size):
                yield joined[..., start : start + size]
            held, count = [joined[..., cut:]], count % size
    if count:
        yield np.concatenate(held, axis=-1)


def resample_stream(blocks, rate_in, rate_out, block_periods=BLOCK_PERIODS):
    """Yield `blocks` (float, time on the last axis) resampled from `rate_in` to `rate_out`.

    Args:
        blocks: an iterable of arrays `(..., n)`, the leading axes the same in all.
        rate_in, rate_out: rates in Hz.
        block_periods: input periods (`rate_in / gcd`) resampled at a time.

    Yields:
        float32 arrays; together `ceil(total * rate_out / rate_in)` samples long.
    """
    from scipy.signal import resample_poly

    g = math.gcd(rate_in, rate_out)
    up, down = rate_out // g, rate_in // g
    if up == down:
        yield from (np.asarray(b, np.float32) for b in blocks)
        return
    step, pad = down * max(block_periods, CONTEXT), down * CONTEXT
    steps = regroup(blocks, step)
    previous, current = None, next(steps, None)
    start = 0
    while current is not None:
        following = next(steps, None)
        before = previous[..., -pad:] if previous is not None else current[..., :0]
        after = following[..., :pad] if following is not None else current[..., :0]
        piece = np.concatenate([before, current, after], axis=-1).astype(np.float64)
        out = resample_poly(piece, up, down, axis=-1)
        first = before.shape[-1] * up // down
        length = current.shape[-1]
        count = -(-(start + length) * up // down) - (-(-start * up // down))
        yield out[..., first : first + count].astype(np.float32)
        start += length
        previous, current = current, following
