"""Shared pieces of the evaluation-set generators (see benchmarks/eval_sets.py).

Tool checks, the group split (speakers or instruments never shared between
splits), the recording-chain degradation (sox filters and reverb, then gain,
time shift and background noise in numpy), and the atomic folder write.
"""

import contextlib
import json
import os
import platform
import shutil
import subprocess
import tempfile

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16000
CLIP_SECONDS = 1.0
SPLITS = ("train", "val", "test")
# command -> Debian package that provides it
APT_PACKAGES = {"espeak-ng": "espeak-ng", "fluidsynth": "fluidsynth", "sox": "sox"}


class MissingToolError(RuntimeError):
    """An external program or data file the generator needs is not installed."""


def require_tools(*commands):
    """Raise `MissingToolError` (one line naming the apt packages) unless all are on PATH."""
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        packages = " ".join(APT_PACKAGES.get(c, c) for c in missing)
        raise MissingToolError(
            f"{', '.join(missing)} not found on PATH; install with: apt-get install -y {packages}"
        )


def tool_versions(*commands):
    """{command: first line of `command --version`} plus the Python-side versions."""
    out = {}
    for command in commands:
        result = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
        lines = (result.stdout or result.stderr).strip().splitlines()
        # espeak-ng appends its data path to the version
        out[command] = " ".join(lines[0].split(" Data at:")[0].split()) if lines else "unknown"
    out.update(python=platform.python_version(), numpy=np.__version__, soundfile=sf.__version__)
    return out


def split_groups(groups, sizes, seed):
    """Deal whole groups (speakers, instruments) into splits; no group is in two splits.

    Args:
        groups: distinct group names.
        sizes: {split: number of groups}, e.g. {"train": 16, "val": 4, "test": 6}.
        seed: seeds the shuffle.

    Returns:
        {split: sorted list of groups}.
    """
    groups = sorted(set(groups))
    need = sum(sizes.values())
    if need > len(groups):
        raise ValueError(f"Need {need} groups for the splits {sizes}, have {len(groups)}.")
    order = np.random.default_rng(seed).permutation(len(groups))
    out, start = {}, 0
    for split, n in sizes.items():
        out[split] = sorted(groups[i] for i in order[start : start + n])
        start += n
    return out


def sox(audio, in_rate, effects, out_rate=SAMPLE_RATE):
    """Run float32 mono `audio` through a sox effects chain; returns float32 at `out_rate`."""
    raw = ["-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1"]
    cmd = ["sox", "-V1", *raw, "-r", str(in_rate), "-", *raw, "-r", str(out_rate), "-"]
    result = subprocess.run(
        cmd + [str(e) for e in effects],
        input=np.asarray(audio, np.float32).tobytes(),
        capture_output=True,
        check=True,
    )
    return np.frombuffer(result.stdout, np.float32).copy()


def channel_effects(rng, highpass, lowpass, reverb_probability):
    """A random microphone/room: band limits and, sometimes, sox reverb (a list of sox args)."""
    effects = ["highpass", round(rng.uniform(*highpass)), "lowpass", round(rng.uniform(*lowpass))]
    if rng.random() < reverb_probability:
        # reverberance %, HF damping %, room scale %, stereo depth %, pre-delay ms
        effects += ["reverb", round(rng.uniform(10, 70)), round(rng.uniform(20, 80))]
        effects += [round(rng.uniform(10, 90)), 100, round(rng.uniform(0, 20))]
    return effects + ["gain", "-n", "-3"]  # headroom: reverb raises peaks


def active_span(audio, floor_db=-45.0):
    """(start, stop) of the samples within `floor_db` of the peak."""
    level = np.abs(audio)
    loud = np.flatnonzero(level > level.max() * 10 ** (floor_db / 20)) if level.max() > 0 else []
    return (int(loud[0]), int(loud[-1]) + 1) if len(loud) else (0, len(audio))


def place(audio, length, onset, fade=320):
    """`audio` at sample `onset` of a silent clip of `length` samples; cropped with a fade-out."""
    out = np.zeros(length, np.float32)
    piece = audio[: length - onset].astype(np.float32)
    if len(piece) == length - onset and len(audio) > len(piece):
        piece[-fade:] *= np.linspace(1.0, 0.0, min(fade, len(piece)))
    out[onset : onset + len(piece)] = piece
    return out


def colored_noise(rng, n, exponent):
    """Gaussian noise with a 1/f**exponent power spectrum (0 white, 1 pink, 2 brown), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n)
    freqs[0] = freqs[1]
    noise = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    return noise / np.sqrt(np.mean(noise**2))


def finish(clip, rng, snr_db, peak_db, signal_power):
    """Add background noise at `snr_db` below `signal_power`, then scale the peak to `peak_db`."""
    noise = colored_noise(rng, len(clip), rng.uniform(0.0, 2.0))
    clip = clip + noise * np.sqrt(signal_power / 10 ** (snr_db / 10))
    return (clip * (10 ** (peak_db / 20) / max(np.abs(clip).max(), 1e-9))).astype(np.float32)


def write_wav(path, audio):
    """16 kHz mono PCM16 WAV."""
    sf.write(path, np.clip(audio, -1.0, 1.0), SAMPLE_RATE, subtype="PCM_16")


def check_out(out, overwrite):
    """Fail early when `out` exists and may not be replaced."""
    if os.path.exists(out) and not overwrite:
        raise FileExistsError(f"{out} already exists; remove it or pass --overwrite.")


@contextlib.contextmanager
def atomic_folder(out, overwrite=False):
    """Yield a temporary folder next to `out`; on success rename it to `out`.

    A killed run leaves no half-written set under `out`, only a `.tmp-*`
    folder (removed on ordinary errors).
    """
    check_out(out, overwrite)
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-evalset-", dir=parent)
    try:
        yield tmp
        old = None
        if os.path.exists(out):
            check_out(out, overwrite)
            old = tempfile.mkdtemp(prefix=".old-evalset-", dir=parent)
            os.replace(out, os.path.join(old, "set"))
        os.replace(tmp, out)
        if old:
            shutil.rmtree(old)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)


def counts(clips):
    """{split: {class: n}} from clip records with `split` and `label`."""
    out = {s: {} for s in SPLITS}
    for clip in clips:
        out[clip["split"]][clip["label"]] = out[clip["split"]].get(clip["label"], 0) + 1
    return {s: dict(sorted(c.items())) for s, c in out.items() if c}


def write_manifest(folder, manifest):
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
