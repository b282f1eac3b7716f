"""A BachDuet-style duet model: a person plays one voice, an LSTM answers with the other.

At each 16th note the model reads the human's current token, its own previous
token, the position in the measure and the key, and predicts its next token
(Benetatos, VanderStel & Duan, "BachDuet: A Deep Learning System for
Human-Machine Counterpoint Improvisation", NIME 2020). It is causal, so
`zoo.music.streaming.DuetStream` can run it one 16th at a time with cached
LSTM state, as a live duet needs. The key is an input: given by the caller, or
estimated step by step from the human's notes so far by BachDuet's second LSTM,
`zoo.music.key_estimator.bachduet_key_estimator` (`DuetStream(key_model=...)`).
"""

import keras
import numpy as np

from zoo.music.vocab import BEAT_POSITIONS, KEYS, VOCAB_SIZE
from zoo.recurrent.stacks import check_stack, recurrent_stack
from zoo.registry import register_model
from zoo.validation import check_positive_int

__all__ = ["bachduet", "DUET_INPUTS", "token_batch"]

DUET_INPUTS = ("human", "machine_previous", "beat", "key")


def token_batch(model, batch_size=4, seed=0, steps=12):
    """A random batch for a music model: int inputs by name, one-hot next tokens."""
    rng = np.random.default_rng(seed)
    x = {}
    for tensor in model.inputs:
        name = tensor.name.split(":")[0]
        shape = (batch_size, steps) + tuple(tensor.shape[2:])
        high = {"beat": BEAT_POSITIONS, "key": KEYS, "voice": 4}.get(name, VOCAB_SIZE)
        x[name] = rng.integers(0, high, shape).astype("int32")
    y = np.eye(VOCAB_SIZE, dtype="float32")[rng.integers(0, VOCAB_SIZE, (batch_size, steps))]
    return x, y


def context_embeddings(beat, key, context_dim):
    """Embeddings of the position in the measure and of the key (the context conditioning)."""
    return [
        keras.layers.Embedding(BEAT_POSITIONS, context_dim, name="beat_embedding")(beat),
        keras.layers.Embedding(KEYS, context_dim, name="key_embedding")(key),
    ]


# The token models train alike in the shared harness: one-hot next tokens, big SGD steps.
TOKEN_TRAINING = dict(loss="categorical_crossentropy", learning_rate=0.5)
TINY_LSTM = dict(units=8, num_layers=1, embedding_dim=4, context_dim=2)


@register_model(
    paper="Benetatos, VanderStel & Duan, BachDuet, NIME 2020",
    tiny=TINY_LSTM,
    example=token_batch,
    **TOKEN_TRAINING,
)
def bachduet(
    units=128, num_layers=2, embedding_dim=32, context_dim=8, dropout=0.1, name="bachduet"
):
    """Build the duet model: (human, machine_previous, beat, key) per step -> next machine token.

    Args:
        units: LSTM units per layer.
        num_layers: stacked LSTM layers (named `lstm1`, `lstm2`, ...).
        embedding_dim: size of the two voices' token embeddings.
        context_dim: size of the beat-position and key embeddings.
        dropout: dropout between the LSTM layers.
        name: model name.

    Returns:
        A functional `keras.Model` with int32 inputs `human`, `machine_previous`
        (the machine's token one step earlier, `MASK` at the start), `beat`
        (0..15) and `key` (0..23), each (batch, steps), and softmax output
        (batch, steps, VOCAB_SIZE): the machine's token at each step.

    Example:
        >>> model = zoo.create_model("bachduet", units=64)
        >>> stream = zoo.music.DuetStream(model)
    """
    check_stack("lstm", units, num_layers, dropout)
    check_positive_int("embedding_dim", embedding_dim)
    check_positive_int("context_dim", context_dim)
    inputs = {n: keras.Input((None,), dtype="int32", name=n) for n in DUET_INPUTS}
    parts = [
        keras.layers.Embedding(VOCAB_SIZE, embedding_dim, name="human_embedding")(inputs["human"]),
        keras.layers.Embedding(VOCAB_SIZE, embedding_dim, name="machine_embedding")(
            inputs["machine_previous"]
        ),
        *context_embeddings(inputs["beat"], inputs["key"], context_dim),
    ]
    x = keras.layers.Concatenate(name="step_input")(parts)
    x = recurrent_stack(x, "lstm", units, num_layers, False, dropout, True)
    outputs = keras.layers.Dense(VOCAB_SIZE, activation="softmax", name="next_token")(x)
    return keras.Model(inputs, outputs, name=name)
