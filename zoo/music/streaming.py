"""Step-at-a-time runners of the music models with cached LSTM state.

`DuetStream` answers one 16th note at a time (a live duet); `HarmonizerSteps`
encodes the known voices once and then writes a voice step by step (what the
samplers of `zoo.music.decoding` call). Both reuse the trained model's layers,
so a step gives exactly the full-sequence model's output at that step.
"""

import numpy as np
import tensorflow as tf

from zoo.music.vocab import MASK
from zoo.validation import argument_error

__all__ = ["DuetStream", "HarmonizerSteps", "compiled_forward"]


def compiled_forward(model):
    """`model`'s inference call as one `tf.function` over any batch and length.

    An eager call of a Keras LSTM runs its time loop in Python (tens of ms per
    step on CPU); traced once, the whole sequence runs as one graph.

    Example:
        >>> model = zoo.create_model("bachduet", units=8, num_layers=1)
        >>> x = {t.name: np.zeros((2, 5), "int32") for t in model.inputs}
        >>> forward = compiled_forward(model)
        >>> forward(x).shape
        TensorShape([2, 5, ...])
    """
    specs = {
        t.name.split(":")[0]: tf.TensorSpec((None,) * len(t.shape), tf.int32) for t in model.inputs
    }
    run = tf.function(lambda x: model(x, training=False), input_signature=[specs])

    def forward(x):
        return run({k: tf.constant(v, tf.int32) for k, v in x.items()})

    return forward


def _lstm_cells(model, names):
    return [model.get_layer(n).cell for n in names]


def _initial(cells, batch):
    return [[np.zeros((batch, c.units), "float32") for _ in range(2)] for c in cells]


class _CachedSteps:
    """One step of a causal model (embeddings -> LSTM cells -> dense) with cached state."""

    def __init__(self, model, embeddings, cells, dense, batch):
        self._embed = [model.get_layer(n) for n in embeddings]
        self._cells = _lstm_cells(model, cells)
        self._dense = model.get_layer(dense)
        self._step = tf.function(self._run, reduce_retracing=True)
        self.batch = batch
        self.reset()

    def reset(self):
        self.states = _initial(self._cells, self.batch)

    def _run(self, tokens, states):
        x = tf.concat([e(t) for e, t in zip(self._embed, tokens)], axis=-1)
        new_states = []
        for cell, state in zip(self._cells, states):
            x, state = cell(x, state, training=False)
            new_states.append(state)
        return self._dense(x), new_states

    def __call__(self, *values):
        tokens = [np.broadcast_to(np.asarray(v, "int32"), (self.batch,)) for v in values]
        probs, self.states = self._step(tokens, self.states)
        return np.asarray(probs, "float32")


class DuetStream:
    """Run a `bachduet` model one 16th note at a time, with an optional key estimator.

    Args:
        model: a model built by `zoo.music.bachduet` (trained or not).
        batch: independent duets run side by side (e.g. beams).
        key_model: a `zoo.music.bachduet_key_estimator`; it hears every human
            token passed to `step`, and a step given `key=None` uses its
            current estimate (argmax), as BachDuet does live.

    Example:
        >>> from zoo.music.vocab import pitch_token
        >>> key_model = zoo.create_model("bachduet_key_estimator", units=8)
        >>> stream = DuetStream(zoo.create_model("bachduet", units=8), key_model=key_model)
        >>> probs = stream.step(human=pitch_token(67), beat=0, key=None)
        >>> stream.commit(int(probs.argmax()))
        >>> stream.key
        array([...], dtype=int32)
    """

    def __init__(self, model, batch=1, key_model=None):
        from zoo.music.key_estimator import key_lstm_names

        self.model = model
        self.batch = batch
        self.key_model = key_model
        names = sorted(
            (layer.name for layer in model.layers if layer.name.startswith("lstm")),
            key=lambda n: int(n[4:]),
        )
        embeddings = ("human_embedding", "machine_embedding", "beat_embedding", "key_embedding")
        self._duet = _CachedSteps(model, embeddings, names, "next_token", batch)
        self._key = None
        if key_model is not None:
            self._key = _CachedSteps(
                key_model,
                ("key_token_embedding", "key_beat_embedding"),
                key_lstm_names(key_model),
                "key_probs",
                batch,
            )
        self.reset()

    def reset(self):
        """Forget the duet so far: zero states, machine history back to `MASK`, no key yet."""
        self._duet.reset()
        if self._key is not None:
            self._key.reset()
        self.machine_previous = np.full(self.batch, MASK, "int32")
        self.key = None  # the key used by the last step
        self.key_probs = None  # the estimator's last (batch, 24) probabilities

    @property
    def states(self):
        """The duet model's LSTM states (one `[h, c]` per layer)."""
        return self._duet.states

    def step(self, human, beat, key=None, machine_previous=None):
        """Probabilities of the machine's token now, given the human's token now.

        Args:
            human, beat: this step's human token and position in the measure
                (ints or arrays of `batch`).
            key: this step's key; None takes the key estimator's estimate after
                hearing `human` (needs `key_model`).
            machine_previous: the machine's previous token; None uses the one
                last passed to `commit`.

        Returns:
            (batch, VOCAB_SIZE) probabilities (a (VOCAB_SIZE,) row when batch is 1).
        """
        if self._key is not None:
            self.key_probs = self._key(human, beat)
        if key is None:
            if self._key is None:
                raise argument_error(
                    "key", key, "key=None needs DuetStream(model, key_model=...); pass a key."
                )
            key = self.key_probs.argmax(axis=1).astype("int32")
        self.key = key
        previous = self.machine_previous if machine_previous is None else machine_previous
        probs = self._duet(human, previous, beat, key)
        return probs[0] if self.batch == 1 else probs

    def respond(self, human, beat, key=None, temperature=0.0, rng=None):
        """Step, pick the machine's token (greedy, or sampled at `temperature`), commit it.

        Returns:
            The machine's token(s) for this 16th note.
        """
        probs = np.atleast_2d(self.step(human, beat, key)).astype("float64")
        if temperature > 0:
            rng = rng or np.random.default_rng()
            logits = np.log(np.maximum(probs, 1e-12)) / temperature
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            tokens = np.array([rng.choice(p.shape[1], p=row) for row in p], "int32")
        else:
            tokens = probs.argmax(axis=1).astype("int32")
        self.commit(tokens)
        return int(tokens[0]) if self.batch == 1 else tokens

    def commit(self, token):
        """Record the machine's chosen token(s); the next `step` conditions on them."""
        self.machine_previous = np.broadcast_to(np.asarray(token, "int32"), (self.batch,)).copy()


