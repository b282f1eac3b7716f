"""Recurrent families: taggers, classifiers and generators (`rnn`), the
encoder-decoder (`seq2seq`), and the scheduled-sampling RNN with its
teacher-forcing `schedules`.
"""

from zoo.recurrent import rnn, scheduled_sampling, schedules, seq2seq

__all__ = ["rnn", "scheduled_sampling", "schedules", "seq2seq"]
