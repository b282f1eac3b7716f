"""Encoder-decoder (seq2seq) RNN for token and frame sequences, with optional attention.

The encoder reads the source sequence; its final states initialise the
decoder, which is trained with teacher forcing on the target sequence shifted
right (N->M: source and target lengths differ). `decode` runs greedy or beam
search inference. Attention lets every decoder step read all encoder outputs:
`"luong"` scores the current decoder state h_t against them ("general" score,
output h~_t = tanh(W_c [c_t; h_t])); `"bahdanau"` scores the previous decoder
state with an additive score and feeds the context into the recurrence.

References: I. Sutskever, O. Vinyals, Q. Le, "Sequence to Sequence Learning
with Neural Networks", 2014; K. Cho et al., "Learning Phrase Representations
using RNN Encoder-Decoder", 2014; D. Bahdanau, K. Cho, Y. Bengio, "Neural
Machine Translation by Jointly Learning to Align and Translate", 2015;
M.-T. Luong, H. Pham, C. Manning, "Effective Approaches to Attention-based
Neural Machine Translation", 2015.
"""

import keras
import numpy as np
from keras import ops

from zoo.beam_search import beam_search, tile_beams
from zoo.registry import register_model
from zoo.sequence_checks import check_sequence
from zoo.validation import check_choice, check_positive_int, received

__all__ = ["Seq2Seq", "seq2seq", "CELLS", "ATTENTION"]

CELLS = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
ATTENTION = ("luong", "bahdanau", None)
_NEG = -1e9  # added to the scores of padded source steps before the softmax


def _check_kind(prefix, vocab_size, dim):
    if (vocab_size is None) == (dim is None):
        raise received(f"{prefix}_vocab_size", vocab_size,
                       f"Give exactly one of `{prefix}_vocab_size` (tokens) and `{prefix}_dim` "
                       f"(frames); {prefix}_dim={dim!r}.")
    if vocab_size is not None:
        check_positive_int(f"{prefix}_vocab_size", vocab_size, minimum=2)
    else:
        check_positive_int(f"{prefix}_dim", dim)


