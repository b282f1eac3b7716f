"""The token vocabulary of the symbolic music models: one token per voice per 16th note.

A voice on the 16th-note grid is a sequence of tokens: `REST` (silence starts or
continues), `HOLD` (the sounding note or rest continues) and one token per MIDI
pitch from `LOWEST_PITCH` to `HIGHEST_PITCH` (a note starts). `MASK` stands for
a voice that is unknown (to be filled in) and starts a voice's history.

Context tokens: the position in the measure in 16ths (`BEAT_POSITIONS`), and the
key as tonic pitch class + 12 for minor (`KEYS`).

Example:
    >>> pitch_token(60), token_pitch(pitch_token(60))
    (35, 60)
"""

__all__ = [
    "REST",
    "HOLD",
    "MASK",
    "LOWEST_PITCH",
    "HIGHEST_PITCH",
    "VOCAB_SIZE",
    "BEAT_POSITIONS",
    "KEYS",
    "STEPS_PER_QUARTER",
    "pitch_token",
    "token_pitch",
    "sounding_pitches",
]

import numpy as np

REST, HOLD, MASK = 0, 1, 2
LOWEST_PITCH, HIGHEST_PITCH = 28, 96  # E1..C7: the chorales in every transposition used
VOCAB_SIZE = 3 + HIGHEST_PITCH - LOWEST_PITCH + 1
BEAT_POSITIONS = 16  # 16th-note positions in a 4/4 measure (other meters wrap)
KEYS = 24
STEPS_PER_QUARTER = 4


def pitch_token(midi):
    """The token of MIDI pitch `midi` (an int or a NumPy array)."""
    return midi - LOWEST_PITCH + 3


def token_pitch(token):
    """The MIDI pitch of a pitch token (`token >= 3`)."""
    return token - 3 + LOWEST_PITCH


def sounding_pitches(tokens):
    """(steps, voices) MIDI pitch sounding at each step, NaN where a voice rests or is masked."""
    tokens = np.asarray(tokens)
    tokens = tokens.reshape(len(tokens), -1)
    pitches = np.full(tokens.shape, np.nan)
    for v in range(tokens.shape[1]):
        current = np.nan
        for t, token in enumerate(tokens[:, v]):
            if token != HOLD:
                current = float(token_pitch(token)) if token >= 3 else np.nan
            pitches[t, v] = current
    return pitches
