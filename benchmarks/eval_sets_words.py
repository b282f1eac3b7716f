"""Spoken digits by espeak-ng speakers, split so that test speakers never occur in training.

A speaker is one espeak-ng voice variant (its formants, pitch range,
roughness: the "vocal tract") with an accent, a base pitch and a speaking
rate of its own. Every variant belongs to exactly one speaker, and speakers
are dealt whole into train/val/test. Each take varies pitch, rate and
intonation (. ! ? ,) and then passes a random recording chain (band limits,
sometimes room reverb, background noise at 10-30 dB SNR, gain, time shift).
"""

import os
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import eval_sets_common as common
import numpy as np
import soundfile as sf

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ACCENTS = ("en-us", "en-us-nyc", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan",
           "en-gb-x-gbcwmd", "en-029")  # fmt: skip
# Human-sounding variants (robots, whispers and effects left out); m*/f* are espeak's own.
VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
            "adam", "Alex", "Alicia", "Andrea", "Andy", "Annie", "antonio", "aunty", "belinda",
            "benjamin", "boris", "david", "Denis", "Diogo", "ed", "edward", "Gene", "gustave",
            "Henrique", "Hugo", "iven", "Jacky", "john", "Lee", "linda", "Marco", "max",
            "Michael", "michel", "miguel", "Mike", "norbert", "pablo", "paul", "pedro", "quincy",
            "rob", "robert", "sandro", "shelby", "steph", "travis", "victor", "zac", "grandma",
            "grandpa", "klatt")  # fmt: skip
# More test speakers than takes: the test accuracy then averages over many unseen voices.
SPEAKERS = {"train": 18, "val": 4, "test": 12}
TAKES = {"train": 2, "val": 2, "test": 1}
GENERATION = {
    "synth": "espeak-ng -v ACCENT+VARIANT -p PITCH -s SPEED -w FILE 'WORD<punctuation>'",
    "speaker": {"pitch": [25, 75], "speed_wpm": [120, 200], "accent": list(ACCENTS)},
    "take": {
        "pitch_jitter": [-8, 8],
        "speed_jitter": [0.9, 1.1],
        "punctuation": [".", "!", "?", ","],
    },
    "channel": {"highpass_hz": [50, 300], "lowpass_hz": [3400, 7600], "reverb_probability": 0.4},
    "noise": {"snr_db": [10, 30], "color_exponent": [0, 2], "snr_reference": "word power"},
    "level": {"peak_dbfs": [-20, -1]},
    "placement": "word onset uniform over the centred 90% of the free space in 1 s",
}


def plan(seed=0, speakers=None, takes=None, words=WORDS):
    """The speakers of each split and one record per clip, before any audio is made.

    Args:
        seed: seeds the split and every random choice.
        speakers: {split: number of speakers}; default `SPEAKERS`.
        takes: {split: takes of every word by every speaker}; default `TAKES`.
        words: the classes.

    Returns:
        (speakers, clips): {split: [speaker records]} and a list of clip records.
    """
    split = common.split_groups(VARIANTS, speakers or SPEAKERS, seed)
    takes = takes or TAKES
    rng = np.random.default_rng(seed)
    people, clips = {}, []
    for name, variants in split.items():
        people[name] = []
        for variant in variants:
            person = {
                "id": f"{rng.choice(ACCENTS)}+{variant}",
                "variant": variant,
                "pitch": int(rng.integers(25, 76)),
                "speed": int(rng.integers(120, 201)),
            }
            people[name].append(person)
            for word in words:
                for take in range(takes[name]):
                    clips.append(_take(rng, name, person, word, take))
    return people, clips


def _take(rng, split, person, word, take):
    return {
        "file": f"{split}/{word}/{person['id'].replace('+', '_')}_{take}.wav",
        "split": split,
        "label": word,
        "speaker": person["id"],
        "text": word + str(rng.choice([".", "!", "?", ","])),
        "pitch": int(np.clip(person["pitch"] + rng.integers(-8, 9), 0, 99)),
        "speed": int(person["speed"] * rng.uniform(0.9, 1.1)),
        "effects": common.channel_effects(rng, (50, 300), (3400, 7600), 0.4),
        "snr_db": round(float(rng.uniform(10, 30)), 1),
        "peak_db": round(float(rng.uniform(-20, -1)), 1),
        "shift": round(float(rng.uniform(0.05, 0.95)), 3),
    }


def render(clip, seed, index, workdir):
    """Synthesise, degrade and fit one clip to 1 s; float32 at 16 kHz."""
    wav = os.path.join(workdir, f"{index}.wav")
    cmd = ["espeak-ng", "-v", clip["speaker"], "-p", str(clip["pitch"]), "-s", str(clip["speed"])]
    subprocess.run(cmd + ["-w", wav, clip["text"]], check=True, capture_output=True)
    audio, rate = sf.read(wav, dtype="float32")
    os.remove(wav)
    audio = common.sox(audio, rate, clip["effects"])
    start, stop = common.active_span(audio)
    audio = audio[start:stop]
    length = int(common.SAMPLE_RATE * common.CLIP_SECONDS)
    onset = int(clip["shift"] * max(length - len(audio), 0))
    power = float(np.mean(audio**2))
    rng = np.random.default_rng([seed, index])
    return common.finish(
        common.place(audio, length, onset), rng, clip["snr_db"], clip["peak_db"], power
    )


def make_words_set(out, seed=0, speakers=None, takes=None, words=WORDS, workers=2, overwrite=False):
    """Write the spoken-words set to `out` (train/val/test/<word>/*.wav + manifest.json).

    Args:
        out: the folder to create (written to a temporary folder, then renamed).
        seed: seeds the speaker split, all parameters and the noise.
        speakers: {split: number of speakers}; default 18/4/12.
        takes: {split: takes of every word per speaker}; default 2/2/1.
        words: the classes.
        workers: clips synthesised in parallel.
        overwrite: replace an existing `out`.

    Returns:
        The manifest (also written to `out/manifest.json`).

    Example:
        >>> make_words_set("/tmp/words", seed=0)["counts"]["test"]["seven"]
        12
    """
    common.require_tools("espeak-ng", "sox")
    common.check_out(out, overwrite)
    started = time.perf_counter()
    people, clips = plan(seed, speakers, takes, words)
    with common.atomic_folder(out, overwrite) as tmp, tempfile.TemporaryDirectory() as work:
        for split, word in {(c["split"], c["label"]) for c in clips}:
            os.makedirs(os.path.join(tmp, split, word))

        def job(index):
            audio = render(clips[index], seed, index, work)
            common.write_wav(os.path.join(tmp, clips[index]["file"]), audio)

        with ThreadPoolExecutor(max(1, workers)) as pool:
            list(pool.map(job, range(len(clips))))
        manifest = {
            "set": "words",
            "description": "spoken digits; test (and val) speakers never occur in training",
            "split_by": "speaker = one espeak-ng voice variant; each variant is in one split only",
            "seed": seed,
            "sample_rate": common.SAMPLE_RATE,
            "clip_seconds": common.CLIP_SECONDS,
            "classes": sorted(words),
            "speakers": people,
            "counts": common.counts(clips),
            "total_clips": len(clips),
            "generation": GENERATION,
            "tools": common.tool_versions("espeak-ng", "sox"),
            "seconds": round(time.perf_counter() - started, 1),
            "clips": clips,
        }
        common.write_manifest(tmp, manifest)
    return manifest
