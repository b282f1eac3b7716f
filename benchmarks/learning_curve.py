"""Audio-domain transfer: does a model trained on half the classes help with few examples?

    python benchmarks/learning_curve.py [--data builtin|DIR] [--shots 5 10 20 all] [--out DIR]

The dataset's classes are split into two disjoint halves A and B (sorted names,
alternating). `audiozoo finetune` trains on A (all its clips). On B, with 5, 10, 20
and all training examples per class (a fixed validation set of `--val` clips per class
and a fixed test set), it compares, in one run:

- `baseline`: the hand-crafted features + logistic regression (`applications.baseline`);
- `scratch`: `audiozoo finetune` from random weights (the compact CNN);
- `finetuned_from_a`: `audiozoo finetune --weights A/model.keras` (A's front end,
  normaliser and backbone reused, new head);
- `linear_probe_a`: logistic regression on A's pooled backbone embeddings.

It prints one JSON object and writes `OUT/learning_curve.json` and
`OUT/learning_curve.png` (test accuracy against examples per class). A folder with
`train/` and `test/` keeps its test clips as B's test set (held-out speakers stay
held out); other folders and `builtin` are split here with `--seed`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from machine_info import describe  # noqa: E402

METHODS = ("baseline", "scratch", "finetuned_from_a", "linear_probe_a")


def pools(data, seed):
    """`{class: {"train": [paths], "test": [paths]}}` of the whole dataset."""
    from applications.data.chords import builtin_dir
    from applications.data.folders import files_by_class

    root = builtin_dir() if data == "builtin" else data
    if os.path.isdir(os.path.join(root, "train")) and os.path.isdir(os.path.join(root, "test")):
        train = files_by_class(os.path.join(root, "train"))[0]
        val = files_by_class(os.path.join(root, "val"))[0] if os.path.isdir(f"{root}/val") else {}
        test = files_by_class(os.path.join(root, "test"))[0]
        return {c: {"train": train[c] + val.get(c, []), "test": test[c]} for c in sorted(train)}
    rng = np.random.default_rng(seed)
    result = {}
    for name, files in sorted(files_by_class(root)[0].items()):
        files = list(rng.permutation(sorted(files)))
        cut = max(1, len(files) // 4)  # a quarter of each class is B's test set
        result[name] = {"train": files[cut:], "test": files[:cut]}
    return result


def link_folder(folder, layout):
    """Make `folder/<split>/<class>/` of symlinks from `{split: {class: [paths]}}`."""
    shutil.rmtree(folder, ignore_errors=True)
    for split, by_class in layout.items():
        for name, files in by_class.items():
            os.makedirs(os.path.join(folder, split, name))
            for i, path in enumerate(files):
                ext = os.path.splitext(path)[1]
                os.symlink(
                    os.path.abspath(path), os.path.join(folder, split, name, f"{i:05d}{ext}")
                )
    return folder


def finetune(data, out, config, *flags):
    """`audiozoo finetune` in a subprocess; returns its report."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "applications.cli", "finetune", "--data", data, "--out", out]
    command += ["--no-baseline", *(["--config", config] if config else []), *flags]
    subprocess.run(command, check=True, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        return json.load(f)


def embedding_model(path):
    """waveform -> A's pooled backbone features, from a from-scratch `model.keras`."""
    import keras

    from applications.finetune.recipes.scratch_model import CLASSIFIER  # imports zoo: its layers

    saved = keras.saving.load_model(path, safe_mode=True)
    classifier = saved.get_layer(CLASSIFIER)
    backbone = next(layer for layer in classifier.layers if isinstance(layer, keras.Model))
    waveform = keras.Input(saved.input.shape[1:])
    mel = keras.layers.Permute((2, 1, 3))(saved.get_layer("log_mel")(waveform))
    return keras.Model(waveform, backbone(classifier.get_layer("mel_norm")(mel)))


def linear_probe(model, dataset):
    """Logistic regression on embeddings of train (+ val), scored on test."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def embed(split):
        xs, ys = zip(*[(model.predict(x, verbose=0), y.numpy()) for x, y in split])
        return np.concatenate(xs), np.concatenate(ys)

    (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = (
        embed(s) for s in (dataset.train, dataset.val, dataset.test)
    )
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    probe.fit(np.concatenate([x_tr, x_va]), np.concatenate([y_tr, y_va]))
    return float(np.mean(probe.predict(x_te) == y_te))


def plot(curve, path):
    """Test accuracy against examples per class, one line per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shots = list(curve)
    fig, ax = plt.subplots(figsize=(6, 4))
    for method in METHODS:
        ax.plot(range(len(shots)), [curve[s][method] for s in shots], marker="o", label=method)
    ax.set_xticks(range(len(shots)), shots)
    ax.set_xlabel("training examples per class (classes of B)")
    ax.set_ylabel("test accuracy")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="builtin")
    parser.add_argument("--shots", nargs="+", default=["5", "10", "20", "all"])
    parser.add_argument("--val", type=int, default=5, help="validation clips per class of B")
    parser.add_argument("--out", default="/tmp/audiozoo-learning-curve")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from applications.baseline import baseline_scores
    from applications.data import load_dataset
    from applications.finetune.config import FinetuneConfig
    from applications.data.presets import preset_for

    load = os.getloadavg()
    os.makedirs(args.out, exist_ok=True)
    config = None
    if args.data == "builtin":  # the folders below are paths: carry the builtin preset along
        config = os.path.join(args.out, "preset.json")
        with open(config, "w", encoding="utf-8") as f:
            json.dump(preset_for("builtin"), f)
    by_class = pools(args.data, args.seed)
    names = sorted(by_class)
    half_a, half_b = names[0::2], names[1::2]
    folder_a = link_folder(
        os.path.join(args.out, "A"), {"all": {c: by_class[c]["train"] for c in half_a}}
    )
    model_a = os.path.join(args.out, "run_A")
    report_a = finetune(os.path.join(folder_a, "all"), model_a, config, "--seed", str(args.seed))
    embed = embedding_model(os.path.join(model_a, "model.keras"))

    rng = np.random.default_rng(args.seed)
    shuffled = {c: list(rng.permutation(by_class[c]["train"])) for c in half_b}
    settings = FinetuneConfig.from_sources({"data": args.data}, config)
    curve = {}
    for shots in args.shots:
        take = None if shots == "all" else int(shots)
        layout = {
            "train": {c: shuffled[c][args.val :][:take] for c in half_b},
            "val": {c: shuffled[c][: args.val] for c in half_b},
            "test": {c: by_class[c]["test"] for c in half_b},
        }
        folder = link_folder(os.path.join(args.out, f"B_{shots}"), layout)
        dataset = load_dataset(folder, sample_rate=settings.sample_rate, seed=args.seed)
        base = baseline_scores(
            dataset,
            "handcrafted",
            seed=args.seed,
            n_fft=settings.n_fft,
            hop_length=settings.hop_length,
            n_mels=settings.n_mels,
            fmax=settings.fmax,
        )
        seed = ["--seed", str(args.seed)]
        run = os.path.join(args.out, f"run_B_{shots}")
        scratch = finetune(folder, f"{run}_scratch", config, "--weights", "none", *seed)
        tuned = finetune(
            folder,
            f"{run}_from_a",
            config,
            "--weights",
            os.path.join(model_a, "model.keras"),
            *seed,
        )
        curve[shots] = {
            "train_per_class": min(len(v) for v in layout["train"].values()),
            "baseline": round(base["accuracy"], 4),
            "scratch": round(scratch["test_accuracy"], 4),
            "finetuned_from_a": round(tuned["test_accuracy"], 4),
            "linear_probe_a": round(linear_probe(embed, dataset), 4),
        }
        print(json.dumps({shots: curve[shots]}), flush=True)
    result = {
        "benchmark": "learning curve on classes B after training on disjoint classes A",
        "data": args.data,
        "classes_a": half_a,
        "classes_b": half_b,
        "a_test_accuracy": report_a["test_accuracy"],
        "curve": curve,
        "finetuned_beats_scratch": {
            s: curve[s]["finetuned_from_a"] > curve[s]["scratch"] for s in curve
        },
        "machine": describe(load),
    }
    with open(os.path.join(args.out, "learning_curve.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    plot(curve, os.path.join(args.out, "learning_curve.png"))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
