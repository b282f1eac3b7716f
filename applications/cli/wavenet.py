"""`audiozoo wavenet train|generate`: train a WaveNet on a dataset, then sample audio from it.

`wavenet train` flags are generated from `applications.wavenet.WaveNetConfig`
(plus `--config` and `--overwrite`); `wavenet generate` parses its own. Both
check the flag values and the output paths before any work, then call the job
in `applications.wavenet` (`train`, `run_generate`).

Example:
    audiozoo wavenet train --data builtin --out runs/wn --epochs 2
    audiozoo wavenet generate --model runs/wn/model.keras --seconds 2 --out chord.wav --condition minor
"""

from applications.cli import checks
from applications.wavenet import WaveNetConfig, train
from applications.wavenet import run_generate as generate

__all__ = ["register", "run_train", "run_generate"]

# `generate` flags passed to the job under their own names.
GENERATE_OPTIONS = ("condition", "temperature", "seed", "sample_rate", "chunk")


def register(subparsers):
    """Add `wavenet train` and `wavenet generate` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    sub = checks.add_actions(
        subparsers, "wavenet", "train a WaveNet on audio and generate audio from it"
    )
    train_help = "fit a WaveNet on a dataset's clips (labels as global condition)"
    checks.add_command(sub, "train", run_train, train_help, settings=WaveNetConfig, overwrite=True)

    generate_help = "sample audio from a trained WaveNet into a WAV (+ PNG)"
    g = checks.add_command(sub, "generate", run_generate, generate_help)
    g.add_argument("--model", required=True, help="model.keras from `wavenet train`")
    g.add_argument("--seconds", type=float, required=True, metavar="S", help="seconds to generate")
    g.add_argument(
        "--out", required=True, help="output .wav path; the plot goes to the same name .png"
    )
    g.add_argument(
        "--condition", default=None, help="class name or id (global conditioning; default: none)"
    )
    g.add_argument(
        "--temperature", type=float, default=1.0, metavar="X", help="sampling temperature"
    )
    g.add_argument("--seed", type=int, default=0, metavar="N", help="makes the samples repeatable")
    g.add_argument(
        "--sample-rate",
        type=int,
        default=None,
        metavar="HZ",
        help="rate of the WAV in Hz (default: the rate it was trained at)",
    )
    g.add_argument(
        "--chunk",
        type=int,
        default=4000,
        metavar="N",
        help="samples per compiled call (progress granularity)",
    )


def run_train(args):
    """`audiozoo wavenet train`: build the `WaveNetConfig` from the flags, check OUT, train.

    Args:
        args: the parsed `train` flags.

    Returns:
        0.

    Example:
        audiozoo wavenet train --data builtin --out runs/wn --epochs 2
    """
    config = WaveNetConfig.from_args(args)
    checks.data_spec(config.data)
    checks.output_folder("--out", config.out)
    train(config, overwrite=args.overwrite)
    return 0


def run_generate(args):
    """`audiozoo wavenet generate`: check the flags, then sample a WAV and a PNG.

    Args:
        args: the parsed `generate` flags.

    Returns:
        0.

    Example:
        audiozoo wavenet generate --model runs/wn/model.keras --seconds 2 --out a.wav
    """
    checks.seconds("--seconds", args.seconds)
    checks.number("--chunk", args.chunk, minimum=1)
    checks.number("--temperature", args.temperature, above=0)
    checks.number("--sample-rate", args.sample_rate, minimum=1)
    checks.seed("--seed", args.seed)
    checks.output_file("--out", args.out, suffix=".wav")
    generate(args.model, args.seconds, args.out, **_options(args, GENERATE_OPTIONS))
    return 0


def _options(args, names):
    """The parsed values of the flags `names`, as the job's keyword arguments."""
    return {name: getattr(args, name) for name in names}
