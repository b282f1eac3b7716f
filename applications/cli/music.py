"""`audiozoo music train|harmonize|duet|evaluate`: symbolic music on the Bach chorales.

Example:
    audiozoo music train --model harmonize --out runs/harm
    audiozoo music harmonize --model runs/harm/model.keras melody.mid --out chorale.mid --wav
    audiozoo music train --model key --out runs/key --length 128
    audiozoo music duet --model runs/duet/model.keras --key-model runs/key/model.keras \
        --input human.mid --out duet.mid
    audiozoo music evaluate --model runs/harm/model.keras --out runs/harm/eval
"""

import os

from applications.cli import checks

HINT = "Train one with: audiozoo music train --model harmonize --out runs/harm"
# Chosen on the validation chorales (README, "Music generation"): the tail beyond it
# is where sampled voices pick up parallels and crossings.
TOP_P = 0.9
KIND_LAYERS = {"harmonize": "voice_lstm", "duet": "human_embedding", "key": "key_probs"}


def register(subparsers):
    """Add `music train|harmonize|duet|evaluate` to the `audiozoo` parser."""
    p = subparsers.add_parser("music", help="Bach-chorale harmonisation and live-duet models")
    sub = p.add_subparsers(dest="music_command", metavar="ACTION")
    sub.required = True
    t = sub.add_parser("train", help="train the duet model, its key estimator or the harmoniser")
    t.add_argument("--model", required=True, choices=("duet", "harmonize", "key"))
    t.add_argument("--out", required=True, help="folder for model.keras and music.json")
    t.add_argument("--data", default=None, help="folder of MusicXML/MIDI (default: the chorales)")
    t.add_argument("--limit", type=int, default=None, help="use the first N pieces only")
    t.add_argument("--epochs", type=int, default=12)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--units", type=int, default=128)
    t.add_argument("--length", type=int, default=64, help="16ths per training window")
    t.add_argument("--learning-rate", type=float, default=2e-3)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument(
        "--key-voices",
        choices=("soprano", "all"),
        default="soprano",
        help="--model key: hear the soprano only, or each of the four voices as an example",
    )
    t.set_defaults(func=run_train)

    h = sub.add_parser("harmonize", help="write alto, tenor and bass under a melody")
    h.add_argument("melody", help="the soprano: .mid, .midi, .musicxml, .xml or .mxl")
    h.add_argument("--model", required=True, help="a harmoniser model.keras")
    h.add_argument("--out", required=True, help="output .mid or .musicxml")
    h.add_argument("--temperature", type=float, default=0.6, help="0: greedy (tends to hold notes)")
    h.add_argument("--beam", type=int, default=0, help="beam width (0: sample)")
    _add_top_p(h)
    h.add_argument(
        "--no-parallels", action="store_true", help="refuse parallel fifths/octaves when decoding"
    )
    h.add_argument("--wav", action="store_true", help="also render OUT.wav with fluidsynth")
    h.add_argument("--seed", type=int, default=0)
    h.set_defaults(func=run_harmonize)

    d = sub.add_parser("duet", help="answer a human voice 16th by 16th (streaming)")
    d.add_argument("--model", required=True, help="a duet model.keras")
    d.add_argument(
        "--key-model",
        default=None,
        help="a key estimator model.keras (train --model key): the key at each 16th is "
        "estimated from the notes so far, as live; without it, the key from the whole file",
    )
    d.add_argument("--input", required=True, help="the human voice (.mid / .musicxml)")
    d.add_argument("--out", required=True, help="output .mid or .musicxml (human + machine)")
    d.add_argument("--temperature", type=float, default=0.5, help="0: greedy")
    d.add_argument("--wav", action="store_true", help="also render OUT.wav with fluidsynth")
    d.add_argument("--seed", type=int, default=0)
    d.set_defaults(func=run_duet)

    e = sub.add_parser("evaluate", help="scores and counterpoint rules vs the bigram and Bach")
    e.add_argument("--model", required=True, help="a harmoniser, duet or key model.keras")
    e.add_argument("--out", required=True, help="folder for report.json and piano_roll.png")
    e.add_argument("--limit", type=int, default=None, help="first N test pieces only")
    e.add_argument("--pieces", type=int, default=None, help="parse only the first N corpus files")
    e.add_argument("--temperature", type=float, default=0.6)
    e.add_argument("--beam", type=int, default=0)
    _add_top_p(e)
    e.add_argument("--no-parallels", action="store_true", help="decode refusing parallels")
    e.add_argument("--seed", type=int, default=0)
    e.set_defaults(func=run_evaluate)


def _add_top_p(parser):
    parser.add_argument(
        "--top-p",
        type=float,
        default=TOP_P,
        help=f"nucleus sampling: draw from the likeliest tokens holding this mass ({TOP_P}; 1: all)",
    )


def _common(args):
    checks.seed("--seed", args.seed)
    checks.number("--temperature", getattr(args, "temperature", 0.0), minimum=0)
    checks.number("--beam", getattr(args, "beam", 0), minimum=0, integer=True)
    checks.number("--top-p", getattr(args, "top_p", 1.0), above=0, maximum=1)


def _readable(flag, path):
    from applications.errors import UsageError

    if not os.path.isfile(path):
        raise UsageError(f"{flag} {path!r} does not exist or is not a file.")


