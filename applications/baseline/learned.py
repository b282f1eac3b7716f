"""Feature learning on log-mel frames: PCA and NMF bases and activations (scikit-learn).

The lecture's step from hand-crafted to learned features: factor a matrix of
spectrogram frames `X (frames, bands)` as activations times bases,
`X ~ A B^T` (plus the mean for PCA), and use the activations as features.
"""

import dataclasses
import warnings

import numpy as np
from sklearn.decomposition import NMF, PCA
from sklearn.exceptions import ConvergenceWarning

from zoo.validation import check_choice, check_positive_int, argument_error

__all__ = ["METHODS", "LearnedBases", "learn_bases"]

METHODS = ("pca", "nmf")


@dataclasses.dataclass(frozen=True)
class LearnedBases:
    """Bases learned from frames, and the frames' activations.

    Attributes:
        method: `"pca"` or `"nmf"`.
        bases: `(bands, k)`, one basis per column (PCA: orthonormal principal
            axes; NMF: non-negative spectral atoms).
        activations: `(frames, k)` of the training frames (PCA: scores of the
            centred frames; NMF: non-negative gains).
        mean: `(bands,)` frame mean PCA subtracts first (zeros for NMF).
        reconstruction_error: Frobenius norm `||X - (A B^T + mean)||` on the
            training frames; for NMF this is scikit-learn's `reconstruction_err_`.
        converged: False when NMF stopped at `max_iter` (PCA always True).
        model: the fitted scikit-learn estimator.
    """

    method: str
    bases: np.ndarray
    activations: np.ndarray
    mean: np.ndarray
    reconstruction_error: float
    converged: bool
    model: object

    def transform(self, frames):
        """Activations `(n, k)` of new frames `(n, bands)` under the learned bases.

        Example:
            >>> learned.transform(frames[:5]).shape
            (5, 20)
        """
        return self.model.transform(np.asarray(frames, dtype=np.float64)).astype(np.float32)

    def reconstruct(self, activations):
        """Frames `(n, bands)` rebuilt from activations: `A B^T + mean`."""
        return np.asarray(activations) @ self.bases.T + self.mean


def learn_bases(frames, method="pca", n_components=20, seed=0, max_iter=500):
    """Learn `n_components` PCA or NMF bases from spectrogram frames.

    PCA is `sklearn.decomposition.PCA` (centred; its components are orthonormal).
    NMF is `sklearn.decomposition.NMF` (Frobenius loss, `init="nndsvda"`, seeded),
    which needs non-negative frames, e.g. log-mel levels in dB above a floor.

    Args:
        frames: `(frames, bands)` finite array, one spectrogram frame per row.
        method: `"pca"` or `"nmf"`.
        n_components: bases to learn, at most `min(frames, bands)`.
        seed: seeds NMF's initialisation and PCA's randomised solver.
        max_iter: NMF iterations at most.

    Returns:
        A `LearnedBases`.

    Raises:
        ValueError: bad method or size, non-finite frames, or negative frames for NMF.

    Example:
        >>> learned = learn_bases(np.abs(np.random.randn(500, 64)), "nmf", n_components=8)
        >>> learned.bases.shape, learned.activations.shape
        ((64, 8), (500, 8))
    """
    check_choice("method", method, METHODS)
    check_positive_int("n_components", n_components)
    x = np.asarray(frames, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise argument_error(
            "frames", x.shape, "`frames` must be a (frames, bands) array of >= 2 rows."
        )
    if n_components > min(x.shape):
        raise argument_error(
            "n_components",
            n_components,
            f"`n_components` must be at most min(frames, bands) = {min(x.shape)}.",
        )
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).sum())
        raise ValueError(f"`frames` holds {bad} NaN/inf values; learn bases from finite frames.")
    if method == "pca":
        model = PCA(n_components=n_components, random_state=seed)
        activations = model.fit_transform(x)
        bases, mean, converged = model.components_.T, model.mean_, True
        error = float(np.linalg.norm(x - (activations @ bases.T + mean)))
    else:
        if x.min() < 0:
            raise argument_error(
                "frames",
                f"minimum {x.min():g}",
                "NMF needs non-negative frames (e.g. dB above the clip's floor, not raw dB).",
            )
        model = NMF(n_components=n_components, init="nndsvda", random_state=seed, max_iter=max_iter)
        with warnings.catch_warnings():
            # Reported through `converged` instead of a warning on stderr.
            warnings.simplefilter("ignore", ConvergenceWarning)
            activations = model.fit_transform(x)
        bases, mean = model.components_.T, np.zeros(x.shape[1])
        error, converged = float(model.reconstruction_err_), bool(model.n_iter_ < max_iter)
    return LearnedBases(
        method=method,
        bases=bases.astype(np.float32),
        activations=activations.astype(np.float32),
        mean=mean.astype(np.float32),
        reconstruction_error=error,
        converged=converged,
        model=model,
    )
