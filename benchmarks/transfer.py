"""Does a network that has heard real audio generalise better than our recipes on unlike recordings?

    python benchmarks/transfer.py [--work DIR] [--out DIR] [--sets instruments libraries words]
                                  [--methods mfcc20 audiozoo_baseline probe_mtt ...] [--seed S]

Evaluation sets (made by `benchmarks/eval_sets.py`, reused from `--work` when present):
`instruments` (GM families; the test programs never occur in training), `words` (spoken
digits; the test speakers never occur in training) and `libraries` (the instruments set
with the same notes and recording chain, train/val rendered by FluidR3_GM but test by
other General MIDI libraries, MuseScore_General and TimGM6mb, one test program of each
family per library: new instruments *and* new samples).

Methods, all scored on the same test split in one run:

- `mfcc20`: `benchmarks/mfcc_baseline.py` (MFCC+delta mean/std, logistic regression on
  train+val, no tuning);
- `audiozoo_baseline`: `audiozoo baseline` (hand-crafted or MFCC features chosen on val,
  C tuned on val), in a subprocess;
- `probe_mtt`, `probe_msd`, `probe_mtt_pooled`: frozen embeddings of the published
  musicnn taggers (`applications.hear`, `musicnn:mtt` ...; cached in WORK/embeddings)
  -> StandardScaler -> LogisticRegression, C tuned on val over `C_GRID`, refitted on
  train+val;
- `scratch`: `audiozoo finetune --backbone cnn10_compact` (the from-scratch recipe; its
  report's test accuracy, the network alone, and its in-run baseline);
- `finetuned_musicnn_mtt`, `_msd`, `finetuned_musicnn_vgg_mtt`: `audiozoo finetune
  --backbone musicnn --weights mtt` (`msd`; `--backbone musicnn_vgg`): the probe, then
  the whole network fine-tuned, whichever val prefers;
- `audiozoo_finetune`: `audiozoo finetune --data DIR` with its defaults (`--backbone
  auto`: with musicnn's weights cached, the frozen probe, `cnn10_compact` from scratch
  and the baseline joined with shares chosen on val).

A CLI method that exits non-zero is recorded as `{"skipped": <its last error line>}`.
Margins are in points over `audiozoo_baseline` and over the probe with the best *val*
accuracy (never chosen on test). The learning curve trains `mfcc20`'s features and that
probe's on 5, 10, 20 and all train clips per class (seeded draws; C tuned on val; the
classifier fitted on the subset only; the same test). Prints one JSON object, writes it
to OUT/transfer.json and draws OUT/transfer.png. Timings are wall seconds on this machine
(`machine`), a shared one: compare methods within one run, not across runs.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from eval_sets import MissingToolError, make_instruments_set, make_words_set  # noqa: E402
from machine_info import describe  # noqa: E402

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
CURVE_SIZES = (5, 10, 20, None)  # examples per class; None: all of train
CURVE_DRAWS = 3
MAX_ITER = 500  # lbfgs; with more features than clips, large C fits rarely converge sooner
PROBES = {"probe_mtt": "musicnn:mtt", "probe_msd": "musicnn:msd", "probe_mtt_pooled": "musicnn:mtt:pooled"}  # fmt: skip
FINETUNES = {
    "audiozoo_finetune": [],  # the defaults: --backbone auto (musicnn when its weights are cached)
    "scratch": ["--backbone", "cnn10_compact"],
    "finetuned_musicnn_mtt": ["--backbone", "musicnn", "--weights", "mtt"],
    "finetuned_musicnn_msd": ["--backbone", "musicnn", "--weights", "msd"],
    "finetuned_musicnn_vgg_mtt": ["--backbone", "musicnn_vgg", "--weights", "mtt"],
}
METHODS = ("mfcc20", "audiozoo_baseline", *PROBES, *FINETUNES)
NOTES = {
    "mfcc20": "benchmarks/mfcc_baseline.py: MFCC(20)+delta mean/std -> StandardScaler -> "
    "LogisticRegression(C=1) on train+val",
    "audiozoo_baseline": "audiozoo baseline: features (hand-crafted or MFCC) chosen on val, "
    "C tuned on val, refitted on train+val",
    "probe": "frozen musicnn scene embeddings (mean over the clip's 3 s windows) -> "
    f"StandardScaler -> LogisticRegression(max_iter={MAX_ITER}), C tuned on val over "
    f"{list(C_GRID)}, refitted on train+val",
    "scratch/finetuned": "audiozoo finetune report: test_accuracy of the delivered model "
    "(fused with the in-run baseline when chosen on val), network_test_accuracy alone",
    "margins_points": "100 x (test accuracy - the reference's); probe = best val accuracy",
    "learning_curve": f"train subsets of k clips per class ({CURVE_DRAWS} seeded draws, mean), "
    "C tuned on val, fitted on the subset only, scored on the same test",
    "test_se_points": "binomial standard error of the test accuracy",
    "threads": "this process's scikit-learn fits use one BLAS thread; the CLI subprocesses "
    "and the embeddings run with their defaults",
}
REFERENCE = "audiozoo_baseline"
LIBRARY_SOUNDFONTS = (
    "/usr/share/sounds/sf2/MuseScore_General_Full.sf2",  # musescore-general-soundfont-lossless
    "/usr/share/sounds/sf2/TimGM6mb.sf2",  # timgm6mb-soundfont
)


def make_libraries_set(out, seed=0, **kwargs):
    """The instruments set with its test split rendered by other GM libraries."""
    missing = [f for f in LIBRARY_SOUNDFONTS if not os.path.isfile(f)]
    if missing:
        raise MissingToolError(
            f"{', '.join(missing)} not found; install with: apt-get install -y "
            "musescore-general-soundfont-lossless timgm6mb-soundfont"
        )
    return make_instruments_set(
        out, seed=seed, soundfonts={"test": list(LIBRARY_SOUNDFONTS)}, **kwargs
    )


MAKERS = {"instruments": make_instruments_set, "libraries": make_libraries_set,
          "words": make_words_set}  # fmt: skip


def ensure_set(name, work, seed):
    """The folder of evaluation set `name`, generated on first use."""
    folder = os.path.join(work, f"{name}-seed{seed}")
    if not os.path.exists(os.path.join(folder, "manifest.json")):
        MAKERS[name](folder, seed=seed)
    return folder


def list_split(root, split):
    """(paths, labels) of `root/split/<class>/*.wav`, in mfcc_baseline's order."""
    folder = os.path.join(root, split)
    paths, labels = [], []
    for label in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        for name in sorted(os.listdir(os.path.join(folder, label))):
            if name.lower().endswith((".wav", ".flac", ".ogg")):
                paths.append(os.path.join(folder, label, name))
                labels.append(label)
    return paths, labels


