"""What `audiozoo tag` prints and writes: top tags per file, JSON, and taggrams (CSV, JSON, PNG)."""

import csv
import json
import os

import numpy as np

from applications.atomic_io import atomic_path, write_json

__all__ = ["top_tags_line", "files_json", "write_taggram"]


def top_tags_line(result, top):
    """`file: tag 0.912, tag 0.503, ...`: the `top` likeliest tags of one file."""
    ranked = sorted(result.probabilities.items(), key=lambda kv: -kv[1])[:top]
    return f"{result.file}: " + ", ".join(f"{tag} {p:.3f}" for tag, p in ranked)


def files_json(model_name, results):
    """The `--json` object: `{"model": ..., "files": [{"file", "probabilities"}]}`."""
    files = [{"file": r.file, "probabilities": r.probabilities} for r in results]
    return json.dumps({"model": model_name, "files": files}, indent=2)


def write_taggram(result, out, plot=False):
    """Write `OUT/<stem>.taggram.csv` and `.json` (and `.png` with `plot`); return the paths."""
    os.makedirs(out, exist_ok=True)
    stem = os.path.join(out, os.path.splitext(os.path.basename(result.file))[0] + ".taggram")
    with atomic_path(stem + ".csv") as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["start_s", *result.tags])
        for start, row in zip(result.starts, result.taggram):
            writer.writerow([f"{start:.3f}", *(f"{p:.4f}" for p in row)])
    write_json(
        stem + ".json",
        {
            "file": result.file,
            "tags": list(result.tags),
            "starts_s": result.starts.round(3).tolist(),
            "taggram": np.round(result.taggram, 4).tolist(),
        },
    )
    paths = [stem + ".csv", stem + ".json"]
    if plot:
        paths.append(_plot(result, stem + ".png"))
    return paths


def _plot(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # The tags that matter in this file, likeliest first, over time.
    order = np.argsort(-result.taggram.mean(axis=0))[:20]
    fig, ax = plt.subplots(figsize=(10, 5))
    step = result.starts[1] - result.starts[0] if len(result.starts) > 1 else 3.0
    end = result.starts[-1] + step
    image = ax.imshow(
        result.taggram[:, order].T,
        aspect="auto",
        origin="upper",
        cmap="magma",
        vmin=0.0,
        vmax=1.0,
        extent=(float(result.starts[0]), float(end), len(order) - 0.5, -0.5),
        interpolation="nearest",
    )
    ax.set_yticks(range(len(order)), [result.tags[i] for i in order])
    ax.set_xlabel("time (s)")
    ax.set_title(f"Taggram of {os.path.basename(result.file)} (20 likeliest tags)")
    fig.colorbar(image, ax=ax, label="probability")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
    return path
