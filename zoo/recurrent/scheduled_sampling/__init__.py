"""The output-to-hidden RNN trained with teacher forcing or scheduled sampling."""

from zoo.recurrent.scheduled_sampling.model import (
    CELLS,
    SAMPLING,
    ScheduledSamplingRNN,
    scheduled_sampling_rnn,
)

__all__ = ["CELLS", "SAMPLING", "ScheduledSamplingRNN", "scheduled_sampling_rnn"]
