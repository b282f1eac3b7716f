"""Recurrent families: taggers, classifiers and generators (`rnn`), the
encoder-decoder (`seq2seq`), and the scheduled-sampling RNN with its
teacher-forcing `schedules`; `cells` and `checks` are what they share.
"""

from zoo.recurrent import cells, checks, rnn, scheduled_sampling, schedules, seq2seq

__all__ = ["cells", "checks", "rnn", "scheduled_sampling", "schedules", "seq2seq"]
