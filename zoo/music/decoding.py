"""Writing a voice with a `HarmonizerSteps`: temperature sampling or beam search.

Both take the context of every step (`HarmonizerSteps.encode`) and return the
voice's tokens. Temperature 0 is greedy decoding; the beam keeps the `width`
most probable token sequences (sum of log-probabilities) at every step.
"""

import numpy as np

from zoo.music.vocab import MASK
from zoo.validation import argument_error

__all__ = ["sample_voice", "beam_voice", "harmonize"]


def sample_voice(steps, context, temperature=1.0, seed=0):
    """Sample a voice token by token at `temperature` (0: greedy).

    Args:
        steps: a `HarmonizerSteps`.
        context: (steps, features) from `steps.encode`.
        temperature: softmax temperature; 0 picks the most probable token.
        seed: seed of the sampler.

    Returns:
        (steps,) int tokens.

    Example:
        >>> tokens = sample_voice(steps, steps.encode(parts, 3, beat, key), temperature=0.8)
    """
    if not temperature >= 0:
        raise argument_error("temperature", temperature, "Use a temperature >= 0.")
    rng = np.random.default_rng(seed)
    state, previous = steps.initial(1), np.full(1, MASK, "int32")
    out = np.zeros(len(context), "int32")
    for t in range(len(context)):
        probs, state = steps.step(context[t : t + 1], previous, state)
        p = probs[0].astype("float64")
        if temperature == 0:
            token = int(p.argmax())
        else:
            logits = np.log(np.maximum(p, 1e-12)) / temperature
            p = np.exp(logits - logits.max())
            token = int(rng.choice(len(p), p=p / p.sum()))
        out[t] = previous[0] = token
    return out


def beam_voice(steps, context, width=4):
    """The most probable voice found by a beam of `width` hypotheses.

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
        total = scores[:, None] + np.log(np.maximum(probs.astype("float64"), 1e-12))
        best = np.argsort(total, axis=None)[::-1][:width]
        beam, token = np.unravel_index(best, total.shape)
        scores = total[beam, token]
        history = np.concatenate([history[beam], token[:, None]], axis=1).astype("int32")
        state = [np.asarray(s)[beam] for s in state]
        previous = token.astype("int32")
    return history[0]


def harmonize(model_steps, parts, beat, key, order=(3, 2, 1), temperature=0.0, beam=0, seed=0):
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

    Returns:
        (steps, 4) tokens with the voices filled.

    Example:
        >>> satb = harmonize(HarmonizerSteps(model), soprano_only, beat, key, beam=4)
    """
    parts = np.array(parts, "int32")
    for i, voice in enumerate(order):
        parts[:, voice] = MASK
        context = model_steps.encode(parts, voice, beat, key)
        if beam:
            parts[:, voice] = beam_voice(model_steps, context, beam)
        else:
            parts[:, voice] = sample_voice(model_steps, context, temperature, seed + i)
    return parts
