"""Evaluate a trained harmoniser (or duet model) on the test pieces against the baseline.

Harmoniser: the soprano is given; bass, then tenor, then alto are written,
each seeing the voices written before it (the true ones for the scores, its
own for generation). Figures:

- token accuracy and NLL (nats per 16th) of the true alto/tenor/bass, teacher-forced,
  for the model and for the bigram baseline (`baseline.Bigram`);
- counterpoint rules per 100 beats (`rules`), the notes struck by the lower
  voices per 100 beats (`lower_voice_notes`) and the pitch-class histogram
  distance to the training pieces' mean histogram, for real Bach, the
  model's harmonisations and the bigram's sampled voices.

Duet: accuracy and NLL of the true bass given the soprano as the human voice, with
the whole-piece key or a key estimator's running key.

`held_out_scores` picks the evaluation by the model's kind (a key estimator:
`keys.evaluate_key`, against the Krumhansl-Schmuckler baseline); `music train`
ends with it, and `evaluate_model` writes it to `OUT/report.json` (`audiozoo
music evaluate`).

Example:
    >>> report = evaluate_harmonizer(model, data, limit=10)
"""

import os

import numpy as np

from applications.errors import UsageError
from applications.music.baseline import Bigram
from applications.music.rules import (
    RULES,
    histogram_distance,
    per_100_beats,
    pitch_class_histogram,
    rule_counts,
)
from applications.music.windows import shift_right
from zoo.music.vocab import MASK

__all__ = [
    "evaluate_harmonizer",
    "evaluate_duet",
    "evaluate_model",
    "held_out_scores",
    "harmonizer_inputs",
    "ORDER",
]

ORDER = (3, 2, 1)  # bass, tenor, alto under the soprano


def harmonizer_inputs(tokens, beat, key, voice, known):
    """Inputs of one piece for writing `voice`, seeing the voices in `known`."""
    steps = len(tokens)
    parts = np.full((steps, 4), MASK, np.int32)
    parts[:, list(known)] = tokens[:, list(known)]
    return {
        "parts": parts[None],
        "voice": np.full((1, steps), voice, np.int32),
        "previous": shift_right(tokens[None, :, voice].astype(np.int32)),
        "beat": np.asarray(beat, np.int32)[None],
        "key": np.full((1, steps), key, np.int32),
    }


def _score(probs, truth):
    p = np.maximum(probs[np.arange(len(truth)), truth], 1e-12)
    return (probs.argmax(-1) == truth).sum(), -np.log(p).sum(), len(truth)


def _summary(rule_totals, beats, distances):
    out = per_100_beats(rule_totals, beats * 4)
    out["parallel_fifths_and_octaves"] = out["parallel_fifths"] + out["parallel_octaves"]
    out["pitch_class_distance"] = float(np.mean(distances))
    return out


def evaluate_harmonizer(
    model, data, limit=None, temperature=0.0, beam=0, seed=0, forbid_parallels=False, top_p=1.0
):
    """The evaluation report (a JSON-ready dict) of a harmoniser on `data`'s test pieces.

    Args:
        model: a trained `part_invariant_harmonizer`.
        data: a `corpus.Chorales`.
        limit: evaluate only the first `limit` test pieces.
        temperature, beam: the decoding of the generated voices (see
            `zoo.music.harmonize`; default greedy).
        forbid_parallels: decode with `zoo.music.decoding.ParallelGuard`.
        top_p: nucleus sampling's mass (`zoo.music.decoding.nucleus`; 1: off).
        seed: seed of the samplers.

    Returns:
        dict: `scores` (model and baseline accuracy / NLL), `rules` (per 100
        beats for bach, model and baseline), `pieces`, `beats`, and
        `example`: the first piece's true and generated grids.
    """
    from zoo.music import HarmonizerSteps, harmonize
    from zoo.music.streaming import compiled_forward

    rng = np.random.default_rng(seed)
    train = data.pieces("train")
    bigram = Bigram.fit(train)
    reference = np.mean([pitch_class_histogram(p["tokens"], p["key"]) for p in train], axis=0)
    pieces = data.pieces("test")[:limit]
    steps = HarmonizerSteps(model)
    forward = compiled_forward(model)
    totals = {k: np.zeros(3) for k in ("model", "baseline")}
    # Notes struck by alto, tenor and bass: fewer notes mean fewer chances to break a rule.
    counted = RULES + ("lower_voice_notes",)
    rules = {k: dict.fromkeys(counted, 0) for k in ("bach", "model", "baseline")}
    distances = {k: [] for k in rules}
    beats, example = 0.0, None
    for i, piece in enumerate(pieces):
        tokens = piece["tokens"].astype(np.int32)
        for j, voice in enumerate(ORDER):
            x = harmonizer_inputs(tokens, piece["beat"], piece["key"], voice, (0,) + ORDER[:j])
            probs = np.asarray(forward(x), "float64")[0]
            totals["model"] += _score(probs, tokens[:, voice])
            totals["baseline"] += _score(bigram.probs(tokens[:, voice], voice), tokens[:, voice])
        parts = np.full_like(tokens, MASK)
        parts[:, 0] = tokens[:, 0]
        generated = harmonize(
            steps,
            parts,
            piece["beat"],
            piece["key"],
            ORDER,
            temperature,
            beam,
            seed + i,
            forbid_parallels,
            top_p,
        )
        sampled = tokens.copy()
        for voice in ORDER:
            sampled[:, voice] = bigram.sample(len(tokens), voice, rng)
        for name, grid in (("bach", tokens), ("model", generated), ("baseline", sampled)):
            for k, v in rule_counts(grid).items():
                rules[name][k] += v
            rules[name]["lower_voice_notes"] += int((grid[:, 1:] >= 3).sum())
            histogram = pitch_class_histogram(grid, piece["key"])
            distances[name].append(histogram_distance(histogram, reference))
        beats += len(tokens) / 4
        if example is None:
            example = {"name": piece["name"], "bach": tokens, "model": generated}
    scores = {
        k: {"token_accuracy": float(c / n), "nll_per_step": float(nll / n)}
        for k, (c, nll, n) in totals.items()
    }
    return {
        "pieces": len(pieces),
        "beats": beats,
        "decoding": {
            "temperature": temperature,
            "beam": beam,
            "forbid_parallels": forbid_parallels,
            "top_p": top_p if temperature > 0 and not beam else None,  # sampling only
        },
        "scores": scores,
        "rules_per_100_beats": {k: _summary(rules[k], beats, distances[k]) for k in rules},
        "example": example,
    }


