"""`audiozoo finetune`, `audiozoo evaluate` and `audiozoo predict`.

Flags left unset fall back to a `--config` JSON file, then to the dataset's
preset, then to the defaults of `applications.finetune.config.FinetuneConfig`.
"""

import json
import os
import sys

from applications.finetune.config import BACKBONES, FinetuneConfig
from applications.training.strategy import KINDS
from applications.training.precision import POLICIES

__all__ = ["register", "run_finetune_command", "load_trained", "run_evaluate", "run_predict"]


def _verbose(text):
    return text if text == "auto" else int(text)


def _int_or_hw(text):
    parts = text.lower().split("x")
    values = [int(p) for p in parts]
    return values[0] if len(values) == 1 else values


def register(subparsers):
    """Add `finetune`, `evaluate` and `predict` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser(
        "finetune",
        help="train an audio classifier: VGG16 transfer, or a compact CNN from scratch offline",
        description=__doc__.splitlines()[0],
    )
    p.add_argument(
        "--data",
        help="builtin | DIR | gtzan | esc50 | urbansound8k | speech_commands (default builtin)",
    )
    p.add_argument(
        "--weights",
        help="auto | imagenet | none | PATH (.weights.h5, .pth, or an earlier run's model.keras "
        "to fine-tune from) | kaggle://... (default auto)",
    )
    p.add_argument(
        "--backbone",
        choices=BACKBONES,
        help="default auto: vgg16 transfer if pretrained weights load, else cnn10_compact "
        "from scratch",
    )
    p.add_argument("--strategy", choices=KINDS, help="default auto")
    p.add_argument("--logical-cpus", type=int, help="split the CPU into N devices for mirrored")
    p.add_argument("--precision", choices=POLICIES, help="default auto")
    p.add_argument("--epochs", type=int, help="head epochs (transfer) or all epochs (scratch)")
    p.add_argument(
        "--finetune-epochs", type=int, help="epochs with block 5 unfrozen (pretrained only)"
    )
    p.add_argument("--batch-size", type=int, help="global batch size, split over replicas")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--finetune-learning-rate", type=float)
    p.add_argument("--scratch-learning-rate", type=float)
    p.add_argument("--image-size", type=_int_or_hw, help="N or HxW image fed to the backbone")
    p.add_argument("--clip-seconds", type=float)
    p.add_argument("--sample-rate", type=int)
    p.add_argument("--n-mels", type=int)
    p.add_argument("--weight-decay", type=float, help="AdamW weight decay (from scratch)")
    p.add_argument("--patience", type=int, help="early-stopping patience, 0 = off (from scratch)")
    p.add_argument("--mixup-alpha", type=float, help="mixup Beta(a, a); 0 = off (from scratch)")
    p.add_argument(
        "--crop-seconds", type=float, help="train on random crops; test averages --tta-crops"
    )
    p.add_argument("--tta-crops", type=int, help="crops averaged at test (default 5)")
    p.add_argument("--time-mask", type=int, help="widest time mask (frames)")
    p.add_argument("--freq-mask", type=int, help="widest frequency mask (mel bins)")
    p.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_const",
        const=False,
        help="skip the hand-crafted-feature baseline",
    )
    p.add_argument(
        "--skip-bad", action="store_const", const=True, help="skip unreadable audio files"
    )
    p.add_argument("--out", help=f"output folder (default {FinetuneConfig.out})")
    p.add_argument("--seed", type=int)
    p.add_argument(
        "--verbose",
        type=_verbose,
        choices=(0, 1, 2, "auto"),
        help="auto (default): progress bars in a terminal, one line per epoch otherwise",
    )
    p.add_argument("--config", help="JSON file of settings (keys as the flags, e.g. image_size)")
    p.set_defaults(func=run_finetune_command)

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
    p.set_defaults(func=run_predict)


def run_finetune_command(args):
    """`audiozoo finetune`: build the `FinetuneConfig` from the flags and run the job.

    Args:
        args: the parsed flags; None means not given (the `--config` file,
            the preset or the default decides).

    Returns:
        0.

    Raises:
        FileNotFoundError: `--data` is neither a named dataset nor a folder.

    Example:
        audiozoo finetune --data my_sounds/ --epochs 10 --out runs/mine
    """
    from applications.finetune.job import run_finetune

    flags = {k: v for k, v in vars(args).items() if k not in ("func", "command", "config")}
    config = FinetuneConfig.from_sources(flags, args.config)
    if config.data not in (
        "builtin",
        "gtzan",
        "esc50",
        "urbansound8k",
        "speech_commands",
    ) and not os.path.isdir(config.data):
        raise FileNotFoundError(
            f"--data {config.data!r} is neither a named dataset nor a folder. Pass builtin, "
            "gtzan, esc50, urbansound8k, speech_commands, or a folder with one sub-folder of audio "
            "files per class."
        )
    run_finetune(config)
    return 0


def load_trained(path):
    """Load a fine-tuned model (safe mode) and the `labels.json` written beside it.

    Args:
        path: `OUT/model.keras` of `audiozoo finetune`.

    Returns:
        `(model, labels)`: labels holds `class_names`, `sample_rate`,
        `clip_samples` and the training `seed`.
    """
    import keras

    import applications.finetune.crops  # noqa: F401  (test-time crops of from-scratch models)
    import zoo.audio  # noqa: F401  (registers the front-end layers for loading)

    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"--model {path!r} does not exist; pass OUT/model.keras from `audiozoo finetune`."
        )
    model = keras.saving.load_model(path, safe_mode=True)
    labels_path = os.path.join(os.path.dirname(os.path.abspath(path)), "labels.json")
    if not os.path.isfile(labels_path):
        raise FileNotFoundError(
            f"{labels_path!r} is missing: `audiozoo finetune` writes it next to model.keras with the "
            "class names, sample rate and clip length."
        )
    with open(labels_path, encoding="utf-8") as f:
        labels = json.load(f)
    return model, labels


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

    model, labels = load_trained(args.model)
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
        raise ValueError(
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
        args: the parsed `model`, `files`, `top_k` and `json`.

    Returns:
        0.

    Example:
        audiozoo predict --model runs/mine/model.keras a.wav b.wav --top-k 2
    """
    import numpy as np

    import zoo.audio
    from zoo.audio.checks import printable_path

    if args.top_k < 1:
        raise ValueError(f"--top-k must be >= 1. Received: top_k={args.top_k}")
    model, labels = load_trained(args.model)
    names, rate, samples = labels["class_names"], labels["sample_rate"], labels["clip_samples"]
    clips = []
    for path in args.files:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"Audio file {printable_path(path)!r} does not exist.")
        waveform, _ = zoo.audio.load(path, sample_rate=rate)
        # The model takes clips of one length: centre crop or zero-pad, as for evaluation.
        clips.append(
            np.asarray(zoo.audio.fix_length(waveform, samples, "centre"), dtype=np.float32)
        )
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
