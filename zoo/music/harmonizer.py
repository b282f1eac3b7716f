"""A part-invariant harmoniser: one weight-shared network fills any voice of a chorale.

The same network serves every voice; which voice it writes is an input (the
voice position, 0 = soprano .. 3 = bass), as in the part-invariant model of
Yan, Lustig, VanderStel & Duan, "Part-Invariant Model for Music Generation and
Harmonization", ISMIR 2018. It reads the other voices over the whole piece
(unknown ones are `MASK`) with a bidirectional LSTM, and writes its voice left
to right with a causal LSTM over its own previous tokens, so it can fill alto,
tenor and bass under a soprano, one voice after another, or any missing parts.
`zoo.music.streaming.HarmonizerSteps` and `zoo.music.decoding` sample it with a
temperature or search it with a beam.
"""

import keras

from zoo.music.duet import TOKEN_TRAINING, context_embeddings, token_batch
from zoo.music.intervals import IntervalBias
from zoo.music.vocab import VOCAB_SIZE
from zoo.recurrent.stacks import check_stack, recurrent_layer
from zoo.registry import register_model
from zoo.validation import check_positive_int

__all__ = ["part_invariant_harmonizer", "HARMONIZER_INPUTS", "VOICES"]

HARMONIZER_INPUTS = ("parts", "voice", "previous", "beat", "key")
VOICES = 4


@register_model(
    paper="Yan, Lustig, VanderStel & Duan, Part-Invariant Model, ISMIR 2018",
    tiny=dict(units=8, embedding_dim=4, context_dim=2),
    example=token_batch,
    **TOKEN_TRAINING,
)
def part_invariant_harmonizer(
    units=128,
    embedding_dim=32,
    context_dim=8,
    dropout=0.1,
    interval_span=36,
    name="part_invariant_harmonizer",
):
    """Build the harmoniser: the other voices + own history + voice position -> own next token.

    Args:
        units: units of the context (bidirectional) and voice (causal) LSTMs.
        embedding_dim: size of the token embeddings (shared by the four part columns).
        context_dim: size of the voice-position, beat and key embeddings.
        dropout: dropout on the context before the voice LSTM.
        interval_span: intervals (semitones) told apart by the learned
            interval scores added to the logits (`zoo.music.intervals.IntervalBias`);
            0 leaves them out.
        name: model name.

    Returns:
        A functional `keras.Model`; int32 inputs, each (batch, steps[, 4]):
        `parts` (steps, 4) the SATB tokens with `MASK` for the voice being
        written and any unknown voice, `voice` (the voice position at every
        step), `previous` (the voice's token one step earlier, `MASK` first),
        `beat`, `key`; softmax output (batch, steps, VOCAB_SIZE).

    Example:
        >>> model = zoo.create_model("part_invariant_harmonizer")
        >>> steps = zoo.music.HarmonizerSteps(model)
    """
    check_stack("lstm", units, 1, dropout)
    check_positive_int("embedding_dim", embedding_dim)
    check_positive_int("context_dim", context_dim)
    inputs = {"parts": keras.Input((None, VOICES), dtype="int32", name="parts")}
    inputs.update({n: keras.Input((None,), dtype="int32", name=n) for n in HARMONIZER_INPUTS[1:]})
    parts = keras.layers.Embedding(VOCAB_SIZE, embedding_dim, name="part_embedding")(
        inputs["parts"]
    )
    parts = keras.layers.Reshape((-1, VOICES * embedding_dim), name="parts_flat")(parts)
    voice = keras.layers.Embedding(VOICES, context_dim, name="voice_embedding")(inputs["voice"])
    x = keras.layers.Concatenate(name="context_input")(
        [parts, voice, *context_embeddings(inputs["beat"], inputs["key"], context_dim)]
    )
    context = recurrent_layer("lstm", units, True, True, "context_lstm")(x)
    context = keras.layers.Concatenate(name="context")([context, voice])
    if dropout:
        context = keras.layers.Dropout(dropout, name="context_dropout")(context)
    own = keras.layers.Embedding(VOCAB_SIZE, embedding_dim, name="previous_embedding")(
        inputs["previous"]
    )
    x = keras.layers.Concatenate(name="voice_input")([own, context])
    x = recurrent_layer("lstm", units, True, False, "voice_lstm")(x)
    if not interval_span:
        outputs = keras.layers.Dense(VOCAB_SIZE, activation="softmax", name="next_token")(x)
        return keras.Model(inputs, outputs, name=name)
    check_positive_int("interval_span", interval_span)
    logits = keras.layers.Dense(VOCAB_SIZE, name="token_logits")(x)
    bias = IntervalBias(interval_span, name="interval_bias")(
        [inputs["parts"], inputs["previous"], inputs["voice"]]
    )
    logits = keras.layers.Add(name="logits")([logits, bias])
    outputs = keras.layers.Activation("softmax", name="next_token")(logits)
    return keras.Model(inputs, outputs, name=name)
