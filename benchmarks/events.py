"""Builtin sound events and chords over time: the CRNN's scores against trivial baselines.

Runs `audiozoo events train` on the builtin synthetic scenes (sed_eval: segment
F1 and error rate on 1 s segments, event F1 with a 200 ms collar) and on the
builtin chord progressions (mir_eval root / majmin / mirex, duration-weighted),
each with a training time cap (default 540 s, under the 10-minute target).
Baselines scored in the same run on the same test files: every event type
active over every whole file (events), the most common training chord
everywhere (chords). Prints one JSON object with the targets (event F1 >= 0.70,
segment F1 >= 0.85, majmin >= 0.85) and the machine with its load.

    python benchmarks/events.py [--time-limit 540] [--epochs 40] [--task events|chords|both]
"""

import argparse
import collections
import contextlib
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from applications.events import EventsConfig, train  # noqa: E402
from applications.events.data import read_split  # noqa: E402
from applications.events.metrics import chord_scores, event_scores  # noqa: E402
from machine_info import describe  # noqa: E402


def _reference(split):
    return {n: [(a.onset, a.offset, a.label) for a in split.annotations[n]] for n in split.names}


def run_events(args, out):
    report = train(
        EventsConfig(task="events", out=out, epochs=args.epochs, time_limit_s=args.time_limit),
        log=lambda line: print(line, file=sys.stderr),
    )
    test = read_split(os.path.join(report["data"], "test"), "events", 16000)
    always = {n: [(0.0, test.seconds(n, 16000), c) for c in report["classes"]] for n in test.names}
    base = event_scores(_reference(test), always, report["classes"])["overall"]
    o = report["test"]["overall"]
    return {
        "segment_f1": o["segment_f1"],
        "segment_error_rate": o["segment_error_rate"],
        "event_f1": o["event_f1"],
        "per_class": report["test"]["per_class"],
        "baseline_always_on": {k: base[k] for k in ("segment_f1", "event_f1")},
        "segment_f1_ratio_to_baseline": o["segment_f1"] / base["segment_f1"],
        "train_seconds": report["train_seconds"],
        "epochs_run": report["epochs_run"],
        "thresholds": dict(zip(report["classes"], report["sidecar"]["thresholds"])),
        "files": [report["train_files"], report["val_files"], report["test_files"]],
        "met": {
            "event_f1": bool(o["event_f1"] >= 0.70),
            "segment_f1": bool(o["segment_f1"] >= 0.85),
        },
    }


def run_chords(args, out):
    report = train(
        EventsConfig(task="chords", out=out, epochs=args.epochs, time_limit_s=args.time_limit),
        log=lambda line: print(line, file=sys.stderr),
    )
    root = report["data"]
    train_split = read_split(os.path.join(root, "train"), "chords", 16000)
    seconds = collections.Counter()
    for rows in train_split.annotations.values():
        for a in rows:
            seconds[a.label] += a.offset - a.onset
    common = seconds.most_common(1)[0][0]
    test = read_split(os.path.join(root, "test"), "chords", 16000)
    ref = _reference(test)
    base = chord_scores(ref, {n: [(0.0, test.seconds(n, 16000), common)] for n in ref})
    t = report["test"]
    return {
        "root": t["root"],
        "majmin": t["majmin"],
        "mirex": t["mirex"],
        "test_seconds": t["seconds"],
        "baseline_most_common_chord": {k: base[k] for k in ("root", "majmin", "mirex")},
        "majmin_ratio_to_baseline": t["majmin"] / base["majmin"] if base["majmin"] else None,
        "train_seconds": report["train_seconds"],
        "epochs_run": report["epochs_run"],
        "met": {"majmin": bool(t["majmin"] >= 0.85)},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=540.0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--task", choices=("events", "chords", "both"), default="both")
    args = parser.parse_args()
    load_before = os.getloadavg()
    result = {"benchmark": "events", "time_limit_s": args.time_limit}
    with tempfile.TemporaryDirectory() as tmp:
        # Keras' epoch lines go to stderr, so stdout is the one JSON document.
        with contextlib.redirect_stdout(sys.stderr):
            if args.task in ("events", "both"):
                result["events"] = run_events(args, os.path.join(tmp, "events"))
            if args.task in ("chords", "both"):
                result["chords"] = run_chords(args, os.path.join(tmp, "chords"))
    result["machine"] = describe(load_before)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
