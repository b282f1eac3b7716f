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


def _masked(probs, allowed):
    kept = np.where(allowed, probs, 0.0)
    total = kept.sum()
    return kept / total if total > 0 else probs


def nucleus(probs, top_p):
    """`probs` kept on the fewest most probable tokens holding at least `top_p`, renormalised.

    Ties go to the lower token; `top_p >= 1` returns `probs` as they are.

    Example:
        >>> nucleus(np.array([0.5, 0.3, 0.2]), 0.7)
        array([0.625, 0.375, 0.   ])
    """
    if top_p >= 1:
        return probs
    order = np.argsort(-probs, kind="stable")
    mass = np.cumsum(probs[order])
    count = min(int(np.searchsorted(mass, top_p * mass[-1])) + 1, len(order))
    kept = np.zeros_like(probs)
    kept[order[:count]] = probs[order[:count]]
    return kept / kept.sum()


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
        >>> tokens = sample_voice(steps, steps.encode(parts, 3, beat, key), temperature=0.8)
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
            p = _masked(p, guard.allowed(t, out[:t]))
        if temperature == 0:
            token = int(p.argmax())
        else:
            # A token the guard refused stays refused at any temperature.
            with np.errstate(divide="ignore"):
                logits = np.where(p > 0, np.log(p), -np.inf) / temperature
            p = np.exp(logits - logits.max())
            p = nucleus(p / p.sum(), top_p)
            token = int(rng.choice(len(p), p=p))
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
    scores = np.full(width, -np.inf)
    scores[0] = 0.0  # all beams start identical: keep one
    history = np.zeros((width, 0), "int32")
    for t in range(len(context)):
        probs, state = steps.step(np.repeat(context[t : t + 1], width, 0), previous, state)
        probs = probs.astype("float64")
        if guard is not None:
            live = np.isfinite(scores)
            for b in np.flatnonzero(live):
                probs[b] = _masked(probs[b], guard.allowed(t, history[b]))
        total = scores[:, None] + np.log(np.maximum(probs, 1e-12))
        best = np.argsort(total, axis=None)[::-1][:width]
        beam, token = np.unravel_index(best, total.shape)
        scores = total[beam, token]
        history = np.concatenate([history[beam], token[:, None]], axis=1).astype("int32")
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
        >>> satb = harmonize(HarmonizerSteps(model), soprano_only, beat, key, beam=4)
        >>> satb = harmonize(HarmonizerSteps(model), soprano_only, beat, key, temperature=0.6, top_p=0.9)
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