# ----------------------------------------------------------------------------- classifiers


def classifier(c):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=MAX_ITER))


def accuracy(model, x, y):
    return float(np.mean(model.predict(x) == np.asarray(y)))


_TUNED = {}  # the same fit asked twice (the probe, then its curve's "all" point) runs once


def tune_c(x_train, y_train, x_val, y_val, grid=C_GRID):
    """(best C, {C: val accuracy}, the model of best C fitted on train).

    Ties go to the smaller C (the stronger penalty).
    """
    arrays = (np.asarray(x_train), np.asarray(y_train), np.asarray(x_val), np.asarray(y_val))
    key = (tuple(grid), *(hash((a.shape, a.tobytes())) for a in arrays))
    if key not in _TUNED:
        models = {c: classifier(c).fit(x_train, y_train) for c in grid}
        scores = {c: accuracy(models[c], x_val, y_val) for c in grid}
        best = max(grid, key=lambda c: (scores[c], -c))
        _TUNED[key] = (best, scores, models[best])
    return _TUNED[key]


def probe_fit(features, grid=C_GRID):
    """C on val, refit on train+val, score test; `features` = {split: (x, labels)}."""
    (xt, yt), (xv, yv), (xs, ys) = (features[s] for s in ("train", "val", "test"))
    c, scores, _ = tune_c(xt, yt, xv, yv, grid)
    model = classifier(c).fit(np.vstack([xt, xv]), list(yt) + list(yv))
    return {
        "test_accuracy": round(accuracy(model, xs, ys), 4),
        "val_accuracy": round(scores[c], 4),
        "C": c,
        "val_accuracy_by_C": {str(k): round(v, 4) for k, v in scores.items()},
        "features": int(xt.shape[1]),
    }


def per_class_subset(labels, k, rng):
    """Sorted indices of `k` examples of each class (all of a smaller class); k=None: all."""
    labels = np.asarray(labels)
    if k is None:
        return np.arange(len(labels))
    chosen = []
    for label in sorted(set(labels.tolist())):
        where = np.flatnonzero(labels == label)
        chosen.extend(rng.choice(where, size=min(k, len(where)), replace=False).tolist())
    return np.array(sorted(chosen))


