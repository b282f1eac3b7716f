"""Memory against data size: finetune from scratch on N clips, separate/detect on long files.

    python benchmarks/scale.py [--clips 1000 8000 64000] [--clip-seconds 1] [--minutes 10 40]
                               [--work DIR] [--workers] [--out scale.json]

The targets are 64k clips of 10 s and a 4-hour file; clips are `--clip-seconds`
long (default 1 s) at 8 kHz, files `--minutes` long at 8 kHz. Each
measurement is a fresh `audiozoo` process (peak RSS from `wait4`):

- `finetune` from scratch (`--cache disk` and `--cache memory`; one epoch,
  no baseline, no refit) on N clips: peak RSS; training clips/s over the
  epoch's steady steps (every step after the first, which traces the step
  function: that one-time cost would otherwise dominate small N); the whole
  epoch's clips/s; and clips/s of building the log-mel cache. The
  N clips are one generated set of `--distinct` clips repeated under other
  names (hard links; `--dedupe` off, so nothing is dropped; the log names the
  repeats across splits).
- `separate apply` (a tiny Open-Unmix) and `events detect` (a tiny CRNN) on
  files of `--minutes`: peak RSS and seconds; both stream their input.
- `--workers`: two loopback workers of `finetune` on the smallest N, counting
  the training files each decodes (sharded by file).

`--clips` or `--minutes` with no value skips that part (the 4-hour file runs on
its own: `--clips --minutes 10 240`).

Prints one JSON object (also written to `--out`) and writes a PNG of peak RSS
against N and file length beside it, with the targets met or not.
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

RATE = 8000
TARGET_CLIPS_MB, TARGET_FILE_MB, TARGET_SPEED = 300.0, 100.0, 0.10
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": REPO}


def run(args, env=None):
    """Run `audiozoo ARGS` in a fresh process: `(output, seconds, peak RSS MB)`."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "applications.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env or ENV,
        cwd=REPO,
    )
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"audiozoo {' '.join(args)} failed:\n{output[-3000:]}")
    return output, time.perf_counter() - start, usage.ru_maxrss / 1024


def make_clips(root, count, distinct, seconds=1.0):
    """`count` clips of `seconds` in 4 classes: `distinct` generated ones, the rest hard links."""
    rng = np.random.default_rng(0)
    sources = []
    samples = int(round(seconds * RATE))
    for i in range(distinct):
        label = i % 4
        t = np.arange(samples) / RATE
        wave = 0.4 * np.sin(
            2 * np.pi * 220 * 2 ** (label * 0.5) * t * (1 + 0.02 * rng.standard_normal())
        )
        wave += 0.05 * rng.standard_normal(samples)
        folder = os.path.join(root, f"class{label}")
        os.makedirs(folder, exist_ok=True)
        sources.append(os.path.join(folder, f"clip{i:06d}.wav"))
        sf.write(sources[-1], wave.astype(np.float32), RATE, subtype="PCM_16")
    for i in range(distinct, count):
        source = sources[i % distinct]
        os.link(source, os.path.join(os.path.dirname(source), f"clip{i:06d}.wav"))
    return root


def finetune(data, out, cache, extra=(), env=None, clip_seconds=1.0):
    args = ["finetune", "--data", data, "--weights", "none", "--out", out, "--backbone",
            "cnn10_compact", "--epochs", "1", "--batch-size", "32", "--sample-rate", str(RATE),
            "--clip-seconds", f"{clip_seconds:g}",
            "--n-mels", "32", "--no-baseline", "--refit", "off", "--cache", cache,
            "--verbose", "2", "--overwrite", *extra]  # fmt: skip
    output, seconds, peak = run(args, env)
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    counts, cache_s = report["counts"], report["timings"].get("log_mel_cache_s")
    return {
        "peak_rss_mb": round(peak, 1),
        "seconds": round(seconds, 1),
        "clips_per_s": report["throughput"].get("scratch_steady_examples_per_s"),
        "epoch_clips_per_s": report["throughput"].get("scratch_train_examples_per_s"),
        "log_mel_cache_s": cache_s,
        "cache_clips_per_s": round(sum(counts.values()) / cache_s, 1) if cache_s else None,
        "train_clips": counts["train"],
        "cache_line": next((ln for ln in output.splitlines() if "Log-mel cache:" in ln), None),
        "duplicates_across_splits": report["dataset"]["duplicates"]["across_splits"],
    }


