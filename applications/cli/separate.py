"""`audiozoo separate train|apply`: learn to split a mixture into its sources, then use it.

`train` makes mixtures on the fly from a folder of clips per source (or the
builtin synthetic sources), fits a mask estimator from `zoo.separation` on
the negative SNR of its output waveforms, resumes after a kill, and writes
`model.keras`, `report.json` (SI-SDR/SI-SDRi, SDR/SIR/SAR, the oracle mask's
figures) and `separation.png`; its flags are generated from
`applications.separation.config.SeparateConfig`. `apply` writes
`OUT/<stem>_<source>.wav` for each mixture, at the mixture's rate and length.

Example:
    audiozoo separate train --out runs/sep --epochs 2
    audiozoo separate apply --model runs/sep/model.keras mix.wav --out separated
"""

from applications.cli import checks
from applications.separation.config import SeparateConfig
from applications.trained import load_keras_file

__all__ = ["register", "run_train", "run_apply"]


def register(subparsers):
    """Add `separate train` and `separate apply` to the `audiozoo` parser."""
    sub = checks.add_actions(subparsers, "separate", "source separation by mask prediction")
    train = "train a separator on mixtures of clips per source"
    checks.add_command(sub, "train", run_train, train, settings=SeparateConfig, overwrite=True)

    a = checks.add_command(sub, "apply", run_apply, "split mixture files into one WAV per source")
    a.add_argument("--model", required=True, help="model.keras from `separate train`")
    a.add_argument("mixtures", nargs="+", help="audio files to separate")
    a.add_argument("--out", required=True, help="folder for <stem>_<source>.wav")
    a.add_argument(
        "--chunk-seconds",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds of audio kept per window (plus 1 s of context each side)",
    )


def run_train(args):
    """`audiozoo separate train`: build the `SeparateConfig` from the flags and run the job.

    Raises:
        UsageError: a bad flag or `--config` value, or an unwritable `--out`
            (before any clip is read); bad source clips (before OUT is touched).
    """
    from applications.separation.job import train

    config = SeparateConfig.from_args(args)
    checks.output_folder("--out", config.out)
    train(config, overwrite=args.overwrite)
    return 0


def run_apply(args):
    """`audiozoo separate apply`: write OUT/<stem>_<source>.wav for each mixture."""
    from applications.separation.apply import MODEL_HINT, separate_files

    checks.seconds("--chunk-seconds", args.chunk_seconds)
    checks.output_folder("--out", args.out)
    model = load_keras_file("--model", args.model, MODEL_HINT)
    separate_files(model, args.mixtures, args.out, chunk_seconds=args.chunk_seconds)
    return 0
