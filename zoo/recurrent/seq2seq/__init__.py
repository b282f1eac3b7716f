"""The `Seq2Seq` encoder-decoder with Luong or Bahdanau attention."""

from zoo.recurrent.seq2seq.model import ATTENTION, CELLS, Seq2Seq, seq2seq

__all__ = ["ATTENTION", "CELLS", "Seq2Seq", "seq2seq"]
