"""Inference for `Seq2Seq`: feed the decoder its own outputs, greedily or by beam search.

`Seq2Seq` gets `decode` from `DecodingMixin`; the search itself is
`zoo.recurrent.seq2seq.samplers`.
"""

import numpy as np
from keras import ops

from zoo.recurrent.seq2seq.samplers import beam_search, tile_beams
from zoo.recurrent.checks import check_sequence
from zoo.validation import check_positive_int, received

__all__ = ["DecodingMixin"]


class DecodingMixin:
    """`decode` for `Seq2Seq`: greedy or beam-search tokens, greedy frames.

    The model provides `encode`, `_step`, `_target_features`, `attention_keys`
    (with attention) and the `source_vocab_size`, `source_dim`,
    `target_vocab_size`, `target_dim`, `attention` attributes.

    Example:
        >>> model.decode(source, max_length=11, start_token=11, end_token=12, beam_width=4)
    """

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
