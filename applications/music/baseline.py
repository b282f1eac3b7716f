"""The baseline: a bigram (first-order n-gram) over each voice's own tokens.

`P(token_t | token_{t-1}, voice)` counted on the training pieces with add-`alpha`
smoothing. It scores the true voices (accuracy, NLL) and samples voices for
the counterpoint statistics, voice by voice, without hearing the others.

Example:
    >>> bigram = Bigram.fit(data.pieces("train"))
    >>> bigram.log_probs(tokens[:, 3], voice=3).shape
"""

import numpy as np

from zoo.music.vocab import MASK, VOCAB_SIZE

__all__ = ["Bigram"]


class Bigram:
    """Per-voice bigram with add-`alpha` smoothing; `table[voice, previous, token]`."""

    def __init__(self, table):
        self.table = table

    @classmethod
    def fit(cls, pieces, alpha=0.1):
        counts = np.full((4, VOCAB_SIZE, VOCAB_SIZE), alpha)
        for piece in pieces:
            tokens = piece["tokens"].astype(int)
            for v in range(4):
                previous = np.concatenate([[MASK], tokens[:-1, v]])
                np.add.at(counts[v], (previous, tokens[:, v]), 1)
        return cls(counts / counts.sum(axis=2, keepdims=True))

    def probs(self, tokens, voice):
        """(steps, VOCAB_SIZE) probabilities of each step of a true voice, teacher-forced."""
        previous = np.concatenate([[MASK], np.asarray(tokens[:-1], int)])
        return self.table[voice, previous]

    def sample(self, steps, voice, rng):
        """A voice of `steps` tokens drawn from the bigram."""
        out, previous = np.zeros(steps, np.int32), MASK
        for t in range(steps):
            previous = out[t] = rng.choice(VOCAB_SIZE, p=self.table[voice, previous])
        return out
