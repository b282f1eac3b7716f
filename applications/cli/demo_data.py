"""`audiozoo demo-data`: the small input files the README's examples read, made here.

One folder (default `demo-data/`) holds everything a reader would otherwise
have to bring: a class-per-folder dataset of synthetic chords, a long file, a
mixture to separate, a multi-label folder and two melodies. Nothing is
downloaded; the same seed makes the same files.
"""

import os

from applications.cli import checks

__all__ = ["register", "run_demo_data", "CONTENTS"]

# What the folder holds, as the command lists it.
CONTENTS = {
    "my_sounds/": "4 chord qualities x 20 one-second clips (a class per folder)",
    "day.wav": "30 s of chords, one per second (a long recording)",
    "mix.wav": "5 s mixture of synthetic tones, chirps and noise bursts",
    "my_tags/": "40 clips carrying 1-2 of the tags low, mid, high (labels.csv)",
    "melody.mid": "a 4-bar soprano melody (to harmonise)",
    "human.mid": "a 4-bar melody (the human's part of a duet)",
}
RATE = 16000


def register(subparsers):
    """Add `demo-data` to the `audiozoo` parser."""
    p = checks.add_command(
        subparsers,
        "demo-data",
        run_demo_data,
        "write the small input files the README examples use (no download)",
    )
    p.add_argument("--out", default="demo-data", help="folder to write into")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="makes the same files")


def run_demo_data(args):
    """Write every file of `CONTENTS` into `args.out` and list them."""
    import numpy as np

    checks.output_folder("--out", args.out)
    checks.seed("--seed", args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    _sounds(os.path.join(args.out, "my_sounds"), rng)
    _day(os.path.join(args.out, "day.wav"), rng)
    _mix(os.path.join(args.out, "mix.wav"), rng)
    _tags(os.path.join(args.out, "my_tags"), rng)
    _melody(os.path.join(args.out, "melody.mid"), [67, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60])
    _melody(os.path.join(args.out, "human.mid"), [60, 62, 64, 65, 67, 65, 64, 62, 64, 62, 59, 60])
    print(f"Wrote {args.out}/:")
    for name, what in CONTENTS.items():
        print(f"  {name:<12} {what}")
    return 0


def _write(path, wave, rate=RATE):
    import soundfile as sf

    from applications.atomic_io import atomic_path

    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with atomic_path(path) as tmp:
        sf.write(tmp, wave.astype("float32"), rate, subtype="PCM_16", format="WAV")


def _chord(rng, quality):
    from applications.data.chords import QUALITIES, render_chord

    root = 48 + int(rng.integers(0, 24))
    return render_chord(rng, QUALITIES[quality], RATE, RATE, root)


def _sounds(folder, rng):
    for quality in ("major", "minor", "diminished", "augmented"):
        for i in range(20):
            _write(os.path.join(folder, quality, f"{i:02d}.wav"), _chord(rng, quality))


def _day(path, rng):
    import numpy as np

    from applications.data.chords import QUALITIES

    names = list(QUALITIES)
    _write(path, np.concatenate([_chord(rng, names[i % len(names)]) for i in range(30)]))


def _mix(path, rng):
    from applications.separation.synthetic import synthesize

    kinds = ("tones", "chirps", "bursts")
    wave = sum(synthesize(kind, 5.0, RATE, rng) for kind in kinds) / len(kinds)
    _write(path, wave)


def _tags(folder, rng):
    import numpy as np

    hz = {"low": 220.0, "mid": 660.0, "high": 1760.0}
    rows = ["filename,tags"]
    t = np.arange(RATE) / RATE
    for i in range(40):
        tags = ["low", "mid", "high", "low;high", "mid;high"][i % 5]
        wave = sum(0.3 * np.sin(2 * np.pi * hz[g] * t) for g in tags.split(";"))
        _write(os.path.join(folder, f"{i:02d}.wav"), wave + 0.02 * rng.standard_normal(t.size))
        rows.append(f"{i:02d}.wav,{tags}")
    from applications.atomic_io import atomic_path

    with atomic_path(os.path.join(folder, "labels.csv")) as tmp, open(tmp, "w") as f:
        f.write("\n".join(rows) + "\n")


def _melody(path, pitches):
    """Quarter notes of `pitches` on the 16th-note grid, written as MIDI."""
    import numpy as np

    from applications.music.render import write_score
    from zoo.music.vocab import HOLD, pitch_token

    column = [t for p in pitches for t in (pitch_token(p), HOLD, HOLD, HOLD)]
    column += [pitch_token(pitches[-1])] + [HOLD] * 15  # a whole note to end
    write_score(np.array(column, "int32")[:, None], path, ["Melody"], bpm=90)
