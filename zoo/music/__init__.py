"""Symbolic music models on a 16th-note token grid (`vocab`): the BachDuet-style
`duet` model with its live `streaming` runner, and the part-invariant
`harmonizer` with its `decoding` (temperature sampling, beam search).
"""

from zoo.music import decoding, duet, harmonizer, streaming, vocab
from zoo.music.decoding import beam_voice, harmonize, sample_voice
from zoo.music.duet import bachduet
from zoo.music.harmonizer import part_invariant_harmonizer
from zoo.music.streaming import DuetStream, HarmonizerSteps

__all__ = [
    "decoding",
    "duet",
    "harmonizer",
    "streaming",
    "vocab",
    "bachduet",
    "part_invariant_harmonizer",
    "DuetStream",
    "HarmonizerSteps",
    "beam_voice",
    "harmonize",
    "sample_voice",
]
