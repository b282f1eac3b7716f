"""Writing a voice with a `HarmonizerSteps`: temperature / nucleus sampling or beam search.

Both take the context of every step (`HarmonizerSteps.encode`) and return the
voice's tokens. Temperature 0 is greedy decoding; nucleus sampling (top-p,
Holtzman et al., ICLR 2020) draws only from the most probable tokens that
together hold `top_p` of the mass, so the unreliable tail (where a sampled
voice picks up parallel fifths and crossings) is never drawn; the beam keeps
the `width` most probable token sequences (sum of log-probabilities).
"""

import numpy as np

from zoo.music.vocab import HOLD, MASK, VOCAB_SIZE, sounding_pitches, token_pitch
from zoo.sampling import (
    best_candidates,
    draw,
    extend,
    greedy,
    initial_scores,
    nucleus,
    restrict,
    temper,
)
from zoo.validation import argument_error

__all__ = ["nucleus", "sample_voice", "beam_voice", "harmonize", "ParallelGuard"]

_PITCHES = token_pitch(np.arange(VOCAB_SIZE)).astype(float)


class ParallelGuard:
    """Forbid tokens that make parallel fifths or octaves with the voices already known.

    Two voices move in parallel only when both start a note at the same step, so
    at step `t` a candidate pitch is refused if it moves in the same direction as
    a known voice that also starts a note at `t`, from and to the same fifth or
    octave interval class (compound intervals too).

    Args:
        parts: (steps, 4) tokens; `MASK` columns are unknown.
        voice: the voice being written.
    """

    def __init__(self, parts, voice):
        parts = np.asarray(parts)
        self.voice = voice
        self.known = [
            k for k in range(parts.shape[1]) if k != voice and (parts[:, k] != MASK).all()
        ]
        self.pitches = sounding_pitches(np.where(parts == MASK, HOLD, parts))
        self.onsets = parts >= 3

    def allowed(self, t, history):
        """Bool (VOCAB_SIZE,): tokens allowed at `t` after own tokens `history` (t of them)."""
        allowed = np.ones(VOCAB_SIZE, bool)
        own = sounding_pitches(np.asarray(history)[:, None])[-1, 0] if t else np.nan
        if np.isnan(own):
            return allowed
        move = np.sign(_PITCHES - own)
        for k in self.known:
            before, now = self.pitches[t - 1, k], self.pitches[t, k]
            if not self.onsets[t, k] or np.isnan(before) or now == before:
                continue
            sign = 1 if self.voice < k else -1  # interval measured upper minus lower
            i0 = (sign * (own - before)) % 12
            i1 = (sign * (_PITCHES - now)) % 12
            bad = (move == np.sign(now - before)) & (i0 == i1) & ((i1 == 0) | (i1 == 7))
            allowed &= ~(bad & (np.arange(VOCAB_SIZE) >= 3))
        return allowed


def sample_voice(steps, context, temperature=1.0, seed=0, guard=None, top_p=1.0):
    """Sample a voice token by token at `temperature` (0: greedy), from the top-`top_p` nucleus.

    Args:
        steps: a `HarmonizerSteps`.
        context: (steps, features) from `steps.encode`.
        temperature: softmax temperature; 0 picks the most probable token.
        seed: seed of the sampler.
        guard: a `ParallelGuard`, or None.
        top_p: sample from the most probable tokens holding this much of the
            tempered distribution (1: all tokens).

    Returns:
        (steps,) int tokens.

    Example:
        >>> from zoo.music import HarmonizerSteps
        >>> steps = HarmonizerSteps(zoo.create_model("part_invariant_harmonizer", units=8))
        >>> parts = np.full((16, 4), MASK)  # the voices to write are MASK throughout
        >>> parts[:, 0] = HOLD
        >>> parts[0, 0] = 40  # the soprano's one note, held
        >>> sample_voice(steps, steps.encode(parts, 3, np.arange(16), 0), temperature=0.8).shape
        (16,)
    """
    if not temperature >= 0:
        raise argument_error("temperature", temperature, "Use a temperature >= 0.")
    if not 0 < top_p <= 1:
        raise argument_error("top_p", top_p, "Use a top_p in (0, 1].")
    rng = np.random.default_rng(seed)
    state, previous = steps.initial(1), np.full(1, MASK, "int32")
    out = np.zeros(len(context), "int32")
    for t in range(len(context)):
        probs, state = steps.step(context[t : t + 1], previous, state)
        p = probs[0].astype("float64")
        if guard is not None:
            p = restrict(p, guard.allowed(t, out[:t]))
        if temperature == 0:
            token = int(greedy(p))  # no draw: the generator's stream is left as it is
        else:
            # A token the guard refused stays refused at any temperature.
            token = draw(rng, nucleus(temper(p, temperature), top_p))
        out[t] = previous[0] = token
    return out


