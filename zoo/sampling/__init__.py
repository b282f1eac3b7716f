"""Sampling primitives shared by every decoder in the zoo.

The seq2seq samplers (`zoo.recurrent.seq2seq.samplers`), the music decoders
(`zoo.music.decoding`) and the WaveNet generators (`zoo.wavenet.sampling`)
orchestrate their own loops; the pieces they have in common live here:

- `distributions`: host-side (NumPy) temperature scaling, top-p / nucleus
  filtering, masking with renormalisation, the greedy pick and the categorical draw.
- `beam`: beam-search bookkeeping (starting scores, the best candidates,
  extended histories) and GNMT's length penalty.
- `tensors`: the in-graph (Keras ops) tempered softmax and inverse-CDF draw
  that compiled loops use.
"""

from zoo.sampling.beam import best_candidates, extend, initial_scores, length_penalty
from zoo.sampling.distributions import draw, greedy, nucleus, restrict, temper
from zoo.sampling.tensors import inverse_cdf, tempered_softmax

__all__ = [
    "best_candidates",
    "draw",
    "extend",
    "greedy",
    "initial_scores",
    "inverse_cdf",
    "length_penalty",
    "nucleus",
    "restrict",
    "temper",
    "tempered_softmax",
]
