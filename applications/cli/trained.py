"""`audiozoo evaluate` and `audiozoo predict`: use a model written by `audiozoo finetune`.

`load_trained` reads `OUT/model.keras` (safe mode) and the `labels.json` beside
it, checking both, so a damaged or mismatched pair stops with a message naming
the file.
"""

import json
import os
import sys

from applications.cli import checks, tagged
from applications.errors import UsageError

__all__ = ["register", "load_trained", "run_evaluate", "run_predict"]

MODEL_HINT = "pass OUT/model.keras written by `audiozoo finetune` (rerun it if the file is damaged)"


def register(subparsers):
    """Add `evaluate` and `predict` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser("evaluate", help="score a fine-tuned model on a dataset split")
    p.add_argument("--model", required=True, help="OUT/model.keras from `audiozoo finetune`")
    p.add_argument("--data", required=True, help="dataset spec, as for finetune")
    p.add_argument("--split", default="test", choices=("train", "val", "test"))
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument(
        "--seed", type=int, help="split seed (default: the training run's, from labels.json)"
    )
    p.add_argument(
        "--skip-bad", action="store_true", help="skip unreadable audio files (listed on stderr)"
    )
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(func=run_evaluate)

    p = subparsers.add_parser("predict", help="classify audio files with a fine-tuned model")
    p.add_argument("--model", required=True, help="OUT/model.keras from `audiozoo finetune`")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--top-k", type=int, default=3)
    p.add_argument("--json", action="store_true", help="print predictions as JSON")
    p.add_argument(
        "--window", type=float, help="seconds: classify windows of a long file, read in blocks"
    )
    p.add_argument("--hop", type=float, help="seconds between windows (default: --window)")
    p.add_argument("--csv", action="store_true", help="with --window: print CSV rows")
    p.set_defaults(func=run_predict)


def load_trained(path):
    """Load a fine-tuned model (safe mode) and the `labels.json` written beside it.

    Args:
        path: `OUT/model.keras` of `audiozoo finetune`.

    Returns:
        `(model, labels)`: labels holds `class_names`, `sample_rate`,
        `clip_samples` and the training `seed`.
    """
    from applications.finetune import register_layers

    register_layers()

    model = checks.load_keras_file("--model", path, MODEL_HINT)
    labels_path = os.path.join(os.path.dirname(os.path.abspath(path)), "labels.json")
    hint = "`audiozoo finetune` writes labels.json next to model.keras; copy it along"
    if not os.path.isfile(labels_path):
        raise UsageError(f"{labels_path!r} is missing.", hint=hint)
    labels = checks.read_json(labels_path, "labels file", hint)
    _check_labels(labels, labels_path, model, hint)
    return model, labels


def _check_labels(labels, labels_path, model, hint):
    names = labels.get("class_names")
    if not (isinstance(names, list) and len(names) >= 2 and all(isinstance(n, str) for n in names)):
        raise UsageError(
            f"labels file {labels_path!r}: 'class_names' must list at least two class names. "
            f"Received: class_names={names!r}",
            hint=hint,
        )
    for key in ("sample_rate", "clip_samples"):
        value = labels.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(
                f"labels file {labels_path!r}: {key!r} must be a positive integer. "
                f"Received: {key}={value!r}",
                hint=hint,
            )
    if labels.get("multilabel", False) not in (True, False):
        raise UsageError(f"labels file {labels_path!r}: 'multilabel' must be true or false.")
    seed = labels.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= checks.SEED_MAX:
        raise UsageError(f"labels file {labels_path!r}: bad 'seed' {seed!r}.", hint=hint)
    outputs = model.output_shape[-1] if len(getattr(model, "outputs", []) or []) == 1 else None
    if outputs is not None and outputs != len(names):
        raise UsageError(
            f"labels file {labels_path!r} names {len(names)} classes, but the model "
            f"{model.name!r} has {outputs} outputs: they come from different runs.",
            hint="use the labels.json written by the same `audiozoo finetune` run",
        )


def run_evaluate(args):
    """`audiozoo evaluate`: score a fine-tuned model on a split of a dataset.

    Args:
        args: the parsed `model`, `data`, `split`, `batch_size`, `seed`, `skip_bad`
            and `json`.

    Returns:
        0.

    Example:
        audiozoo evaluate --model runs/mine/model.keras --data my_sounds/ --json
    """
    from applications.data import load_dataset
    from applications.reporting.predictions import predict_batches
    from applications.reporting.metrics import classification_summary
    from zoo.audio.checks import printable_path

    checks.number("--batch-size", args.batch_size, minimum=1)
    checks.seed("--seed", args.seed)
    checks.data_spec(args.data)
    model, labels = load_trained(args.model)
    if labels.get("multilabel"):
        raise UsageError(
            f"--model {args.model!r} is a multi-label tagger; evaluate scores classifiers.",
            hint="its run's report.json holds the test mAP and ROC-AUC; use predict for tags",
        )
    rate, samples = labels["sample_rate"], labels["clip_samples"]
    # The training seed drew the train/val/test split; reuse it so --split test
    # is the same held-out set.
    seed = labels.get("seed", 0) if args.seed is None else args.seed
    data = load_dataset(
        args.data,
        sample_rate=rate,
        clip_seconds=samples / rate,
        batch_size=args.batch_size,
        seed=seed,
        skip_bad=args.skip_bad,
        bad_file_hint="Pass --skip-bad to skip bad files.",
    )
    # On stderr, so --json output stays one JSON document.
    for path, reason in data.skipped:
        print(f"skipped {printable_path(path)}: {reason}", file=sys.stderr)
    if list(data.class_names) != list(labels["class_names"]):
        raise UsageError(
            f"--data {args.data!r} has classes {data.class_names}, but the model was trained on "
            f"{labels['class_names']}; evaluate on a dataset with the same classes."
        )
    probs, y_true, _ = predict_batches(model, getattr(data, args.split))
    scores = classification_summary(y_true, probs.argmax(axis=1), data.class_names)
    scores = {"split": args.split, "count": int(len(y_true)), **scores}
    if args.json:
        print(json.dumps(scores, indent=2))
    else:
        print(
            f"{args.split} accuracy {scores['accuracy']:.3f} on {len(y_true)} clips "
            f"(chance {scores['chance_accuracy']:.3f}), macro F1 {scores['macro_f1']:.3f}"
        )
        for name, m in scores["per_class"].items():
            print(
                f"  {name:<16} precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
                f"f1 {m['f1']:.3f}  n={m['support']}"
            )
    return 0


def run_predict(args):
    """`audiozoo predict`: print the top-k classes of each audio file.

    Args:
        args: the parsed `model`, `files`, `top_k`, `json`, and for long files
            `window`, `hop` (seconds) and `csv`.

    Returns:
        0.

    Example:
        audiozoo predict --model runs/mine/model.keras a.wav b.wav --top-k 2
        audiozoo predict --model runs/mine/model.keras day.wav --window 1 --hop 0.5 --csv
    """
    import numpy as np

    import zoo.audio
    from zoo.audio.checks import printable_path

    checks.number("--top-k", args.top_k, minimum=1)
    checks.audio_files(args.files)
    if args.window is None and (args.hop is not None or args.csv):
        raise UsageError("--hop and --csv go with --window.", hint="e.g. --window 1 --hop 0.5")
    if args.window is not None:
        checks.number("--window", args.window, above=0)
        checks.number("--hop", args.window if args.hop is None else args.hop, above=0)
        if args.csv and args.json:
            raise UsageError("--csv and --json are exclusive: pick one output format.")
    model, labels = load_trained(args.model)
    names, rate, samples = labels["class_names"], labels["sample_rate"], labels["clip_samples"]
    tagger = labels.get("multilabel", False)  # every tag over its threshold, not a top k
    if args.window is not None:
        if tagger:
            return tagged.predict_tags(args, model, labels)
        return _predict_windows(args, model, names, rate, samples)
    clips = []
    for path in args.files:
        waveform, _ = zoo.audio.load(path, sample_rate=rate)
        # The model takes clips of one length: centre crop or zero-pad, as for evaluation.
        clips.append(
            np.asarray(zoo.audio.fix_length(waveform, samples, "centre"), dtype=np.float32)
        )
    if tagger:
        return tagged.predict_tags(args, model, labels, np.stack(clips))
    probs = np.asarray(model.predict(np.stack(clips), verbose=0), dtype=np.float32)
    k = min(args.top_k, len(names))
    results = []
    for path, row in zip(args.files, probs):
        top = np.argsort(-row)[:k]
        results.append(
            {
                "file": printable_path(path),
                "top": [{"label": names[i], "probability": float(row[i])} for i in top],
            }
        )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for item in results:
            ranked = ", ".join(f"{t['label']} {t['probability']:.3f}" for t in item["top"])
            print(f"{item['file']}: {ranked}")
    return 0


def _predict_windows(args, model, names, rate, samples):
    """`predict --window`: one line (text, CSV row or JSON item) per window of each file."""
    import csv

    import numpy as np

    from applications.reporting.windows import predict_windows
    from zoo.audio.checks import printable_path

    hop = args.window if args.hop is None else args.hop
    k = min(args.top_k, len(names))
    if args.window * rate < 1 or hop * rate < 1:
        raise UsageError(f"--window and --hop must each span at least one sample at {rate} Hz.")
    out = csv.writer(sys.stdout) if args.csv else None
    if out:
        out.writerow(["file", "start", "end", "label", "probability", *names])
    items = []
    for path in args.files:
        shown = printable_path(path)
        for start, end, row in predict_windows(model, path, rate, samples, args.window, hop):
            top = np.argsort(-row)[:k]
            if out:
                best = top[0]
                probs = [f"{p:.4f}" for p in row]
                out.writerow(
                    [shown, f"{start:.3f}", f"{end:.3f}", names[best], probs[best], *probs]
                )
            elif args.json:
                ranked = [{"label": names[i], "probability": float(row[i])} for i in top]
                items.append({"file": shown, "start": start, "end": end, "top": ranked})
            else:
                ranked = ", ".join(f"{names[i]} {row[i]:.3f}" for i in top)
                print(f"{shown} {start:.3f}-{end:.3f}: {ranked}")
    if args.json:
        print(json.dumps(items, indent=2))
    return 0
