"""Symbolic music models on a 16th-note token grid (`vocab`): the BachDuet-style
`duet` model and its causal `key_estimator`, with the live `streaming` runner,
and the part-invariant `harmonizer` (with learned `intervals` scores) and its `decoding`
(temperature sampling, beam search).
"""

from zoo.music import decoding, duet, harmonizer, intervals, key_estimator, streaming, vocab
from zoo.music.decoding import beam_voice, harmonize, sample_voice
from zoo.music.duet import bachduet
from zoo.music.harmonizer import part_invariant_harmonizer
from zoo.music.key_estimator import bachduet_key_estimator
from zoo.music.streaming import DuetStream, HarmonizerSteps

__all__ = [
    "decoding",
    "duet",
    "harmonizer",
    "intervals",
    "key_estimator",
    "streaming",
    "vocab",
    "bachduet",
    "part_invariant_harmonizer",
    "bachduet_key_estimator",
    "DuetStream",
    "HarmonizerSteps",
    "beam_voice",
    "harmonize",
    "sample_voice",
]
