"""`audiozoo tag` speed and memory against file length: real-time factor and peak RSS.

    python benchmarks/tag.py [--minutes 1 10 30] [--repeats 3] [--rate 44100] [--work DIR]

For each length, a stereo file of that many minutes (harmonic tones with
vibrato and noise, at `--rate`) is written once under `--work`, then tagged in
a fresh process exactly as `audiozoo tag FILE` does (block reading, block-wise
resampling to 16 kHz, 3 s windows, musicnn with its MagnaTagATune weights).
Prints one JSON object: per length the wall seconds of tagging (model load
excluded), the real-time factor (audio seconds / wall seconds) and the peak RSS
of the process, each the median of `--repeats` fresh processes (the first batch
alone moves TensorFlow's peak by about 100 MB from one process to the next), the
RSS right after the first batch and at the end (growth within one run), and the
differences between the longest and shortest files; the targets (>= 50x real
time on the longest file, median peak RSS within 100 MB of the shortest file's)
with met / not met, and the machine. Needs the weights cached
(`audiozoo weights fetch musicnn`).
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

TARGET_REALTIME = 50.0
TARGET_RSS_MB = 100.0
TARGET_SECOND_HALF_MB = 20.0

# Run in a child so each length's peak RSS is its own.
CHILD = """
import json, resource, sys, time
from applications.tagging.tag import load_tagger, tag_file
model, tags = load_tagger("musicnn", "mtt")
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20
before, after_batch = rss_mb(), []
predict = model.predict_on_batch
def watched(x):
    out = predict(x)
    after_batch.append(rss_mb())
    return out
model.predict_on_batch = watched
start = time.perf_counter()
result = tag_file(model, tags, sys.argv[1])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "windows": len(result.starts),
                  "peak_rss_mb": peak / 1024, "rss_after_load_mb": before,
                  "rss_after_first_batch_mb": after_batch[0],
                  "rss_at_half_mb": after_batch[len(after_batch) // 2],
                  "rss_at_end_mb": rss_mb()}))
"""


def write_file(path, minutes, rate, seed=0):
    """Write `minutes` of stereo test audio in one-minute chunks (memory stays small)."""
    rng = np.random.default_rng(seed)
    with sf.SoundFile(path, "w", samplerate=rate, channels=2, subtype="PCM_16") as f:
        for minute in range(minutes):
            t = np.arange(60 * rate) / rate + 60 * minute
            pitch = 220 * 2 ** (((minute * 7) % 12) / 12)
            phase = 2 * np.pi * pitch * t + 2 * np.sin(2 * np.pi * 5 * t)
            tone = sum(np.sin(k * phase) / k for k in range(1, 8)) * 0.1
            noise = 0.01 * rng.standard_normal(len(t))
            f.write(np.stack([tone + noise, tone - noise], axis=1).astype(np.float32))


def measure_once(path):
    """Tag `path` in a fresh Python process; its timing and memory as a dict."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, path],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(path, repeats):
    """Per key, the median over `repeats` fresh processes (and every peak RSS)."""
    runs = [measure_once(path) for _ in range(repeats)]
    out = {key: float(np.median([run[key] for run in runs])) for key in runs[0]}
    out["peak_rss_mb_by_run"] = [round(run["peak_rss_mb"], 1) for run in runs]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per length")
    parser.add_argument("--rate", type=int, default=44100)
    parser.add_argument("--work", default="/tmp/audiozoo-tag-bench")
    args = parser.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    load_before = os.getloadavg()
    runs = {}
    for minutes in sorted(args.minutes):
        path = os.path.join(args.work, f"{minutes}min_{args.rate}.wav")
        if not os.path.exists(path):
            write_file(path, minutes, args.rate)
        run = measure(path, args.repeats)
        run["realtime_factor"] = round(60 * minutes / run["seconds"], 1)
        run["windows"] = int(run["windows"])
        for key in ("seconds", "peak_rss_mb", "rss_after_load_mb"):
            run[key] = round(run[key], 1)
        for key in ("rss_after_first_batch_mb", "rss_at_half_mb", "rss_at_end_mb"):
            run[key] = round(run[key], 1)
        run["rss_growth_within_run_mb"] = round(
            run["rss_at_end_mb"] - run["rss_after_first_batch_mb"], 1
        )
        # Flat in length: what the second half of the file adds, after any warm-up.
        run["rss_growth_second_half_mb"] = round(run["rss_at_end_mb"] - run["rss_at_half_mb"], 1)
        runs[f"{minutes}_min"] = run
    shortest, longest = runs[f"{min(args.minutes)}_min"], runs[f"{max(args.minutes)}_min"]
    rss_growth = round(longest["peak_rss_mb"] - shortest["peak_rss_mb"], 1)
    from machine_info import describe

    print(
        json.dumps(
            {
                "file_rate_hz": args.rate,
                "runs": runs,
                "rss_growth_mb_longest_vs_shortest": rss_growth,
                "targets": {
                    f"realtime_factor >= {TARGET_REALTIME:g} on the longest file": longest[
                        "realtime_factor"
                    ]
                    >= TARGET_REALTIME,
                    f"peak RSS growth <= {TARGET_RSS_MB:g} MB": rss_growth <= TARGET_RSS_MB,
                    f"second half of the longest file adds <= {TARGET_SECOND_HALF_MB:g} MB": (
                        longest["rss_growth_second_half_mb"] <= TARGET_SECOND_HALF_MB
                    ),
                },
                "machine": describe(load_before),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