class HarmonizerSteps:
    """Write one voice of a piece step by step with a `part_invariant_harmonizer`.

    Args:
        model: the harmoniser model.

    Example:
        >>> from zoo.music.vocab import MASK
        >>> steps = HarmonizerSteps(zoo.create_model("part_invariant_harmonizer", units=8))
        >>> parts = np.full((16, 4), MASK)
        >>> parts[:, 0] = 40
        >>> context = steps.encode(parts, voice=3, beat=np.arange(16), key=0)
        >>> probs, states = steps.step(context[:1], np.full(1, MASK), steps.initial(1))
        >>> probs.shape
        (1, 72)
    """

    def __init__(self, model):
        import keras

        self.model = model
        names = ("parts", "voice", "beat", "key")
        self._encoder = keras.Model(
            {n: model.get_layer(n).output for n in names}, model.get_layer("context").output
        )
        self._encode = compiled_forward(self._encoder)
        self._cell = model.get_layer("voice_lstm").cell
        self._embed = model.get_layer("previous_embedding")
        layers = {layer.name for layer in model.layers}
        # Models saved before `interval_bias` existed end in a softmax `next_token`.
        self._bias = model.get_layer("interval_bias") if "interval_bias" in layers else None
        self._dense = model.get_layer("next_token" if self._bias is None else "token_logits")
        self._others = 3 * model.get_layer("parts").output.shape[-1]
        self._step = tf.function(self._run, reduce_retracing=True)

    def encode(self, parts, voice, beat, key):
        """The context of every step: (1, steps, features) for one piece.

        Args:
            parts: (steps, 4) tokens, `MASK` for the voice written and unknown voices.
            voice: the voice position written (0 = soprano .. 3 = bass).
            beat: (steps,) positions in the measure.
            key: the key token.
        """
        steps = len(parts)
        x = {
            "parts": np.asarray(parts, "int32")[None],
            "voice": np.full((1, steps), voice, "int32"),
            "beat": np.asarray(beat, "int32")[None],
            "key": np.full((1, steps), key, "int32"),
        }
        context = np.asarray(self._encode(x), "float32")[0]
        if self._bias is None:
            return context
        # The voices' sounding pitches now and one step earlier, and which are higher parts,
        # ride along as columns.
        others = np.asarray(self._bias.others(x["parts"], x["voice"]), "float32")[0]
        return np.concatenate([context, others], axis=1)

    def initial(self, batch):
        """Zero LSTM state (and no own pitch yet) for `batch` hypotheses."""
        state = _initial([self._cell], batch)[0]
        return state + [np.full(batch, -1, "int32")] if self._bias is not None else state

    def _run(self, context, previous, state):
        if self._bias is None:
            x = tf.concat([self._embed(previous), context], axis=-1)
            x, state = self._cell(x, state, training=False)
            return self._dense(x), state
        from zoo.music.intervals import own_sounding_step

        context, pitches = context[:, : -self._others], context[:, -self._others :]
        own = own_sounding_step(previous, state[2])
        x = tf.concat([self._embed(previous), context], axis=-1)
        x, lstm = self._cell(x, state[:2], training=False)
        logits = self._dense(x) + self._bias.scores(pitches, own)
        return tf.nn.softmax(logits), [*lstm, own]

    def step(self, context, previous, state):
        """One step: (batch, features) context, (batch,) previous tokens -> (probs, state)."""
        probs, state = self._step(
            tf.constant(context, tf.float32), tf.constant(previous, tf.int32), list(state)
        )
        return np.asarray(probs, "float32"), [np.asarray(s) for s in state]
