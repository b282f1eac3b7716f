"""Evaluate a key estimator on the test pieces as a function of how much it has heard.

The reference is each piece's key label: music21's whole-piece analysis of all
four voices (`grid.key_token`). The estimator hears one voice (default the
soprano, as the human of a duet) and is read after 1, 2, 4, 8, 16 beats and at
the end of the piece. The baseline is the Krumhansl-Schmuckler algorithm on
the same notes so far: the duration-weighted pitch-class histogram correlated
with the 24 rotations of the Krumhansl-Kessler major and minor profiles (C
major before any note). Figures: exact accuracy and MIREX weighted score
(`mir_eval.key.weighted_score`: 1 same key, 0.5 fifth, 0.3 relative,
0.2 parallel).

Example:
    >>> report = evaluate_key(key_model, data, limit=10)
"""

import numpy as np

from zoo.music.vocab import KEYS, sounding_pitches

__all__ = ["evaluate_key", "krumhansl_schmuckler", "key_name", "estimated_keys", "CHECKPOINTS"]

CHECKPOINTS = (1, 2, 4, 8, 16)  # beats (quarter notes) heard

# Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def _profiles():
    rows = [np.roll(profile, tonic) for profile in (MAJOR, MINOR) for tonic in range(12)]
    rows = np.array(rows)
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


PROFILES = _profiles()  # (24, 12), row = key token


def key_name(key):
    """`"C major"` .. `"B minor"` for a key token (mir_eval's spelling)."""
    return f"{NAMES[key % 12]} {'minor' if key >= 12 else 'major'}"


def krumhansl_schmuckler(tokens):
    """The running Krumhansl-Schmuckler key of one voice: (steps,) key tokens.

    Args:
        tokens: (steps,) tokens of one voice; the estimate at step t uses the
            pitches sounding at steps 0..t, weighted by duration in 16ths.
    """
    pitches = sounding_pitches(np.asarray(tokens)[:, None])[:, 0]
    counts = np.zeros((len(pitches), 12))
    sounding = ~np.isnan(pitches)
    counts[np.flatnonzero(sounding), pitches[sounding].astype(int) % 12] = 1
    histogram = np.cumsum(counts, axis=0)
    centred = histogram - histogram.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    scores = centred @ PROFILES.T / np.where(norms > 0, norms, 1)
    return np.where(norms[:, 0] > 0, scores.argmax(axis=1), 0)


def estimated_keys(forward, tokens, beat):
    """The estimator's running key (argmax per step) over one voice: (steps,) key tokens."""
    x = {
        "human": np.asarray(tokens, np.int32)[None],
        "beat": np.asarray(beat, np.int32)[None],
    }
    return np.asarray(forward(x))[0].argmax(-1)


def _scores(reference, estimates):
    import mir_eval

    if not reference:
        return None  # no test piece is that long

    weighted = [
        mir_eval.key.weighted_score(key_name(r), key_name(e)) for r, e in zip(reference, estimates)
    ]
    return {
        "accuracy": float(np.mean(np.equal(reference, estimates))),
        "mirex_score": float(np.mean(weighted)),
    }


def evaluate_key(model, data, limit=None, voice=0):
    """The report (a JSON-ready dict) of a key estimator on `data`'s test pieces.

    Args:
        model: a trained `bachduet_key_estimator`.
        data: a `corpus.Chorales`.
        limit: evaluate only the first `limit` test pieces.
        voice: the voice heard (0 = soprano .. 3 = bass).

    Returns:
        dict: per checkpoint (`"1_beats"` .. `"16_beats"`, `"end"`) the number
        of pieces long enough and the accuracy / MIREX score of `model` and
        `baseline` (None when no piece is long enough); `every_step`: the same over all steps of all pieces;
        `label_classes`: how many of the 24 keys the test labels use.
    """
    from zoo.music.streaming import compiled_forward

    forward = compiled_forward(model)
    pieces = data.pieces("test")[:limit]
    marks = [f"{b}_beats" for b in CHECKPOINTS] + ["end"]
    found = {m: {"reference": [], "model": [], "baseline": []} for m in marks + ["every_step"]}
    for piece in pieces:
        tokens = piece["tokens"][:, voice].astype(np.int32)
        steps = len(tokens)
        estimates = {
            "model": estimated_keys(forward, tokens, piece["beat"]),
            "baseline": krumhansl_schmuckler(tokens),
        }
        ends = {f"{b}_beats": 4 * b - 1 for b in CHECKPOINTS if 4 * b <= steps}
        ends["end"] = steps - 1
        for mark, t in ends.items():
            found[mark]["reference"].append(piece["key"])
            for name, keys in estimates.items():
                found[mark][name].append(int(keys[t]))
        found["every_step"]["reference"].extend([piece["key"]] * steps)
        for name, keys in estimates.items():
            found["every_step"][name].extend(int(k) for k in keys)
    report = {"pieces": len(pieces), "voice": voice}
    for mark, lists in found.items():
        report[mark] = {"count": len(lists["reference"])}
        for name in ("model", "baseline"):
            report[mark][name] = _scores(lists["reference"], lists[name])
    report["label_classes"] = len({p["key"] for p in pieces})
    report["classes"] = KEYS
    return report
