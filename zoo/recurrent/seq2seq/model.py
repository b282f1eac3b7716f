"""Encoder-decoder (seq2seq) RNN for token and frame sequences, with optional attention.

The encoder reads the source sequence; its final states initialise the
decoder, which is trained with teacher forcing on the target sequence shifted
right (N->M: source and target lengths differ). `decode` runs greedy or beam
search inference (`zoo.recurrent.seq2seq.decoding`, with the samplers of
`zoo.recurrent.seq2seq.samplers`); the registered builder is in
`zoo.recurrent.seq2seq.builder`.
Attention (`"luong"` or `"bahdanau"`, `zoo.recurrent.seq2seq.attention`) lets
every decoder step read all encoder outputs.

References: I. Sutskever, O. Vinyals, Q. Le, "Sequence to Sequence Learning
with Neural Networks", 2014; K. Cho et al., "Learning Phrase Representations
using RNN Encoder-Decoder", 2014; attention: Bahdanau et al. 2015, Luong et
al. 2015.
"""

import keras
from keras import ops

from zoo.recurrent.cells import CELLS
from zoo.recurrent.checks import check_sequence, check_tokens_or_frames
from zoo.recurrent.seq2seq import decoding
from zoo.recurrent.seq2seq.attention import ATTENTION, attention_layers, bahdanau, luong
from zoo.validation import check_choice, check_positive_int, argument_error

__all__ = ["Seq2Seq", "ATTENTION"]


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
        >>> model = zoo.create_model("seq2seq", source_vocab_size=6, target_vocab_size=5,
        ...                          units=4, attention="luong")
        >>> source, target = np.array([[1, 2, 3, 0]]), np.array([[3, 1, 2, 4]])
        >>> model.compile("adam", "sparse_categorical_crossentropy")
        >>> history = model.fit((source, target[:, :-1]), target[:, 1:], verbose=0)
        >>> tokens = model.decode(source, max_length=6, start_token=3, end_token=4, beam_width=2)
        >>> len(tokens), tokens.shape[1] <= 6
        (1, True)
    """

    def __init__(
        self,
        source_vocab_size=None,
        target_vocab_size=None,
        source_dim=None,
        target_dim=None,
        cell="lstm",
        units=128,
        num_layers=1,
        embedding_dim=32,
        attention=None,
        name="seq2seq",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        check_tokens_or_frames("source", source_vocab_size, source_dim)
        check_tokens_or_frames("target", target_vocab_size, target_dim)
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
            self.source_embedding = keras.layers.Embedding(
                source_vocab_size, embedding_dim, name="source_embedding"
            )
            self.source_embedding.build((None, None))
        if target_vocab_size:
            self.target_embedding = keras.layers.Embedding(
                target_vocab_size, embedding_dim, name="target_embedding"
            )
            self.target_embedding.build((None, None))
        layer = CELLS[cell].layer
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
        for attr, layer in attention_layers(attention, units).items():
            setattr(self, attr, layer)  # self.attention_keys, ...: the saved weights' names
        out_dim = target_vocab_size or target_dim
        self.readout = keras.layers.Dense(out_dim, name="readout")
        self.readout.build((None, None, 2 * units if attention == "bahdanau" else units))
        self.built = True

    def build(self, input_shape=None):
        # Every weight is created in __init__ (shapes follow from the arguments).
        self.built = True

    def _unpack(self, inputs):
        if isinstance(inputs, dict):
            if set(inputs) != {"encoder_inputs", "decoder_inputs"}:
                raise argument_error(
                    "inputs",
                    sorted(inputs),
                    "Input dicts have keys 'encoder_inputs', 'decoder_inputs'.",
                )
            encoder_inputs, decoder_inputs = inputs["encoder_inputs"], inputs["decoder_inputs"]
        elif isinstance(inputs, (list, tuple)) and len(inputs) == 2:
            encoder_inputs, decoder_inputs = inputs
        else:
            raise argument_error(
                "inputs", type(inputs).__name__, "Pass (encoder_inputs, decoder_inputs)."
            )
        encoder_inputs = self._check_source(encoder_inputs)
        decoder_inputs = check_sequence(
            "decoder_inputs",
            decoder_inputs,
            self.target_vocab_size,
            self.target_dim,
            self.compute_dtype,
        )
        return encoder_inputs, decoder_inputs

    def _check_source(self, encoder_inputs):
        return check_sequence(
            "encoder_inputs",
            encoder_inputs,
            self.source_vocab_size,
            self.source_dim,
            self.compute_dtype,
        )

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

    def _target_features(self, y):
        return self.target_embedding(y) if self.target_vocab_size else y

    # -- decoder ---------------------------------------------------------------

    def _step(self, y_prev, states, memory, keys, mask):
        """One decoder step from features of y(t-1); returns (output, new states)."""
        x = y_prev
        if self.attention == "bahdanau":
            context = bahdanau(
                states[-1][0], memory, keys, mask, self.attention_query, self.attention_score
            )
            x = ops.concatenate([x, context], axis=-1)
        new_states = []
        for layer, s in zip(self.decoder_layers, states):
            x, ns = layer.cell(x, s)
            new_states.append(list(ns))
        if self.attention == "luong":
            x = luong(ops.expand_dims(x, 1), memory, keys, mask, self.attention_combine)[:, 0]
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
                x = luong(x, memory, self.attention_keys(memory), mask, self.attention_combine)
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

        initial = (states, ops.zeros((batch, out_dim), dtype=self.compute_dtype))
        _, (_, outputs) = ops.scan(step, initial, ops.moveaxis(x, 1, 0))
        return ops.moveaxis(outputs, 0, 1)

    def decode(
        self,
        encoder_inputs,
        max_length,
        start_token,
        end_token=None,
        beam_width=1,
        length_penalty=0.0,
    ):
        """Inference: feed back the decoder's own outputs, greedily or by beam search.

        Args:
            encoder_inputs: source batch (tokens or frames).
            max_length: most target steps to produce.
            start_token: first decoder input: a token id, or for frame targets a
                frame `(target_dim,)` or a scalar filled in.
            end_token: token that ends a hypothesis (token targets only).
            beam_width: 1 is greedy decoding (`GreedySampler`); >1 is beam search
                (`BeamSampler`, token targets only).
            length_penalty: GNMT's alpha for beam search: hypotheses rank by
                `log p / ((5 + length) / 6) ** alpha`; 0 ranks by log-probability.

        Returns:
            Token targets: int array `(batch, length)`, `length <= max_length`,
            positions after `end_token` repeat it. Frame targets: `(batch, max_length, target_dim)`.

        Example:
            >>> model = zoo.create_model("seq2seq", source_vocab_size=6, target_vocab_size=5)
            >>> model.decode(np.array([[1, 2, 3, 0]]), max_length=6, start_token=3).shape
            (1, 6)
        """
        return decoding.decode(
            self, encoder_inputs, max_length, start_token, end_token, beam_width, length_penalty
        )

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
