"""Separation scores and chord scores against mir_eval 0.8.

Each test names the mir_eval function it matches and its tolerance.
"""

import warnings

import mir_eval
import numpy as np
import pytest

from applications.events.annotations import chord_class, chord_classes
from applications.events.metrics import chord_scores
from applications.separation.metrics import score, si_sdr


def _signals(seed, n=3, samples=2501):
    rng = np.random.default_rng(seed)
    sources = rng.standard_normal((n, samples))
    mixing = np.eye(n) + 0.3 * rng.uniform(-1, 1, (n, n))  # some interference
    estimates = mixing @ sources + 0.2 * rng.standard_normal((n, samples))
    return sources, estimates


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_si_sdr_is_bss_eval_with_a_one_tap_filter(seed):
    """`si_sdr` = BSS Eval's SDR with a one-tap (gain only) distortion filter on zero-mean
    signals: `mir_eval.separation._bss_decomp_mtifilt(ref, est, 0, flen=1)` then
    `_bss_source_crit` (Le Roux et al. 2019's definition). Absolute 1e-6 dB."""
    sources, estimates = _signals(seed)
    for j in range(len(sources)):
        ref = sources[j : j + 1] - sources[j].mean()
        est = estimates[j] - estimates[j].mean()
        parts = mir_eval.separation._bss_decomp_mtifilt(ref, est, 0, 1)
        sdr = mir_eval.separation._bss_source_crit(*parts)[0]
        assert si_sdr(sources[j], estimates[j]) == pytest.approx(sdr, abs=1e-6)


@pytest.mark.parametrize("seed", [0])
def test_sdr_sir_sar_are_bss_eval_sources(seed):
    """`score`'s sdr/sir/sar = `mir_eval.separation.bss_eval_sources(...,
    compute_permutation=False)` (BSS Eval v3, 512-tap filters), absolute 1e-9 dB."""
    sources, estimates = _signals(seed, samples=1601)
    scored = score(sources.sum(0)[None], sources[None], estimates[None], ["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mir_eval 0.8 marks bss_eval_sources deprecated
        sdr, sir, sar, _ = mir_eval.separation.bss_eval_sources(
            sources, estimates, compute_permutation=False
        )
    for i, name in enumerate(["a", "b", "c"]):
        got = [scored[name][k][0] for k in ("sdr", "sir", "sar")]
        np.testing.assert_allclose(got, [sdr[i], sir[i], sar[i]], atol=1e-9, rtol=0)


def test_chord_scores_are_mir_evals_duration_weighted_over_files():
    """`chord_scores` = `mir_eval.chord.evaluate` per file (root, majmin, mirex), weighted
    by each file's annotated duration (MIREX's weighted chord symbol recall), 1e-12."""
    rng = np.random.default_rng(0)
    labels = ["C:maj", "A:min", "G:7", "F:maj7", "D:min7", "E:maj/3", "N", "Bb:maj"]
    reference, estimated = {}, {}
    for name, seconds in (("a.wav", 6.0), ("b.wav", 3.5), ("c.wav", 9.0)):
        for rows in (reference, estimated):
            times = np.sort(rng.uniform(0, seconds, 4))
            edges = np.concatenate([[0.0], times, [seconds]])
            rows[name] = [(a, b, rng.choice(labels)) for a, b in zip(edges[:-1], edges[1:])]
    ours = chord_scores(reference, estimated)
    totals, seconds = dict.fromkeys(("root", "majmin", "mirex"), 0.0), 0.0
    for name, ref in reference.items():
        ref_i = np.array([r[:2] for r in ref])
        est_i = np.array([r[:2] for r in estimated[name]])
        scores = mir_eval.chord.evaluate(ref_i, [r[2] for r in ref], est_i,
                                         [r[2] for r in estimated[name]])  # fmt: skip
        length = ref_i[-1, 1] - ref_i[0, 0]
        for k in totals:
            totals[k] += scores[k] * length
        seconds += length
    for k in totals:
        assert ours[k] == pytest.approx(totals[k] / seconds, abs=1e-12)
    assert ours["seconds"] == pytest.approx(18.5)


@pytest.mark.parametrize(
    "symbol",
    ["C:maj", "C#:min", "Db:7", "A:min7/5", "G:maj6", "D:maj/5", "Bb:maj(9)", "E:min(b13)", "N"],
)
def test_the_training_vocabulary_agrees_with_mir_eval_majmin(symbol):
    """`chord_class(symbol)` is the class `mir_eval.chord.majmin` scores as a match of
    `symbol` (1.0), and no other class of `chord_classes()` is."""
    target = chord_class(symbol)
    classes = chord_classes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matches = mir_eval.chord.majmin([symbol] * len(classes), classes)
    assert [c for c, m in zip(classes, matches) if m == 1.0] == [target]
