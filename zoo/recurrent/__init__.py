"""Recurrent families: taggers and classifiers (`rnn`), the 1->N `generator`,
the encoder-decoder (`seq2seq`), and the scheduled-sampling RNN with its
teacher-forcing `schedules`; `cells`, `checks` and `stacks` are what they share.
"""

from zoo.recurrent import (
    cells,
    checks,
    generator,
    rnn,
    scheduled_sampling,
    schedules,
    seq2seq,
    stacks,
)

__all__ = [
    "cells",
    "checks",
    "generator",
    "rnn",
    "scheduled_sampling",
    "schedules",
    "seq2seq",
    "stacks",
]
