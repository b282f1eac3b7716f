"""`audiozoo music train|harmonize|duet|evaluate`: symbolic music on the Bach chorales.

`music train` flags are generated from `applications.music.config.MusicConfig`
(plus `--config` and `--overwrite`); the other actions parse their flags,
load the models and call `applications.music.generate` / `.evaluate`.

Example:
    audiozoo music train --model harmonize --out runs/harm
    audiozoo music harmonize --model runs/harm/model.keras melody.mid --out chorale.mid --wav
    audiozoo music duet --model runs/duet/model.keras --input human.mid --out duet.mid
"""

from applications.cli import checks
from applications.music.config import MusicConfig
from applications.music.generate import TOP_P

__all__ = ["register", "TOP_P"]


def register(subparsers):
    """Add `music train|harmonize|duet|evaluate` to the `audiozoo` parser."""
    sub = checks.add_actions(subparsers, "music", "Bach-chorale harmonisation and live-duet models")
    train = "train the duet model, its key estimator or the harmoniser"
    checks.add_command(sub, "train", run_train, train, settings=MusicConfig, overwrite=True)

    harmonize = "write alto, tenor and bass under a melody"
    h = checks.add_command(sub, "harmonize", run_harmonize, harmonize)
    h.add_argument("melody", help="the soprano: .mid, .midi, .musicxml, .xml or .mxl")
    h.add_argument("--model", required=True, help="a harmoniser model.keras")
    h.add_argument("--out", required=True, help="output .mid or .musicxml")
    _add_sampling(h, 0.6, "0: greedy (tends to hold notes)", decoding=True, wav=True)

    duet = "answer a human voice 16th by 16th (streaming)"
    d = checks.add_command(sub, "duet", run_duet, duet)
    d.add_argument("--model", required=True, help="a duet model.keras")
    d.add_argument(
        "--key-model",
        default=None,
        help="a key estimator model.keras (train --model key): the key at each 16th is "
        "estimated from the notes so far, as live (default: none, the key of the whole file)",
    )
    d.add_argument("--input", required=True, help="the human voice (.mid / .musicxml)")
    d.add_argument("--out", required=True, help="output .mid or .musicxml (human + machine)")
    _add_sampling(d, 0.5, "0: greedy", wav=True)

    evaluate = "scores and counterpoint rules vs the bigram and Bach"
    e = checks.add_command(sub, "evaluate", run_evaluate, evaluate)
    e.add_argument("--model", required=True, help="a harmoniser, duet or key model.keras")
    e.add_argument("--out", required=True, help="folder for report.json and piano_roll.png")
    e.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="first N test pieces only (default: all)",
    )
    e.add_argument(
        "--pieces",
        type=int,
        default=None,
        metavar="N",
        help="parse only the first N corpus files (default: all)",
    )
    _add_sampling(e, 0.6, None, decoding=True)


def _add_sampling(parser, temperature, help, decoding=False, wav=False):
    """`--temperature`; with `decoding` the harmoniser's `--beam`, `--top-p` and
    `--no-parallels`; with `wav` the `--wav` switch; then `--seed`."""
    text = "sampling temperature" + (f"; {help}" if help else "")
    parser.add_argument("--temperature", type=float, default=temperature, metavar="X", help=text)
    if decoding:
        parser.add_argument(
            "--beam", type=int, default=0, metavar="N", help="beam width (0: sample)"
        )
        top_p = "nucleus sampling: draw from the likeliest tokens holding this mass (1: all)"
        parser.add_argument("--top-p", type=float, default=TOP_P, metavar="P", help=top_p)
        parallels = "refuse parallel fifths/octaves when decoding"
        parser.add_argument("--no-parallels", action="store_true", help=parallels)
    if wav:
        rendered = "also render OUT.wav with fluidsynth"
        parser.add_argument("--wav", action="store_true", help=rendered)
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="makes sampling repeatable"
    )


def _common(args):
    checks.seed("--seed", args.seed)
    checks.number("--temperature", getattr(args, "temperature", 0.0), minimum=0)
    checks.number("--beam", getattr(args, "beam", 0), minimum=0, integer=True)
    checks.number("--top-p", getattr(args, "top_p", 1.0), above=0, maximum=1)


def _read(args, flag, path):
    """Check the flags and `--out`, then read the input voice: `(tokens, beat, key)`."""
    from applications.music.generate import read_input

    _common(args)
    checks.output_file("--out", args.out)
    return read_input(flag, path, args.out)


def _load(flag, path, kind=None):
    from applications.music.generate import load_model

    return load_model(flag, path, kind)


def run_train(args):
    """`audiozoo music train`: build the `MusicConfig` from the flags and train."""
    from applications.music.train import train

    config = MusicConfig.from_args(args)
    checks.output_folder("--out", config.out)
    train(config, verbose="auto", overwrite=args.overwrite)
    return 0


def _flags(args, *names):
    return {name: getattr(args, name) for name in names}


def _decoding(args):
    """The harmoniser's decoding flags, named as `evaluate_harmonizer` names them."""
    return {
        **_flags(args, "temperature", "beam", "seed", "top_p"),
        "forbid_parallels": args.no_parallels,
    }


def run_harmonize(args):
    """`audiozoo music harmonize`: fill alto, tenor and bass under a melody file."""
    from applications.music.generate import harmonize_melody

    melody = _read(args, "melody", args.melody)
    model = _load("--model", args.model, "harmonize")
    harmonize_melody(model, melody, args.out, wav=args.wav, **_decoding(args))
    return 0


def run_duet(args):
    """`audiozoo music duet`: feed the human voice 16th by 16th to the streaming duet model."""
    from applications.music.generate import duet

    human = _read(args, "--input", args.input)
    key_model = None if args.key_model is None else _load("--key-model", args.key_model, "key")
    model = _load("--model", args.model, "duet")
    options = _flags(args, "temperature", "seed", "wav")
    duet(model, human, args.out, key_model=key_model, **options)
    return 0


def run_evaluate(args):
    """`audiozoo music evaluate`: report.json (+ piano_roll.png for a harmoniser) in OUT."""
    from applications.music.evaluate import evaluate_model

    _common(args)
    checks.number("--limit", args.limit, minimum=1, integer=True)
    checks.number("--pieces", args.pieces, minimum=10, integer=True)
    checks.output_folder("--out", args.out)
    model = _load("--model", args.model)
    evaluate_model(model, args.out, limit=args.limit, pieces=args.pieces, **_decoding(args))
    return 0
