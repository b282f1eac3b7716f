"""The picture of a separation run: mixture, estimated and true spectrograms, side by side."""

import numpy as np

from applications.atomic_io import atomic_path

__all__ = ["save_spectrograms"]


def _db(wave, n_fft=512, hop=128):
    from zoo.separation import stft

    magnitude = np.abs(stft(np.asarray(wave, np.float32)[None], n_fft, hop).numpy()[0])
    return 20 * np.log10(np.maximum(magnitude, 1e-5)).T


def save_spectrograms(path, mixtures, estimates, sources, names, sample_rate):
    """One row per mixture: the mixture, then estimate and truth of each source (dB).

    Args:
        path: the PNG to write (atomically).
        mixtures: `(rows, samples)`.
        estimates: `(rows, n, samples)`.
        sources: true sources, same shape.
        names: the n source names.
        sample_rate: Hz, for the axes.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, columns = len(mixtures), 1 + 2 * len(names)
    fig, axes = plt.subplots(
        rows, columns, figsize=(2.2 * columns, 2.0 * rows), squeeze=False, sharey=True
    )
    extent = (0, mixtures.shape[1] / sample_rate, 0, sample_rate / 2000)
    for r in range(rows):
        panels = [("mixture", mixtures[r])]
        for i, name in enumerate(names):
            panels += [(f"{name} (estimate)", estimates[r, i]), (f"{name} (true)", sources[r, i])]
        peak = _db(mixtures[r]).max()
        for c, (title, wave) in enumerate(panels):
            axes[r, c].imshow(
                _db(wave), origin="lower", aspect="auto", extent=extent, vmin=peak - 80, vmax=peak
            )
            axes[r, c].set_title(title, fontsize=8)
            axes[r, c].tick_params(labelsize=6)
        axes[r, 0].set_ylabel("kHz", fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=80)
    plt.close(fig)
