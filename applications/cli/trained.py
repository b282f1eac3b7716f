"""`audiozoo evaluate` and `audiozoo predict`: use a model written by `audiozoo finetune`.

The flags are checked here; `applications.trained.load_trained` reads
`OUT/model.keras` (safe mode) and the `labels.json` beside it, and
`applications.inference` does the work.
"""

from applications.cli import checks
from applications.errors import UsageError

__all__ = ["register", "run_evaluate", "run_predict"]


def register(subparsers):
    """Add `evaluate` and `predict` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser("evaluate", help="score a fine-tuned model on a dataset split")
    p.add_argument("--model", required=True, help="OUT/model.keras from `audiozoo finetune`")
    p.add_argument(
        "--data",
        required=True,
        help="builtin | DIR | gtzan | esc50 | urbansound8k | speech_commands, as for finetune",
    )
    p.add_argument(
        "--split", default="test", choices=("train", "val", "test"), help="which split to score"
    )
    p.add_argument("--batch-size", type=int, default=32, metavar="N", help="clips per batch")
    p.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="split seed (default: the training run's, from labels.json)",
    )
    p.add_argument(
        "--skip-bad", action="store_true", help="skip unreadable audio files (listed on stderr)"
    )
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.set_defaults(func=run_evaluate)

    p = subparsers.add_parser("predict", help="classify audio files with a fine-tuned model")
    p.add_argument("--model", required=True, help="OUT/model.keras from `audiozoo finetune`")
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="audio files at the model's sample rate"
    )
    p.add_argument("--top-k", type=int, default=3, metavar="K", help="classes shown per file")
    p.add_argument("--json", action="store_true", help="print predictions as JSON")
    p.add_argument(
        "--window",
        type=float,
        metavar="S",
        help="seconds per window: classify windows of a long file, read in blocks "
        "(default: none, the whole file as one clip)",
    )
    p.add_argument(
        "--hop", type=float, metavar="S", help="seconds between windows (default: --window)"
    )
    p.add_argument("--csv", action="store_true", help="with --window: print CSV rows")
    p.set_defaults(func=run_predict)


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
    from applications.inference import evaluate, print_scores
    from applications.trained import load_trained

    checks.number("--batch-size", args.batch_size, minimum=1)
    checks.seed("--seed", args.seed)
    checks.data_spec(args.data)
    model, labels = load_trained(args.model)
    if labels.get("multilabel"):
        raise UsageError(
            f"--model {args.model!r} is a multi-label tagger; evaluate scores classifiers.",
            hint="its run's report.json holds the test mAP and ROC-AUC; use predict for tags",
        )
    scores = evaluate(
        model,
        labels,
        args.data,
        split=args.split,
        batch_size=args.batch_size,
        seed=args.seed,
        skip_bad=args.skip_bad,
    )
    print_scores(scores, as_json=args.json)
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
    from applications.inference import predict
    from applications.trained import load_trained

    checks.number("--top-k", args.top_k, minimum=1)
    checks.audio_files(args.files)
    if args.window is None and (args.hop is not None or args.csv):
        raise UsageError("--hop and --csv go with --window.", hint="e.g. --window 1 --hop 0.5")
    if args.window is not None:
        checks.seconds("--window", args.window)
        checks.seconds("--hop", args.window if args.hop is None else args.hop)
        if args.csv and args.json:
            raise UsageError("--csv and --json are exclusive: pick one output format.")
    model, labels = load_trained(args.model)
    fmt = "csv" if args.csv else "json" if args.json else "text"
    return predict(
        model,
        labels,
        args.files,
        args.model,
        top_k=args.top_k,
        window=args.window,
        hop=args.hop,
        fmt=fmt,
    )
