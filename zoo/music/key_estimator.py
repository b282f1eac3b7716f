"""BachDuet's key estimator: a causal LSTM that names the key from the notes heard so far.

A live duet cannot analyse the whole piece before it answers: BachDuet
(Benetatos, VanderStel & Duan, NIME 2020) runs a second LSTM over the human's
notes and the position in the measure and feeds its running key estimate to
the duet model. This one reads one voice's tokens (pitch / `HOLD` / `REST`)
and the beat position, and gives at every 16th a softmax over the 24 keys
(tonic pitch class + 12 for minor, `zoo.music.vocab.KEYS`): the estimate
after hearing the notes up to and including that step.
`zoo.music.DuetStream(duet, key_model=...)` runs it one 16th at a time.
"""

import keras
import numpy as np

from zoo.music.duet import TINY_LSTM, TOKEN_TRAINING, token_batch
from zoo.music.vocab import BEAT_POSITIONS, KEYS, VOCAB_SIZE
from zoo.recurrent.stacks import check_stack, recurrent_layer
from zoo.registry import register_model
from zoo.validation import check_positive_int

__all__ = ["bachduet_key_estimator", "KEY_INPUTS", "key_batch", "key_lstm_names"]

KEY_INPUTS = ("human", "beat")


def key_batch(model, batch_size=4, seed=0, steps=12):
    """A random batch for the key estimator: int inputs by name, one-hot keys per step."""
    x, _ = token_batch(model, batch_size, seed, steps)
    rng = np.random.default_rng(seed + 1)
    keys = np.repeat(rng.integers(0, KEYS, (batch_size, 1)), steps, axis=1)
    return x, np.eye(KEYS, dtype="float32")[keys]


def key_lstm_names(model):
    """The names of the estimator's LSTM layers, bottom first."""
    names = [layer.name for layer in model.layers if layer.name.startswith("key_lstm")]
    return sorted(names, key=lambda n: int(n[len("key_lstm") :]))


@register_model(
    paper="Benetatos, VanderStel & Duan, BachDuet (key estimation LSTM), NIME 2020",
    tiny=TINY_LSTM,
    example=key_batch,
    **TOKEN_TRAINING,
)
def bachduet_key_estimator(
    units=64,
    num_layers=1,
    embedding_dim=16,
    context_dim=4,
    dropout=0.0,
    name="bachduet_key_estimator",
):
    """Build the key estimator: (human token, beat) per step -> key probabilities per step.

    Args:
        units: LSTM units per layer.
        num_layers: stacked LSTM layers (named `key_lstm1`, `key_lstm2`, ...).
        embedding_dim: size of the token embedding.
        context_dim: size of the beat-position embedding.
        dropout: dropout between the LSTM layers.
        name: model name.

    Returns:
        A functional `keras.Model` with int32 inputs `human` (the voice's tokens)
        and `beat` (0..15), each (batch, steps), and softmax output
        (batch, steps, 24): the key estimated from the steps up to each one.

    Example:
        >>> model = zoo.create_model("bachduet_key_estimator")
        >>> stream = zoo.music.DuetStream(zoo.create_model("bachduet"), key_model=model)
        >>> stream.step(human=zoo.music.vocab.pitch_token(67), beat=0).shape
        (72,)
    """
    check_stack("lstm", units, num_layers, dropout)
    check_positive_int("embedding_dim", embedding_dim)
    check_positive_int("context_dim", context_dim)
    inputs = {n: keras.Input((None,), dtype="int32", name=n) for n in KEY_INPUTS}
    x = keras.layers.Concatenate(name="key_step_input")(
        [
            keras.layers.Embedding(VOCAB_SIZE, embedding_dim, name="key_token_embedding")(
                inputs["human"]
            ),
            keras.layers.Embedding(BEAT_POSITIONS, context_dim, name="key_beat_embedding")(
                inputs["beat"]
            ),
        ]
    )
    for i in range(1, num_layers + 1):
        x = recurrent_layer("lstm", units, True, False, f"key_lstm{i}")(x)
        if dropout and i < num_layers:
            x = keras.layers.Dropout(dropout, name=f"key_dropout{i}")(x)
    outputs = keras.layers.Dense(KEYS, activation="softmax", name="key_probs")(x)
    return keras.Model(inputs, outputs, name=name)