@keras.saving.register_keras_serializable(package="zoo")
class Seq2Seq(keras.Model):
    """RNN encoder -> final states -> RNN decoder, trained with teacher forcing.

    Inputs are `(encoder_inputs, decoder_inputs)` (or a dict with those keys).
    Tokens are `(batch, time)` integers, token 0 is padding (masked in the
    encoder); frames are `(batch, time, dim)` floats, all-zero frames are
    padding. `decoder_inputs` is the target shifted right (a start symbol
    first). The output is `(batch, T_dec, target_vocab_size)` probabilities
    for tokens (`"sparse_categorical_crossentropy"`), or frames (`"mse"`).
    Weight padded target steps with `sample_weight`.

    Args:
        source_vocab_size: source vocabulary (token sources).
        target_vocab_size: target vocabulary (token targets).
        source_dim: features per source frame (frame sources).
        target_dim: features per target frame (frame targets).
        cell: `"simple"`, `"lstm"` or `"gru"`.
        units: hidden units of every encoder and decoder layer.
        num_layers: stacked layers in the encoder and in the decoder; decoder
            layer i starts from encoder layer i's final states.
        embedding_dim: token embedding size.
        attention: `"luong"`, `"bahdanau"` or `None`.
        name: model name.

    Example:
        >>> model = zoo.create_model("seq2seq", source_vocab_size=13,
        ...                          target_vocab_size=13, attention="luong")
        >>> model.compile("adam", "sparse_categorical_crossentropy")
        >>> model.fit((source, target_in), target_out, sample_weight=target_out > 0)
        >>> model.decode(source, max_length=11, start_token=11, end_token=12, beam_width=4)
    """

    def __init__(self, source_vocab_size=None, target_vocab_size=None, source_dim=None, target_dim=None,
                 cell="lstm", units=128, num_layers=1, embedding_dim=32, attention=None, name="seq2seq",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        _check_kind("source", source_vocab_size, source_dim)
        _check_kind("target", target_vocab_size, target_dim)
        check_choice("cell", cell, tuple(CELLS))
        check_positive_int("units", units)
        check_positive_int("num_layers", num_layers)
        check_positive_int("embedding_dim", embedding_dim)
        check_choice("attention", attention, ATTENTION)
        self.source_vocab_size = source_vocab_size
        self.target_vocab_size = target_vocab_size
        self.source_dim = source_dim
        self.target_dim = target_dim
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        self.embedding_dim = embedding_dim
        self.attention = attention

        source_features = embedding_dim if source_vocab_size else source_dim
        target_features = embedding_dim if target_vocab_size else target_dim
        if source_vocab_size:
            self.source_embedding = keras.layers.Embedding(source_vocab_size, embedding_dim,
                                                           name="source_embedding")
            self.source_embedding.build((None, None))
        if target_vocab_size:
            self.target_embedding = keras.layers.Embedding(target_vocab_size, embedding_dim,
                                                           name="target_embedding")
            self.target_embedding.build((None, None))
        layer = CELLS[cell]
        self.encoder_layers = []
        self.decoder_layers = []
        for i in range(1, num_layers + 1):
            enc = layer(units, return_sequences=True, return_state=True, name=f"encoder_{cell}{i}")
            enc.build((None, None, source_features if i == 1 else units))
            self.encoder_layers.append(enc)
            # Bahdanau feeds the context vector into the first decoder layer.
            first_in = target_features + (units if attention == "bahdanau" else 0)
            dec = layer(units, return_sequences=True, name=f"decoder_{cell}{i}")
            dec.build((None, None, first_in if i == 1 else units))
            self.decoder_layers.append(dec)
        if attention is not None:
            self.attention_keys = keras.layers.Dense(units, use_bias=False, name="attention_keys")
            self.attention_keys.build((None, None, units))
        if attention == "luong":
            self.attention_combine = keras.layers.Dense(units, activation="tanh", name="attention_combine")
            self.attention_combine.build((None, None, 2 * units))
        if attention == "bahdanau":
            self.attention_query = keras.layers.Dense(units, name="attention_query")
            self.attention_query.build((None, units))
            self.attention_score = keras.layers.Dense(1, use_bias=False, name="attention_score")
            self.attention_score.build((None, None, units))
        out_dim = target_vocab_size or target_dim
        self.readout = keras.layers.Dense(out_dim, name="readout")
        self.readout.build((None, None, 2 * units if attention == "bahdanau" else units))
        self.built = True

    def build(self, input_shape=None):
        # Every weight is created in __init__ (shapes follow from the arguments).
        self.built = True

    # -- inputs -------------------------------------------------------------

    def _unpack(self, inputs):
        if isinstance(inputs, dict):
            if set(inputs) != {"encoder_inputs", "decoder_inputs"}:
                raise received("inputs", sorted(inputs), "Input dicts have keys 'encoder_inputs', 'decoder_inputs'.")
            encoder_inputs, decoder_inputs = inputs["encoder_inputs"], inputs["decoder_inputs"]
        elif isinstance(inputs, (list, tuple)) and len(inputs) == 2:
            encoder_inputs, decoder_inputs = inputs
        else:
            raise received("inputs", type(inputs).__name__, "Pass (encoder_inputs, decoder_inputs).")
        encoder_inputs = check_sequence("encoder_inputs", encoder_inputs, self.source_vocab_size, self.source_dim, self.compute_dtype)
        decoder_inputs = check_sequence("decoder_inputs", decoder_inputs, self.target_vocab_size, self.target_dim, self.compute_dtype)
        return encoder_inputs, decoder_inputs

    # -- encoder and attention -----------------------------------------------

    def encode(self, encoder_inputs):
        """Encoder outputs `(batch, S, units)`, their mask `(batch, S)` and final states per layer."""
        if self.source_vocab_size:
            mask = ops.not_equal(encoder_inputs, 0)
            x = self.source_embedding(encoder_inputs)
        else:
            mask = ops.any(ops.not_equal(encoder_inputs, 0), axis=-1)
            x = encoder_inputs
        states = []
        for layer in self.encoder_layers:
            x, *final = layer(x, mask=mask)
            states.append(list(final))
        return x, mask, states

    def _attend(self, scores, memory, mask):
        scores = ops.where(ops.expand_dims(mask, 1), scores, _NEG)
        weights = ops.softmax(scores, axis=-1)
        return ops.matmul(weights, memory)

    def _luong(self, h, memory, keys, mask):
        # score(h_t, m_s) = h_t . W_a m_s  (Luong et al.'s "general" score)
        context = self._attend(ops.matmul(h, ops.transpose(keys, (0, 2, 1))), memory, mask)
        return self.attention_combine(ops.concatenate([context, h], axis=-1))

    def _bahdanau(self, query, memory, keys, mask):
        # score(s_{t-1}, m_s) = v . tanh(W_1 m_s + W_2 s_{t-1})
        q = ops.expand_dims(self.attention_query(query), 1)
        scores = ops.squeeze(self.attention_score(ops.tanh(keys + q)), -1)
        return self._attend(ops.expand_dims(scores, 1), memory, mask)[:, 0]

    def _target_features(self, y):
        return self.target_embedding(y) if self.target_vocab_size else y

    # -- decoder ---------------------------------------------------------------

    def _step(self, y_prev, states, memory, keys, mask):
        """One decoder step from features of y(t-1); returns (output, new states)."""
        x = y_prev
        if self.attention == "bahdanau":
            context = self._bahdanau(states[-1][0], memory, keys, mask)
            x = ops.concatenate([x, context], axis=-1)
        new_states = []
        for layer, s in zip(self.decoder_layers, states):
            x, ns = layer.cell(x, s)
            new_states.append(list(ns))
        if self.attention == "luong":
            x = self._luong(ops.expand_dims(x, 1), memory, keys, mask)[:, 0]
        elif self.attention == "bahdanau":
            x = ops.concatenate([x, context], axis=-1)
        return self.readout(x), new_states

    def call(self, inputs, training=False):
        encoder_inputs, decoder_inputs = self._unpack(inputs)
        memory, mask, states = self.encode(encoder_inputs)
        x = self._target_features(decoder_inputs)
        if self.attention == "bahdanau":
            outputs = self._scan_decoder(x, states, memory, mask)
        else:
            # Teacher forcing makes every decoder input known: run the whole sequence at once.
            for layer, s in zip(self.decoder_layers, states):
                x = layer(x, initial_state=s)
            if self.attention == "luong":
                x = self._luong(x, memory, self.attention_keys(memory), mask)
            outputs = self.readout(x)
        return ops.softmax(outputs, axis=-1) if self.target_vocab_size else outputs

    def _scan_decoder(self, x, states, memory, mask):
        keys = self.attention_keys(memory)
        batch = ops.shape(x)[0]
        out_dim = self.target_vocab_size or self.target_dim

        def step(carry, y_prev):
            states, _ = carry
            out, new_states = self._step(y_prev, states, memory, keys, mask)
            # keras.ops.scan on TensorFlow stacks outputs shaped like the carry.
            return (new_states, out), (new_states, out)

        _, (_, outputs) = ops.scan(step, (states, ops.zeros((batch, out_dim))), ops.moveaxis(x, 1, 0))
        return ops.moveaxis(outputs, 0, 1)

    def decode(self, encoder_inputs, max_length, start_token, end_token=None, beam_width=1):
        """Inference: feed back the decoder's own outputs, greedily or by beam search.

        Args:
            encoder_inputs: source batch (tokens or frames).
            max_length: most target steps to produce.
            start_token: first decoder input: a token id, or for frame targets a
                frame `(target_dim,)` or a scalar filled in.
            end_token: token that ends a hypothesis (token targets only).
            beam_width: 1 is greedy decoding; >1 is beam search (token targets only).

        Returns:
            Token targets: int array `(batch, length)`, `length <= max_length`,
            positions after `end_token` repeat it. Frame targets: `(batch, max_length, target_dim)`.

        Example:
            >>> model.decode(source, max_length=11, start_token=11, end_token=12)
        """
        check_positive_int("max_length", max_length)
        check_positive_int("beam_width", beam_width)
        encoder_inputs = check_sequence("encoder_inputs", encoder_inputs, self.source_vocab_size, self.source_dim, self.compute_dtype)
        batch = int(encoder_inputs.shape[0])
        memory, mask, states = self.encode(encoder_inputs)
        keys = self.attention_keys(memory) if self.attention else memory
        if not self.target_vocab_size:
            return self._decode_frames(memory, mask, states, keys, max_length, start_token, end_token, beam_width)
        for arg, token in (("start_token", start_token), ("end_token", end_token)):
            if token is None and arg == "end_token":
                continue
            if isinstance(token, bool) or not isinstance(token, (int, np.integer)) or not 0 <= token < self.target_vocab_size:
                raise received(arg, token, f"`{arg}` must be a token in [0, {self.target_vocab_size}).")
        memory, mask, keys = tile_beams((memory, mask, keys), beam_width)

        def step(tokens, states):
            out, new_states = self._step(self._target_features(tokens), states, memory, keys, mask)
            return ops.log_softmax(out, axis=-1), new_states

        tokens, _ = beam_search(step, tile_beams(states, beam_width), batch, beam_width, max_length,
                                start_token, end_token)
        return tokens

    def _decode_frames(self, memory, mask, states, keys, max_length, start_token, end_token, beam_width):
        if end_token is not None or beam_width != 1:
            raise received("beam_width", beam_width,
                           "Frame targets decode greedily: use beam_width=1 and end_token=None.")
        start = np.asarray(start_token, dtype="float32")
        if start.shape not in ((), (self.target_dim,)):
            raise received("start_token", start_token,
                           f"For frame targets `start_token` is a scalar or a frame of size {self.target_dim}.")
        y = ops.broadcast_to(ops.convert_to_tensor(start), (int(memory.shape[0]), self.target_dim))
        frames = []
        for _ in range(max_length):
            y, states = self._step(y, states, memory, keys, mask)
            frames.append(y)
        return np.asarray(ops.stack(frames, axis=1))

    def get_config(self):
        return {
            "source_vocab_size": self.source_vocab_size,
            "target_vocab_size": self.target_vocab_size,
            "source_dim": self.source_dim,
            "target_dim": self.target_dim,
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            "embedding_dim": self.embedding_dim,
            "attention": self.attention,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _example(model, batch_size=4, seed=0):
    """Token (or frame) sources of length 7 and targets of length 5 (one-hot tokens)."""
    rng = np.random.default_rng(seed)
    if model.source_vocab_size:
        source = rng.integers(1, model.source_vocab_size, (batch_size, 7)).astype("int32")
        source[0, -2:] = 0  # a shorter, padded source exercises the mask
    else:
        source = rng.standard_normal((batch_size, 7, model.source_dim)).astype("float32")
    if model.target_vocab_size:
        target = rng.integers(1, model.target_vocab_size, (batch_size, 6)).astype("int32")
        return (source, target[:, :-1]), np.eye(model.target_vocab_size, dtype="float32")[target[:, 1:]]
    target = rng.standard_normal((batch_size, 6, model.target_dim)).astype("float32")
    return (source, target[:, :-1]), target[:, 1:]


@register_model(
    family="seq2seq",
    paper="Sutskever et al. 2014; Bahdanau et al. 2015; Luong et al. 2015",
    tiny=dict(source_vocab_size=6, target_vocab_size=5, cell="gru", units=4, embedding_dim=3,
              attention="bahdanau"),
    example=_example,
    loss="categorical_crossentropy",
    learning_rate=0.1,
)
def seq2seq(source_vocab_size=None, target_vocab_size=None, source_dim=40, target_dim=40, cell="lstm",
            units=128, num_layers=1, embedding_dim=32, attention=None, name="seq2seq"):
    """Build a `Seq2Seq` encoder-decoder; a side given a vocabulary uses tokens, else frames.

    See `Seq2Seq` for the arguments (Sutskever et al. 2014, Cho et al. 2014).

    Example:
        >>> model = zoo.create_model("seq2seq", source_vocab_size=13, target_vocab_size=13)
        >>> speech_to_text = zoo.create_model("seq2seq", source_dim=80, target_vocab_size=30,
        ...                                   attention="bahdanau")
    """
    return Seq2Seq(source_vocab_size=source_vocab_size, target_vocab_size=target_vocab_size,
                   source_dim=None if source_vocab_size else source_dim,
                   target_dim=None if target_vocab_size else target_dim,
                   cell=cell, units=units, num_layers=num_layers, embedding_dim=embedding_dim,
                   attention=attention, name=name)
