"""Single notes of General MIDI instrument families, tested on instruments never heard in training.

Classes are GM families (8 programs each, as the GM standard groups them, so
"strings" includes harp and timpani). Within a family the programs are dealt
whole into train/val/test: the test notes come from different instruments of
the same family. Every note varies pitch (within the family's range),
velocity, length, tuning and vibrato; the notes are rendered with fluidsynth
and the FluidR3 GM soundfont, then pass a random recording chain (band
limits, sometimes room reverb, background noise at 15-35 dB SNR, gain, onset).
"""

import os
import struct
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import eval_sets_common as common
import numpy as np
import soundfile as sf

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
# family: (first GM program, 0-based; MIDI pitch range)
FAMILIES = {
    "piano": (0, (36, 96)),
    "chromatic_percussion": (8, (55, 96)),
    "organ": (16, (36, 84)),
    "guitar": (24, (40, 79)),
    "bass": (32, (28, 55)),
    "strings": (40, (43, 84)),
    "brass": (56, (41, 77)),
    "reed": (64, (48, 84)),
    "pipe": (72, (60, 96)),
    "synth_lead": (80, (48, 84)),
}
PROGRAMS = {"train": 5, "val": 1, "test": 2}
NOTES = {"train": 7, "val": 8, "test": 6}
SLOT_SECONDS = 3.0  # one note per slot; long enough for release tails to die out
TICKS_PER_SECOND = 960  # 480 ticks per beat at the default 120 bpm
GENERATION = {
    "synth": "fluidsynth -ni -R 0 -C 0 -g 0.5 -r 16000 -F FILE FluidR3_GM.sf2 notes.mid",
    "note": {"velocity": [40, 127], "seconds": [0.2, 1.0], "detune_cents": [-25, 25],
             "modulation_wheel": "0-50 on 30% of notes", "pitch": "uniform in the family range"},
    "channel": {"highpass_hz": [20, 120], "lowpass_hz": [5000, 7800], "reverb_probability": 0.5},
    "noise": {"snr_db": [15, 35], "color_exponent": [0, 2], "snr_reference": "note power"},
    "level": {"peak_dbfs": [-20, -1]},
    "placement": "note onset 0-50 ms into the clip, cropped at 1 s with a 20 ms fade",
}  # fmt: skip


def plan(seed=0, programs=None, notes=None, families=None):
    """The programs of each split per family and one record per clip.

    Args:
        seed: seeds the split and every random choice.
        programs: {split: programs per family}; default `PROGRAMS` (5/1/2).
        notes: {split: notes per program}; default `NOTES` (7/8/6).
        families: family names (keys of `FAMILIES`); default all.

    Returns:
        (instruments, clips): {split: {family: [GM programs]}} and a list of clip records.
    """
    programs, notes = programs or PROGRAMS, notes or NOTES
    rng = np.random.default_rng(seed)
    instruments = {split: {} for split in programs}
    clips = []
    for f, family in enumerate(sorted(families or FAMILIES)):
        first, (low, high) = FAMILIES[family]
        split = common.split_groups(range(first, first + 8), programs, seed * 1000 + f)
        for name, chosen in split.items():
            instruments[name][family] = [int(p) for p in chosen]
            for program in chosen:
                for k in range(notes[name]):
                    clips.append(_note(rng, name, family, int(program), k, low, high))
    return instruments, clips


def _note(rng, split, family, program, k, low, high):
    return {
        "file": f"{split}/{family}/gm{program:03d}_{k:02d}.wav",
        "split": split,
        "label": family,
        "program": program,
        "pitch": int(rng.integers(low, high + 1)),
        "velocity": int(rng.integers(40, 128)),
        "seconds": round(float(rng.uniform(0.2, 1.0)), 3),
        "detune_cents": round(float(rng.uniform(-25, 25)), 1),
        "modulation": int(rng.integers(0, 51)) if rng.random() < 0.3 else 0,
        "effects": common.channel_effects(rng, (20, 120), (5000, 7800), 0.5),
        "snr_db": round(float(rng.uniform(15, 35)), 1),
        "peak_db": round(float(rng.uniform(-20, -1)), 1),
        "onset_ms": round(float(rng.uniform(0, 50)), 1),
    }


def _vlq(n):
    out = [n & 0x7F]
    while n > 0x7F:
        n >>= 7
        out.append(0x80 | (n & 0x7F))
    return bytes(reversed(out))


