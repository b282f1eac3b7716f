"""Training windows for the music models, transposed at random (the augmentation).

Each window is `length` 16ths of one piece, starting every `stride` steps, in
a random key among those that keep every pitch in the vocabulary
(`corpus.transpositions`). For the harmoniser each window also draws the voice
to write and hides each other voice with probability `hide`, so one network
learns to fill any missing parts. For the key estimator the target is the
(transposed) key of the piece at every step of one voice.

Example:
    >>> x, y = harmonizer_windows(data.pieces("train"), np.random.default_rng(0))
"""

import numpy as np

from applications.music.corpus import transpositions
from zoo.music.vocab import MASK

__all__ = [
    "transpose",
    "windows",
    "harmonizer_windows",
    "duet_windows",
    "key_windows",
    "shift_right",
]


def transpose(tokens, key, semitones):
    """`tokens` and `key` moved by `semitones` (rest/hold/mask tokens unchanged)."""
    tokens = np.where(tokens >= 3, tokens + semitones, tokens)
    return tokens, (key % 12 + semitones) % 12 + 12 * (key >= 12)


def shift_right(tokens):
    """The previous token of each step along axis 1 (`MASK` before the first)."""
    start = np.full_like(tokens[:, :1], MASK)
    return np.concatenate([start, tokens[:, :-1]], axis=1)


def windows(pieces, rng, length=64, stride=16, augment=True):
    """Windows of `pieces` as arrays: tokens (n, length, 4), beat (n, length), key (n,)."""
    tokens, beat, keys = [], [], []
    for piece in pieces:
        steps = len(piece["tokens"])
        shifts = transpositions(piece["tokens"]) if augment else [0]
        for start in range(0, max(steps - length, 0) + 1, stride):
            window = piece["tokens"][start : start + length]
            if len(window) < length:
                continue
            shifted, key = transpose(window.astype(np.int32), piece["key"], rng.choice(shifts))
            tokens.append(shifted)
            beat.append(piece["beat"][start : start + length])
            keys.append(key)
    if not tokens:  # no piece is `length` long: empty arrays of the usual ranks
        return (
            np.zeros((0, length, 4), np.int32),
            np.zeros((0, length), np.int32),
            np.zeros(0, np.int32),
        )
    return np.array(tokens, np.int32), np.array(beat, np.int32), np.array(keys, np.int32)


def harmonizer_windows(pieces, rng, length=64, stride=16, hide=0.5, augment=True):
    """`(x, y)` for `part_invariant_harmonizer`: inputs by name, sparse next tokens."""
    tokens, beat, keys = windows(pieces, rng, length, stride, augment)
    n = len(tokens)
    voice = rng.integers(0, 4, n)
    hidden = rng.random((n, 4)) < hide
    hidden[np.arange(n), voice] = True
    parts = np.where(hidden[:, None, :], MASK, tokens)
    target = tokens[np.arange(n), :, voice]
    x = {
        "parts": parts.astype(np.int32),
        "voice": np.repeat(voice[:, None], length, 1).astype(np.int32),
        "previous": shift_right(target),
        "beat": beat,
        "key": np.repeat(keys[:, None], length, 1),
    }
    return x, target


def duet_windows(pieces, rng, length=64, stride=16, human=0, machine=3, augment=True):
    """`(x, y)` for `bachduet`: the human plays voice `human`, the machine `machine`."""
    tokens, beat, keys = windows(pieces, rng, length, stride, augment)
    target = tokens[:, :, machine]
    x = {
        "human": tokens[:, :, human],
        "machine_previous": shift_right(target),
        "beat": beat,
        "key": np.repeat(keys[:, None], length, 1),
    }
    return x, target


def key_windows(pieces, rng, length=64, stride=16, voices=(0,), augment=True):
    """`(x, y)` for `bachduet_key_estimator`: each voice in `voices` is one example
    (default the soprano), its target the window's key at every step."""
    tokens, beat, keys = windows(pieces, rng, length, stride, augment)
    x = {
        "human": np.concatenate([tokens[:, :, v] for v in voices]),
        "beat": np.concatenate([beat] * len(voices)),
    }
    target = np.repeat(np.tile(keys, len(voices))[:, None], length, 1)
    return x, target.astype(np.int32)