def curve_point(features, k, seed, draws=CURVE_DRAWS, grid=C_GRID):
    """Test accuracy when training on `k` train clips per class (C tuned on val)."""
    (xt, yt), (xv, yv), (xs, ys) = (features[s] for s in ("train", "val", "test"))
    yt = np.asarray(yt)
    tests, vals, cs, sizes = [], [], [], []
    for draw in range(1 if k is None else draws):
        index = per_class_subset(yt, k, np.random.default_rng([seed, draw, k or 0]))
        c, scores, model = tune_c(xt[index], yt[index], xv, yv, grid)
        tests.append(accuracy(model, xs, ys))
        vals.append(scores[c])
        cs.append(c)
        sizes.append(len(index))
    return {
        "per_class": "all" if k is None else k,
        "train_clips": sizes[0],
        "test_accuracy": round(float(np.mean(tests)), 4),
        "test_accuracy_by_draw": [round(t, 4) for t in tests],
        "val_accuracy": round(float(np.mean(vals)), 4),
        "C_by_draw": cs,
    }


def learning_curve(features, seed, sizes=CURVE_SIZES, draws=CURVE_DRAWS):
    return [curve_point(features, k, seed, draws) for k in sizes]


# ----------------------------------------------------------------------------- methods


def mfcc_features(data):
    from mfcc_baseline import load_split

    return {s: load_split(data, s) for s in ("train", "val", "test")}


def run_mfcc20(data, ctx):
    from mfcc_baseline import mfcc_baseline

    report = mfcc_baseline(data)
    return {
        "test_accuracy": report["accuracy"],
        "val_accuracy": None,
        "wall_s": report["seconds"],
    }


def embed(paths, spec, batch=64):
    """Scene embeddings `(n, D)` of 16 kHz mono clips by a published network."""
    import soundfile as sf

    from applications import hear

    model = hear.load_model(spec)
    out = []
    for start in range(0, len(paths), batch):
        clips = [sf.read(p, dtype="float32", always_2d=True)[0].mean(axis=1) for p in paths[start : start + batch]]  # fmt: skip
        length = max(len(c) for c in clips)
        audio = np.stack([np.pad(c, (0, length - len(c))) for c in clips])
        out.append(np.asarray(hear.get_scene_embeddings(audio, model)))
    return np.concatenate(out)


def probe_features(data, spec, cache):
    """({split: (x, labels)}, embed seconds, cached?) for network `spec`, cached in `cache`."""
    splits = {s: list_split(data, s) for s in ("train", "val", "test")}
    files = [p for s in splits.values() for p in s[0]]
    if os.path.exists(cache):
        with np.load(cache) as saved:
            if list(saved["files"]) == files:
                x, seconds, cached = saved["x"], float(saved["seconds"]), True
            else:
                cached = False
    else:
        cached = False
    if not cached:
        start = time.perf_counter()
        x = embed(files, spec)
        seconds = time.perf_counter() - start
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        np.savez(cache + ".tmp.npz", files=np.array(files), x=x, seconds=seconds)
        os.replace(cache + ".tmp.npz", cache)
    out, start = {}, 0
    for split, (paths, labels) in splits.items():
        out[split] = (x[start : start + len(paths)], labels)
        start += len(paths)
    return out, seconds, cached


def run_probe(name, data, ctx):
    spec = PROBES[name]
    cache = os.path.join(ctx["work"], "embeddings", f"{ctx['set']}-{spec.replace(':', '_')}.npz")
    features, embed_s, cached = probe_features(data, spec, cache)
    start = time.perf_counter()
    result = probe_fit(features)
    fit_s = time.perf_counter() - start
    ctx["features"][name] = features
    return {
        **result,
        "wall_s": round(embed_s + fit_s, 1),
        "embed_s": round(embed_s, 1),
        "embeddings_cached": cached,
        "fit_s": round(fit_s, 1),
    }