def long_file(path, minutes):
    """`minutes` of tones and noise at 8 kHz, written a minute at a time."""
    rng = np.random.default_rng(1)
    with sf.SoundFile(path, "w", samplerate=RATE, channels=1, subtype="PCM_16") as f:
        for minute in range(minutes):
            t = np.arange(60 * RATE) / RATE
            tone = 0.3 * np.sin(2 * np.pi * (300 + 20 * minute) * t) * (np.sin(t) > 0)
            f.write((tone + 0.03 * rng.standard_normal(len(t))).astype(np.float32))


def tiny_models(work):
    """A tiny separator and a tiny CRNN (with its events.json), saved as model.keras."""
    import zoo

    sep = os.path.join(work, "separator.keras")
    zoo.get_entry("unmix").build_tiny(sources=("a", "b"), sample_rate=RATE).save(sep)
    blocks = ((8, 2, 2), (8, 2, 2))
    crnn = zoo.events.crnn(3, blocks=blocks, sample_rate=RATE, n_fft=256, hop_length=128,
                           n_mels=16, gru_units=8)  # fmt: skip
    folder = os.path.join(work, "detector")
    os.makedirs(folder, exist_ok=True)
    crnn.save(os.path.join(folder, "model.keras"))
    sidecar = {"task": "events", "classes": ["x", "y", "z"], "sample_rate": RATE,
               "frame_step": 512 / RATE, "frame_first": 0.0, "filter_frames": 3,
               "thresholds": [0.5, 0.5, 0.5]}  # fmt: skip
    with open(os.path.join(folder, "events.json"), "w") as f:
        json.dump(sidecar, f)
    return sep, os.path.join(folder, "model.keras")


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def two_workers(data, out):
    """Two loopback workers: the training files each decodes, from their logs."""
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    procs = []
    for i in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": i}}
        env = {**ENV, "TF_CONFIG": json.dumps(config)}
        args = ["finetune", "--data", data, "--weights", "none", "--out", out, "--epochs", "1",
                "--batch-size", "32", "--sample-rate", str(RATE), "--n-mels", "32",
                "--no-baseline", "--refit", "off", "--strategy", "multi_worker", "--verbose", "2",
                "--overwrite"]  # fmt: skip
        procs.append(
            subprocess.Popen([sys.executable, "-m", "applications.cli", *args], env=env,
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        )  # fmt: skip
    shares = []
    for proc in procs:
        output, _ = proc.communicate(timeout=1800)
        found = re.search(r"worker (\d) of 2 decodes and caches its (\d+) of (\d+)", output)
        shares.append(None if found is None else [int(g) for g in found.groups()])
    return {"decoded_by_worker": shares}


def plot(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    clips = any(result["finetune"].values())
    files = bool(result["separate_apply"])
    fig, axes = plt.subplots(1, clips + files, figsize=(5 * (clips + files), 4), squeeze=False)
    axes = list(axes[0])
    if clips:
        left = axes.pop(0)
        for cache in ("disk", "memory"):
            runs = result["finetune"][cache]
            if runs:
                n = sorted(int(k) for k in runs)
                left.plot(
                    n, [runs[str(k)]["peak_rss_mb"] for k in n], "o-", label=f"--cache {cache}"
                )
        seconds = result.get("clip_seconds", 1.0)
        left.set(xscale="log", xlabel=f"clips ({seconds:g} s)", ylabel="peak RSS (MB)",
                 title="finetune, 1 epoch")  # fmt: skip
        left.legend()
    if files:
        right = axes.pop(0)
        for job in ("separate_apply", "events_detect"):
            runs = result[job]
            minutes = sorted(int(k) for k in runs)
            right.plot(minutes, [runs[str(m)]["peak_rss_mb"] for m in minutes], "o-", label=job)
        right.set(xlabel="file length (min)", ylabel="peak RSS (MB)", title="streamed long files")
        right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, nargs="*", default=[1000, 8000, 64000],
                        help="N for finetune (none: skip finetune)")  # fmt: skip
    parser.add_argument("--memory-clips", type=int, nargs="*", default=None,
                        help="N for --cache memory (default: the smallest and largest)")  # fmt: skip
    parser.add_argument("--distinct", type=int, default=250)
    parser.add_argument("--clip-seconds", type=float, default=1.0)
    parser.add_argument("--minutes", type=int, nargs="*", default=[10, 40],
                        help="long files (none: skip them)")  # fmt: skip
    parser.add_argument("--workers", action="store_true")
    parser.add_argument("--work", default="/tmp/audiozoo-scale-bench")
    parser.add_argument("--out", default="scale.json")
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    load_before = os.getloadavg()
    clips = sorted(args.clips)

    def folder(n):  # the 1-s sets keep their old names
        return f"clips{n}" if args.clip_seconds == 1 else f"clips{n}_{args.clip_seconds:g}s"

    memory_clips = sorted(
        set(clips[:1] + clips[-1:]) if args.memory_clips is None else args.memory_clips
    )
    result = {
        "scaled_down": (
            "the targets name 1k/8k/64k clips of 10 s and a 4-hour file; this 2-core machine runs "
            f"{clips} clips of {args.clip_seconds:g} s at {RATE} Hz and files of {args.minutes} "
            f"minutes at {RATE} Hz"
        ),
        "clips_note": (
            f"{args.distinct} generated clips repeated under other names (hard links); --dedupe "
            "off, so repeats stay (and are counted across splits)"
        ),
        "clip_seconds": args.clip_seconds,
        "finetune": {"disk": {}, "memory": {}},
        "separate_apply": {},
        "events_detect": {},
    }
    for n in sorted(set(clips) | set(memory_clips)):
        data = os.path.join(args.work, folder(n))
        if not os.path.isdir(data):
            make_clips(data, n, min(args.distinct, n), args.clip_seconds)
        for cache in ("disk", "memory"):
            if cache == "disk" and n not in clips or cache == "memory" and n not in memory_clips:
                continue
            out = os.path.join(args.work, f"run_{cache}_{n}")
            result["finetune"][cache][str(n)] = finetune(
                data, out, cache, clip_seconds=args.clip_seconds
            )
    sep, det = tiny_models(args.work)
    for minutes in sorted(args.minutes):
        path = os.path.join(args.work, f"long{minutes}.wav")
        if not os.path.exists(path):
            long_file(path, minutes)
        _, seconds, peak = run(["separate", "apply", "--model", sep, path, "--out",
                                os.path.join(args.work, "separated")])  # fmt: skip
        result["separate_apply"][str(minutes)] = {"peak_rss_mb": round(peak, 1),
                                                  "seconds": round(seconds, 1)}  # fmt: skip
        _, seconds, peak = run(["events", "detect", "--model", det, path, "--out",
                                os.path.join(args.work, "events.csv")])  # fmt: skip
        result["events_detect"][str(minutes)] = {"peak_rss_mb": round(peak, 1),
                                                 "seconds": round(seconds, 1)}  # fmt: skip
    if args.workers and clips:
        data = os.path.join(args.work, folder(clips[0]))
        result["two_workers"] = two_workers(data, os.path.join(args.work, "run_workers"))
    targets = {}
    disk = result["finetune"]["disk"]
    if clips:
        small, large = disk[str(clips[0])], disk[str(clips[-1])]
        speeds = [r["clips_per_s"] for r in disk.values() if r["clips_per_s"]]
        targets[f"finetune --cache disk: peak RSS at {clips[-1]} <= at {clips[0]} + 300 MB"] = (
            large["peak_rss_mb"] <= small["peak_rss_mb"] + TARGET_CLIPS_MB
        )
        targets["finetune --cache disk: steady training clips/s within 10% of each other"] = bool(
            speeds
        ) and max(speeds) <= (1 + TARGET_SPEED) * min(speeds)
    for job in ("separate_apply", "events_detect") if args.minutes else ():
        runs = result[job]
        lo, hi = runs[str(min(args.minutes))], runs[str(max(args.minutes))]
        targets[f"{job}: peak RSS within 100 MB from {min(args.minutes)} to "
                f"{max(args.minutes)} min"] = abs(hi["peak_rss_mb"] - lo["peak_rss_mb"]) <= TARGET_FILE_MB  # fmt: skip
    result["targets_met"] = targets
    from machine_info import describe

    result["machine"] = describe(load_before)
    result["command"] = "python benchmarks/scale.py " + " ".join(argv or sys.argv[1:])
    text = json.dumps(result, indent=1)
    print(text)
    with open(args.out, "w") as f:
        f.write(text + "\n")
    plot(result, os.path.splitext(args.out)[0] + ".png")


if __name__ == "__main__":
    main()
