"""`audiozoo finetune` against hand-crafted baselines on held-out speakers and instruments.

Issue 12's quality target, measured end to end as a user would run it, offline:

    python benchmarks/real_recordings.py [--work DIR] [--sets words instruments] [--seeds S ...]

For each evaluation set (made by `benchmarks/eval_sets.py`: spoken digits whose test
speakers never occur in training; instrument families whose test programs never occur in
training), it runs `audiozoo finetune --data SET` in a subprocess with no network, reads
its `report.json` (test accuracy, and the hand-crafted baseline it computed on the same
split), runs the "20 lines of librosa + scikit-learn" MFCC baseline
(`benchmarks/mfcc_baseline.py`) on the same folders, and prints one JSON object:
accuracies, the margin over the in-run baseline in points, wall time, and the targets
(margin >= 5 points, <= 600 s per set on 2 cores). Sets already generated in `--work` are
reused (same seed, same audio).

One seed is one split of speakers or instruments: 120 test clips from 12 test speakers
or 20 test instruments, so a single split's accuracy moves by about 4.5 points (binomial
standard error) with which voices land in test. With several `--seeds`, `summary` gives
each set's margin per split, their mean and the smallest; the margin target is judged on
the mean over splits (each run is still held to the time target).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from eval_sets import MAKERS  # noqa: E402
from machine_info import describe  # noqa: E402
from mfcc_baseline import mfcc_baseline  # noqa: E402

TARGET_MARGIN_POINTS = 5.0
TARGET_SECONDS = 600.0


def ensure_set(name, work, seed):
    """The folder of evaluation set `name`, generated on first use."""
    folder = os.path.join(work, f"{name}-seed{seed}")
    if not os.path.exists(os.path.join(folder, "manifest.json")):
        MAKERS[name](folder, seed=seed)
    return folder


def run_finetune(data, out, seed, extra):
    """Run `audiozoo finetune` offline in a subprocess; returns (report, wall seconds)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "applications.cli", "finetune", "--data", data]
    command += ["--out", out, "--seed", str(seed), *extra]
    shutil.rmtree(out, ignore_errors=True)  # a fresh run, never a resume of an old one
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=os.path.dirname(HERE))
    seconds = time.perf_counter() - start
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        return json.load(f), seconds


def measure(name, work, seed, extra):
    """One set's figures: finetune, its in-run baseline, and the MFCC reference."""
    data = ensure_set(name, work, seed)
    out = os.path.join(work, "runs", f"{name}-seed{seed}")  # each split's run stays
    report, seconds = run_finetune(data, out, seed, extra)
    reference = mfcc_baseline(data)
    baseline = report["baseline"]
    margin = 100.0 * (report["test_accuracy"] - baseline["accuracy"])
    return {
        "data": data,
        "backbone": report["backbone"],
        "finetune_accuracy": round(report["test_accuracy"], 4),
        "baseline_features": baseline["features"],
        "baseline_accuracy": round(baseline["accuracy"], 4),
        "margin_points": round(margin, 1),
        "mfcc_reference_accuracy": reference["accuracy"],
        "chance": round(1.0 / len(report["class_names"]), 4),
        "test_clips": report["counts"]["test"],
        "wall_s": round(seconds, 1),
        "meets_margin": margin >= TARGET_MARGIN_POINTS,
        "meets_time": seconds <= TARGET_SECONDS,
    }


def summary(results, sets, seeds):
    """Per set: the margin of each split, their mean and minimum, and the targets on them."""
    out = {}
    for name in sets:
        runs = [results[f"{name}-seed{seed}"] for seed in seeds]
        margins = [r["margin_points"] for r in runs]
        mean = sum(margins) / len(margins)
        out[name] = {
            "margin_points_by_seed": dict(zip(map(str, seeds), margins)),
            "mean_margin_points": round(mean, 1),
            "min_margin_points": min(margins),
            "mean_finetune_accuracy": round(
                sum(r["finetune_accuracy"] for r in runs) / len(runs), 4
            ),
            "mean_baseline_accuracy": round(
                sum(r["baseline_accuracy"] for r in runs) / len(runs), 4
            ),
            "max_wall_s": max(r["wall_s"] for r in runs),
            "meets_margin_on_mean": mean >= TARGET_MARGIN_POINTS,
            "meets_time_every_run": all(r["meets_time"] for r in runs),
        }
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="/tmp/audiozoo-real-recordings")
    parser.add_argument("--sets", nargs="+", default=sorted(MAKERS), choices=sorted(MAKERS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="one split per seed")
    parser.add_argument("finetune_flags", nargs=argparse.REMAINDER, help="after --: more flags")
    args = parser.parse_args(argv)
    extra = [f for f in args.finetune_flags if f != "--"]
    load = os.getloadavg()
    results = {
        f"{name}-seed{seed}": measure(name, args.work, seed, extra)
        for name in args.sets
        for seed in args.seeds
    }
    print(
        json.dumps(
            {
                "benchmark": "finetune vs hand-crafted baselines on held-out speakers/instruments",
                "seeds": args.seeds,
                "finetune_flags": extra,
                "targets": {"margin_points": TARGET_MARGIN_POINTS, "wall_s": TARGET_SECONDS},
                "sets": results,
                "summary": summary(results, args.sets, args.seeds),
                "machine": describe(load),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
