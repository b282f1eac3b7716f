"""`audiozoo wavenet train|generate`: train a WaveNet on a dataset, then sample audio from it.

`train` fits a registered WaveNet with plain `fit` on mu-law (input,
next-sample) pairs cut from the clips of `applications.data.load_dataset`,
conditioned on the clip labels (e.g. the built-in set's chord qualities). It
resumes after a kill (`applications.training.backup.Backup`) and writes
`model.keras` and `wavenet.json` (sample rate, class names) atomically; a NaN
or infinite loss stops it with `JobFailed` and saves nothing.

`generate` loads the model with `safe_mode=True` (refusing NaN weights), samples with the fast
generator in chunks behind a progress bar, and writes a PCM16 WAV plus a
waveform + spectrogram PNG beside it.

Example:
    audiozoo wavenet train --data builtin --out runs/wn --epochs 2
    audiozoo wavenet generate --model runs/wn/model.keras --seconds 2 --out chord.wav --condition minor
"""

import os
import shutil
import time

from applications.atomic_io import atomic_path, write_json
from applications.cli import checks

METADATA = "wavenet.json"


def register(subparsers):
    """Add `wavenet train` and `wavenet generate` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser("wavenet", help="train a WaveNet on audio and generate audio from it")
    sub = p.add_subparsers(dest="wavenet_command", metavar="ACTION")
    sub.required = True

    t = sub.add_parser(
        "train", help="fit a WaveNet on a dataset's clips (labels as global condition)"
    )
    t.add_argument(
        "--data",
        required=True,
        help="'builtin' (synthetic chords), a folder, or a Kaggle corpus name",
    )
    t.add_argument(
        "--out", required=True, help="output folder for model.keras, wavenet.json, backups"
    )
    t.add_argument("--model", default="wavenet_small", choices=("wavenet_small", "wavenet"))
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--steps-per-epoch", type=int, default=100)
    t.add_argument("--batch-size", type=int, default=8)
    t.add_argument(
        "--segment", type=int, default=4000, help="samples per training window (default 4000)"
    )
    t.add_argument("--sample-rate", type=int, default=16000)
    t.add_argument("--clip-seconds", type=float, default=None)
    t.add_argument("--learning-rate", type=float, default=1e-3)
    t.add_argument(
        "--unconditioned", action="store_true", help="ignore the labels (no global conditioning)"
    )
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(func=run_train)

    g = sub.add_parser("generate", help="sample audio from a trained WaveNet into a WAV (+ PNG)")
    g.add_argument("--model", required=True, help="path to model.keras")
    g.add_argument("--seconds", type=float, required=True)
    g.add_argument(
        "--out", required=True, help="output .wav path; the plot goes to the same name .png"
    )
    g.add_argument("--condition", default=None, help="class name or id (global conditioning)")
    g.add_argument("--temperature", type=float, default=1.0)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument(
        "--sample-rate", type=int, default=None, help="default: the rate it was trained at"
    )
    g.add_argument(
        "--chunk", type=int, default=4000, help="samples per compiled call (progress granularity)"
    )
    g.set_defaults(func=_generate)


def _check(condition, arg, value, problem):
    if not condition:
        from zoo.validation import argument_error  # importing zoo loads TensorFlow: only on failure

        raise argument_error(arg, value, problem)


def run_train(args):
    """`audiozoo wavenet train`: fit a WaveNet on a dataset's clips and save it.

    Args:
        args: the parsed `train` flags.

    Returns:
        0.

    Example:
        audiozoo wavenet train --data builtin --out runs/wn --epochs 2
    """
    import keras

    import zoo
    from applications.data import load_dataset
    from applications.training.backup import Backup
    from applications.training.numerics import check_losses
    from zoo.wavenet import training_dataset

    for arg in ("epochs", "steps_per_epoch", "batch_size", "segment", "sample_rate"):
        checks.number(f"--{arg.replace('_', '-')}", getattr(args, arg), minimum=1)
    checks.number("--clip-seconds", args.clip_seconds, above=0)
    checks.number("--learning-rate", args.learning_rate, above=0)
    checks.seed("--seed", args.seed)
    checks.data_spec(args.data)
    checks.output_folder("--out", args.out)
    keras.utils.set_random_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    data = load_dataset(
        args.data,
        sample_rate=args.sample_rate,
        clip_seconds=args.clip_seconds,
        batch_size=args.batch_size,
        seed=args.seed,
        bad_file_hint="Repair or remove the file.",  # wavenet train has no --skip-bad
    )
    print(data.summary())
    _check(
        data.clip_samples > args.segment,
        "--segment",
        args.segment,
        f"Training windows need segment + 1 samples; the clips have {data.clip_samples}.",
    )
    conditioned = not args.unconditioned
    overrides = {"global_condition_classes": len(data.class_names)} if conditioned else {}
    model = zoo.create_model(args.model, **overrides)
    q = model.quantization_channels
    train = training_dataset(
        data.train, q, segment_length=args.segment, use_labels=conditioned, seed=args.seed
    ).repeat()
    validation = None
    if data.counts["val"]:
        validation = training_dataset(
            data.val, q, segment_length=args.segment, use_labels=conditioned, seed=args.seed + 1
        )
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    print(
        f"{model.name}: {model.count_params():,} parameters, receptive field "
        f"{model.receptive_field} samples ({model.receptive_field / data.sample_rate * 1000:.0f} ms)"
    )
    start = time.perf_counter()
    backup = os.path.join(args.out, "backup")
    history = model.fit(
        train,
        epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch,
        validation_data=validation,
        callbacks=[keras.callbacks.TerminateOnNaN(), Backup(backup)],
        shuffle=False,
        verbose=2,
    )
    # A NaN model would "generate" a constant: fail instead of saving it.
    check_losses(history.history, "wavenet train", args.learning_rate)
    path = os.path.join(args.out, "model.keras")
    with atomic_path(path) as tmp:
        model.save(tmp)
    write_json(
        os.path.join(args.out, METADATA),
        {
            "sample_rate": data.sample_rate,
            "class_names": data.class_names if conditioned else [],
            "data": data.source,
            "final_loss": float(history.history["loss"][-1]),
        },
    )
    shutil.rmtree(backup, ignore_errors=True)
    print(
        f"Saved {path} after {time.perf_counter() - start:.0f}s "
        f"(loss {history.history['loss'][0]:.3f} -> {history.history['loss'][-1]:.3f})."
    )
    return 0


def _generate(args):
    # Its own module (imported when used): it imports this one's helpers.
    from applications.cli.wavenet_generate import run_generate

    return run_generate(args)
