"""`audiozoo events train` and `audiozoo events detect`: sound events and chords over time."""

import os

from applications.cli import checks
from applications.errors import UsageError

__all__ = ["register", "run_train", "run_detect"]


def register(subparsers):
    """Add `events train` and `events detect` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    group = subparsers.add_parser("events", help="sound event detection and chords over time")
    sub = group.add_subparsers(dest="events_command", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("train", help="train a CRNN on DIR/train, score DIR/test")
    p.add_argument("--data", help="'builtin' or DIR with train/ and test/ (default builtin)")
    p.add_argument("--out", help="output folder (default runs/events)")
    p.add_argument("--task", choices=("events", "chords"), help="default events")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--clip-seconds", type=float, help="training clip length (default 5)")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--sample-rate", type=int)
    p.add_argument("--median-ms", type=float, help="median/majority filter length (default 200)")
    p.add_argument("--val-fraction", type=float, help="train/ files held out (default 0.15)")
    p.add_argument("--time-limit", type=float, dest="time_limit_s", help="training seconds cap")
    p.add_argument("--no-plots", dest="plots", action="store_const", const=False)
    p.add_argument("--seed", type=int)
    p.set_defaults(func=run_train)

    p = sub.add_parser("detect", help="write the events (or chords) found in audio files")
    p.add_argument("--model", required=True, help="OUT/model.keras from `audiozoo events train`")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--out", help="CSV to write (default: print to stdout)")
    p.set_defaults(func=run_detect)


def run_train(args):
    """`audiozoo events train`.

    Example:
        audiozoo events train --data builtin --out runs/events
    """
    from applications.events import EventsConfig, train

    flags = {
        k: getattr(args, k)
        for k in (
            "data",
            "out",
            "task",
            "epochs",
            "batch_size",
            "clip_seconds",
            "learning_rate",
            "sample_rate",
            "median_ms",
            "val_fraction",
            "time_limit_s",
            "plots",
            "seed",
        )
    }
    config = EventsConfig.from_flags(**flags)
    checks.seed("--seed", config.seed)
    if config.data != "builtin" and not os.path.isdir(config.data):
        raise UsageError(
            f"--data {config.data!r} is not a folder.",
            hint="pass DIR with train/ and test/, or builtin",
        )
    checks.output_folder("--out", config.out)
    report = train(config)
    test = report["test"]
    if config.task == "chords":
        t = {k: "n/a" if test[k] is None else f"{test[k]:.3f}" for k in ("root", "majmin", "mirex")}
        print(
            f"test chords ({test['seconds']:.0f} s): root {t['root']}  majmin {t['majmin']}  "
            f"mirex {t['mirex']}"
        )
    else:
        o = {k: "n/a" if v is None else f"{v:.3f}" for k, v in test["overall"].items()}
        print(
            f"test: segment F1 {o['segment_f1']}  ER {o['segment_error_rate']}  "
            f"event F1 {o['event_f1']}"
        )
    print(f"wrote {os.path.join(config.out, 'model.keras')} and report.json")
    return 0


def run_detect(args):
    """`audiozoo events detect`: rows `filename,onset,offset,label` to a CSV or stdout.

    Example:
        audiozoo events detect --model runs/events/model.keras scene.wav --out events.csv
    """
    import sys

    from applications.events.detect import HINT, detect_files, read_sidecar, write_csv

    checks.audio_files(args.files)
    if args.out:
        checks.output_file("--out", args.out, suffix=".csv")
    import zoo  # noqa: F401  (registers the layers for loading)

    model = checks.load_keras_file("--model", args.model, HINT)
    sidecar = read_sidecar(model, args.model)
    rows = detect_files(model, sidecar, args.files)
    column = "chord" if sidecar["task"] == "chords" else "event_label"
    if args.out:
        write_csv(rows, args.out, column)
        print(f"wrote {len(rows)} rows to {args.out}")
    else:
        print(f"filename,onset,offset,{column}")
        for name, a, b, label in rows:
            sys.stdout.write(f"{name},{a:.3f},{b:.3f},{label}\n")
    return 0
