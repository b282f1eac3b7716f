"""The `Seq2Seq` encoder-decoder with Luong or Bahdanau attention."""

from zoo.recurrent.seq2seq.model import ATTENTION, Seq2Seq, seq2seq

__all__ = ["ATTENTION", "Seq2Seq", "seq2seq"]
