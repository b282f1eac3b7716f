"""`audiozoo separate train|apply`: learn to split a mixture into its sources, then use it.

`train` makes mixtures on the fly from a folder of clips per source (or the
builtin synthetic sources), fits a mask estimator from `zoo.separation` on
the negative SNR of its output waveforms, resumes after a kill, and writes
`model.keras`, `report.json` (SI-SDR/SI-SDRi, SDR/SIR/SAR, the oracle mask's
figures) and `separation.png`. `apply` writes `OUT/<stem>_<source>.wav` for
each mixture, at the mixture's rate and length.

Example:
    audiozoo separate train --out runs/sep --epochs 2
    audiozoo separate apply --model runs/sep/model.keras mix.wav --out separated
"""

from applications.cli import checks
from applications.errors import UsageError


def register(subparsers):
    """Add `separate train` and `separate apply` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    from applications.separation.config import MODELS, SeparateConfig

    d = SeparateConfig()
    p = subparsers.add_parser("separate", help="source separation by mask prediction")
    sub = p.add_subparsers(dest="separate_command", metavar="ACTION")
    sub.required = True
    t = sub.add_parser("train", help="train a separator on mixtures of clips per source")
    t.add_argument(
        "--sources",
        default=d.sources,
        help="DIR/<source>/*.wav or DIR/{train,test}/<source>/*.wav; default: builtin demo",
    )
    t.add_argument("--out", required=True, help="folder for model.keras, report.json, PNG")
    t.add_argument("--model", default=d.model, choices=sorted(MODELS))
    t.add_argument("--epochs", type=int, default=d.epochs)
    t.add_argument("--steps-per-epoch", type=int, default=d.steps_per_epoch)
    t.add_argument("--batch-size", type=int, default=d.batch_size)
    t.add_argument("--segment-seconds", type=float, default=d.segment_seconds)
    t.add_argument("--test-mixtures", type=int, default=d.test_mixtures)
    t.add_argument("--test-seconds", type=float, default=d.test_seconds)
    t.add_argument("--sample-rate", type=int, default=d.sample_rate)
    t.add_argument("--learning-rate", type=float, default=d.learning_rate)
    t.add_argument(
        "--mixture-consistency",
        action="store_true",
        help="make the estimated sources sum exactly to the mixture",
    )
    t.add_argument("--seed", type=int, default=d.seed)
    t.set_defaults(func=run_train)

    a = sub.add_parser("apply", help="split mixture files into one WAV per source")
    a.add_argument("--model", required=True, help="model.keras from `separate train`")
    a.add_argument("mixtures", nargs="+", help="audio files to separate")
    a.add_argument("--out", required=True, help="folder for <stem>_<source>.wav")
    a.add_argument(
        "--chunk-seconds", type=float, default=10.0, help="audio kept per window (2 per call)"
    )
    a.set_defaults(func=run_apply)


def run_train(args):
    """`audiozoo separate train`: check everything, claim OUT, train, score, save."""
    from applications.finetune.rundir import claim_out, release
    from applications.separation.config import SeparateConfig
    from applications.separation.job import load_clips, run

    for flag in ("epochs", "steps_per_epoch", "batch_size", "test_mixtures", "sample_rate"):
        checks.number(f"--{flag.replace('_', '-')}", getattr(args, flag), minimum=1)
    for flag in ("segment_seconds", "test_seconds", "learning_rate"):
        checks.number(f"--{flag.replace('_', '-')}", getattr(args, flag), above=0)
    checks.seed("--seed", args.seed)
    checks.output_folder("--out", args.out)
    if args.segment_seconds * args.sample_rate < 1024:
        raise UsageError(
            f"--segment-seconds {args.segment_seconds} is shorter than one STFT frame "
            f"(1024 samples at {args.sample_rate} Hz).",
            hint="e.g. --segment-seconds 1",
        )
    config = SeparateConfig(
        **{k: getattr(args, k) for k in SeparateConfig.__dataclass_fields__ if hasattr(args, k)}
    )
    clips = load_clips(config)  # every input check happens here, before OUT is touched
    for note in clips.notes:
        print(note)
    handle = claim_out(config)
    try:
        run(config, clips)
    finally:
        release(handle)
    print(f"Saved {config.out}/model.keras, report.json and separation.png.")
    return 0


def run_apply(args):
    """`audiozoo separate apply`: write OUT/<stem>_<source>.wav for each mixture."""
    import zoo.separation  # noqa: F401 (registers the layers model.keras names)
    from applications.separation.apply import separate_files

    checks.number("--chunk-seconds", args.chunk_seconds, above=0)
    checks.output_folder("--out", args.out)
    model = checks.load_keras_file(
        "--model", args.model, "pass the model.keras that `audiozoo separate train` wrote"
    )
    separate_files(model, args.mixtures, args.out, chunk_seconds=args.chunk_seconds)
    return 0
