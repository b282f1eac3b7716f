"""Figures for job reports: training history, confusion matrix, example log-mels, waveforms.

Drawn with matplotlib's non-interactive Agg backend (no display needed) and
saved as PNG atomically via `applications.atomic_io.atomic_path`.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from applications.atomic_io import atomic_path  # noqa: E402

__all__ = ["plot_history", "plot_confusion_matrix", "plot_examples", "plot_waveform"]


def _save(fig, path, bbox_inches="tight"):
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches=bbox_inches)
    plt.close(fig)


def plot_history(phases, path, baseline=None):
    """Loss and accuracy per epoch for each phase, phases one after another.

    Args:
        phases: `{phase name: {"loss": [...], "val_accuracy": [...], ...}}`; a phase
            named `refit` trained on the validation clips too, so its val curves are
            labelled in-sample.
        path: the PNG to write.
        baseline: a baseline's test accuracy, drawn as a horizontal line; None: none.
    """
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    offset = 0
    for phase, history in phases.items():
        epochs = len(history.get("loss", []))
        x = np.arange(offset + 1, offset + epochs + 1)
        for ax, metric in zip(axes, ("loss", "accuracy")):
            for prefix, style in (("", "-"), ("val_", "--")):
                values = history.get(prefix + metric)
                if values:
                    # After a refit on train + val, "val" is no longer held out.
                    name = (
                        "train " if not prefix else "val " if phase != "refit" else "in-sample val "
                    )
                    ax.plot(
                        x[: len(values)],
                        values,
                        style,
                        marker="o",
                        label=f"{phase} {name}{metric}",
                    )
        offset += epochs
    if baseline is not None:
        axes[1].axhline(baseline, color="gray", linestyle=":", label=f"baseline {baseline:.3f}")
    for ax, metric in zip(axes, ("loss", "accuracy")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    refit = "refit" in phases
    fig.suptitle(
        "Training history (refit on train + val: its val curves are in-sample)"
        if refit
        else "Training history"
    )
    _save(fig, path)


def plot_confusion_matrix(matrix, class_names, path, title="Test confusion matrix"):
    """A confusion matrix heat map with counts (rows true, columns predicted).

    Args:
        matrix: square counts.
        class_names: the name of each row and column.
        path: the PNG to write.
        title: the figure's title.
    """
    matrix = np.asarray(matrix)
    size = max(4.0, 0.6 * len(class_names) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            ax.text(
                j,
                i,
                str(matrix[i, j]),
                ha="center",
                va="center",
                color="white" if matrix[i, j] > threshold else "black",
                fontsize=8,
            )
    ax.set_title(title)
    _save(fig, path)


def plot_examples(log_mels, true_labels, pred_labels, class_names, path):
    """Up to eight log-mel spectrograms titled with their true and predicted labels.

    Args:
        log_mels: `(n, mels, frames, 1)` spectrograms.
        true_labels, pred_labels: integer labels of each.
        class_names: label `i` is `class_names[i]`.
        path: the PNG to write.

    Raises:
        ValueError: no examples.
    """
    count = min(len(log_mels), 8)
    if count == 0:
        raise ValueError("plot_examples needs at least one example.")
    cols = min(4, count)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.8 * rows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= count:
            continue
        ax.imshow(np.asarray(log_mels[k])[..., 0], origin="lower", aspect="auto", cmap="magma")
        truth, guess = class_names[true_labels[k]], class_names[pred_labels[k]]
        ax.set_title(
            f"true: {truth}\npred: {guess}", fontsize=9, color="black" if truth == guess else "red"
        )
    fig.suptitle("Test examples (log-mel, dB)")
    _save(fig, path)


def plot_waveform(waveform, sample_rate, path, title):
    """A waveform over time above its spectrogram, in one PNG.

    Args:
        waveform: 1-D samples in [-1, 1].
        sample_rate: Hz.
        path: the PNG to write (atomically).
        title: the figure's title.
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    t = np.arange(len(waveform)) / sample_rate
    top.plot(t, waveform, linewidth=0.4)
    top.set(ylabel="amplitude", ylim=(-1.05, 1.05), title=title)
    nfft = 512 if len(waveform) >= 512 else max(16, 2 ** int(np.log2(len(waveform))))
    bottom.specgram(waveform, NFFT=nfft, Fs=sample_rate, noverlap=nfft // 2, cmap="magma")
    bottom.set(xlabel="time (s)", ylabel="frequency (Hz)")
    fig.tight_layout()
    _save(fig, path, bbox_inches=None)
