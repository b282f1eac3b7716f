"""Two real-sounding sources made on this machine: speech (espeak-ng) and instruments (fluidsynth).

Writes `OUT/train/{speech,music}/*.wav` and `OUT/test/{speech,music}/*.wav`:
speech as espeak-ng's 22,050 Hz output (random English word sequences, several
voices, speeds and pitches; `separate train` resamples it), music as random
melodies over chords rendered by fluidsynth at 16 kHz with
/usr/share/sounds/sf2/FluidR3_GM.sf2 (piano, guitar, strings, flute, organ...).
Needs `apt-get install espeak-ng fluidsynth fluid-soundfont-gm`. Audio goes to
the folder given (e.g. /tmp), never into the repository.

    python benchmarks/separation_sources.py /tmp/sep_real [--train 40] [--test 10]
"""

import argparse
import os
import struct
import subprocess

import numpy as np

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
WORDS = (
    "the a house river quickly under seven music window carry bright evening paper garden "
    "slowly listen number yellow morning travel between winter happy station green silver "
    "market follow simple letter mountain open water table story every bridge sound"
).split()
VOICES = ("en", "en-us", "en+f3", "en+m3", "en-us+f2", "en+m7", "en-gb-scotland", "en+f5")
PROGRAMS = (0, 4, 24, 25, 40, 48, 56, 73, 19, 11)  # piano, e-piano, guitars, violin, strings, ...


def speech(path, rng):
    """One espeak-ng utterance of 8-16 random words."""
    text = " ".join(rng.choice(WORDS, size=rng.integers(8, 17)))
    voice = VOICES[rng.integers(len(VOICES))]
    args = ["-v", voice, "-s", str(rng.integers(130, 190)), "-p", str(rng.integers(30, 70))]
    subprocess.run(["espeak-ng", *args, "-w", path, text], check=True, capture_output=True)


def _vlq(n):
    out = [n & 0x7F]
    while n > 127:
        n >>= 7
        out.insert(0, (n & 0x7F) | 0x80)
    return bytes(out)


def midi_file(path, events, tempo=500000):
    """Write a format-0 MIDI file of `(tick, message bytes)` events (480 ticks per beat)."""
    body, last = b"\x00\xff\x51\x03" + tempo.to_bytes(3, "big"), 0
    for tick, message in sorted(events, key=lambda e: e[0]):
        body += _vlq(tick - last) + message
        last = tick
    body += b"\x00\xff\x2f\x00"
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480))
        f.write(b"MTrk" + struct.pack(">I", len(body)) + body)


def music(path, rng, seconds=6.0):
    """A random melody over block chords, one or two GM instruments, rendered at 16 kHz."""
    events, beats = [], int(seconds * 2)
    for channel in (0, 1):
        events.append((0, bytes([0xC0 | channel, int(rng.choice(PROGRAMS))])))
    root = int(rng.integers(48, 60))
    for beat in range(0, beats, 2):  # a chord every two beats on channel 1
        chord = root + int(rng.choice([0, 5, 7, 9]))
        for note in (chord, chord + 4, chord + 7):
            events += [
                (beat * 480, bytes([0x91, note, 70])),
                ((beat + 2) * 480, bytes([0x81, note, 0])),
            ]
    tick = 0
    while tick < beats * 480:  # melody on channel 0
        length = int(rng.choice([240, 480, 960]))
        note = root + 12 + int(rng.choice([0, 2, 4, 5, 7, 9, 11, 12]))
        events += [(tick, bytes([0x90, note, 90])), (tick + length, bytes([0x80, note, 0]))]
        tick += length
    mid = path[:-4] + ".mid"
    midi_file(mid, events)
    subprocess.run(
        ["fluidsynth", "-ni", "-g", "0.8", "-r", "16000", "-F", path, SOUNDFONT, mid],
        check=True,
        capture_output=True,
    )
    os.remove(mid)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--train", type=int, default=40)
    parser.add_argument("--test", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for split, count in (("train", args.train), ("test", args.test)):
        for source, make in (("speech", speech), ("music", music)):
            folder = os.path.join(args.out, split, source)
            os.makedirs(folder, exist_ok=True)
            for i in range(count):
                make(os.path.join(folder, f"{i:03d}.wav"), rng)
    print(f"Wrote {args.train} + {args.test} clips per source under {args.out}")


if __name__ == "__main__":
    main()