def beam_voice(steps, context, width=4, guard=None):
    """The most probable voice found by a beam of `width` hypotheses (`guard`: see above).

    Returns:
        (steps,) int tokens.
    """
    if not (isinstance(width, int) and width >= 1):
        raise argument_error("width", width, "Use a beam width >= 1.")
    state = steps.initial(width)
    previous = np.full(width, MASK, "int32")
    scores = initial_scores(width)
    history = np.zeros((width, 0), "int32")
    for t in range(len(context)):
        probs, state = steps.step(np.repeat(context[t : t + 1], width, 0), previous, state)
        probs = probs.astype("float64")
        if guard is not None:
            live = np.isfinite(scores)
            for b in np.flatnonzero(live):
                probs[b] = restrict(probs[b], guard.allowed(t, history[b]))
        total = scores[:, None] + np.log(np.maximum(probs, 1e-12))
        beam, token = divmod(best_candidates(total.reshape(-1), width), total.shape[1])
        scores = total[beam, token]
        history = extend(history, beam, token).astype("int32")
        state = [np.asarray(s)[beam] for s in state]
        previous = token.astype("int32")
    return history[0]


def harmonize(
    model_steps,
    parts,
    beat,
    key,
    order=(3, 2, 1),
    temperature=0.0,
    beam=0,
    seed=0,
    forbid_parallels=False,
    top_p=1.0,
):
    """Fill the `MASK` voices of `parts`, one after another in `order`.

    Args:
        model_steps: a `HarmonizerSteps`.
        parts: (steps, 4) tokens; voices to write are `MASK` throughout.
        beat: (steps,) positions in the measure; key: the key token.
        order: voice positions to write, in order (default bass, tenor, alto);
            voices of `order` that are not masked are rewritten.
        temperature: sampling temperature (0: greedy) when `beam` is 0.
        beam: beam width; > 0 uses beam search instead of sampling.
        seed: seed of the sampler.
        forbid_parallels: refuse parallel fifths/octaves with the voices
            known when a voice is written (`ParallelGuard`).
        top_p: nucleus sampling's mass when sampling (1: the whole distribution).

    Returns:
        (steps, 4) tokens with the voices filled.

    Example:
        >>> from zoo.music import HarmonizerSteps
        >>> from zoo.music.vocab import MASK, pitch_token
        >>> steps = HarmonizerSteps(zoo.create_model("part_invariant_harmonizer", units=8))
        >>> soprano_only = np.full((16, 4), MASK)
        >>> soprano_only[:, 0] = pitch_token(72)
        >>> beat = np.arange(16)
        >>> satb = harmonize(steps, soprano_only, beat, 0, beam=4)
        >>> satb = harmonize(steps, soprano_only, beat, 0, temperature=0.6, top_p=0.9)
        >>> satb.shape
        (16, 4)
    """
    parts = np.array(parts, "int32")
    for i, voice in enumerate(order):
        parts[:, voice] = MASK
        context = model_steps.encode(parts, voice, beat, key)
        guard = ParallelGuard(parts, voice) if forbid_parallels else None
        if beam:
            parts[:, voice] = beam_voice(model_steps, context, beam, guard)
        else:
            parts[:, voice] = sample_voice(
                model_steps, context, temperature, seed + i, guard, top_p
            )
    return parts
