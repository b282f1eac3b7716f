"""The output-to-hidden RNN trained with teacher forcing or scheduled sampling."""

from zoo.recurrent.scheduled_sampling.builder import scheduled_sampling_rnn
from zoo.recurrent.scheduled_sampling.model import SAMPLING, ScheduledSamplingRNN

__all__ = ["SAMPLING", "ScheduledSamplingRNN", "scheduled_sampling_rnn"]
