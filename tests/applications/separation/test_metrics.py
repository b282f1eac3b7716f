"""SI-SDR against its formula, BSS Eval figures against mir_eval, the oracle masks."""

import mir_eval
import numpy as np

from applications.separation.metrics import oracle_ratio_masks, score, si_sdr, summarize


def test_si_sdr_is_its_formula_on_known_signals():
    t = np.arange(4000)
    reference = np.sin(2 * np.pi * t / 50)
    noise = np.cos(2 * np.pi * t / 50)  # orthogonal to the reference over whole periods
    estimate = 3.0 * reference + 0.5 * noise
    expected = 10 * np.log10(np.sum((3 * reference) ** 2) / np.sum((0.5 * noise) ** 2))
    assert np.isclose(si_sdr(reference, estimate), expected, atol=1e-6)
    # Scale-invariant: rescaling the estimate changes nothing; batches work on the last axis.
    both = si_sdr(np.stack([reference, reference]), np.stack([estimate, -7 * estimate]))
    np.testing.assert_allclose(both, [expected, expected], atol=1e-6)


def test_scores_agree_with_mir_eval_on_a_fixed_example():
    rng = np.random.default_rng(0)
    sources = rng.standard_normal((1, 2, 3000))
    estimates = sources + 0.1 * rng.standard_normal(sources.shape)
    estimates[0, 0] += 0.2 * sources[0, 1]  # some interference
    mixtures = sources.sum(axis=1)
    scored = score(mixtures, sources, estimates, ["a", "b"])
    sdr, sir, sar, _ = mir_eval.separation.bss_eval_sources(
        sources[0], estimates[0], compute_permutation=False
    )
    for i, name in enumerate(["a", "b"]):
        assert np.isclose(scored[name]["sdr"][0], sdr[i])
        assert np.isclose(scored[name]["sir"][0], sir[i])
        assert np.isclose(scored[name]["sar"][0], sar[i])
        # White-noise errors: SI-SDR and BSS Eval's SDR tell the same story.
        assert abs(scored[name]["si_sdr"][0] - sdr[i]) < 1.0
        improvement = scored[name]["si_sdr"][0] - scored[name]["si_sdr_mixture"][0]
        assert np.isclose(scored[name]["si_sdri"][0], improvement)
    assert summarize(scored)["a"]["sir"] == scored["a"]["sir"][0]
    assert scored["a"]["sir"][0] < scored["b"]["sir"][0]


def test_oracle_ratio_masks_are_ratios_that_sum_to_one():
    rng = np.random.default_rng(1)
    masks = oracle_ratio_masks(rng.standard_normal((2, 3, 500)), 64, 16)
    assert masks.shape == (2, 1 + 500 // 16, 33, 3)
    assert masks.min() >= 0
    np.testing.assert_allclose(masks.sum(axis=-1), 1.0, atol=1e-5)