def run_cli(args, out, log):
    """`python -m applications.cli ARGS --out OUT` -> (report or None, seconds, error line)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "applications.cli", *args, "--out", out]
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as f:
        done = subprocess.run(command, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        with open(log, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
        errors = [line for line in lines if "rror" in line] or lines or ["(no output)"]
        return None, seconds, f"exit {done.returncode}: {errors[-1]}"
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        return json.load(f), seconds, None


def run_dir(ctx, name):
    out = os.path.join(ctx["work"], "runs", f"{ctx['set']}-seed{ctx['seed']}", name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    return out


def run_audiozoo_baseline(data, ctx):
    out = run_dir(ctx, "audiozoo_baseline")
    args = ["baseline", "--data", data, "--seed", str(ctx["seed"])]
    report, seconds, error = run_cli(args, out, out + ".log")
    if error:
        return {"skipped": error, "wall_s": round(seconds, 1)}
    choice = report.get("feature_choice") or {}
    val = (choice.get("val_accuracy") or {}).get(report["features"])
    if val is None:
        val = (report.get("val_accuracy_by_C") or {}).get(str(report.get("C")))
    return {
        "test_accuracy": round(report["accuracy"], 4),
        "val_accuracy": None if val is None else round(val, 4),
        "wall_s": round(seconds, 1),
        "features": report["features"],
        "C": report.get("C"),
    }


def _members(report):
    """Auto's members alone on test, and their shares, when the report joins several."""
    transfer, fusion = report.get("transfer") or {}, report.get("fusion") or {}
    if "companion" not in transfer:
        return {}
    return {
        "probe_test_accuracy": round(transfer["probe"]["test_accuracy"], 4),
        "companion_test_accuracy": round(transfer["companion"]["test_accuracy"], 4),
        "shares": dict(zip(fusion.get("members", []), fusion.get("shares", []))),
    }


def finetune_summary(report):
    """Test/val accuracy of an `audiozoo finetune` report (the delivered, maybe fused, model)."""
    fusion = report.get("fusion")
    val = None
    if fusion and "shares" in fusion:  # several members (auto's probe + from scratch)
        val = fusion["val_accuracy_by_share"].get("/".join(f"{w:.1f}" for w in fusion["shares"]))
    elif fusion:
        val = fusion["val_accuracy_by_share"].get(f"{fusion['network_share']:.1f}")
    if val is None:
        for phase in (report.get("history") or {}).values():
            if isinstance(phase, dict) and phase.get("val_accuracy"):
                best = phase.get("best_epoch")
                history = phase["val_accuracy"]
                val = history[best] if best is not None and best < len(history) else max(history)
    baseline = report.get("baseline") or {}
    return {
        "test_accuracy": round(report["test_accuracy"], 4),
        "val_accuracy": None if val is None else round(val, 4),
        "network_test_accuracy": round(report["network_test_accuracy"], 4),
        "fused_with_baseline": report.get("fused_with_baseline"),
        "in_run_baseline_accuracy": None if not baseline else round(baseline["accuracy"], 4),
        "in_run_baseline_features": baseline.get("features"),
        "backbone": report.get("backbone"),
        "recipe": report.get("recipe"),
        "kept": (report.get("transfer") or {}).get("kept"),
        **_members(report),
    }


def run_finetune(name, data, ctx):
    out = run_dir(ctx, name)
    args = ["finetune", "--data", data, "--seed", str(ctx["seed"]), *FINETUNES[name]]
    args += ["--overwrite", "--verbose", "2"]
    report, seconds, error = run_cli(args, out, out + ".log")
    if error:
        return {"skipped": error, "wall_s": round(seconds, 1)}
    return {**finetune_summary(report), "wall_s": round(seconds, 1)}


def run_method(name, data, ctx):
    if name == "mfcc20":
        return run_mfcc20(data, ctx)
    if name == "audiozoo_baseline":
        return run_audiozoo_baseline(data, ctx)
    if name in PROBES:
        return run_probe(name, data, ctx)
    return run_finetune(name, data, ctx)


# ----------------------------------------------------------------------------- summary


def scored(results):
    return {m: r for m, r in results.items() if r.get("test_accuracy") is not None}


def best_probe(results):
    """The probe with the best val accuracy (ties: the first in `PROBES`), or None."""
    probes = [m for m in PROBES if m in scored(results)]
    return max(probes, key=lambda m: (results[m]["val_accuracy"], -probes.index(m)), default=None)


def margins(results, reference=REFERENCE):
    """Points of each scored method over `reference` and over the best probe (None if absent)."""
    results = scored(results)
    probe = best_probe(results)
    out = {"probe": probe}
    for key, ref in ((f"over_{reference}", reference), ("over_probe", probe)):
        base = results.get(ref, {}).get("test_accuracy")
        out[key] = {
            m: None if base is None else round(100 * (r["test_accuracy"] - base), 1)
            for m, r in results.items()
        }
    return out


def standard_error_points(accuracy, n):
    """Binomial standard error of an accuracy on `n` clips, in points."""
    return round(100 * math.sqrt(max(accuracy * (1 - accuracy), 0.0) / n), 1) if n else None