def evaluate_duet(model, data, limit=None, human=0, machine=3, key_model=None):
    """Accuracy and NLL of the true machine voice (default bass under a human soprano).

    The key is each piece's label (music21's whole-piece analysis), or with
    `key_model` the estimator's running key from the human voice so far.
    """
    from applications.music.keys import estimated_keys
    from zoo.music.streaming import compiled_forward

    forward = compiled_forward(model)
    key_forward = compiled_forward(key_model) if key_model is not None else None
    bigram = Bigram.fit(data.pieces("train"))
    totals = {k: np.zeros(3) for k in ("model", "baseline")}
    pieces = data.pieces("test")[:limit]
    for piece in pieces:
        tokens = piece["tokens"].astype(np.int32)
        keys = np.full(len(tokens), piece["key"], np.int32)
        if key_forward is not None:
            keys = estimated_keys(key_forward, tokens[:, human], piece["beat"]).astype(np.int32)
        x = {
            "human": tokens[None, :, human],
            "machine_previous": shift_right(tokens[None, :, machine]),
            "beat": np.asarray(piece["beat"], np.int32)[None],
            "key": keys[None],
        }
        probs = np.asarray(forward(x), "float64")[0]
        totals["model"] += _score(probs, tokens[:, machine])
        totals["baseline"] += _score(bigram.probs(tokens[:, machine], machine), tokens[:, machine])
    return {
        "pieces": len(pieces),
        "key": "estimated so far" if key_model is not None else "whole piece (label)",
        "scores": {
            k: {"token_accuracy": float(c / n), "nll_per_step": float(nll / n)}
            for k, (c, nll, n) in totals.items()
        },
    }


def held_out_scores(model, data, limit=None, **decoding):
    """The test pieces' scores of a harmoniser, duet model or key estimator beside its baseline.

    Args:
        model: a trained harmoniser, duet model or key estimator.
        data: a `corpus.Chorales`.
        limit: evaluate only the first `limit` test pieces.
        **decoding: a harmoniser's decoding (see `evaluate_harmonizer`).

    Returns:
        `(report, example)`: the JSON-ready report, and a harmoniser's first piece
        (`name`, `bach`, `model` grids) or None.
    """
    from applications.music.keys import evaluate_key

    layers = {layer.name for layer in model.layers}
    if "voice_lstm" in layers:
        report = evaluate_harmonizer(model, data, limit, **decoding)
        return report, report.pop("example")
    if "key_probs" in layers:
        return evaluate_key(model, data, limit), None
    return evaluate_duet(model, data, limit), None


def evaluate_model(model, out, *, limit, pieces, log=print, **decoding):
    """Evaluate a harmoniser, duet or key model on the test chorales; write `OUT/report.json`.

    A harmoniser also gets `OUT/piano_roll.png`: the first test piece by Bach
    and as harmonised under its soprano.

    Args:
        model: a trained harmoniser, duet model or key estimator.
        out: the folder for the report (made if missing).
        limit: evaluate only the first `limit` test pieces.
        pieces: parse only the first `pieces` corpus files (None: all).
        log: prints the `wrote` lines.
        **decoding: a harmoniser's decoding, `evaluate_harmonizer`'s
            `temperature`, `beam`, `seed`, `forbid_parallels` and `top_p`.

    Returns:
        The report written.
    """
    from applications.atomic_io import write_json
    from applications.music.corpus import load_chorales
    from applications.music.render import piano_roll_png

    path = os.path.join(out, "report.json")
    if os.path.exists(os.path.join(out, "settings.json")) and os.path.exists(path):
        raise UsageError(
            f"--out {out} holds a `music train` run; its report.json would be replaced.",
            hint="pass another --out for the evaluation",
        )
    data = load_chorales(limit=pieces)
    os.makedirs(out, exist_ok=True)
    report, example = held_out_scores(model, data, limit, **decoding)
    if example is not None:
        png = os.path.join(out, "piano_roll.png")
        titles = [f"{example['name']}: Bach", f"{example['name']}: harmonised (soprano given)"]
        piano_roll_png([example["bach"], example["model"]], png, titles)
        log(f"wrote {png}")
    write_json(path, report)
    log(f"wrote {path}")
    return report
