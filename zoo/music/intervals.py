"""A learned score of each candidate token from the harmonic intervals it forms.

The harmoniser's LSTMs read the other voices as absolute token embeddings with
`HOLD` for sustained notes, so to tell a parallel fifth from a parallel sixth
they must recover the sounding pitches from steps back and subtract them. On
the test chorales, teacher-forced, the trained model put 9 % of its
probability on tokens that form parallel fifths/octaves where Bach wrote
them 0.2 % of the time (more than the bigram's 3 %, whose voices ignore each
other). `IntervalBias` gives the output the intervals directly: for each known
voice `k`, a learned table scores the pair (interval own-to-`k` one step
earlier, interval candidate-to-`k` now) given how `k` moves (held, up, down,
entering) and whether `k` is a higher or lower part (so a fourth below a lower
part, i.e. crossed voices, differs from a fourth below a higher one), and the
scores of the known voices add to the logits. Nothing in it
names a rule; what it favours is learned from the chorales.

Example:
    >>> parts, previous = np.full((1, 16, 4), 3), np.full((1, 16), 3)
    >>> bias = IntervalBias()([parts, previous, np.zeros((1, 16), "int32")])  # added to logits
    >>> tuple(bias.shape) == (1, 16, VOCAB_SIZE)
    True
"""

import keras
from keras import ops

from zoo.music.vocab import HOLD, VOCAB_SIZE

__all__ = ["IntervalBias", "sounding", "own_sounding_step", "UNKNOWN"]

UNKNOWN = -1  # no sounding pitch (rest, masked voice, before the first note)
MOTIONS = 4  # the other voice: same pitch, up, down, entering (nothing before)
SIDES = 2  # the other voice is a lower part (higher voice index), or a higher one
PITCHES = VOCAB_SIZE - 3


def sounding(tokens):
    """Pitch index (token - 3) sounding at each step (last axis), `UNKNOWN` in rests/masks."""
    tokens = ops.cast(tokens, "int32")
    shape = ops.shape(tokens)
    rows = ops.reshape(tokens, (-1, shape[-1]))
    change = ops.not_equal(rows, HOLD)
    # Segment i of a row runs from its i-th change to the next; fill it with that token.
    segment = ops.cumsum(ops.cast(change, "int32"), axis=1)
    segment += ops.expand_dims(ops.arange(ops.shape(rows)[0], dtype="int32"), 1) * (shape[-1] + 1)
    first = ops.segment_max(
        ops.reshape(ops.where(change, rows, -1), (-1,)), ops.reshape(segment, (-1,)), sorted=True
    )
    filled = ops.reshape(ops.take(first, segment), shape)
    return ops.where(filled >= 3, filled - 3, UNKNOWN)


def own_sounding_step(previous, own):
    """One step of `sounding` over the previous tokens: `own` is the last step's value."""
    previous = ops.cast(previous, "int32")
    return ops.where(
        previous >= 3, previous - 3, ops.where(ops.equal(previous, HOLD), own, UNKNOWN)
    )


@keras.saving.register_keras_serializable(package="zoo")
class IntervalBias(keras.layers.Layer):
    """Scores of every token (batch, steps, VOCAB_SIZE) from the intervals with the known voices.

    Args:
        span: intervals are clipped to +-`span` semitones (3 octaves by default).
        gain: the table is multiplied by `gain` before use. Adam moves each entry
            by about the learning rate per step, so at 1 the scores stay within
            about 3 nats after the benchmark's 14 epochs (measured: parallel
            fifths/octaves at -2 to -3, parallel thirds/sixths at +1 to +1.5,
            still moving); `gain` is a learning-rate multiplier for this layer.

    Call with `[parts, previous, voice]`: (batch, steps, voices) tokens with
    `MASK` for unknown voices, (batch, steps) own previous tokens and the voice
    position written (0 = soprano). `REST` and `MASK`
    score 0; `HOLD` is scored as the held pitch.
    """

    def __init__(self, span=36, gain=10.0, **kwargs):
        super().__init__(**kwargs)
        self.span = span
        self.gain = gain

    def build(self, input_shape):
        n = 2 * self.span + 1
        self.table = self.add_weight(
            shape=(SIDES * MOTIONS * (n + 1), n), initializer="zeros", name="table"
        )

    def others(self, parts, voice):
        """(batch, steps, 3 * voices): the voices' sounding pitches now, one step earlier,
        and 1 where the voice is a higher part than `voice`."""
        now = sounding(ops.moveaxis(parts, 2, 1))  # (batch, voices, steps)
        start = ops.full_like(now[:, :, :1], UNKNOWN)
        before = ops.concatenate([start, now[:, :, :-1]], axis=2)
        others = ops.moveaxis(ops.concatenate([now, before], axis=1), 1, 2)
        index = ops.arange(ops.shape(parts)[2], dtype="int32")
        higher = ops.cast(index < ops.expand_dims(ops.cast(voice, "int32"), -1), "int32")
        return ops.concatenate([others, higher], axis=-1)

    def scores(self, others, own):
        """Token scores (..., VOCAB_SIZE) from `others(...)` and own pitch one step earlier."""
        others = ops.cast(others, "int32")
        now, before, higher = ops.split(others, 3, axis=-1)
        own = ops.expand_dims(ops.cast(own, "int32"), -1)
        n = 2 * self.span + 1
        motion = ops.where(
            before == UNKNOWN, 3, ops.where(now > before, 1, ops.where(now < before, 2, 0))
        )
        earlier = ops.where(
            (before == UNKNOWN) | (own == UNKNOWN),
            n,
            ops.clip(own - before, -self.span, self.span) + self.span,
        )
        row = (higher * MOTIONS + motion) * (n + 1) + earlier
        rows = ops.take(self.table * self.gain, row, axis=0)
        known = ops.expand_dims(ops.cast(now != UNKNOWN, self.compute_dtype), -1)
        pitch = ops.arange(PITCHES, dtype="int32")
        interval = ops.clip(pitch - ops.expand_dims(now, -1), -self.span, self.span)
        pitches = ops.sum(ops.take_along_axis(rows, interval + self.span, axis=-1) * known, -2)
        held = ops.clip(own - now, -self.span, self.span) + self.span
        hold = ops.take_along_axis(rows, ops.expand_dims(held, -1), axis=-1) * known
        hold = ops.sum(hold, axis=(-2, -1)) * ops.cast(own[..., 0] != UNKNOWN, self.compute_dtype)
        zero = ops.zeros_like(hold)
        return ops.concatenate([ops.stack([zero, hold, zero], axis=-1), pitches], axis=-1)

    def call(self, inputs):
        parts, previous, voice = inputs
        return self.scores(self.others(parts, voice), sounding(previous))

    def compute_output_shape(self, input_shape):
        return (*input_shape[1][:2], VOCAB_SIZE)

    def get_config(self):
        return {**super().get_config(), "span": self.span, "gain": self.gain}