def measure(name, args, methods):
    start = time.perf_counter()
    data = ensure_set(name, args.work, args.seed)
    make_s = time.perf_counter() - start
    ctx = {"work": args.work, "set": name, "seed": args.seed, "features": {}}
    test_clips = len(list_split(data, "test")[1])
    classes = len(os.listdir(os.path.join(data, "test")))
    results = {}
    for method in methods:
        print(f"[transfer] {name}: {method} ...", file=sys.stderr, flush=True)
        results[method] = run_method(method, data, ctx)
        acc = results[method].get("test_accuracy")
        if acc is not None:
            results[method]["test_se_points"] = standard_error_points(acc, test_clips)
        print(f"[transfer] {name}: {method} -> {results[method]}", file=sys.stderr, flush=True)
    summary = margins(results)
    curve = {}
    if "mfcc20" in methods:
        curve["mfcc20"] = learning_curve(mfcc_features(data), args.seed)
    if summary["probe"]:
        curve[summary["probe"]] = learning_curve(ctx["features"][summary["probe"]], args.seed)
    return {
        "data": data,
        "counts": {s: len(list_split(data, s)[1]) for s in ("train", "val", "test")},
        "classes": classes,
        "chance": round(1 / classes, 4),
        "set_seconds": round(make_s, 1),
        "methods": results,
        "margins_points": summary,
        "learning_curve": curve,
        "wall_s": round(time.perf_counter() - start, 1),
    }


def plot(sets, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (bars, curves) = plt.subplots(1, 2, figsize=(14, 5))
    methods = [m for m in METHODS if any(m in scored(s["methods"]) for s in sets.values())]
    width = 0.8 / max(1, len(methods))
    for j, method in enumerate(methods):
        xs, ys = [], []
        for i, s in enumerate(sets.values()):
            if method in scored(s["methods"]):
                xs.append(i + (j - (len(methods) - 1) / 2) * width)
                ys.append(s["methods"][method]["test_accuracy"])
        bars.bar(xs, ys, width, label=method)
    for i, s in enumerate(sets.values()):
        bars.hlines(s["chance"], i - 0.45, i + 0.45, colors="k", linestyles=":")
    bars.set_xticks(range(len(sets)), list(sets))
    bars.set_ylabel("test accuracy (dotted: chance)")
    bars.set_ylim(0, 1)
    bars.legend(fontsize=8)
    bars.set_title("methods on held-out test splits")
    for name, s in sets.items():
        for method, points in s["learning_curve"].items():
            x = [p["train_clips"] / s["classes"] for p in points]
            y = [p["test_accuracy"] for p in points]
            style = "--" if method == "mfcc20" else "-"
            curves.plot(x, y, style, marker="o", label=f"{name}: {method}")
    curves.set_xscale("log")
    ticks = sorted({p["train_clips"] // s["classes"] for s in sets.values() for c in s["learning_curve"].values() for p in c})  # fmt: skip
    curves.set_xticks(ticks, [str(t) for t in ticks])
    curves.minorticks_off()
    curves.set_xlabel("train clips per class")
    curves.set_ylabel("test accuracy")
    curves.set_title("learning curve (C tuned on val)")
    curves.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # see MAX_ITER
    # Two OpenBLAS threads contending with other jobs made each fit about 20x slower here.
    threadpool_limits(1, user_api="blas")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="/tmp/audiozoo-transfer", help="sets, runs, caches")
    parser.add_argument("--out", default=None, help="transfer.json/.png folder (default WORK)")
    parser.add_argument("--sets", nargs="+", default=sorted(MAKERS), choices=sorted(MAKERS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seed", type=int, default=0, help="the set's split and every fit")
    args = parser.parse_args(argv)
    args.work = os.path.abspath(args.work)
    out = os.path.abspath(args.out or args.work)
    os.makedirs(out, exist_ok=True)
    load = os.getloadavg()
    start = time.perf_counter()
    methods = [m for m in METHODS if m in args.methods]
    sets = {name: measure(name, args, methods) for name in args.sets}
    import librosa
    import sklearn

    result = {
        "benchmark": "audio-pretrained musicnn vs from-scratch and hand-crafted on unlike recordings",
        "seed": args.seed,
        "methods": methods,
        "reference": REFERENCE,
        "notes": NOTES,
        "sets": sets,
        "wall_s": round(time.perf_counter() - start, 1),
        "machine": describe(load, scikit_learn=sklearn.__version__, librosa=librosa.__version__),
    }
    text = json.dumps(result, indent=2)
    with open(os.path.join(out, "transfer.json"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    plot(sets, os.path.join(out, "transfer.png"))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
