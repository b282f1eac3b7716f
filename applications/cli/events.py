"""`audiozoo events train` and `audiozoo events detect`: sound events and chords over time.

The `events train` flags are generated from `applications.events.config.EventsConfig`
(flags over a `--config` JSON file over the defaults); both commands check their
flags and call the job.
"""

from applications.cli import checks
from applications.events.config import EventsConfig
from applications.trained import load_keras_file

__all__ = ["register", "run_train", "run_detect"]


def register(subparsers):
    """Add `events train` and `events detect` to the `audiozoo` parser."""
    sub = checks.add_actions(subparsers, "events", "sound event detection and chords over time")
    train = "train a CRNN on DIR/train, score DIR/test"
    checks.add_command(sub, "train", run_train, train, settings=EventsConfig, overwrite=True)

    detect = "write the events (or chords) found in audio files"
    p = checks.add_command(sub, "detect", run_detect, detect)
    p.add_argument("--model", required=True, help="OUT/model.keras from `audiozoo events train`")
    p.add_argument("files", nargs="+", metavar="FILE", help="audio files")
    p.add_argument("--out", help="CSV to write (default: print to stdout)")


def run_train(args):
    """`audiozoo events train`: build the `EventsConfig` from the flags and run the job.

    Example:
        audiozoo events train --data builtin --out runs/events
    """
    from applications.events.job import train

    config = EventsConfig.from_args(args)
    checks.output_folder("--out", config.out)
    train(config, overwrite=args.overwrite)
    return 0


def run_detect(args):
    """`audiozoo events detect`: rows `filename,onset,offset,label` to a CSV or stdout.

    Example:
        audiozoo events detect --model runs/events/model.keras scene.wav --out events.csv
    """
    from applications.events.detect import HINT, detect_command

    checks.audio_files(args.files)
    if args.out:
        checks.output_file("--out", args.out, suffix=".csv")
    import zoo  # noqa: F401  (registers the layers for loading)

    model = load_keras_file("--model", args.model, HINT)
    detect_command(model, args.model, args.files, args.out)
    return 0
