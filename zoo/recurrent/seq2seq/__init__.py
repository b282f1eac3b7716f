"""The `Seq2Seq` encoder-decoder with Luong or Bahdanau attention, and its samplers."""

from zoo.recurrent.seq2seq.builder import seq2seq
from zoo.recurrent.seq2seq.model import ATTENTION, Seq2Seq
from zoo.recurrent.seq2seq.samplers import BeamSampler, GreedySampler

__all__ = ["ATTENTION", "BeamSampler", "GreedySampler", "Seq2Seq", "seq2seq"]
