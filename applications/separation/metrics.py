"""Separation scores: SI-SDR (and its improvement over the mixture) and mir_eval's BSS Eval.

SI-SDR after Le Roux, Wisdom, Erdogan and Hershey, "SDR - half-baked or well
done?", ICASSP 2019: zero-mean signals, target = projection of the estimate
on the reference, `10 log10(|target|^2 / |estimate - target|^2)`. SDR, SIR
and SAR are `mir_eval.separation.bss_eval_sources` (BSS Eval v3, Vincent et
al. 2006), without permutation search: the model's output order is the
sources' order.
"""

import warnings

import mir_eval
import numpy as np

__all__ = ["si_sdr", "oracle_ratio_masks", "score", "summarize"]


def si_sdr(reference, estimate, epsilon=1e-12):
    """Scale-invariant SDR in dB of `estimate` against `reference` (last axis is time).

    Args:
        reference: array `(..., samples)`.
        estimate: array of the same shape.
        epsilon: keeps silent inputs finite.

    Returns:
        Array `(...)` of dB values.

    Example:
        >>> si_sdr(np.sin(np.arange(100.0)), 2 * np.sin(np.arange(100.0)))  # scale ignored
        ... # a very large value
    """
    reference = np.asarray(reference, np.float64)
    estimate = np.asarray(estimate, np.float64)
    reference = reference - reference.mean(axis=-1, keepdims=True)
    estimate = estimate - estimate.mean(axis=-1, keepdims=True)
    scale = np.sum(estimate * reference, -1, keepdims=True) / (
        np.sum(reference**2, -1, keepdims=True) + epsilon
    )
    target = scale * reference
    noise = estimate - target
    return 10 * np.log10((np.sum(target**2, -1) + epsilon) / (np.sum(noise**2, -1) + epsilon))


def oracle_ratio_masks(sources, n_fft, hop_length):
    """Ideal ratio masks `|S_i| / sum_j |S_j|`: `(batch, frames, bins, sources)` from `(batch, sources, samples)`."""
    from zoo.separation import stft

    magnitudes = np.abs(stft(np.asarray(sources, np.float32), n_fft, hop_length).numpy())
    masks = magnitudes / np.maximum(magnitudes.sum(axis=1, keepdims=True), 1e-12)
    return masks.transpose(0, 2, 3, 1)


def score(mixtures, sources, estimates, names, progress=None):
    """Per-mixture figures for each source.

    Args:
        mixtures: `(batch, samples)`.
        sources: true sources `(batch, n, samples)`.
        estimates: estimates `(batch, n, samples)`.
        names: the n source names.
        progress: called once per mixture scored (a `Progress.advance`), or None.

    Returns:
        `{source: {"si_sdr_mixture": [...], "si_sdr": [...], "si_sdri": [...], "sdr": [...],
        "sir": [...], "sar": [...]}}`, one value per mixture.
    """
    mixture_score = si_sdr(sources, np.asarray(mixtures)[:, None, :])
    estimate_score = si_sdr(sources, estimates)
    with warnings.catch_warnings():  # mir_eval 0.8 marks bss_eval_sources deprecated
        warnings.simplefilter("ignore", FutureWarning)
        bss = []
        for s, e in zip(np.asarray(sources, np.float64), np.asarray(estimates, np.float64)):
            bss.append(mir_eval.separation.bss_eval_sources(s, e, compute_permutation=False)[:3])
            if progress is not None:
                progress()
    out = {}
    for i, name in enumerate(names):
        out[name] = {
            "si_sdr_mixture": mixture_score[:, i].tolist(),
            "si_sdr": estimate_score[:, i].tolist(),
            "si_sdri": (estimate_score[:, i] - mixture_score[:, i]).tolist(),
            "sdr": [float(b[0][i]) for b in bss],
            "sir": [float(b[1][i]) for b in bss],
            "sar": [float(b[2][i]) for b in bss],
        }
    return out


def summarize(per_mixture):
    """Medians of `score`'s lists: `{source: {figure: median}}`."""
    return {
        name: {key: float(np.median(values)) for key, values in figures.items()}
        for name, figures in per_mixture.items()
    }
