"""Inference for `Seq2Seq`: the decoder fed its own outputs, greedily or by beam search.

Token targets go through `GreedySampler` or `BeamSampler`; frame targets are
fed back greedily (`feed_back_frames`). See `Seq2Seq.decode`.
"""

from keras import ops

from zoo.recurrent.checks import check_start_frame, check_token
from zoo.recurrent.seq2seq.samplers import BeamSampler, GreedySampler, feed_back_frames
from zoo.validation import check_positive_int, argument_error

__all__ = ["decode"]


def decode(model, encoder_inputs, max_length, start_token, end_token, beam_width, length_penalty):
    """`model.decode(...)` of a `Seq2Seq`; `Seq2Seq.decode` has the defaults and the docs.

    Example:
        >>> model = zoo.create_model("seq2seq", source_vocab_size=6, target_vocab_size=5, units=4)
        >>> source = np.array([[1, 2, 3, 0]])
        >>> tokens = decode(model, source, 6, start_token=3, end_token=4, beam_width=2,
        ...                 length_penalty=0.6)
        >>> len(tokens), tokens.shape[1] <= 6  # one row; stops early once every beam ends
        (1, True)
    """
    check_positive_int("max_length", max_length)
    check_positive_int("beam_width", beam_width)
    encoder_inputs = model._check_source(encoder_inputs)
    memory, mask, states = model.encode(encoder_inputs)
    keys = model.attention_keys(memory) if model.attention else memory
    if not model.target_vocab_size:
        if end_token is not None or beam_width != 1:
            raise argument_error(
                "beam_width",
                beam_width,
                "Frame targets decode greedily: use beam_width=1 and end_token=None.",
            )
        start = check_start_frame(start_token, model.target_dim)
        first = ops.broadcast_to(
            ops.convert_to_tensor(start), (int(memory.shape[0]), model.target_dim)
        )
        return feed_back_frames(
            lambda y, s: model._step(y, s, memory, keys, mask), first, states, max_length
        )
    check_token("start_token", start_token, model.target_vocab_size)
    if end_token is not None:
        check_token("end_token", end_token, model.target_vocab_size)
    sampler = GreedySampler() if beam_width == 1 else BeamSampler(beam_width, length_penalty)

    def step(tokens, carry):
        # The encoder outputs ride along with the states, so beams reorder them too.
        states, memory, keys, mask = carry
        out, new_states = model._step(model._target_features(tokens), states, memory, keys, mask)
        return ops.log_softmax(out, axis=-1), (new_states, memory, keys, mask)

    tokens, _ = sampler(step, (states, memory, keys, mask), max_length, start_token, end_token)
    return tokens
