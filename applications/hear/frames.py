"""Windows of a waveform for the HEAR embeddings: centred on timestamps, or tiling a scene.

Timestamp `k` is `k * hop` samples (frame centres, as the HEAR baseline's
`frame_audio`): the audio gets `window // 2` zeros on each side so every
timestamp from 0 to the end has a whole window around it. A scene is tiled by
windows at half-window hops, the last one ending at the final sample; a sound
shorter than a window is zero-padded in the centre, as `audiozoo predict` does.
"""

import numpy as np

__all__ = ["timestamp_windows", "scene_windows"]


def timestamp_windows(audio, window, hop):
    """Windows centred on timestamps `0, hop, 2 hop, ...` of each sound.

    Args:
        audio: `(n_sounds, n_samples)` float32.
        window: samples per window.
        hop: samples between timestamps.

    Returns:
        `(windows, centres)`: `(n_sounds, n_timestamps, window)` and the centres
        in samples, `(n_timestamps,)`.

    Example:
        >>> w, c = timestamp_windows(np.zeros((2, 100), "float32"), 40, 10)
        >>> w.shape, c[:3]
        ((2, 11, 40), array([ 0, 10, 20]))
    """
    n = audio.shape[1]
    count = 1 + n // hop
    left = window // 2
    padded = np.pad(audio, ((0, 0), (left, window - left + hop)))
    centres = np.arange(count) * hop
    index = centres[:, None] + np.arange(window)[None, :]
    return padded[:, index], centres


def scene_windows(audio, window):
    """Windows tiling each sound at half-window hops: `(n_sounds, n_windows, window)`.

    Example:
        >>> scene_windows(np.zeros((1, 100), "float32"), 40).shape
        (1, 4, 40)
    """
    n = audio.shape[1]
    if n <= window:
        left = (window - n) // 2
        return np.pad(audio, ((0, 0), (left, window - n - left)))[:, None, :]
    hop = max(1, window // 2)
    starts = list(range(0, n - window + 1, hop))
    if starts[-1] != n - window:
        starts.append(n - window)
    index = np.asarray(starts)[:, None] + np.arange(window)[None, :]
    return audio[:, index]
