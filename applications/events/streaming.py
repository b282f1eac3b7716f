"""Frame scores of a long file, read in blocks: memory bounded by a window, not the file.

`events detect` used to decode each file whole. `score_path` reads it block
by block (`applications.data.resampled.resampled_blocks`, resampled to the
model's rate with edge context) and scores windows of `block + 2 x context`
output frames, every `block` frames, keeping the middle `block` frames of each:
the CRNN's convolutions and its bidirectional GRU see `context` frames of real
audio on both sides of what is kept (the first window starts at the file's start
and the last ends at its end, as one pass does: zero padding would put -100 dB
frames before the GRU). The frame grid is the whole file's, because windows
start on multiples of a frame.

A file that fits in one window is scored whole, so its scores are exactly the
whole-file scores. Longer files differ from one pass only where the GRU's
memory reaches past the context (tested to a tolerance).

Example:
    >>> scores = score_path(model, "4h.wav", 16000, frame_step=0.064)
    >>> scores.shape  # (frames, classes), as score_file on the whole waveform
"""

import math

import numpy as np

__all__ = ["score_path", "BLOCK_FRAMES", "CONTEXT_FRAMES"]

BLOCK_FRAMES = 4096  # output frames kept per window (about 4 min at 64 ms)
CONTEXT_FRAMES = 256  # frames of context on each side (about 16 s at 64 ms)


def _hop_length(model):
    """The log-mel hop of a CRNN (its front-end layer's), or None."""
    for layer in model._flatten_layers(include_self=False):
        hop = getattr(layer, "hop_length", None)
        if isinstance(hop, int):
            return hop
    return None


def score_path(
    model,
    path,
    rate,
    frame_step,
    whole,
    block=BLOCK_FRAMES,
    context=CONTEXT_FRAMES,
):
    """Frame scores `(frames, classes)` of the file at `path`, streamed when it is long.

    Args:
        model: a CRNN `(batch, samples) -> (batch, frames, classes)`.
        path: the audio file (any rate: resampled to `rate` block by block).
        rate: the model's sample rate.
        frame_step: seconds between output frames (`events.json`'s `frame_step`).
        whole: `whole(path)` -> the scores of the file decoded whole (short files).
        block: output frames kept per window.
        context: output frames of context on each side of a window.

    Returns:
        float32 `(frames, classes)`: as many frames as the whole file gives.
    """
    import soundfile as sf

    from applications.data.resampled import resampled_blocks

    with sf.SoundFile(path) as f:
        samples = math.ceil(f.frames * rate / f.samplerate)
    step = round(frame_step * rate)
    hop = _hop_length(model)
    window = (block + 2 * context) * step
    if samples <= window or hop is None or abs(step - frame_step * rate) > 1e-6 or step % hop:
        return whole(path)
    frames = (1 + samples // hop) // (step // hop)  # zoo.events.output_frames
    buffer, offset, scores = np.zeros(0, np.float32), 0, []
    count = -(-frames // block)
    k = 0

    def bounds(k):
        # Real audio on both sides (never zeros: silence at -100 dB would swing the GRU);
        # the first window starts at the file's start and the last ends at its end.
        low = max(0, k * block - context) * step
        last = (k + 1) * block + context >= frames
        return low, samples if last else ((k + 1) * block + context) * step

    def run(k):
        low, high = bounds(k)
        out = np.asarray(model.predict_on_batch(buffer[None, low - offset : high - offset]))
        keep = k * block - low // step
        scores.append(out[0, keep : keep + block].astype(np.float32))

    for piece in resampled_blocks(path, rate):
        buffer = np.concatenate([buffer, piece])
        while k < count and bounds(k)[1] <= offset + len(buffer):
            run(k)
            k += 1
            drop = max(0, bounds(min(k, count - 1))[0] - offset)
            buffer, offset = buffer[drop:], offset + drop
    buffer = np.pad(buffer, (0, max(0, samples - offset - len(buffer))))  # rounding: a sample
    while k < count:
        run(k)
        k += 1
    return np.concatenate(scores)[:frames]
