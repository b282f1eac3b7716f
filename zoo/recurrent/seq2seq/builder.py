"""The registered `seq2seq` builder and the harness's example batch.

References: Sutskever et al. 2014; Cho et al. 2014; Bahdanau et al. 2015;
Luong et al. 2015.
"""

import numpy as np

from zoo.recurrent.seq2seq.model import Seq2Seq
from zoo.recurrent.stacks import TINY_TOKEN_RNN, TOKEN_TRAINING
from zoo.registry import register_model

__all__ = ["seq2seq"]


def _example(model, batch_size=4, seed=0):
    """Token (or frame) sources of length 7 and targets of length 5 (one-hot tokens)."""
    rng = np.random.default_rng(seed)
    if model.source_vocab_size:
        source = rng.integers(1, model.source_vocab_size, (batch_size, 7)).astype("int32")
        source[0, -2:] = 0  # a shorter, padded source exercises the mask
    else:
        source = rng.standard_normal((batch_size, 7, model.source_dim)).astype("float32")
    if model.target_vocab_size:
        target = rng.integers(1, model.target_vocab_size, (batch_size, 6)).astype("int32")
        return (source, target[:, :-1]), np.eye(model.target_vocab_size, dtype="float32")[
            target[:, 1:]
        ]
    target = rng.standard_normal((batch_size, 6, model.target_dim)).astype("float32")
    return (source, target[:, :-1]), target[:, 1:]


@register_model(
    paper="Sutskever et al. 2014; Bahdanau et al. 2015; Luong et al. 2015",
    tiny=dict(
        source_vocab_size=6,
        target_vocab_size=5,
        **TINY_TOKEN_RNN,
        attention="bahdanau",
    ),
    example=_example,
    **TOKEN_TRAINING,
)
def seq2seq(source_vocab_size=None, target_vocab_size=None, source_dim=40, target_dim=40, **kwargs):
    """Build a `Seq2Seq` encoder-decoder; a side given a vocabulary uses tokens, else frames.

    The other arguments are those of `Seq2Seq`, with its defaults
    (Sutskever et al. 2014, Cho et al. 2014).

    Example:
        >>> model = zoo.create_model("seq2seq", source_vocab_size=13, target_vocab_size=13)
        >>> speech_to_text = zoo.create_model("seq2seq", source_dim=80, target_vocab_size=30,
        ...                                   attention="bahdanau")
    """
    return Seq2Seq(
        source_vocab_size=source_vocab_size,
        target_vocab_size=target_vocab_size,
        source_dim=None if source_vocab_size else source_dim,
        target_dim=None if target_vocab_size else target_dim,
        **kwargs,
    )