def midi_file(clips):
    """A type-0 MIDI file that plays clip i's note at i * SLOT_SECONDS on channel 0."""
    events = []
    for i, c in enumerate(clips):
        t = round(i * SLOT_SECONDS * TICKS_PER_SECOND)
        bend = int(np.clip(8192 + c["detune_cents"] / 200 * 8192, 0, 16383))  # +-2 semitones
        events += [(t, bytes([0xB0, 121, 0])), (t, bytes([0xC0, c["program"]]))]
        events += [
            (t, bytes([0xE0, bend & 0x7F, bend >> 7])),
            (t, bytes([0xB0, 1, c["modulation"]])),
        ]
        events += [(t + 1, bytes([0x90, c["pitch"], c["velocity"]]))]
        events += [(t + 1 + round(c["seconds"] * TICKS_PER_SECOND), bytes([0x80, c["pitch"], 0]))]
    track, last = b"", 0
    for t, data in sorted(events, key=lambda e: e[0]):
        track += _vlq(t - last) + data
        last = t
    track += _vlq(round(2 * TICKS_PER_SECOND)) + b"\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_SECOND // 2)
    return header + b"MTrk" + struct.pack(">I", len(track)) + track


def render_all(clips, soundfont, workdir):
    """All notes in one fluidsynth run (the soundfont loads once); mono float32 at 16 kHz."""
    mid, wav = os.path.join(workdir, "notes.mid"), os.path.join(workdir, "notes.wav")
    with open(mid, "wb") as f:
        f.write(midi_file(clips))
    cmd = ["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.5"]
    cmd += ["-r", str(common.SAMPLE_RATE), "-F", wav, soundfont, mid]
    subprocess.run(cmd, check=True, capture_output=True)
    audio, rate = sf.read(wav, dtype="float32", always_2d=True)
    if rate != common.SAMPLE_RATE:
        raise RuntimeError(f"fluidsynth wrote {rate} Hz instead of {common.SAMPLE_RATE}.")
    slots = len(clips) * int(SLOT_SECONDS * common.SAMPLE_RATE)
    return np.pad(audio.mean(axis=1), (0, max(0, slots - len(audio))))[:slots]


def render_audible(clips, soundfont, workdir, seed, floor=1e-3, tries=20, indices=None):
    """`render_all`, with a new pitch for notes outside a program's sampled range.

    The soundfont leaves some programs silent at some keys (contrabass above
    about B3, baritone sax at the top of the reed range). Such a note gets a
    pitch drawn again from the family range, minus the keys already found
    silent for that program, until it sounds. Returns the audio and the
    number of redrawn pitches. `indices`: each clip's index in the whole set
    (seeds its redraws; default 0, 1, ...), for a part of the set rendered alone.
    """
    indices = list(range(len(clips))) if indices is None else list(indices)
    audio, redrawn, dead = render_all(clips, soundfont, workdir), 0, {}
    slot = int(SLOT_SECONDS * common.SAMPLE_RATE)
    for attempt in range(1, tries + 1):
        peaks = np.abs(audio.reshape(len(clips), slot)).max(axis=1)
        silent = [int(i) for i in np.flatnonzero(peaks < floor)]
        if not silent:
            return audio, redrawn
        for i in silent:
            dead.setdefault(clips[i]["program"], set()).add(clips[i]["pitch"])
        for i in silent:
            low, high = FAMILIES[clips[i]["label"]][1]
            keys = sorted(set(range(low, high + 1)) - dead[clips[i]["program"]])
            rng = np.random.default_rng([seed, indices[i], attempt])
            clips[i]["pitch"] = int(rng.choice(keys))
        redrawn += len(silent)
        again = render_all([clips[i] for i in silent], soundfont, workdir)
        for j, i in enumerate(silent):
            audio[i * slot : (i + 1) * slot] = again[j * slot : (j + 1) * slot]
    raise RuntimeError(f"{len(silent)} note(s) stay silent after {tries} redraws: {silent[:5]}")


def finish_note(clip, slot, seed, index):
    """Degrade one rendered note (its slot of the render) and fit it to 1 s."""
    audio = common.sox(slot, common.SAMPLE_RATE, clip["effects"])
    start, stop = common.active_span(audio, floor_db=-50.0)
    audio = audio[start:]
    length = int(common.SAMPLE_RATE * common.CLIP_SECONDS)
    clip_audio = common.place(audio, length, int(clip["onset_ms"] * common.SAMPLE_RATE / 1000))
    power = float(np.mean(audio[: min(stop - start, length)] ** 2))  # the note inside the clip
    rng = np.random.default_rng([seed, index])
    return common.finish(clip_audio, rng, clip["snr_db"], clip["peak_db"], power)


def assign_soundfonts(clips, instruments, soundfont, soundfonts=None):
    """The soundfont that renders each clip: `soundfonts[split]`, else `soundfont`.

    A split's entry may be a list: the split's programs of each family are
    dealt over it in turn (the family's first program to the first file, ...).
    """
    out = []
    for clip in clips:
        chosen = (soundfonts or {}).get(clip["split"], soundfont)
        if not isinstance(chosen, str):
            programs = instruments[clip["split"]][clip["label"]]
            chosen = chosen[programs.index(clip["program"]) % len(chosen)]
        out.append(chosen)
    return out


