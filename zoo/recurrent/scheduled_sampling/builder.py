"""The registered `scheduled_sampling_rnn` builder and the harness's example batch.

Reference: S. Bengio et al., "Scheduled Sampling for Sequence Prediction with
Recurrent Neural Networks", NeurIPS 2015.
"""

import numpy as np

from zoo.recurrent import schedules as schedules_lib
from zoo.recurrent.scheduled_sampling.model import ScheduledSamplingRNN
from zoo.recurrent.stacks import TINY_TOKEN_RNN, TOKEN_TRAINING
from zoo.registry import register_model

__all__ = ["scheduled_sampling_rnn"]


def _example(model, batch_size=4, seed=0):
    """Integer tokens (or frames) and their one-hot (or identical) targets."""
    rng = np.random.default_rng(seed)
    steps = 6
    if model.tokens:
        sequence = rng.integers(0, model.vocab_size, (batch_size, steps)).astype("int32")
        target = np.eye(model.vocab_size, dtype="float32")[sequence]
    else:
        sequence = rng.standard_normal((batch_size, steps, model.frame_dim)).astype("float32")
        target = sequence
    if model.context_dim is None:
        return sequence, target
    context = rng.standard_normal((batch_size, model.context_dim)).astype("float32")
    return {"sequence": sequence, "context": context}, target


@register_model(
    paper="Bengio et al. 2015 (scheduled sampling)",
    tiny=dict(
        vocab_size=5,
        context_dim=2,
        **TINY_TOKEN_RNN,
        schedule=schedules_lib.Linear(k=1.0, c=0.1, epsilon=0.5),
        seed=0,
    ),
    example=_example,
    **TOKEN_TRAINING,
)
def scheduled_sampling_rnn(frame_dim=40, vocab_size=None, **kwargs):
    """Build a `ScheduledSamplingRNN`; frames by default, tokens when `vocab_size` is given.

    The other arguments are those of `ScheduledSamplingRNN`, with its defaults
    (Bengio et al. 2015).

    Example:
        >>> model = zoo.create_model("scheduled_sampling_rnn", vocab_size=128,
        ...                          schedule=zoo.recurrent.schedules.Exponential(0.999))
    """
    if vocab_size is not None:
        frame_dim = None
    return ScheduledSamplingRNN(frame_dim=frame_dim, vocab_size=vocab_size, **kwargs)
