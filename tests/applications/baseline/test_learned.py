"""PCA and NMF bases of log-mel frames (scikit-learn) and their picture."""

import numpy as np
import pytest

from applications.baseline import learn_bases
from applications.reporting.bases import plot_bases


@pytest.fixture(scope="module")
def frames():
    # Non-negative frames built from 3 spectral atoms plus a little noise.
    rng = np.random.default_rng(0)
    atoms = np.abs(rng.standard_normal((3, 24)))
    return rng.random((200, 3)) @ atoms + 0.01 * rng.random((200, 24))


def test_pca_bases_are_orthonormal_and_reconstruct(frames):
    learned = learn_bases(frames, "pca", n_components=5)
    assert learned.bases.shape == (24, 5) and learned.activations.shape == (200, 5)
    np.testing.assert_allclose(learned.bases.T @ learned.bases, np.eye(5), atol=1e-5)
    rebuilt = learned.reconstruct(learned.activations)
    assert np.linalg.norm(frames - rebuilt) == pytest.approx(learned.reconstruction_error, 1e-4)
    # Three atoms: five components leave only the noise.
    assert learned.reconstruction_error < 0.05 * np.linalg.norm(frames - frames.mean(0))
    np.testing.assert_allclose(learned.transform(frames[:7]), learned.activations[:7], atol=1e-4)


def test_nmf_is_non_negative_and_matches_sklearns_error(frames):
    learned = learn_bases(frames, "nmf", n_components=3, seed=1)
    assert learned.bases.shape == (24, 3) and learned.activations.shape == (200, 3)
    assert learned.bases.min() >= 0 and learned.activations.min() >= 0
    rebuilt = learned.reconstruct(learned.activations)
    # sklearn's reconstruction_err_ is the Frobenius norm of X - W H.
    assert np.linalg.norm(frames - rebuilt) == pytest.approx(learned.reconstruction_error, 1e-4)
    assert learned.reconstruction_error == pytest.approx(learned.model.reconstruction_err_)
    assert learned.converged


def test_errors(frames):
    with pytest.raises(ValueError, match="non-negative"):
        learn_bases(frames - 1.0, "nmf", n_components=3)
    with pytest.raises(ValueError, match="Received: n_components=30"):
        learn_bases(frames, "pca", n_components=30)
    with pytest.raises(ValueError, match="Received: method='ica'"):
        learn_bases(frames, "ica")
    bad = frames.copy()
    bad[3, 3] = np.nan
    with pytest.raises(ValueError, match="1 NaN/inf"):
        learn_bases(bad, "pca", n_components=3)


def test_plot_bases_writes_png(frames, tmp_path):
    learned = learn_bases(frames, "pca", n_components=4)
    path = tmp_path / "bases.png"
    plot_bases(learned.bases, path, frequencies=np.linspace(50, 4000, 24))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"Received: \(0,\)"):
        plot_bases(np.zeros(0), tmp_path / "empty.png")