def render_by_soundfont(clips, fonts, soundfont, workdir, seed):
    """Each clip rendered by its soundfont; (audio, redrawn).

    The whole set is rendered by `soundfont` first, exactly as without
    per-split soundfonts (so those clips are the same audio), then the clips
    of each other file are rendered again by it (one fluidsynth run per file).
    """
    slot = int(SLOT_SECONDS * common.SAMPLE_RATE)
    audio, redrawn = render_audible(clips, soundfont, workdir, seed)
    for font in dict.fromkeys(f for f in fonts if f != soundfont):
        indices = [i for i, f in enumerate(fonts) if f == font]
        part, n = render_audible([clips[i] for i in indices], font, workdir, seed, indices=indices)
        redrawn += n
        for j, i in enumerate(indices):
            audio[i * slot : (i + 1) * slot] = part[j * slot : (j + 1) * slot]
    return audio, redrawn


def make_instruments_set(out, seed=0, programs=None, notes=None, families=None,
                         soundfont=SOUNDFONT, workers=2, overwrite=False,
                         soundfonts=None):  # fmt: skip
    """Write the instrument-family set to `out` (train/val/test/<family>/*.wav + manifest.json).

    Args:
        out: the folder to create (written to a temporary folder, then renamed).
        seed: seeds the program split, all parameters and the noise.
        programs: {split: programs per family}; default 5/1/2 of the 8.
        notes: {split: notes per program}; default 7/8/6.
        families: family names; default all of `FAMILIES`.
        soundfont: the GM soundfont (Debian package fluid-soundfont-gm).
        soundfonts: {split: soundfont or list of soundfonts} rendering that split
            instead of `soundfont` (a list deals each family's programs over
            the files); the manifest then records each clip's soundfont.
        workers: clips degraded in parallel.
        overwrite: replace an existing `out`.

    Returns:
        The manifest (also written to `out/manifest.json`).

    Example:
        >>> make_instruments_set("/tmp/instruments", seed=0)["counts"]["test"]["brass"]
        12
    """
    common.require_tools("fluidsynth", "sox")
    if not os.path.isfile(soundfont):
        raise common.MissingToolError(
            f"soundfont {soundfont} not found; install with: apt-get install -y fluid-soundfont-gm"
        )
    for font in (soundfonts or {}).values():
        for path in [font] if isinstance(font, str) else font:
            if not os.path.isfile(path):
                raise common.MissingToolError(f"soundfont {path} not found.")
    common.check_out(out, overwrite)
    started = time.perf_counter()
    instruments, clips = plan(seed, programs, notes, families)
    with common.atomic_folder(out, overwrite) as tmp, tempfile.TemporaryDirectory() as work:
        if soundfonts:
            fonts = assign_soundfonts(clips, instruments, soundfont, soundfonts)
            for clip, font in zip(clips, fonts):
                clip["soundfont"] = os.path.basename(font)
            audio, redrawn = render_by_soundfont(clips, fonts, soundfont, work, seed)
        else:
            audio, redrawn = render_audible(clips, soundfont, work, seed)
        slot = int(SLOT_SECONDS * common.SAMPLE_RATE)
        for split, family in {(c["split"], c["label"]) for c in clips}:
            os.makedirs(os.path.join(tmp, split, family))

        def job(index):
            piece = audio[index * slot : (index + 1) * slot]
            note = finish_note(clips[index], piece, seed, index)
            common.write_wav(os.path.join(tmp, clips[index]["file"]), note)

        with ThreadPoolExecutor(max(1, workers)) as pool:
            list(pool.map(job, range(len(clips))))
        manifest = {
            "set": "instruments",
            "description": "GM instrument families; test (and val) programs never occur in training",
            "split_by": "GM program: within each family, each program is in one split only",
            "seed": seed,
            "sample_rate": common.SAMPLE_RATE,
            "clip_seconds": common.CLIP_SECONDS,
            "classes": sorted(families or FAMILIES),
            "programs": instruments,
            "counts": common.counts(clips),
            "total_clips": len(clips),
            "generation": {**GENERATION, "silent_notes_redrawn": redrawn},
            "soundfont": os.path.realpath(soundfont),
            **({"soundfonts": _soundfont_paths(soundfonts)} if soundfonts else {}),
            "tools": common.tool_versions("fluidsynth", "sox"),
            "seconds": round(time.perf_counter() - started, 1),
            "clips": clips,
        }
        common.write_manifest(tmp, manifest)
    return manifest


def _soundfont_paths(soundfonts):
    return {
        split: [os.path.realpath(f) for f in ([font] if isinstance(font, str) else font)]
        for split, font in soundfonts.items()
    }