def _melody_in_score_out(args, flag, path):
    """Check the flags, the melody file and `--out`, then read the melody: `(tokens, beat, key)`."""
    from applications.music.grid import read_melody
    from applications.music.render import score_format

    _common(args)
    _readable(flag, path)
    score_format(args.out)
    checks.output_file("--out", args.out)
    return read_melody(path)


def _load(path, kind):
    from applications.errors import UsageError

    flag = "--key-model" if kind == "key" else "--model"
    model = checks.load_keras_file(
        flag, path, f"Train one with: audiozoo music train --model {kind} --out runs/{kind}"
    )
    if KIND_LAYERS[kind] not in {layer.name for layer in model.layers}:
        raise UsageError(
            f"{flag} {path!r} is not a {kind} model", hint=f"Train one with --model {kind}."
        )
    return model


def _finish(args, tokens, names):
    from applications.music.render import render_wav, write_score

    write_score(tokens, args.out, names)
    print(f"wrote {args.out}")
    if args.wav:
        midi = args.out
        if not args.out.lower().endswith((".mid", ".midi")):
            midi = os.path.splitext(args.out)[0] + ".mid"
            write_score(tokens, midi, names)
        wav = os.path.splitext(args.out)[0] + ".wav"
        render_wav(midi, wav)
        print(f"wrote {wav}")
    return 0


def run_train(args):
    """`audiozoo music train`: see `applications.music.train`."""
    from applications.music.train import MusicTrainConfig, train

    for flag in ("epochs", "batch_size", "units", "length"):
        checks.number(f"--{flag.replace('_', '-')}", getattr(args, flag), minimum=1, integer=True)
    checks.number("--limit", args.limit, minimum=3, integer=True)
    checks.number("--learning-rate", args.learning_rate, above=0)
    checks.seed("--seed", args.seed)
    checks.output_folder("--out", args.out)
    config = MusicTrainConfig(
        model=args.model,
        out=args.out,
        epochs=args.epochs,
        batch_size=args.batch_size,
        units=args.units,
        length=args.length,
        learning_rate=args.learning_rate,
        limit=args.limit,
        data=args.data,
        seed=args.seed,
        key_voices=args.key_voices,
    )
    metadata = train(config, verbose=2)
    print(f"wrote {os.path.join(args.out, 'model.keras')} ({metadata['train_seconds']} s)")
    return 0


def run_harmonize(args):
    """`audiozoo music harmonize`: fill alto, tenor and bass under a melody file."""
    import numpy as np

    from zoo.music import HarmonizerSteps, harmonize
    from zoo.music.vocab import MASK

    melody, beat, key = _melody_in_score_out(args, "melody", args.melody)
    model = _load(args.model, "harmonize")
    parts = np.full((len(melody), 4), MASK, np.int32)
    parts[:, 0] = melody
    tokens = harmonize(
        HarmonizerSteps(model),
        parts,
        beat,
        key,
        (3, 2, 1),
        args.temperature,
        args.beam,
        args.seed,
        args.no_parallels,
        args.top_p,
    )
    return _finish(args, tokens, ["Soprano", "Alto", "Tenor", "Bass"])


def run_duet(args):
    """`audiozoo music duet`: feed the human voice 16th by 16th to the streaming duet model."""
    import numpy as np

    from zoo.music import DuetStream

    human, beat, key = _melody_in_score_out(args, "--input", args.input)
    key_model = None
    if args.key_model is not None:
        key_model, key = _load(args.key_model, "key"), None  # estimated 16th by 16th
    stream = DuetStream(_load(args.model, "duet"), key_model=key_model)
    rng = np.random.default_rng(args.seed)
    machine = [stream.respond(h, b, key, args.temperature, rng) for h, b in zip(human, beat)]
    return _finish(args, np.stack([human, np.array(machine)], axis=1), ["Human", "Machine"])


def run_evaluate(args):
    """`audiozoo music evaluate`: report.json (+ piano_roll.png for a harmoniser) in OUT."""
    from applications.atomic_io import write_json
    from applications.music.corpus import load_chorales
    from applications.music.evaluate import evaluate_duet, evaluate_harmonizer
    from applications.music.keys import evaluate_key
    from applications.music.render import piano_roll_png

    _common(args)
    checks.number("--limit", args.limit, minimum=1, integer=True)
    checks.number("--pieces", args.pieces, minimum=10, integer=True)
    checks.output_folder("--out", args.out)
    model = checks.load_keras_file("--model", args.model, HINT)
    data = load_chorales(limit=args.pieces)
    os.makedirs(args.out, exist_ok=True)
    if "voice_lstm" in {layer.name for layer in model.layers}:
        report = evaluate_harmonizer(
            model,
            data,
            args.limit,
            args.temperature,
            args.beam,
            args.seed,
            args.no_parallels,
            args.top_p,
        )
        example = report.pop("example")
        png = os.path.join(args.out, "piano_roll.png")
        piano_roll_png(
            [example["bach"], example["model"]],
            png,
            [f"{example['name']}: Bach", f"{example['name']}: harmonised (soprano given)"],
        )
        print(f"wrote {png}")
    elif "key_probs" in {layer.name for layer in model.layers}:
        report = evaluate_key(model, data, args.limit)
    else:
        report = evaluate_duet(model, data, args.limit)
    path = os.path.join(args.out, "report.json")
    write_json(path, report)
    print(f"wrote {path}")
    return 0
