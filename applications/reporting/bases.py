"""A picture of learned spectral bases: one basis per column, frequency up (dictionary atoms)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from applications.atomic_io import atomic_path  # noqa: E402

__all__ = ["plot_bases"]


def plot_bases(bases, path, frequencies=None, signed=None, title="Learned bases"):
    """Draw `bases (bands, k)` as `k` side-by-side columns, low frequencies at the bottom.

    Each column is scaled by its own largest magnitude, so every atom uses the full
    colour range: a diverging map centred on 0 for signed bases (PCA), a sequential
    one for non-negative bases (NMF).

    Args:
        bases: `(bands, k)` array, one basis per column.
        path: the PNG to write (atomically).
        frequencies: `(bands,)` centre frequency of each band in Hz, for the axis;
            None labels band indices.
        signed: draw with the diverging map; None decides from the sign of `bases`.
        title: the figure title.

    Example:
        >>> plot_bases(learned.bases, "out/bases.png", title="NMF bases")
    """
    bases = np.asarray(bases, dtype=np.float64)
    if bases.ndim != 2 or 0 in bases.shape:
        raise ValueError(f"`bases` must be a non-empty (bands, k) array. Received: {bases.shape}")
    bands, k = bases.shape
    signed = bool((bases < 0).any()) if signed is None else signed
    scale = np.abs(bases).max(axis=0)
    image = bases / np.where(scale > 0, scale, 1.0)
    fig, ax = plt.subplots(figsize=(min(max(4.0, 0.4 * k + 1.5), 16.0), 4.5))
    if signed:
        shown = ax.imshow(image, origin="lower", aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
    else:
        shown = ax.imshow(image, origin="lower", aspect="auto", cmap="magma", vmin=0, vmax=1)
    # Thin separators make each column read as one atom.
    for edge in np.arange(0.5, k - 0.5):
        ax.axvline(edge, color="white", linewidth=0.8)
    ax.set_xticks(np.arange(k), [str(i + 1) for i in range(k)], fontsize=7)
    ax.set_xlabel("basis")
    ticks = np.unique(np.linspace(0, bands - 1, 6).round().astype(int))
    if frequencies is not None:
        labels = [f"{frequencies[i]:.0f}" for i in ticks]
        ax.set_ylabel("mel band centre (Hz)")
    else:
        labels = [str(i) for i in ticks]
        ax.set_ylabel("band")
    ax.set_yticks(ticks, labels)
    fig.colorbar(shown, ax=ax, fraction=0.03, pad=0.02, label="value / column max |value|")
    ax.set_title(title)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
