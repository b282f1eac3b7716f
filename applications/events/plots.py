"""One picture per test file: log-mel, frame-wise scores, true vs detected on one time axis."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from applications.atomic_io import atomic_path  # noqa: E402

__all__ = ["plot_file"]


def plot_file(model, wave, scores, reference, estimated, sidecar, path, title=""):
    """Write a PNG: the model's own log-mel, its scores per class, and the event rows.

    Args:
        model: the CRNN (its `logmel` layer draws the spectrogram).
        wave: the waveform at `sidecar["sample_rate"]`.
        scores: `(frames, classes)` model outputs.
        reference: true `(onset, offset, label)` rows.
        estimated: detected rows.
        sidecar: the `events.json` settings.
        path: the PNG.
        title: figure title.
    """
    rate = sidecar["sample_rate"]
    duration = len(wave) / rate
    mel = np.asarray(model.get_layer("logmel")(np.asarray(wave, np.float32)[None]))[0, :, :, 0]
    classes = sidecar["classes"]
    shown = sorted({r[2] for r in reference} | {r[2] for r in estimated}, key=classes.index)
    fig, axes = plt.subplots(
        3, 1, figsize=(11, 7), sharex=True, gridspec_kw={"height_ratios": [2, 2, 1.2]}
    )
    axes[0].imshow(
        mel, origin="lower", aspect="auto", extent=(0, duration, 0, mel.shape[0]), cmap="magma"
    )
    axes[0].set_ylabel("mel band")
    axes[0].set_title(title)
    t = sidecar["frame_first"] + sidecar["frame_step"] * np.arange(len(scores))
    # Every event class; for chords (25 classes) only those in the file's rows.
    curves = range(len(classes)) if sidecar["task"] == "events" else map(classes.index, shown)
    for c in curves:
        axes[1].plot(t, scores[:, c], label=classes[c], lw=1)
    axes[1].set_ylim(0, 1)
    axes[1].set_ylabel("score")
    axes[1].legend(loc="upper right", fontsize=7, ncol=4)
    for row, label in enumerate(shown):
        for rows, offset, color in ((reference, 0.2, "tab:green"), (estimated, -0.2, "tab:red")):
            spans = [(a, b - a) for a, b, name in rows if name == label]
            axes[2].broken_barh(spans, (row + offset - 0.18, 0.36), color=color)
    axes[2].set_yticks(range(len(shown)), shown, fontsize=7)
    axes[2].set_xlabel("time (s)   green: true, red: detected")
    axes[2].set_xlim(0, duration)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=80)
    plt.close(fig)
